"""The shallow PLRNN's fused forced unroll (hand-written backward pass) against autograd.

Three independent checks: ``torch.autograd.gradcheck`` (finite differences in float64) of the
fused function itself; the teacher-forcing strategies with the fused path against the same
strategies unrolled step by step through ``cell.step`` with autograd, for one cell and for a
stacked ensemble; and the configurations the fast path must leave to the step-by-step unroll.
"""

from __future__ import annotations

import pytest
import torch
from _unroll_checks import FORCINGS, assert_fused_equals_step_by_step, assert_stacked_equals_members
from chaoskit_models.dsr.init import generator
from chaoskit_models.dsr.observation import make_observation
from chaoskit_models.dsr.shallow_unroll import shallow_unroll
from chaoskit_models.dsr.shplrnn import ShallowPLRNNCell
from chaoskit_models.training.forcing import (
    GeneralizedForcing,
    gtf_unroll,
)

E, B, T, M, L = 2, 3, 7, 3, 4


def _params(seed: int = 0) -> list[torch.Tensor]:
    g = torch.Generator().manual_seed(seed)
    shapes = [(E, M), (E, M, L), (E, L, M), (E, M), (E, L)]
    scales = [0.5, 0.6, 0.8, 0.3, 0.5]
    return [(s * torch.randn(shape, generator=g, dtype=torch.float64)).requires_grad_()
            for shape, s in zip(shapes, scales, strict=True)]


def _windows(*lead: int, seed: int = 1, length: int = T) -> torch.Tensor:
    return torch.randn(*lead, length, M, generator=torch.Generator().manual_seed(seed), dtype=torch.float64)


MIXES = {
    "free": [None] * (T - 1),
    "gtf": [0.3] * (T - 1),
    "gtf_per_member": [torch.tensor([0.2, 0.7], dtype=torch.float64).view(E, 1, 1)] * (T - 1),
    "sparse": [1.0 if t % 2 == 0 else None for t in range(1, T)],
    "full": [1.0] * (T - 1),
}


@pytest.mark.parametrize("clipped", [True, False])
@pytest.mark.parametrize("mix", sorted(MIXES))
def test_gradients_match_finite_differences(clipped: bool, mix: str) -> None:
    x = _windows(E, B)
    assert torch.autograd.gradcheck(
        lambda *p: shallow_unroll(*p, x, MIXES[mix], clipped=clipped), _params(), eps=1e-6, atol=1e-7
    )


def _cell(seed: int, clipped: bool = True, latent: int = M, observation: str = "identity") -> ShallowPLRNNCell:
    gen = generator(seed)
    cell = ShallowPLRNNCell(latent, make_observation(observation, M, latent, gen), gen, hidden_dim=L,
                            clipped=clipped)
    with torch.no_grad():
        cell.h1.copy_(0.3 * torch.randn(latent, generator=gen, dtype=torch.float64))
        if not clipped:
            cell.h2.copy_(0.3 * torch.randn(L, generator=gen, dtype=torch.float64))
    return cell


@pytest.mark.parametrize("clipped", [True, False])
@pytest.mark.parametrize("forcing", sorted(FORCINGS))
def test_strategies_through_the_fused_path_equal_the_step_by_step_unroll(clipped: bool, forcing: str) -> None:
    cell, x = _cell(3, clipped), _windows(4, length=12)
    assert_fused_equals_step_by_step(cell, FORCINGS[forcing], x)


@pytest.mark.parametrize("forcing", sorted(FORCINGS))
def test_a_stacked_ensemble_equals_each_members_own_unroll(forcing: str) -> None:
    cells = [_cell(s) for s in range(3)]
    x = _windows(3, 4, length=12)
    assert_stacked_equals_members(cells, FORCINGS[forcing], x)


def test_gtf_collects_the_data_as_inferred_states_and_short_windows_work() -> None:
    cell, x = _cell(0), _windows(2, length=2)
    preds, inferred = gtf_unroll(cell, x, 0.5, force=True, collect=True)
    assert preds.shape == (2, 1, M)
    torch.testing.assert_close(inferred, x[:, 1:])
    expected = cell.step(x[:, 0])
    torch.testing.assert_close(preds[:, 0], expected)


def test_configurations_outside_the_fast_path_fall_back() -> None:
    x = _windows(2)
    mix = [None] * (T - 1)
    assert _cell(0).forced_states(x, mix) is not None
    assert _cell(0, latent=5).forced_states(x, mix) is None  # M > N: the lift L and unobserved units
    assert _cell(0, observation="affine").forced_states(x, mix) is None
    assert _cell(0).forced_states(x.clone().requires_grad_(), mix) is None
    with torch.autocast("cpu", dtype=torch.bfloat16):
        assert _cell(0).forced_states(x, mix) is None
    cell = _cell(0)  # torch.func transforms see the step-by-step unroll
    per_window = torch.func.vmap(lambda w: GeneralizedForcing(alpha=0.4).start().unroll(cell, w.unsqueeze(0)))(x)
    torch.testing.assert_close(per_window[:, 0], GeneralizedForcing(alpha=0.4).start().unroll(cell, x))
