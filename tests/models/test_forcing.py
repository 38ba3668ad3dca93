"""Teacher-forcing strategies against hand-written float64 references on a linear latent cell."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch
from _trainer_toys import LinearCell
from chaoskit import ParameterError
from chaoskit_models.training import GeneralizedForcing, NoForcing, SparseForcing, estimate_alpha


@pytest.fixture
def cell() -> LinearCell:
    return LinearCell(3, 3, seed=1)


@pytest.fixture
def wide_cell() -> LinearCell:
    return LinearCell(5, 3, seed=2)  # two unobserved latent units


@pytest.fixture
def x() -> torch.Tensor:
    return torch.randn(4, 9, 3, generator=torch.Generator().manual_seed(0), dtype=torch.float64)


def numpy_unroll(cell: LinearCell, x: torch.Tensor, rule) -> np.ndarray:
    """Reference unroll: ``rule(t, z, x_t) -> z̃_t``; returns the un-mixed predictions."""
    w, b = cell.lin.weight.detach().numpy(), cell.lin.bias.detach().numpy()
    xs = x.numpy()
    n = cell.obs_dim
    z = xs[:, 0] if cell.lift is None else np.concatenate([xs[:, 0], xs[:, 0] @ cell.lift.weight.detach().numpy().T], -1)
    preds = []
    for t in range(1, xs.shape[1]):
        z = z @ w.T + b
        preds.append(z[:, :n].copy())
        z = rule(t, z, xs[:, t])
    return np.stack(preds, axis=1)


def replaced(z: np.ndarray, x_t: np.ndarray) -> np.ndarray:
    return np.concatenate([x_t, z[:, x_t.shape[1]:]], axis=1)


def test_free_running_follows_the_model_from_the_first_point(cell, x) -> None:
    out = NoForcing().start().unroll(cell, x)
    ref = numpy_unroll(cell, x, lambda t, z, xt: z)
    assert out.shape == (4, 8, 3)
    np.testing.assert_allclose(out.detach().numpy(), ref, rtol=1e-13, atol=1e-14)


def test_gtf_with_alpha_one_gives_one_step_predictions_from_the_data(cell, x) -> None:
    out = GeneralizedForcing(alpha=1.0).start().unroll(cell, x).detach().numpy()
    w, b = cell.lin.weight.detach().numpy(), cell.lin.bias.detach().numpy()
    one_step = x[:, :-1].numpy() @ w.T + b  # predicted x_{t+1} from the observed x_t
    np.testing.assert_allclose(out, one_step, rtol=1e-13, atol=1e-14)


@pytest.mark.parametrize("alpha", [0.3, 0.75])
@pytest.mark.parametrize("which", ["cell", "wide_cell"])
def test_gtf_mixes_model_and_data_states(which, alpha, x, request) -> None:
    c = request.getfixturevalue(which)
    out = GeneralizedForcing(alpha=alpha).start().unroll(c, x).detach().numpy()
    ref = numpy_unroll(c, x, lambda t, z, xt: (1 - alpha) * z + alpha * replaced(z, xt))
    np.testing.assert_allclose(out, ref, rtol=1e-12, atol=1e-13)


@pytest.mark.parametrize("which", ["cell", "wide_cell"])
def test_gtf_with_alpha_zero_is_free_running(which, x, request) -> None:
    c = request.getfixturevalue(which)
    a = GeneralizedForcing(alpha=0.0).start().unroll(c, x)
    b = NoForcing().start().unroll(c, x)
    assert torch.equal(a, b)


@pytest.mark.parametrize("which", ["cell", "wide_cell"])
def test_sparse_forcing_every_step_equals_gtf_with_alpha_one(which, x, request) -> None:
    c = request.getfixturevalue(which)
    a = SparseForcing(interval=1).start().unroll(c, x)
    b = GeneralizedForcing(alpha=1.0).start().unroll(c, x)
    assert torch.equal(a, b)


@pytest.mark.parametrize("tau", [2, 3, 20])
def test_sparse_forcing_replaces_the_observed_state_every_tau_steps(wide_cell, x, tau) -> None:
    out = SparseForcing(interval=tau).start().unroll(wide_cell, x).detach().numpy()
    ref = numpy_unroll(wide_cell, x, lambda t, z, xt: replaced(z, xt) if t % tau == 0 else z)
    np.testing.assert_allclose(out, ref, rtol=1e-12, atol=1e-13)


def test_loss_gradient_flows_through_the_unmixed_prediction(cell, x) -> None:
    """With α = 1 the loss is a one-step regression: its gradient matches the closed form."""
    loss = torch.mean((GeneralizedForcing(alpha=1.0).start().unroll(cell, x) - x[:, 1:]) ** 2)
    loss.backward()
    xs, ys = x[:, :-1].reshape(-1, 3).numpy(), x[:, 1:].reshape(-1, 3).numpy()
    w, b = cell.lin.weight.detach().numpy(), cell.lin.bias.detach().numpy()
    resid = xs @ w.T + b - ys
    grad_w = 2 * resid.T @ xs / resid.size
    np.testing.assert_allclose(cell.lin.weight.grad.numpy(), grad_w, rtol=1e-12, atol=1e-14)


# ------------------------------------------------------------------------- α estimation
class DiagonalCell(LinearCell):
    """A cell whose Jacobian at z is diag(z): spectral norm max|z_i|."""

    def jacobian(self, z: torch.Tensor) -> torch.Tensor:
        return torch.diag_embed(z)


def test_estimate_is_the_batch_max_of_geometric_mean_norms() -> None:
    z = torch.rand(5, 7, 3, generator=torch.Generator().manual_seed(3), dtype=torch.float64) * 3 + 0.1
    ref_g = np.exp(np.log(np.abs(z.numpy()).max(axis=-1)).mean(axis=-1)).max()
    assert estimate_alpha(DiagonalCell(3, 3), z) == pytest.approx(max(0.0, 1 - 1 / ref_g), rel=1e-12)


def test_estimate_for_a_linear_map_uses_its_spectral_norm(cell) -> None:
    with torch.no_grad():
        cell.lin.weight.mul_(2.0)
    norm = np.linalg.norm(cell.lin.weight.detach().numpy(), 2)
    assert norm > 1
    z = torch.zeros(2, 4, 3, dtype=torch.float64)
    assert estimate_alpha(cell, z) == pytest.approx(1 - 1 / norm, rel=1e-12)
    with torch.no_grad():
        cell.lin.weight.mul_(0.1)  # contracting: no forcing needed
    assert estimate_alpha(cell, z) == 0.0


def test_adaptive_alpha_jumps_up_and_decays_down(x) -> None:
    c = LinearCell(3, 3, seed=1)
    with torch.no_grad():
        c.lin.weight.copy_(1.5 * torch.eye(3, dtype=torch.float64))  # α* = 1 − 1/1.5 = 1/3
    runtime = GeneralizedForcing(update_every=2, gamma=0.5).start()
    assert runtime.alpha == 1.0
    runtime.unroll(c, x)
    assert runtime.alpha == 1.0  # batch 1: no estimate yet
    runtime.unroll(c, x)
    assert runtime.alpha == pytest.approx(0.5 * 1.0 + 0.5 / 3)  # decays towards α*
    with runtime.frozen():
        runtime.unroll(c, x)  # evaluation batches neither count nor anneal
        runtime.unroll(c, x)
    runtime.unroll(c, x)
    runtime.unroll(c, x)
    assert runtime.alpha == pytest.approx(0.5 * (0.5 + 0.5 / 3) + 0.5 / 3)
    rising = GeneralizedForcing(update_every=1, alpha_start=0.0).start()
    rising.unroll(c, x)
    assert rising.alpha == pytest.approx(1 / 3)  # an estimate above α is taken at once
    state = rising.state_dict()
    again = GeneralizedForcing(update_every=1, alpha_start=0.0).start()
    again.load_state_dict(state)
    assert again.alpha == rising.alpha and again.state_dict() == state


def test_the_estimate_uses_the_inferred_states_and_applies_from_the_next_batch(x) -> None:
    c = DiagonalCell(3, 3, seed=1)
    runtime = GeneralizedForcing(update_every=1, gamma=0.5).start()
    first = runtime.unroll(c, x)
    assert torch.equal(first, GeneralizedForcing(alpha=1.0).start().unroll(c, x))  # α = 1 on this batch
    est = estimate_alpha(c, x[:, 1:])  # identity observation, M = N: ẑ_t = x_t
    assert runtime.state_dict()["estimate"] == est
    assert 0 < est < 1 and runtime.alpha == 0.5 + 0.5 * est  # decayed: γ·1 + (1 − γ)·α*
    second = runtime.unroll(c, x)  # runs at the updated α
    assert torch.equal(second, GeneralizedForcing(alpha=0.5 + 0.5 * est).start().unroll(c, x))


def test_constant_alpha_never_changes(cell, x) -> None:
    runtime = GeneralizedForcing(alpha=0.4, update_every=1).start()
    for _ in range(3):
        runtime.unroll(cell, x)
    assert runtime.alpha == 0.4 and math.isnan(runtime.state_dict()["estimate"])


def test_bad_configurations_and_windows(cell) -> None:
    for bad in (1.5, -0.1, "fast", None):
        with pytest.raises(ParameterError, match="alpha"):
            GeneralizedForcing(alpha=bad)
    with pytest.raises(ParameterError, match="interval"):
        SparseForcing(interval=0)
    with pytest.raises(ParameterError, match="update_every"):
        GeneralizedForcing(update_every=0)
    with pytest.raises(ParameterError, match=r"time >= 2"):
        NoForcing().start().unroll(cell, torch.zeros(2, 1, 3, dtype=torch.float64))
