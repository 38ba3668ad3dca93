"""The PLRNN's and AL-RNN's fused forced unroll (hand-written backward pass) against autograd.

As for the shallow PLRNN (test_shallow_unroll.py): finite-difference ``gradcheck`` of the fused
function, including the gradient at the initial state and partial observation (N < M); the
teacher-forcing strategies through the fused path against the step-by-step autograd unroll,
for single cells (with a learned lift of the unobserved units) and stacked ensembles; and the
configurations left to the autograd unroll.
"""

from __future__ import annotations

import pytest
import torch
from _unroll_checks import FORCINGS, assert_fused_equals_step_by_step, assert_stacked_equals_members
from chaoskit_models.dsr.alrnn import ALRNNCell
from chaoskit_models.dsr.dendplrnn import DendPLRNNCell
from chaoskit_models.dsr.init import generator
from chaoskit_models.dsr.observation import make_observation
from chaoskit_models.dsr.plrnn import PLRNNCell
from chaoskit_models.dsr.plrnn_unroll import plrnn_unroll
from chaoskit_models.dsr.stacked import stack_cells

E, B, T, M, N = 2, 3, 7, 5, 3


def _inputs(seed: int = 0) -> list[torch.Tensor]:
    g = torch.Generator().manual_seed(seed)
    shapes, scales = [(E, M), (E, M, M), (E, M), (E, B, M)], [0.5, 0.4, 0.3, 1.0]
    return [(s * torch.randn(shape, generator=g, dtype=torch.float64)).requires_grad_()
            for shape, s in zip(shapes, scales, strict=True)]


MIXES = {
    "free": [None] * (T - 1),
    "gtf": [0.3] * (T - 1),
    "gtf_per_member": [torch.tensor([0.2, 0.7], dtype=torch.float64).view(E, 1, 1)] * (T - 1),
    "sparse": [1.0 if t % 2 == 0 else None for t in range(1, T)],
}


@pytest.mark.parametrize("linear_units", [0, 3, M])
@pytest.mark.parametrize("mix", sorted(MIXES))
def test_gradients_match_finite_differences(linear_units: int, mix: str) -> None:
    x = torch.randn(E, B, T, N, generator=torch.Generator().manual_seed(1), dtype=torch.float64)
    assert torch.autograd.gradcheck(
        lambda *p: plrnn_unroll(*p, x, MIXES[mix], linear_units=linear_units), _inputs(), eps=1e-6, atol=1e-7
    )


def _cell(kind: str, seed: int, latent: int = M, observation: str = "identity") -> torch.nn.Module:
    gen = generator(seed)
    obs = make_observation(observation, N, latent, gen)
    cell = PLRNNCell(latent, obs, gen) if kind == "plrnn" else ALRNNCell(latent, obs, gen, pwl_units=2)
    with torch.no_grad():  # non-trivial biases and couplings, so every term matters
        cell.h.copy_(0.3 * torch.randn(latent, generator=gen, dtype=torch.float64))
        cell.W.copy_(0.4 * torch.randn(latent, latent, generator=gen, dtype=torch.float64))
    return cell


@pytest.mark.parametrize("latent", [M, N])
@pytest.mark.parametrize("kind", ["plrnn", "alrnn"])
@pytest.mark.parametrize("forcing", sorted(FORCINGS))
def test_strategies_through_the_fused_path_equal_the_step_by_step_unroll(kind: str, forcing: str, latent: int) -> None:
    cell = _cell(kind, 3, latent)
    x = torch.randn(4, 12, N, generator=torch.Generator().manual_seed(2), dtype=torch.float64)
    assert_fused_equals_step_by_step(cell, FORCINGS[forcing], x)  # with the lift L of the units beyond N


@pytest.mark.parametrize("kind", ["plrnn", "alrnn"])
@pytest.mark.parametrize("forcing", sorted(FORCINGS))
def test_a_stacked_ensemble_equals_each_members_own_unroll(kind: str, forcing: str) -> None:
    cells = [_cell(kind, s) for s in range(3)]
    x = torch.randn(3, 4, 12, N, generator=torch.Generator().manual_seed(4), dtype=torch.float64)
    assert_stacked_equals_members(cells, FORCINGS[forcing], x)


def test_configurations_outside_the_fast_path_fall_back() -> None:
    x = torch.randn(2, T, N, dtype=torch.float64)
    mix = [None] * (T - 1)
    assert _cell("alrnn", 0).forced_states(x, mix) is not None
    assert _cell("alrnn", 0, observation="affine").forced_states(x, mix) is None
    assert _cell("plrnn", 0, observation="affine").forced_states(x, mix) is None
    with torch.autocast("cpu", dtype=torch.bfloat16):
        assert _cell("plrnn", 0).forced_states(x, mix) is None
    gen = generator(0)
    dend = [DendPLRNNCell(M, make_observation("identity", N, M, gen), gen, bases=3) for _ in range(2)]
    assert stack_cells(dend).forced_states(x.expand(2, *x.shape), mix) is None  # no fused dendritic unroll


@pytest.mark.cuda
@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA device")
@pytest.mark.parametrize("which", ["plrnn", "shallow"])
def test_fused_unrolls_on_cuda_match_the_cpu(which: str) -> None:
    from chaoskit_models.dsr.shallow_unroll import shallow_unroll

    g = torch.Generator().manual_seed(5)
    shapes = [(E, N), (E, N, 4), (E, 4, N), (E, N), (E, 4)] if which == "shallow" else [p.shape for p in _inputs()]
    inputs = [0.5 * torch.randn(s, generator=g, dtype=torch.float64) for s in shapes]
    x = torch.randn(E, B, T, N, generator=g, dtype=torch.float64)
    results = []
    for device in ("cpu", "cuda"):
        params = [p.to(device).requires_grad_() for p in inputs]
        mix = [torch.tensor([0.2, 0.7], dtype=torch.float64, device=device).view(E, 1, 1)] * (T - 1)
        if which == "shallow":
            out = shallow_unroll(*params, x.to(device), mix, clipped=True)
        else:
            out = plrnn_unroll(*params, x.to(device), mix, linear_units=3)
        grads = torch.autograd.grad(out.sin().sum(), params)
        results.append([out.detach().cpu(), *(gr.cpu() for gr in grads)])
    for cpu, cuda in zip(*results, strict=True):
        torch.testing.assert_close(cuda, cpu, rtol=1e-9, atol=1e-11)
