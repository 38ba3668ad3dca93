"""The faster tangent paths of the Lyapunov spectrum, against the paths they replace.

- ``FlowMap.jvp`` by RK4 of the variational equation with the system's analytic Jacobian must
  equal forward-mode AD through the RK4 step (``torch.func.jvp``) to rounding, and give the
  same spectrum to 1e-10 on a short run;
- the parabolic window must be the least-squares slope of the cumulative log growth
  (computed here independently with a numpy Benettin loop on the Hénon map);
- central differences must stay accurate when a component (a forcing phase) is large.
"""

from __future__ import annotations

from collections.abc import Iterator
from itertools import pairwise

import chaoskit
import numpy as np
import pytest
import torch
from chaoskit_metrics.lyapunov import lyapunov_spectrum
from chaoskit_metrics.tangent import initial_basis, window_factors
from chaoskit_systems.dynamics import FlowMap
from metrics_invariant_systems import HenonDynamics

pytestmark = pytest.mark.filterwarnings("ignore:`torch.jit.script` is deprecated:DeprecationWarning")


@pytest.fixture(autouse=True, scope="module")
def _one_thread() -> Iterator[None]:
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)


@pytest.fixture(scope="module")
def lorenz() -> chaoskit.System:
    return chaoskit.systems.create("lorenz")


@pytest.fixture(scope="module")
def lorenz_states(lorenz: chaoskit.System) -> np.ndarray:
    ds = lorenz.trajectory(12, dt=0.37, transient=20.0, method="rk4", seed=3)
    return ds["state"].values[0]  # 12 states on the attractor


def _forward_ad_twin(dyn: FlowMap) -> FlowMap:
    """The same RK4 map without the analytic Jacobian: ``jvp`` by ``torch.func.jvp``."""
    return FlowMap(dyn.rhs, dyn.dimension, dyn.dt, substeps=dyn.substeps, t0=dyn.t0)


def test_variational_jvp_equals_forward_ad(lorenz: chaoskit.System, lorenz_states: np.ndarray) -> None:
    dyn = lorenz.dynamics(0.05)
    twin = _forward_ad_twin(dyn)
    assert dyn.variational and not twin.variational
    x = torch.tensor(lorenz_states)
    v = torch.randn(len(x), 3, 2, dtype=torch.float64, generator=torch.Generator().manual_seed(0))
    y, jv = dyn.jvp(x, v)
    y_ref, jv_ref = twin.jvp(x, v)
    assert torch.equal(y, dyn.step(x))  # the state part is the RK4 step, bit for bit
    assert torch.equal(y, y_ref)
    torch.testing.assert_close(jv, jv_ref, rtol=1e-12, atol=1e-12 * float(jv_ref.abs().max()))
    # and the Jacobian of the step (reverse mode) applied to v
    torch.testing.assert_close(jv, dyn.jacobian(x) @ v, rtol=1e-10, atol=1e-10)


def test_variational_jvp_of_a_nonautonomous_field() -> None:
    # an analytic Jacobian that depends on t: x' = A(t) x with A(t) = [[0, 1], [-1 - cos t, -0.1]]
    def rhs(t: float, x: torch.Tensor) -> torch.Tensor:
        u, w = x.unbind(-1)
        return torch.stack((w, -(1.0 + np.cos(t)) * u - 0.1 * w + 0.2 * u**3), dim=-1)

    def jac(t: float, x: torch.Tensor) -> torch.Tensor:
        u = x[..., 0]
        row1 = torch.stack((torch.zeros_like(u), torch.ones_like(u)), dim=-1)
        row2 = torch.stack((-(1.0 + np.cos(t)) + 0.6 * u**2, torch.full_like(u, -0.1)), dim=-1)
        return torch.stack((row1, row2), dim=-2)

    fast = FlowMap(rhs, 2, 0.7, substeps=5, t0=1.3, rhs_jacobian=jac)
    slow = FlowMap(rhs, 2, 0.7, substeps=5, t0=1.3)
    x = torch.tensor([[0.3, -0.2], [1.1, 0.4]], dtype=torch.float64)
    v = torch.eye(2, dtype=torch.float64).expand(2, 2, 2)
    torch.testing.assert_close(fast.jvp(x, v)[1], slow.jvp(x, v)[1], rtol=1e-12, atol=1e-13)


def test_spectrum_through_the_variational_path_equals_the_old_one(
    lorenz: chaoskit.System, lorenz_states: np.ndarray
) -> None:
    dyn = lorenz.dynamics(0.05)
    kw = {"steps": 40, "transient": 0, "tangent_transient": 5, "tangent": "jvp", "per_member": True}
    new = lyapunov_spectrum(dyn, lorenz_states, **kw)
    old = lyapunov_spectrum(_forward_ad_twin(dyn), lorenz_states, **kw)
    np.testing.assert_allclose(new.values, old.values, rtol=0, atol=1e-10)


def test_random_initial_vectors_find_a_decoupled_neutral_direction() -> None:
    # forced van der Pol: a stable limit cycle driven by a phase that nothing feeds back into;
    # the spectrum is (0, −0.09, −10.6), the 0 from the phase. Coordinate vectors without a
    # phase component would never see it and report λ1 = −0.09.
    system = chaoskit.systems.create("forced_van_der_pol")
    out = lyapunov_spectrum(system.dynamics(system.metadata.period / 20), system.metadata.initial_state,
                            members=8, steps=200, transient=100, tangent_transient=100)
    assert abs(out.values[0]) < 2e-3 and out.values[1] < -0.05 and out.values[2] < -5
    basis = initial_basis(3, 4, 2, seed=1)
    np.testing.assert_allclose(np.swapaxes(basis, 1, 2) @ basis, np.broadcast_to(np.eye(2), (3, 2, 2)), atol=1e-12)


def test_systems_without_an_analytic_jacobian_keep_forward_ad() -> None:
    for name in ("henon", "mackey_glass"):  # map iterations and delay histories
        assert not chaoskit.systems.create(name).dynamics().variational


# --------------------------------------------------------------------------- windows
@pytest.mark.parametrize("n, every", [(12, 1), (12, 5), (7, 3), (1, 1)])
def test_window_factors_weigh_every_step_once(n: int, every: int) -> None:
    bounds = [*range(0, n, every), n]
    for window in ("uniform", "parabolic"):
        total = sum(window_factors(window, n, a, b) * (b - a) for a, b in pairwise(bounds))
        assert total == pytest.approx(n, rel=1e-12)  # weights of a mean: they sum to 1


def _benettin_logs(x: np.ndarray, q: np.ndarray, steps: int) -> np.ndarray:
    """Per-step log |R_ii| of a plain numpy Benettin loop on Hénon (a = 1.4, b = 0.3)."""
    logs = []
    for _ in range(steps):
        jac = np.array([[-2.8 * x[0], 1.0], [0.3, 0.0]])
        x = np.array([1.0 - 1.4 * x[0] ** 2 + x[1], 0.3 * x[0]])
        q, r = np.linalg.qr(jac @ q)
        logs.append(np.log(np.abs(np.diag(r))))
    return np.array(logs)


def test_parabolic_window_is_the_least_squares_slope() -> None:
    x0 = np.array([[0.2, 0.1], [-0.5, 0.05]])
    kw = {"steps": 300, "transient": 0, "tangent_transient": 0, "tangent": "jvp", "per_member": True}
    parabolic = lyapunov_spectrum(HenonDynamics(), x0, window="parabolic", **kw).values
    uniform = lyapunov_spectrum(HenonDynamics(), x0, window="uniform", **kw).values
    basis = initial_basis(2, 2, 2, seed=0)  # the tangent vectors the members start from
    for m in range(2):
        logs = _benettin_logs(x0[m], basis[m], 300)
        cumulative = np.vstack([np.zeros(2), np.cumsum(logs, axis=0)])
        slope = np.polyfit(np.arange(301.0), cumulative, 1)[0]
        np.testing.assert_allclose(parabolic[m], slope, rtol=1e-10)
        np.testing.assert_allclose(uniform[m], logs.mean(axis=0), rtol=1e-10)
    # a different estimator of the same quantity: close, not equal
    assert not np.allclose(parabolic, uniform, rtol=1e-6)
    # both keep the sum rule exactly (|det J| = b at every step)
    np.testing.assert_allclose(parabolic.sum(axis=1), np.log(0.3), rtol=1e-12)


def test_parabolic_window_with_sparse_qr_keeps_the_sum_rule(lorenz: chaoskit.System,
                                                            lorenz_states: np.ndarray) -> None:
    out = lyapunov_spectrum(lorenz.dynamics(0.05), lorenz_states, steps=50, transient=0,
                            tangent_transient=10, qr_every=3, per_member=True)
    # the volume growth of the RK4 map is exp(-(σ + 1 + β) dt) up to O(dt⁵) per step
    np.testing.assert_allclose(out.values.sum(axis=1), -(11 + 8 / 3), rtol=1e-5)


# --------------------------------------------------------------------------- differences
def test_central_differences_with_a_large_phase() -> None:
    # forced van der Pol after ~400 forcing periods: the phase component is ~2,500; the old
    # step ε = ∛eps · ‖x‖∞ (0.015) made the exponents wrong by 0.5, ε ∝ ‖x‖∞^(1/3) by < 1e-4
    system = chaoskit.systems.create("forced_van_der_pol")
    dyn = system.dynamics(system.metadata.period / 20)
    states = system.trajectory(4, dt=0.9, transient=50.0, method="rk4", seed=0)["state"].values[0]
    states[:, 2] += 2500.0 - states[:, 2].mean()
    kw = {"steps": 100, "transient": 0, "tangent_transient": 20, "per_member": True, "window": "uniform"}
    exact = lyapunov_spectrum(dyn, states, tangent="jvp", **kw).values
    differences = lyapunov_spectrum(dyn, states, tangent="difference", **kw).values
    assert dyn.variational
    np.testing.assert_allclose(differences, exact, rtol=0, atol=1e-4)
