"""Tests of the PLRNN-family cells: closed-form Jacobians, initialisations, observation models,
the clipping bound and the protocol the trainer relies on (all in float64, small sizes)."""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np
import pytest
import torch
from chaoskit import finite_difference_jacobian
from chaoskit_models.dsr.alrnn import ALRNNCell
from chaoskit_models.dsr.cell import DSRCell
from chaoskit_models.dsr.dendplrnn import DendPLRNNCell
from chaoskit_models.dsr.init import (
    generator,
    glorot_uniform,
    normalized_positive_definite,
    plrnn_a_w_h,
    uniform_fan_in,
)
from chaoskit_models.dsr.observation import AffineObservation, IdentityObservation, make_observation
from chaoskit_models.dsr.plrnn import PLRNNCell
from chaoskit_models.dsr.rollout import free_run, warm_up
from chaoskit_models.dsr.shplrnn import ShallowPLRNNCell
from chaoskit_models.training.forcing import GeneralizedForcing, SparseForcing
from chaoskit_models.training.protocol import LatentCell

M, N = 5, 3

CellFactory = Callable[[torch.Generator, str], DSRCell]


def _obs(kind: str, gen: torch.Generator) -> torch.nn.Module:
    return make_observation(kind, N, M, gen)


FACTORIES: dict[str, CellFactory] = {
    "plrnn": lambda g, o: PLRNNCell(M, _obs(o, g), g),
    "dendplrnn": lambda g, o: DendPLRNNCell(M, _obs(o, g), g, bases=4, data_range=(-2.0, 2.0)),
    "dendplrnn_clipped": lambda g, o: DendPLRNNCell(M, _obs(o, g), g, bases=4, clipped=True),
    "shplrnn": lambda g, o: ShallowPLRNNCell(M, _obs(o, g), g, hidden_dim=7, clipped=False),
    "clipped_shplrnn": lambda g, o: ShallowPLRNNCell(M, _obs(o, g), g, hidden_dim=7, clipped=True),
    "alrnn": lambda g, o: ALRNNCell(M, _obs(o, g), g, pwl_units=2),
    "alrnn_linear": lambda g, o: ALRNNCell(M, _obs(o, g), g, pwl_units=0),
}


def _cell(name: str, observation: str = "identity", seed: int = 0) -> DSRCell:
    gen = generator(seed)
    cell = FACTORIES[name](gen, observation)
    with torch.no_grad():  # non-zero biases so that every term of the Jacobian matters
        for pname, p in cell.named_parameters():
            if pname in ("h", "h1"):
                p.copy_(0.3 * torch.randn(p.shape, generator=gen, dtype=p.dtype))
            if pname == "h2" and not getattr(cell, "clipped", True):
                p.copy_(0.3 * torch.randn(p.shape, generator=gen, dtype=p.dtype))
            if pname == "W" and name.startswith("alrnn"):
                p.copy_(0.4 * torch.randn(p.shape, generator=gen, dtype=p.dtype))
    return cell


# --------------------------------------------------------------------------- Jacobians
@pytest.mark.parametrize("name", sorted(FACTORIES))
def test_jacobian_matches_autograd_batched(name: str) -> None:
    cell = _cell(name)
    z = torch.randn(4, 6, M, dtype=torch.float64, generator=torch.Generator().manual_seed(1))
    closed = cell.jacobian(z)
    assert closed.shape == (4, 6, M, M)
    auto = torch.func.vmap(torch.func.vmap(torch.func.jacrev(cell.step)))(z)
    torch.testing.assert_close(closed, auto, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("name", sorted(FACTORIES))
def test_jacobian_matches_finite_differences(name: str) -> None:
    cell = _cell(name, seed=3)
    z = np.random.default_rng(2).standard_normal((8, M))

    def step(x: np.ndarray) -> np.ndarray:
        with torch.no_grad():
            return cell.step(torch.as_tensor(x)).numpy()

    fd = finite_difference_jacobian(step, z, rel_step=1e-7)
    closed = cell.jacobian(torch.as_tensor(z)).detach().numpy()
    np.testing.assert_allclose(closed, fd, rtol=1e-6, atol=1e-7)


def test_shallow_jacobian_formula_by_hand() -> None:
    """J = diag(A) + W₁·diag(1[W₂z > −h₂] − 1[W₂z > 0])·W₂ for the clipped cell, written out."""
    cell = _cell("clipped_shplrnn", seed=5)
    z = torch.randn(M, dtype=torch.float64, generator=torch.Generator().manual_seed(4))
    with torch.no_grad():
        a, w1, w2, h2 = (t.numpy() for t in (cell.A, cell.W1, cell.W2, cell.h2))
    u = w2 @ z.numpy()
    d = (u > -h2).astype(float) - (u > 0).astype(float)
    expected = np.diag(a) + w1 @ np.diag(d) @ w2
    np.testing.assert_allclose(cell.jacobian(z).detach().numpy(), expected, rtol=1e-13, atol=1e-14)


def test_plrnn_diagonal_of_w_never_acts() -> None:
    cell = _cell("plrnn")
    z = torch.randn(3, M, dtype=torch.float64)
    before = cell.step(z)
    with torch.no_grad():
        cell.W.add_(torch.diag(torch.full((M,), 5.0, dtype=torch.float64)))
    torch.testing.assert_close(cell.step(z), before)
    cell.step(z).sum().backward()
    assert torch.all(torch.diagonal(cell.W.grad) == 0)


def test_alrnn_is_linear_inside_a_subregion() -> None:
    cell = _cell("alrnn", seed=7)
    gen = torch.Generator().manual_seed(0)
    z1 = torch.randn(M, dtype=torch.float64, generator=gen)
    z1[-2:] = torch.tensor([0.7, -0.4], dtype=torch.float64)
    z2 = torch.randn(M, dtype=torch.float64, generator=gen)
    z2[-2:] = torch.tensor([1.3, -2.0], dtype=torch.float64)  # same signs of the P = 2 units
    with torch.no_grad():
        torch.testing.assert_close(cell.step(z1) - cell.step(z2), cell.jacobian(z1) @ (z1 - z2))
        torch.testing.assert_close(cell.region(z1), torch.tensor([True, False]))
    linear = _cell("alrnn_linear", seed=7)
    with torch.no_grad():
        matrix = torch.diag(linear.A) + linear.W
        torch.testing.assert_close(linear.step(z1), matrix @ z1 + linear.h)


# --------------------------------------------------------------------------- initialisation
def test_normalized_positive_definite_matches_its_definition() -> None:
    r = torch.randn(6, 6, generator=generator(11), dtype=torch.float64).numpy()
    k = r.T @ r / 6 + np.eye(6)
    expected = k / np.max(np.abs(np.linalg.eigvals(k)))
    got = normalized_positive_definite(6, generator(11)).numpy()
    np.testing.assert_allclose(got, expected, rtol=1e-13)
    eig = np.linalg.eigvalsh(got)
    assert eig.min() > 0 and eig.max() == pytest.approx(1.0, abs=1e-13)


def test_plrnn_a_w_h_split_the_matrix() -> None:
    a, w, h = plrnn_a_w_h(M, generator(2))
    k = normalized_positive_definite(M, generator(2))
    torch.testing.assert_close(torch.diag(a) + w, k)
    assert torch.all(torch.diagonal(w) == 0) and torch.all(h == 0)
    assert torch.all((a > 0) & (a <= 1))


def test_uniform_inits_have_the_published_ranges() -> None:
    gen = generator(0)
    w1 = uniform_fan_in((3, 400), 400, gen)
    bound = 1 / math.sqrt(400)
    assert w1.abs().max() <= bound
    assert w1.std().item() == pytest.approx(bound / math.sqrt(3), rel=0.05)  # U(−b, b): σ = b/√3
    l = glorot_uniform(300, 100, gen)
    assert l.abs().max() <= math.sqrt(6 / 400) and l.abs().max() > 0.95 * math.sqrt(6 / 400)


def test_shallow_init_follows_the_reference_code() -> None:
    for clipped in (False, True):
        gen = generator(4)
        cell = ShallowPLRNNCell(3, _obs_for(3, gen), gen, hidden_dim=100, clipped=clipped)
        assert cell.W1.shape == (3, 100) and cell.W2.shape == (100, 3)
        assert cell.W1.abs().max() <= 0.1 and cell.W2.abs().max() <= 1 / math.sqrt(3)
        assert torch.all(cell.h1 == 0)
        if clipped:
            assert cell.h2.abs().max() <= 0.1 and cell.h2.abs().min() > 0
        else:
            assert torch.all(cell.h2 == 0)
        assert torch.all((cell.A > 0) & (cell.A <= 1))


def _obs_for(m: int, gen: torch.Generator) -> IdentityObservation:
    return IdentityObservation(3, m, gen)


def test_same_seed_same_weights() -> None:
    for factory in FACTORIES.values():
        a, b = factory(generator(9), "affine"), factory(generator(9), "affine")
        for (ka, va), (kb, vb) in zip(a.state_dict().items(), b.state_dict().items(), strict=True):
            assert ka == kb and torch.equal(va, vb)


def test_dendritic_thresholds_cover_the_data_range() -> None:
    gen = generator(0)
    cell = DendPLRNNCell(M, _obs("identity", gen), gen, bases=50, data_range=(-1.5, 2.5))
    assert cell.H.min() >= -1.5 and cell.H.max() <= 2.5 and cell.H.max() - cell.H.min() > 3.5
    assert cell.alpha.abs().max() <= 1 / math.sqrt(50)


# --------------------------------------------------------------------------- observation models
def test_identity_observation() -> None:
    obs = IdentityObservation(N, M, generator(0))
    x = torch.randn(4, N, dtype=torch.float64)
    z0 = obs.initial(x)
    torch.testing.assert_close(z0, torch.cat([x, x @ obs.L.T], -1))
    torch.testing.assert_close(obs.observe(z0), x)
    z = torch.randn(4, M, dtype=torch.float64)
    forced = obs.infer(z, x)
    torch.testing.assert_close(forced[:, :N], x)
    torch.testing.assert_close(forced[:, N:], z[:, N:])
    square = IdentityObservation(N, N, generator(0))
    assert square.L is None and torch.equal(square.initial(x), x)
    with pytest.raises(ValueError):
        IdentityObservation(N, N - 1, generator(0))


def test_affine_observation_least_squares_forcing() -> None:
    obs = AffineObservation(N, M, generator(0))
    with torch.no_grad():
        obs.b.copy_(torch.tensor([0.5, -1.0, 2.0], dtype=torch.float64))
    x = torch.randn(6, N, dtype=torch.float64)
    z = torch.randn(6, M, dtype=torch.float64)
    torch.testing.assert_close(obs.observe(obs.initial(x)), x)
    forced = obs.infer(z, x)
    torch.testing.assert_close(obs.observe(forced), x)
    torch.testing.assert_close(obs.infer(z, obs.observe(z)), z)
    # the correction is the minimum-norm one: orthogonal to the null space of B
    b = obs.B.detach().numpy()
    null = np.linalg.svd(b)[2][N:]
    np.testing.assert_allclose(null @ (forced - z).detach().numpy().T, 0.0, atol=1e-12)


@pytest.mark.parametrize("observation", ["identity", "affine"])
def test_forcing_signals_are_inferred_from_the_data_alone(observation: str) -> None:
    # the reference code's forcing signals: [x; 0] (identity), B⁺(x − b) (affine), for one cell,
    # and member by member for a stacked ensemble
    cells = [_cell("plrnn", observation, seed=s) for s in range(2)]
    x = torch.randn(2, 4, 6, N, dtype=torch.float64)
    signal = cells[0].forcing_signal(x[0])
    if observation == "identity":
        torch.testing.assert_close(signal, torch.cat([x[0], torch.zeros(4, 6, M - N, dtype=torch.float64)], -1))
    else:
        obs = cells[0].observation
        torch.testing.assert_close(signal, (x[0] - obs.b) @ torch.linalg.pinv(obs.B).T)
        torch.testing.assert_close(obs.observe(signal), x[0])
    stacked = cells[0].stack_members(cells).forcing_signal(x)
    torch.testing.assert_close(stacked, torch.stack([c.forcing_signal(x[i]) for i, c in enumerate(cells)]))


def test_the_adaptive_alpha_is_estimated_at_the_forcing_signals() -> None:
    # with M > N the unobserved units of the estimate's states are 0, not the model's own
    from chaoskit_models.training.forcing import estimate_alpha, growth

    cell = _cell("plrnn", "identity", seed=3)
    with torch.no_grad():  # expanding, so that α* > 0
        cell.W.mul_(4.0)
    x = torch.randn(5, 30, N, dtype=torch.float64)
    runtime = GeneralizedForcing(update_every=1).start()
    runtime.unroll(cell, x)
    signals = torch.cat([x[:, 1:], torch.zeros(5, 29, M - N, dtype=torch.float64)], -1)
    assert runtime.state_dict()["estimate"] == estimate_alpha(cell, signals)
    with torch.no_grad():
        z = cell.initial(x[:, 0])
        states = []
        for t in range(1, 30):
            z = cell.infer(cell.step(z), x[:, t])
            states.append(z)
    assert 0.0 < runtime.state_dict()["estimate"] < 1.0
    assert float(growth(cell, torch.stack(states, 1))) != pytest.approx(float(growth(cell, signals)), rel=1e-3)


def test_affine_pinv_is_refreshed_and_differentiable() -> None:
    obs = AffineObservation(N, M, generator(1))
    x, z = torch.randn(2, N, dtype=torch.float64), torch.randn(2, M, dtype=torch.float64)
    obs.initial(x)
    with torch.no_grad():
        obs.B.mul_(2.0)  # an optimizer step: in place
    torch.testing.assert_close(obs.observe(obs.infer(z, x)), x)
    obs.B.grad = None
    obs.infer(z, x).square().sum().backward()
    cached = obs.B.grad.clone()
    obs.B.grad = None
    fresh = z + (x - z @ obs.B.T - obs.b) @ torch.linalg.pinv(obs.B).T
    fresh.square().sum().backward()
    torch.testing.assert_close(cached, obs.B.grad)


# --------------------------------------------------------------------------- clipping bound
@pytest.mark.parametrize("clipped", [True, False])
def test_clipped_orbits_stay_bounded_when_a_is_contracting(clipped: bool) -> None:
    """|z_{t+1}| ≤ |A|⊙|z_t| + |W₁|·|h₂| + |h₁| ⇒ |z_t| ≤ max(|z_0|, c/(1 − |A|)) elementwise."""
    gen = generator(3)
    cell = ShallowPLRNNCell(4, IdentityObservation(2, 4, gen), gen, hidden_dim=30, clipped=clipped)
    with torch.no_grad():
        cell.A.copy_(torch.tensor([0.9, -0.5, 0.3, 0.8], dtype=torch.float64))
        cell.W1.mul_(10.0)
        cell.W2.mul_(10.0)
        cell.h2.copy_(torch.linspace(-1.0, 1.0, 30, dtype=torch.float64))
        cell.h1.fill_(0.3)
        a = cell.A.abs()
        c = cell.W1.abs() @ cell.h2.abs() + cell.h1.abs()
    z = 20.0 * torch.randn(64, 4, dtype=torch.float64, generator=gen)
    bound = torch.maximum(z.abs().max(dim=0).values, c / (1 - a))
    orbit = free_run(cell, z, 500)
    if clipped:
        assert torch.isfinite(orbit).all()
        assert torch.all(orbit.abs() <= bound * (1 + 1e-12))
    else:  # the same weights without clipping: the bound does not hold (the test can fail)
        assert not torch.all(orbit.abs() <= bound)


def test_clipped_dendritic_orbits_stay_bounded() -> None:
    """The clipped basis expansion is bounded, so max|A| < 1 bounds the orbits as well."""
    gen = generator(5)
    cell = DendPLRNNCell(M, _obs("identity", gen), gen, bases=6, clipped=True)
    with torch.no_grad():
        cell.A.copy_(torch.full((M,), 0.95, dtype=torch.float64))
        cell.W.mul_(20.0)
        cell.alpha.mul_(20.0)
        # |φ_j(z)| = |Σ_b α_b·[relu(z_j − H_jb) − relu(z_j)]| ≤ Σ_b |α_b|·|H_jb|
        c = (cell.W * cell.offdiag).abs() @ (cell.H.abs() @ cell.alpha.abs()) + cell.h.abs()
    z = 10.0 * torch.randn(32, M, dtype=torch.float64, generator=gen)
    bound = torch.maximum(z.abs().max(dim=0).values, c / 0.05)
    assert torch.all(free_run(cell, z, 400).abs() <= bound * (1 + 1e-12))


# --------------------------------------------------------------------------- protocol
@pytest.mark.parametrize("name", sorted(FACTORIES))
def test_cells_follow_the_latent_cell_protocol(name: str) -> None:
    cell = _cell(name, "affine")
    assert isinstance(cell, LatentCell)
    x = torch.randn(3, 12, N, dtype=torch.float64)
    for strategy in (GeneralizedForcing(alpha=0.5), SparseForcing(interval=4)):
        pred = strategy.start().unroll(cell, x)
        assert pred.shape == (3, 11, N)
        pred.square().mean().backward()
        assert all(p.grad is not None and torch.isfinite(p.grad).all() for p in cell.parameters())
        cell.zero_grad()


def test_warm_up_follows_the_data_exactly_with_identity_observation() -> None:
    cell = _cell("alrnn")
    x = torch.randn(2, 9, N, dtype=torch.float64)
    z = warm_up(cell, x)
    torch.testing.assert_close(cell.observe(z), x[:, -1])
    ref = cell.initial(x[:, 0])
    for t in range(1, 9):
        ref = torch.cat([x[:, t], cell.step(ref)[:, N:]], dim=-1)
    torch.testing.assert_close(z, ref)


@pytest.mark.parametrize("name", ["plrnn", "clipped_shplrnn", "alrnn"])
def test_cells_work_as_a_vmapped_ensemble(name: str) -> None:
    """Stacked parameters of several seeds under torch.func.vmap give each member's own step."""
    members = [_cell(name, seed=s) for s in range(3)]
    params, buffers = torch.func.stack_module_state(members)
    z = torch.randn(3, 4, M, dtype=torch.float64)

    def step(p: dict, b: dict, zz: torch.Tensor) -> torch.Tensor:
        return torch.func.functional_call(members[0], (p, b), (zz,))

    out = torch.func.vmap(step)(params, buffers, z)
    for k, cell in enumerate(members):
        torch.testing.assert_close(out[k], cell.step(z[k]))


# --------------------------------------------------------------------------- derived-tensor cache
def _shallow_reference(cell: ShallowPLRNNCell, z: torch.Tensor) -> torch.Tensor:
    u = z @ cell.W2.T
    phi = torch.relu(u + cell.h2) - torch.relu(u) if cell.clipped else torch.relu(u + cell.h2)
    return cell.A * z + phi @ cell.W1.T + cell.h1


@pytest.mark.parametrize("name", ["clipped_shplrnn", "shplrnn"])
def test_shallow_step_and_gradients_match_the_plain_formula(name: str) -> None:
    cell = _cell(name, seed=8)
    x = torch.randn(4, 15, N, dtype=torch.float64, generator=torch.Generator().manual_seed(3))
    runtime = GeneralizedForcing(alpha=0.3).start()
    grads = []
    for _ in range(2):  # the second unroll reuses the cached stacked weights
        cell.zero_grad()
        runtime.unroll(cell, x).square().mean().backward()
        grads.append({n: p.grad.clone() for n, p in cell.named_parameters()})
    reference = _cell(name, seed=8)
    reference.step = lambda z: _shallow_reference(reference, z)  # type: ignore[method-assign]
    runtime.unroll(reference, x).square().mean().backward()
    for n, p in reference.named_parameters():
        torch.testing.assert_close(grads[0][n], p.grad, rtol=1e-12, atol=1e-14)
        torch.testing.assert_close(grads[1][n], p.grad, rtol=1e-12, atol=1e-14)


def test_cache_follows_in_place_updates_dtype_changes_and_copies() -> None:
    import copy

    cell = _cell("clipped_shplrnn", "affine", seed=2)
    z = torch.randn(3, M, dtype=torch.float64)
    x = torch.randn(3, N, dtype=torch.float64)
    cell.step(z).sum().backward()
    cell.infer(z, x).sum().backward()
    with torch.no_grad():
        cell.W2.mul_(1.5)  # as an optimizer step would
        cell.observation.B.add_(0.1)
    torch.testing.assert_close(cell.step(z), _shallow_reference(cell, z))
    torch.testing.assert_close(cell.observe(cell.infer(z, x)), x)
    twin = copy.deepcopy(cell)  # entries are non-leaf tensors: the copy starts with an empty cache
    torch.testing.assert_close(twin.step(z), cell.step(z))
    single = cell.to(torch.float32)
    out = single.step(z.float())
    assert out.dtype == torch.float32
    torch.testing.assert_close(out, _shallow_reference(single, z.float()))
