"""Delay equations: the method of steps (order, half-step values, dense output), the DelaySystem
base (histories, seeds, batching, float32, the one-step map on the history) and the six dysts
delay systems (right-hand sides against numpy, Mackey–Glass against an independent numpy
method-of-steps RK4).

The analytic reference is x'(t) = −x(t − 1) with history φ on [−1, 0]: on [k, k + 1] the
solution is the polynomial x(k) − ∫_k^t x(s − 1) ds, built exactly with numpy polynomials. With
the constant history its degree is k + 1 on [k, k + 1]; RK4 is exact for degrees ≤ 4, so the
order tests run to t = 6, where the degree reaches 6.
"""

from __future__ import annotations

import math
import warnings
from typing import Any, ClassVar

import attrs
import numpy as np
import pytest
import torch
from numpy.polynomial import Polynomial

import chaoskit
from chaoskit import SystemMetadata
from chaoskit.dynamics import finite_difference_jacobian
from chaoskit.validators import finite, positive
from chaoskit_systems.delay.base import DelaySystem
from chaoskit_systems.delay.dynamics import DelayDynamics
from chaoskit_systems.delay.steps import delay_rk4_step, dense_weights, integrate_steps
from chaoskit_systems.delay.systems import (
    IkedaDelay,
    MackeyGlass,
    PiecewiseCircuit,
    ScrollDelay,
    SprottDelay,
    VossDelay,
)

F64 = torch.float64
SYSTEMS = (IkedaDelay, MackeyGlass, PiecewiseCircuit, ScrollDelay, SprottDelay, VossDelay)


def slope(h, err) -> float:
    return float(np.polyfit(np.log(h), np.log(err), 1)[0])


# ----------------------------------------------------------------------------- analytic problem
def exact_pieces(first: Polynomial, t_end: int = 3) -> list[Polynomial]:
    """Solution pieces of x' = −x(t − 1): ``pieces[k + 1]`` holds on [k, k + 1], ``pieces[0]``
    is the history on [−1, 0]."""
    pieces = [first]
    for k in range(t_end):
        previous = pieces[-1]
        antiderivative = -previous(Polynomial([-1.0, 1.0])).integ()  # −∫ x(s − 1) ds
        pieces.append(antiderivative - antiderivative(k) + previous(k))
    return pieces


CONSTANT = Polynomial([1.0])


def exact(times: np.ndarray, first: Polynomial = CONSTANT) -> np.ndarray:
    pieces = exact_pieces(first, math.ceil(times.max()) or 1)
    index = np.clip(np.ceil(times).astype(int), 0, len(pieces) - 1)  # t ∈ (k − 1, k] → piece k
    return np.array([pieces[i](t) for i, t in zip(index, times, strict=True)])


def linear_delay(t: Any, x: torch.Tensor, x_delayed: torch.Tensor) -> torch.Tensor:
    return -x_delayed


def test_the_exact_solution_is_right() -> None:
    # x = 1 − t on [0, 1]; x = t²/2 − 2t + 3/2 on [1, 2]; continuous, x' = −x(t − 1) on [2, 3]
    assert exact(np.array([0.5]))[0] == pytest.approx(0.5)
    assert exact(np.array([1.5]))[0] == pytest.approx(1.5**2 / 2 - 3 + 1.5)
    pieces = exact_pieces(Polynomial([1.0]))
    for k in range(3):  # pieces[k + 1] holds on [k, k + 1]
        assert pieces[k](k) == pytest.approx(pieces[k + 1](k))
        t = k + 0.37
        assert pieces[k + 1].deriv()(t) == pytest.approx(-pieces[k](t - 1))


def constant_history(m: int, value: float = 1.0) -> torch.Tensor:
    return torch.full((1, 2 * m + 1, 1), value, dtype=F64)


def test_exact_for_low_degrees() -> None:
    # on [0, 3] the solution is a polynomial of degree ≤ 3: RK4 and its extension reproduce it
    times = np.linspace(0.0, 3.0, 31)
    result = integrate_steps(linear_delay, constant_history(4), times, m=4, tau=1.0)
    np.testing.assert_allclose(result.state[0, :, 0].numpy(), exact(times), rtol=0, atol=1e-14)


@pytest.mark.parametrize("where", ["grid", "between"])
def test_method_of_steps_is_fourth_order(where: str) -> None:
    # on the grid (outputs every 1/4) and between grid points (dense output, every 0.3)
    times = np.arange(0.25, 6.0001, 0.25) if where == "grid" else np.arange(0.3, 6.0, 0.3)
    ms, errors = (4, 8, 16, 32), []
    for m in ms:
        result = integrate_steps(linear_delay, constant_history(m), times, m=m, tau=1.0)
        assert result.info["steps"] == math.ceil(times[-1] * m - 1e-9)
        errors.append(float(np.abs(result.state[0, :, 0].numpy() - exact(times)).max()))
    assert errors[-1] < 1e-8
    assert slope([1 / m for m in ms], errors) == pytest.approx(4.0, abs=0.3)


def test_stored_half_steps_are_fourth_order_globally() -> None:
    # the whole history buffer at t = 6 (grid points and half steps) against the solution
    ms, errors = (4, 8, 16, 32), []
    for m in ms:
        system = type("Linear", (LinearDelay,), {"max_step": 1.0 / m})()
        dyn = system.dynamics(1.0)
        assert dyn.steps_per_delay == m and dyn.dimension == 2 * m + 1
        state = dyn.lift(torch.ones(1, dtype=F64))
        for _ in range(6):
            state = dyn.step(state)
        times = 6.0 + dyn.history_times
        errors.append(float(np.abs(state.numpy() - exact(times)).max()))
    assert slope([1 / m for m in ms], errors) == pytest.approx(4.0, abs=0.3)


def test_half_step_value_and_dense_output_are_third_order_locally() -> None:
    # one step of y' = λy from the exact state: the continuous extension errs by O(h⁴) inside
    lam = -1.3

    def rhs(t: Any, x: torch.Tensor, xd: torch.Tensor) -> torch.Tensor:
        return lam * x

    one = torch.ones((1, 1), dtype=F64)
    hs = [0.4, 0.2, 0.1, 0.05]
    half_errors, dense_errors = [], []
    for h in hs:
        x_half, _, stages = delay_rk4_step(rhs, 0.0, one, one, one, one, h)
        half_errors.append(abs(float(x_half) - math.exp(lam * h / 2)))
        w = torch.as_tensor(dense_weights(np.array([0.3])), dtype=F64)
        value = 1.0 + h * float(w @ torch.cat(stages).reshape(4, 1))
        dense_errors.append(abs(value - math.exp(lam * 0.3 * h)))
    assert slope(hs, half_errors) == pytest.approx(4.0, abs=0.3)
    assert slope(hs, dense_errors) == pytest.approx(4.0, abs=0.3)
    b = dense_weights(np.array([0.0, 0.5, 1.0]))
    np.testing.assert_allclose(b[0], 0.0, atol=1e-16)
    np.testing.assert_allclose(b[1], [5 / 24, 1 / 6, 1 / 6, -1 / 24], rtol=1e-15)
    np.testing.assert_allclose(b[2], [1 / 6, 1 / 3, 1 / 3, 1 / 6], rtol=1e-15)


# ----------------------------------------------------------------------------- a test system
@attrs.frozen(kw_only=True)
class LinearDelay(DelaySystem):
    """x' = −a·x(t − τ), the analytic problem as a DelaySystem (step 1/32 at τ = 1)."""

    a: float = attrs.field(default=1.0, validator=finite)
    tau: float = attrs.field(default=1.0, validator=positive)

    variables: ClassVar[tuple[str, ...]] = ("x",)
    metadata: ClassVar[SystemMetadata] = SystemMetadata(
        name="LinearDelay", dt=0.1, period=None, initial_state=(1.0,)
    )
    max_step: ClassVar[float | None] = 1 / 32

    def _rhs(self, t: Any, x: torch.Tensor, x_delayed: torch.Tensor) -> torch.Tensor:
        return -self.a * x_delayed


def test_delay_system_follows_the_analytic_solution() -> None:
    system = LinearDelay()
    ds = system.trajectory(31, dt=0.1)
    times = ds["time"].values
    assert system.grid(0.1) == (40, 4)  # 1/32 does not divide 0.1: 40 steps per delay do
    assert ds.attrs["step"] == pytest.approx(1 / 40) and ds.attrs["steps_per_delay"] == 40
    assert ds.attrs["history_points"] == 81 and ds.attrs["integrator"] == "rk4"
    np.testing.assert_allclose(ds["state"].values[0, :, 0], exact(times), atol=1e-7)
    # a sampling interval the grid cannot hit: dense output, same accuracy
    odd = system.trajectory(21, dt=0.137)
    assert odd.attrs["outputs_on_grid"] == 0 and odd.attrs["steps_per_delay"] == 32
    np.testing.assert_allclose(odd["state"].values[0, :, 0], exact(odd["time"].values), atol=1e-7)


def test_given_histories() -> None:
    system = LinearDelay()
    first = Polynomial([1.0, 0.5])  # φ(t) = 1 + t/2 on [−1, 0]: linear, so samples join exactly
    expected = exact(np.arange(31) * 0.1, first)
    from_callable = system.trajectory(31, dt=0.1, history=lambda t: 1.0 + 0.5 * t)
    from_samples = system.trajectory(31, dt=0.1, history=[0.5, 1.0])
    for ds in (from_callable, from_samples):
        np.testing.assert_allclose(ds["state"].values[0, :, 0], expected, atol=1e-7)
    assert "callable" in from_callable.attrs["history"]
    assert from_samples.attrs["history"].startswith("2 samples")
    # per member: (members, k, d); member 1 has the constant history 1
    both = system.trajectory(31, dt=0.1, members=2, history=[[[0.5], [1.0]], [[1.0], [1.0]]])
    np.testing.assert_allclose(both["state"].values[0, :, 0], expected, atol=1e-7)
    np.testing.assert_allclose(both["state"].values[1, :, 0], exact(np.arange(31) * 0.1), atol=1e-7)
    # the default: constant at the initial state
    constant = system.trajectory(31, dt=0.1, initial_state=[1.0])
    np.testing.assert_allclose(constant["state"].values[0, :, 0], exact(np.arange(31) * 0.1), atol=1e-7)
    assert constant.attrs["history"] == "constant, equal to the initial state"


def test_bad_histories_and_options() -> None:
    system = LinearDelay()
    with pytest.raises(chaoskit.ParameterError, match="history or initial_state, not both"):
        system.trajectory(5, history=[1.0, 1.0], initial_state=[1.0])
    with pytest.raises(chaoskit.DataError, match=r"history must have shape \(k,\)"):
        system.trajectory(5, members=2, history=np.ones((3, 4, 1)))
    with pytest.raises(chaoskit.DataError, match="non-finite"):
        system.trajectory(5, history=[1.0, float("nan")])
    with pytest.raises(chaoskit.DataError, match=r"history\(t\) must have shape"):
        system.trajectory(5, history=lambda t: np.ones(3))
    with pytest.raises(chaoskit.ParameterError, match="takes no rtol/atol"):
        system.trajectory(5, rtol=1e-6)
    with pytest.raises(chaoskit.ParameterError, match=r"method must be one of \['rk4'\]"):
        system.trajectory(5, method="dopri5")
    with pytest.raises(chaoskit.ParameterError, match="tau"):
        LinearDelay(tau=-1.0)


def test_a_diverging_member_stops_alone() -> None:
    # x' = x_τ² with constant history x0 blows up at t = 1/x0 within the first delay (τ = 2)
    def rhs(t: Any, x: torch.Tensor, xd: torch.Tensor) -> torch.Tensor:
        return x * x

    history = torch.tensor([1.0, 0.1], dtype=F64).reshape(2, 1, 1).expand(2, 401, 1).contiguous()
    times = np.linspace(0.0, 1.9, 20)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        result = integrate_steps(rhs, history, times, m=200, tau=2.0)
    state = result.state[..., 0].numpy()
    assert result.failed_members == [0] and np.isnan(state[0, -1])
    np.testing.assert_allclose(state[1], 0.1 / (1 - 0.1 * times), rtol=1e-8)


# ----------------------------------------------------------------------------- the six systems
def numpy_rhs(system: DelaySystem, x: np.ndarray, xd: np.ndarray) -> np.ndarray:
    """Each right-hand side in plain numpy, written from the equations in the docstrings."""
    p = system.parameters
    if isinstance(system, MackeyGlass):
        return p["beta"] * xd / (1 + xd ** p["n"]) - p["gamma"] * x
    if isinstance(system, (IkedaDelay, SprottDelay)):
        return p["mu"] * np.sin(xd - p["x0"]) - p["c"] * x
    if isinstance(system, VossDelay):
        return -p["alpha"] * x + (-10.44 * xd**3 - 13.95 * xd**2 - 3.63 * xd + 0.85)
    if isinstance(system, ScrollDelay):
        return -p["alpha"] * xd + p["beta"] * np.tanh(10 * xd)
    if isinstance(system, PiecewiseCircuit):
        return -p["alpha"] * xd + p["beta"] * (-((xd / p["c"]) ** 3) + 3 * xd / p["c"])
    raise AssertionError(type(system))


@pytest.mark.parametrize("cls", SYSTEMS, ids=lambda c: c.__name__)
def test_rhs_and_jacobians_match_numpy(cls: type[DelaySystem]) -> None:
    system = cls()
    rng = np.random.default_rng(3)
    x = rng.uniform(0.2, 1.5, (6, 1))
    xd = rng.uniform(0.2, 1.5, (6, 1))
    np.testing.assert_allclose(system.rhs(0.0, x, xd), numpy_rhs(system, x, xd), rtol=1e-13, atol=1e-13)
    np.testing.assert_allclose(system.rhs(0.0, x), numpy_rhs(system, x, x), rtol=1e-13, atol=1e-13)
    tensor = system.rhs(0.0, torch.as_tensor(x), torch.as_tensor(xd))
    assert isinstance(tensor, torch.Tensor) and tensor.shape == (6, 1)
    a, b = system.delay_jacobians(0.0, x, xd)
    fd_a = finite_difference_jacobian(lambda y: numpy_rhs(system, y, xd), x)
    fd_b = finite_difference_jacobian(lambda y: numpy_rhs(system, x, y), xd)
    np.testing.assert_allclose(a, fd_a, rtol=1e-6, atol=1e-7)
    np.testing.assert_allclose(b, fd_b, rtol=1e-6, atol=1e-7)
    np.testing.assert_allclose(system.jacobian(0.0, x, xd), a)
    a0, b0 = system.delay_jacobians(0.0, x, x)  # on constant histories both arguments move
    np.testing.assert_allclose(system.jacobian(0.0, x), a0 + b0, rtol=1e-12, atol=1e-14)
    with pytest.raises(chaoskit.DataError):
        system.rhs(0.0, x, np.ones((4, 1)))


@pytest.mark.parametrize("cls", SYSTEMS, ids=lambda c: c.__name__)
def test_systems_through_the_registry(cls: type[DelaySystem]) -> None:
    entry = chaoskit.systems.info(cls.__name__)  # the dysts name is an alias
    assert "delay" in entry.tags and entry.qualified_name.startswith("systems/")
    system = chaoskit.systems.create(cls.__name__)
    assert isinstance(system, cls) and system.kind == "delay" and system.variables == ("x",)
    assert len(system.metadata.initial_state) == 1
    ds = system.trajectory(50, members=2, seed=0)
    assert ds["state"].shape == (2, 50, 1) and np.isfinite(ds["state"].values).all()
    assert ds.attrs["outputs_on_grid"] == 1  # the default dt is a whole number of steps
    period = system.metadata.period
    assert ds.attrs["dt"] == pytest.approx(period / 100, rel=0.01)


def test_mackey_glass_matches_an_independent_numpy_method_of_steps() -> None:
    beta, gamma, n, tau, h = 0.2, 0.1, 10.0, 16.0, 0.1
    m = round(tau / h)
    steps, x0 = 3000, 0.76980123  # 300 time units, ~19 delays

    def f(x: float, xd: float) -> float:
        return beta * xd / (1.0 + xd**n) - gamma * x

    # grid[i] = x(i·h/2 − τ); constant history on [−τ, 0]
    grid = [x0] * (2 * m + 1)
    for step in range(steps):
        now = 2 * m + 2 * step  # index of x(t)
        x, lag0, lag_half, lag1 = grid[now], grid[now - 2 * m], grid[now - 2 * m + 1], grid[now - 2 * m + 2]
        k1 = f(x, lag0)
        k2 = f(x + 0.5 * h * k1, lag_half)
        k3 = f(x + 0.5 * h * k2, lag_half)
        k4 = f(x + h * k3, lag1)
        grid.append(x + h * (5 * k1 / 24 + k2 / 6 + k3 / 6 - k4 / 24))
        grid.append(x + h * (k1 + 2 * k2 + 2 * k3 + k4) / 6)
    reference = np.array(grid[2 * m :: 10])  # every 0.5 time units from t = 0
    ds = MackeyGlass().trajectory(len(reference), dt=0.5)
    assert ds.attrs["step"] == pytest.approx(h) and ds.attrs["outputs_on_grid"] == 1
    np.testing.assert_allclose(ds["state"].values[0, :, 0], reference, rtol=0, atol=1e-11)


def test_mackey_glass_converges_with_the_step() -> None:
    # h = 0.1 against h = 0.025 over 5 delays: the difference is the O(h⁴) error, ~1e-10
    coarse = MackeyGlass().trajectory(161, dt=0.5)["state"].values[0, :, 0]
    fine_cls = type("FineMackeyGlass", (MackeyGlass,), {"max_step": 0.025})
    fine = fine_cls().trajectory(161, dt=0.5)["state"].values[0, :, 0]
    assert 1e-13 < np.abs(coarse - fine).max() < 1e-8


@pytest.mark.parametrize("cls", [MackeyGlass, IkedaDelay], ids=lambda c: c.__name__)
def test_batched_equals_member_by_member(cls: type[DelaySystem]) -> None:
    system = cls()
    ds = system.trajectory(200, members=4, seed=11)
    together = ds["state"].values
    for b in range(4):
        alone = system.trajectory(200, initial_state=together[b, 0])["state"].values[0]
        np.testing.assert_array_equal(alone, together[b])
    histories = np.linspace(0.5, 1.2, 4 * 7).reshape(4, 7, 1)
    batch = system.trajectory(100, members=4, history=histories)["state"].values
    for b in range(4):
        alone = system.trajectory(100, history=histories[b])["state"].values[0]
        np.testing.assert_array_equal(alone, batch[b])


def test_seeds() -> None:
    system = MackeyGlass()
    a = system.trajectory(100, members=3, seed=5)["state"].values
    b = system.trajectory(100, members=3, seed=5)["state"].values
    c = system.trajectory(100, members=3, seed=6)["state"].values
    more = system.trajectory(100, members=5, seed=5)["state"].values
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(a[1:], c[1:]) and np.array_equal(a[0], c[0])
    np.testing.assert_array_equal(more[:3], a)  # member k does not depend on how many follow
    assert a[1, 0, 0] != a[0, 0, 0]  # later members start perturbed


@pytest.mark.parametrize("cls", SYSTEMS, ids=lambda c: c.__name__)
def test_float32(cls: type[DelaySystem]) -> None:
    system = cls()
    single = system.trajectory(60, dtype="float32", members=2, seed=0)["state"].values
    double = system.trajectory(60, members=2, seed=0)["state"].values
    assert single.dtype == np.float32 and np.isfinite(single).all()
    scale = np.abs(double).max()
    np.testing.assert_allclose(single[:, :20], double[:, :20], rtol=0, atol=1e-4 * scale)


# ----------------------------------------------------------------------------- one-step map
def test_dynamics_acts_on_the_history() -> None:
    system = MackeyGlass()
    dt = system.default_dt
    dyn = system.dynamics()
    m, k = system.grid(dt)
    assert isinstance(dyn, DelayDynamics) and dyn.dt == dt and k is not None
    assert dyn.dimension == 2 * m + 1 == dyn.points and dyn.substeps == k
    np.testing.assert_allclose(dyn.history_times[[0, -1]], [-16.0, 0.0], atol=1e-12)
    ds = system.trajectory(40)
    x = ds["state"].values[0, :, 0]
    state = dyn.lift(torch.tensor([x[0]], dtype=F64))
    steps = []
    for _ in range(39):
        state = dyn.step(state)
        steps.append(float(dyn.observe(state)[0]))
    np.testing.assert_array_equal(np.array(steps), x[1:])  # the same arithmetic as trajectory


def test_dynamics_jacobian_and_jvp() -> None:
    coarse = type("CoarseMackeyGlass", (MackeyGlass,), {"max_step": 2.0})()  # m = 8: 17 points
    dyn = coarse.dynamics(4.0)
    assert dyn.dimension == 17 and dyn.substeps == 2
    rng = np.random.default_rng(0)
    x = 0.9 + 0.2 * rng.standard_normal((3, 17))
    jac = dyn.jacobian(torch.as_tensor(x))
    assert jac.shape == (3, 17, 17)
    numeric = finite_difference_jacobian(lambda y: dyn.step(y), x)
    np.testing.assert_allclose(jac.numpy(), numeric, rtol=1e-6, atol=1e-8)
    v = torch.as_tensor(rng.standard_normal((3, 17, 2)))
    y, jv = dyn.jvp(torch.as_tensor(x), v)
    torch.testing.assert_close(jv, jac @ v)
    torch.testing.assert_close(y, dyn.step(torch.as_tensor(x)))
    # the shift structure: the new oldest points are the old points 2k … ; x(t) enters last
    assert float(jac[0, 0, 2 * dyn.substeps]) == 1.0


def test_dynamics_needs_a_whole_number_of_steps() -> None:
    system = MackeyGlass()
    with pytest.raises(chaoskit.ParameterError, match=r"commensurate_dt"):
        system.dynamics(0.0596)
    dt = system.commensurate_dt(0.0596)
    assert dt == pytest.approx(0.0596, rel=0.01) and system.dynamics(dt).dt == dt


def test_mackey_glass_entry_documents_the_reference_delay() -> None:
    from chaoskit_systems import metadata as md

    raw = md.entry("MackeyGlass")
    assert raw["parameters"]["tau"] == 16.0 and "tau = 17" in raw["notes"]
    # τ = 17 invariants do not hold at τ = 16: the only reference is chaoskit's own computed λ1
    references = MackeyGlass.metadata.references
    assert set(references) == {"max_lyapunov"} and references["max_lyapunov"].source == md.COMPUTED_SOURCE
    assert md.entry("SprottDelay")["unbounded_indices"] == [0]


@pytest.mark.slow
def test_mackey_glass_largest_lyapunov_exponent_at_tau_17() -> None:
    # Benettin's two-orbit method on the one-step map of the history (dimension 341), renormalized
    # every time unit over 6,000 (REFERENCES §1: 0.0047 per time unit at τ = 17); about 20 s
    system = MackeyGlass(tau=17.0)
    dyn = system.dynamics(1.0)
    assert dyn.dimension == 341
    with torch.no_grad():
        state = dyn.lift(torch.tensor([1.2], dtype=F64))
        for _ in range(500):  # transient
            state = dyn.step(state)
        d0 = 1e-8
        pair = torch.stack((state, state + d0 / math.sqrt(dyn.dimension)))
        total, n = 0.0, 6000
        for _ in range(n):
            pair = dyn.step(pair)
            gap = pair[1] - pair[0]
            norm = float(gap.norm())
            total += math.log(norm / d0)
            pair[1] = pair[0] + gap * (d0 / norm)
    assert total / n == pytest.approx(0.0047, rel=0.2)


@pytest.mark.cuda
@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA device")
@pytest.mark.parametrize("dtype", ["float64", "float32"])
def test_cuda_matches_cpu(dtype: str) -> None:
    system = MackeyGlass()
    kwargs = {"members": 8, "seed": 0, "dtype": dtype}
    cpu = system.trajectory(300, **kwargs)["state"].values
    gpu = system.trajectory(300, device="cuda", **kwargs)["state"].values
    np.testing.assert_allclose(gpu, cpu, rtol=0, atol=1e-9 if dtype == "float64" else 1e-4)
    dyn = system.dynamics()
    x = dyn.lift(torch.full((2, 1), 0.9, dtype=F64, device="cuda"))
    v = torch.ones((2, dyn.dimension, 1), dtype=F64, device="cuda")
    y, jv = dyn.jvp(x, v)
    assert y.device.type == jv.device.type == "cuda"
    torch.testing.assert_close(y.cpu(), dyn.step(x.cpu()))
