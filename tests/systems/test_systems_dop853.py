"""DOP853: the tableau, empirical orders (8 at fixed steps, order-7 dense output), adaptive error
control per member, and agreement with scipy's DOP853 on Lorenz-63.

Problems with known solutions: the harmonic oscillator x' = v, v' = −x over one period (exact:
cos t, −sin t) and y' = λy (exact: e^{λt}). Orders are least-squares slopes of log(error) against
log(step).
"""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch
from scipy.integrate import solve_ivp

from chaoskit_systems.flows.lorenz import Lorenz
from chaoskit_systems.integrators import METHODS, integrate
from chaoskit_systems.integrators.dop853_tableau import (
    DOP853,
    Tableau853,
    dense_coefficients,
    dense_eval,
    dop853_step,
    error_norm,
)

T = 2 * math.pi
X0 = torch.tensor([[1.0, 0.0]], dtype=torch.float64)
LAM = -1.3


def oscillator(t, x: torch.Tensor) -> torch.Tensor:
    return torch.stack((x[..., 1], -x[..., 0]), dim=-1)


def decay(t, y: torch.Tensor) -> torch.Tensor:
    return LAM * y


def lorenz_numpy(t: float, x: np.ndarray) -> np.ndarray:
    return np.array([10.0 * (x[1] - x[0]), x[0] * (28.0 - x[2]) - x[1], x[0] * x[1] - 8 / 3 * x[2]])


def slope(h, err) -> float:
    return float(np.polyfit(np.log(h), np.log(err), 1)[0])


@pytest.fixture(scope="module")
def tab() -> Tableau853:
    return Tableau853.build(torch.float64, torch.device("cpu"))


def fixed_steps(rhs, y0: torch.Tensor, span: float, n: int, tab: Tableau853) -> torch.Tensor:
    h, y = span / n, y0
    for k in range(n):
        y, _, _ = dop853_step(rhs, k * h, y, h, rhs(k * h, y), tab)
    return y


def test_registered_and_offered_by_torch_systems() -> None:
    assert METHODS["dop853"].order == 8 and METHODS["dop853"].adaptive
    assert Lorenz.methods[0] == "dop853"  # the default


def test_tableau_is_consistent() -> None:
    for i, row in enumerate(DOP853["a"]):
        assert sum(row) == pytest.approx(DOP853["c"][i], abs=1e-13), i  # row sums = nodes
    assert sum(DOP853["b"]) == pytest.approx(1.0, abs=1e-14)
    assert sum(DOP853["e5"]) == pytest.approx(0.0, abs=1e-14)  # differences of weight sets
    assert sum(DOP853["e3"]) == pytest.approx(0.0, abs=1e-14)
    assert DOP853["a"][12][:12] == DOP853["b"]  # the FSAL stage sits at y_new


def test_fixed_steps_are_eighth_order_on_the_oscillator(tab) -> None:
    steps = (6, 8, 12, 16, 24)
    errors = [float((fixed_steps(oscillator, X0, T, n, tab) - X0).abs().max()) for n in steps]
    assert errors[-1] < 1e-10
    assert slope([T / n for n in steps], errors) == pytest.approx(8.0, abs=0.5)


def test_fixed_steps_are_eighth_order_on_exponential_decay(tab) -> None:
    span, steps = 3.0, (3, 4, 6, 8, 12)
    y0 = torch.ones((1, 1), dtype=torch.float64)
    errors = [abs(float(fixed_steps(decay, y0, span, n, tab)) - math.exp(LAM * span)) for n in steps]
    assert slope([span / n for n in steps], errors) == pytest.approx(8.0, abs=0.5)


def test_dense_output_is_order_seven(tab) -> None:
    # one step from the exact state: the interpolant's error at θ ∈ (0, 1) is O(h⁸) (order 7)
    y0 = torch.ones((1, 1), dtype=torch.float64)
    hs = [0.8, 0.4, 0.2, 0.1]
    for theta in (0.25, 0.5, 0.8):
        errors = []
        for h in hs:
            y_new, stages, _ = dop853_step(decay, 0.0, y0, h, decay(0.0, y0), tab)
            coefficients = dense_coefficients(decay, 0.0, h, y0, y_new, stages, tab)
            value = dense_eval(coefficients, torch.tensor([theta], dtype=torch.float64))
            errors.append(abs(float(value) - math.exp(LAM * theta * h)))
        assert slope(hs, errors) == pytest.approx(8.0, abs=0.5), theta
    for theta, expected in ((0.0, y0), (1.0, y_new)):  # exact at both ends
        value = dense_eval(coefficients, torch.tensor([theta], dtype=torch.float64))
        assert float(value) == pytest.approx(float(expected), rel=1e-15)


def test_error_norm_combines_the_fifth_and_third_order_estimates(tab) -> None:
    # Hairer's estimate err = e5 / sqrt(d (e5 + 0.01 e3)) against a direct numpy evaluation
    y0 = torch.tensor([[1.0, 0.5], [0.2, -3.0]], dtype=torch.float64)
    h = 0.3
    y_new, stages, _ = dop853_step(oscillator, 0.0, y0, h, oscillator(0.0, y0), tab)
    rtol, atol = 1e-6, 1e-9
    ours = error_norm(y0, y_new, stages, rtol, atol, tab).numpy()
    k = stages[:12].numpy()  # h·k_i
    w = atol + rtol * np.maximum(np.abs(y0.numpy()), np.abs(y_new.numpy()))
    e5 = ((np.tensordot(DOP853["e5"], k, axes=1) / w) ** 2).sum(-1)
    e3 = ((np.tensordot(DOP853["e3"], k, axes=1) / w) ** 2).sum(-1)
    # the weighted sums cancel to ~1e-8 of their terms: agreement to rounding of those terms
    np.testing.assert_allclose(ours, e5 / np.sqrt(2 * (e5 + 0.01 * e3)), rtol=1e-6)


def test_adaptive_error_follows_the_tolerance() -> None:
    # 10 periods sampled 200 times: error ∝ tolerance, and ∝ attempts^-8 at tight tolerances
    times = np.linspace(0.0, 10 * T, 201)
    exact = np.stack((np.cos(times), -np.sin(times)), axis=-1)
    tols = [1e-6, 1e-7, 1e-8, 1e-9, 1e-10, 1e-11]
    errors, attempts = [], []
    for tol in tols:
        result = integrate(oscillator, X0, times, method="dop853", rtol=tol, atol=tol)
        assert result.info["integrator"] == "dop853"
        errors.append(float(np.abs(result.state[0].numpy() - exact).max()))
        attempts.append(result.info["steps_accepted"][0] + result.info["steps_rejected"][0])
    assert all(e < 100 * tol for e, tol in zip(errors, tols, strict=True))
    assert slope(tols, errors) == pytest.approx(1.0, abs=0.15)
    assert slope(attempts, errors) == pytest.approx(-8.0, abs=1.0)


def test_lorenz_agrees_with_scipy_dop853() -> None:
    x0 = np.array([-9.7869288, -15.03852, 20.533978])
    times = np.linspace(0.0, 5.0, 501)
    ref = solve_ivp(lorenz_numpy, (0.0, 5.0), x0, method="DOP853", rtol=1e-11, atol=1e-12,
                    t_eval=times).y.T
    ds = Lorenz().trajectory(501, dt=0.01, initial_state=x0, method="dop853",
                             rtol=1e-11, atol=1e-12)
    assert ds.attrs["integrator"] == "dop853"
    ours = ds["state"].values[0]
    assert np.abs(ours - ref).max() / np.abs(ref).max() < 1e-8


@pytest.mark.parametrize("tol", [1e-6, 1e-9])
def test_steps_follow_scipy_dop853(tol: float) -> None:
    # same initial step, error norm and controller as scipy's DOP853 (both after Hairer): the
    # same accepted and rejected steps (scipy: 12 evaluations per attempt, + 1 at the start)
    x0 = np.array([-9.7869288, -15.03852, 20.533978])
    sol = solve_ivp(lorenz_numpy, (0.0, 20.0), x0, method="DOP853", rtol=tol, atol=tol * 1e-3)
    result = integrate(Lorenz()._rhs, torch.as_tensor(x0)[None], [0.0, 20.0], method="dop853",
                       rtol=tol, atol=tol * 1e-3)
    accepted, rejected = result.info["steps_accepted"][0], result.info["steps_rejected"][0]
    assert abs(accepted - (len(sol.t) - 1)) <= 2
    assert abs(accepted + rejected - (sol.nfev - 1) / 12) <= 2


OMEGA = torch.tensor([0.5, 2.0, 8.0], dtype=torch.float64)
TIMES = np.linspace(0.0, 10.0, 21)


def oscillators(omega: torch.Tensor):
    """x' = v, v' = −ω_b² x with one frequency per member."""
    def rhs(t, x: torch.Tensor) -> torch.Tensor:
        return torch.stack((x[..., 1], -(omega**2) * x[..., 0]), dim=-1)

    return rhs


def test_members_take_their_own_steps() -> None:
    x0 = torch.tensor([[1.0, 0.0]] * 3, dtype=torch.float64)
    result = integrate(oscillators(OMEGA), x0, TIMES, method="dop853")
    steps = result.info["steps_accepted"]
    assert steps[0] < steps[1] < steps[2] and steps[2] > 8 * steps[0]  # the step scales with 1/ω
    attempts = np.add(steps, result.info["steps_rejected"])
    assert result.info["iterations"] == attempts.max()
    exact = np.stack([np.cos(w * TIMES) for w in OMEGA.tolist()])
    np.testing.assert_allclose(result.state[..., 0].numpy(), exact, atol=1e-8)


def test_batch_equals_each_member_alone() -> None:
    x0 = torch.tensor([[1.0, 0.0], [0.3, -2.0], [-1.0, 5.0]], dtype=torch.float64)
    together = integrate(oscillators(OMEGA), x0, TIMES, method="dop853")
    for b in range(3):
        alone = integrate(oscillators(OMEGA[b : b + 1]), x0[b : b + 1], TIMES, method="dop853")
        assert alone.info["steps_accepted"][0] == together.info["steps_accepted"][b]
        assert alone.info["steps_rejected"][0] == together.info["steps_rejected"][b]
        torch.testing.assert_close(alone.state[0], together.state[b], rtol=1e-12, atol=1e-12)


def test_lorenz_batch_equals_members_alone() -> None:
    lorenz = Lorenz()
    x0 = np.array([[-9.7869288, -15.03852, 20.533978], [1.0, 1.0, 1.0], [30.0, -20.0, 50.0]])
    together = lorenz.trajectory(301, dt=0.01, members=3, initial_state=x0, method="dop853")
    steps = together.chaos.attrs["steps_accepted"]
    assert len(set(steps)) > 1
    for b in range(3):
        alone = lorenz.trajectory(301, dt=0.01, initial_state=x0[b], method="dop853")
        assert alone.chaos.attrs["steps_accepted"] == [steps[b]]
        np.testing.assert_allclose(
            alone["state"].values[0], together["state"].values[b], rtol=1e-9, atol=1e-9
        )


def test_dense_output_does_not_depend_on_the_sampling() -> None:
    lorenz = Lorenz()
    fine = lorenz.trajectory(201, dt=0.01, method="dop853")["state"].values[0]
    coarse = lorenz.trajectory(21, dt=0.1, method="dop853")["state"].values[0]
    np.testing.assert_allclose(coarse, fine[::10], rtol=1e-7, atol=1e-7)


def test_float32() -> None:
    ds = Lorenz().trajectory(200, dt=0.01, method="dop853", dtype="float32", members=2, seed=0)
    assert ds["state"].dtype == np.float32 and np.isfinite(ds["state"].values).all()
    ref = Lorenz().trajectory(200, dt=0.01, method="dop853", members=2, seed=0)["state"].values
    np.testing.assert_allclose(ds["state"].values[:, :50], ref[:, :50], rtol=1e-3, atol=1e-3)


def test_a_blowing_up_member_stops_alone() -> None:
    x0 = torch.tensor([[1.0], [0.1], [-1.0]], dtype=torch.float64)
    times = np.linspace(0.0, 1.9, 5)
    result = integrate(lambda t, y: y * y, x0, times, method="dop853", rtol=1e-8, atol=1e-10)
    state = result.state[..., 0].numpy()
    assert result.failed_members == [0]
    assert result.info["failed_times"][0] == pytest.approx(1.0, abs=1e-6)
    y0 = x0[1:].numpy()
    np.testing.assert_allclose(state[1:], y0 / (1 - y0 * times), rtol=1e-7)


@pytest.mark.cuda
@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA device")
@pytest.mark.parametrize("dtype", ["float64", "float32"])
def test_cuda_matches_cpu(dtype: str) -> None:
    kwargs = {"dt": 0.01, "members": 16, "seed": 0, "method": "dop853", "dtype": dtype}
    cpu = Lorenz().trajectory(300, **kwargs)["state"].values
    gpu = Lorenz().trajectory(300, device="cuda", **kwargs)["state"].values
    tol = 1e-7 if dtype == "float64" else 1e-3
    np.testing.assert_allclose(gpu, cpu, rtol=0, atol=tol * 50)


@pytest.mark.parametrize("method", ["dop853", "dopri5"])
def test_a_step_with_a_non_finite_stage_is_rejected(method: str) -> None:
    """x' = −x (x = e^{−t}) with the field undefined (NaN) below x = −0.05: the stages of a
    first step of 5 overshoot into that region, and the step must fail its error test (a NaN
    error norm), never pass as a zero error (the DOP853 norm once mapped NaN to 0)."""

    def rhs(t: object, x: torch.Tensor) -> torch.Tensor:
        return torch.where(x >= -0.05, -x, math.nan)

    times = torch.linspace(0.0, 6.0, 13, dtype=torch.float64)
    result = integrate(rhs, torch.ones((1, 1), dtype=torch.float64), times, method=method,
                       first_step=5.0)
    assert result.info["steps_rejected"][0] > 0 and not result.info["failed_members"]
    np.testing.assert_allclose(result.state[0, :, 0].numpy(), np.exp(-times.numpy()), atol=1e-8)
