"""FTLE fields: the double gyre against REFERENCES.md §1, its time-reversal symmetry, exact
values for linear flows, non-autonomous start times and bad input.

Double gyre A = 0.1, ε = 0.25, ω = 2π/10, t0 = 0, |T| = 15 on [0, 2] × [0, 1]: mean forward FTLE
0.156 on 201 × 101 and 401 × 201 grids (computed; the maximum and the 99th percentile depend on
the grid, the mean hardly). Tolerance: 2 % on the mean. The symmetry: the velocity satisfies
u(2 − x, 1 − y, −t) = u(x, y, t), so the backward flow map from t0 = 0 is the forward one
conjugated by the point reflection R(x, y) = (2 − x, 1 − y): σ_backward(x) = σ_forward(R x)
pointwise (hence equal statistics).
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from typing import Any, ClassVar

import attrs
import chaoskit
import numpy as np
import pytest
import torch
from chaoskit import SystemMetadata
from chaoskit_metrics.flow_map import shifted_system
from chaoskit_metrics.ftle import FTLE, ftle_field
from chaoskit_systems.base import TorchSystem

OMEGA = 2 * math.pi / 10


@pytest.fixture(autouse=True, scope="module")
def _one_thread() -> Iterator[None]:
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)


@attrs.frozen(kw_only=True)
class Gyre2D(TorchSystem):
    """The double gyre with explicit time dependence (test-local): ``ẋ = −πA sin(πf) cos(πy)``,
    ``ẏ = πA cos(πf) sin(πy) ∂f/∂x``, ``f = ε sin(ωt) x² + (1 − 2ε sin(ωt)) x``."""

    alpha: float = 0.1
    eps: float = 0.25
    omega: float = OMEGA

    variables: ClassVar[tuple[str, ...]] = ("x", "y")
    metadata: ClassVar[SystemMetadata] = SystemMetadata(
        name="gyre2d", dt=0.1, period=13.953, initial_state=(1.0, 0.5))  # RK4 steps as the registered one

    def _rhs(self, t: Any, x: torch.Tensor) -> torch.Tensor:
        u, v = x.unbind(-1)
        a = self.eps * torch.sin(self.omega * torch.as_tensor(t, dtype=x.dtype))
        f = a * u**2 + (1.0 - 2.0 * a) * u
        amp = math.pi * self.alpha
        return torch.stack((-amp * torch.sin(math.pi * f) * torch.cos(math.pi * v),
                            amp * torch.cos(math.pi * f) * torch.sin(math.pi * v) * (2 * a * u + 1 - 2 * a)),
                           dim=-1)


@attrs.frozen(kw_only=True)
class Linear(TorchSystem):
    """``ẋ = diag(rates) x`` (test-local): every FTLE equals the largest rate, for any T."""

    r0: float = 0.5
    r1: float = -0.3
    r2: float = 0.2

    variables: ClassVar[tuple[str, ...]] = ("a", "b", "c")
    metadata: ClassVar[SystemMetadata] = SystemMetadata(
        name="linear", dt=0.1, period=None, initial_state=(1.0, 1.0, 1.0))

    def _rhs(self, t: Any, x: torch.Tensor) -> torch.Tensor:
        return x * torch.tensor([self.r0, self.r1, self.r2], dtype=x.dtype)


@pytest.fixture(scope="module")
def gyre() -> chaoskit.System:
    return attrs.evolve(chaoskit.systems.create("double_gyre"), eps=0.25)


GRID = {"x": np.linspace(0.0, 2.0, 201), "y": np.linspace(0.0, 1.0, 101)}


@pytest.fixture(scope="module")
def forward(gyre: chaoskit.System) -> Any:
    return ftle_field(gyre, GRID, 15.0, fixed={"phase": 0.0}, method="rk4")


def test_double_gyre_mean_forward_ftle(forward: Any) -> None:
    assert forward.dims == ("x", "y") and forward.shape == (201, 101)
    assert float(forward.mean()) == pytest.approx(0.156, rel=0.02)
    assert 0.33 <= float(np.percentile(forward.values, 99)) <= 0.37  # grid-dependent: loose
    assert forward.attrs["direction"] == "forward" and forward.attrs["nonfinite_points"] == 0


def test_backward_field_is_the_point_reflected_forward_field(gyre: chaoskit.System, forward: Any) -> None:
    backward = ftle_field(gyre, GRID, -15.0, fixed={"phase": 0.0}, method="rk4")
    assert backward.attrs["direction"] == "backward"
    np.testing.assert_allclose(backward.values[::-1, ::-1], forward.values, atol=1e-9)
    assert float(backward.mean()) == pytest.approx(float(forward.mean()), rel=1e-9)


def test_default_adaptive_integrator_agrees(gyre: chaoskit.System) -> None:
    grid = {"x": np.linspace(0.0, 2.0, 41), "y": np.linspace(0.0, 1.0, 21)}
    adaptive = ftle_field(gyre, grid, 15.0, fixed={"phase": 0.0})
    fixed_step = ftle_field(gyre, grid, 15.0, fixed={"phase": 0.0}, method="rk4")
    np.testing.assert_allclose(adaptive.values, fixed_step.values, atol=1e-4)


def test_non_autonomous_start_time_matches_the_phase_variable(gyre: chaoskit.System) -> None:
    grid = {"x": np.linspace(0.0, 2.0, 21), "y": np.linspace(0.0, 1.0, 11)}
    t0 = 2.5
    for duration in (7.0, -7.0):
        explicit = ftle_field(Gyre2D(), grid, duration, t0=t0, method="rk4")
        lifted = ftle_field(gyre, grid, duration, fixed={"phase": OMEGA * t0}, method="rk4")
        np.testing.assert_allclose(explicit.values, lifted.values, atol=1e-9)


def test_linear_flows_have_the_exact_ftle() -> None:
    grid3 = {"a": np.linspace(-1, 1, 5), "b": np.linspace(-1, 1, 4), "c": np.linspace(-1, 1, 3)}
    for duration, expected in ((2.0, 0.5), (-2.0, 0.3)):  # backward: the largest of −rates
        field = ftle_field(Linear(), grid3, duration, method="rk4")
        assert field.dims == ("a", "b", "c")
        np.testing.assert_allclose(field.values, expected, rtol=1e-6)
    plane = ftle_field(Linear(), {"b": np.linspace(0, 1, 5), "c": np.linspace(0, 1, 5)}, 1.0,
                       fixed={"a": 0.0}, method="rk4")
    np.testing.assert_allclose(plane.values, 0.2, rtol=1e-6)


def test_ftle_from_a_dynamics_object(gyre: chaoskit.System) -> None:
    grid = {"x": np.linspace(0.0, 2.0, 21), "y": np.linspace(0.0, 1.0, 11)}
    stepped = ftle_field(gyre.dynamics(0.075), grid, 15.0, fixed={"phase": 0.0},
                         variables=gyre.variables)
    integrated = ftle_field(gyre, grid, 15.0, fixed={"phase": 0.0}, method="rk4")
    np.testing.assert_allclose(stepped.values, integrated.values, atol=1e-3)


def test_registered_invariant(gyre: chaoskit.System) -> None:
    metric = chaoskit.metrics.create("ftle", duration=15.0, grid={"x": (0, 2, 21), "y": (0, 1, 11)},
                                     fixed={"phase": 0.0}, method="rk4")
    out = metric.estimate(gyre)
    assert out.name == "ftle" and out.dims == ("x", "y") and out.attrs["metric"] == "ftle"
    assert np.isfinite(out.values).all()


def test_time_shifted_copy_keeps_the_parameters(gyre: chaoskit.System) -> None:
    shifted = shifted_system(gyre, t0=1.0, backward=True)
    assert shifted.parameters["eps"] == 0.25 and shifted.parameters["shift_sign"] == -1.0
    assert shifted_system(gyre) is gyre


def test_bad_input(gyre: chaoskit.System) -> None:
    grid = {"x": (0.0, 2.0, 11), "y": (0.0, 1.0, 6)}
    with pytest.raises(chaoskit.ParameterError, match="non-zero"):
        ftle_field(gyre, grid, 0.0, fixed={"phase": 0.0})
    with pytest.raises(chaoskit.ParameterError, match="fixed values"):
        ftle_field(gyre, grid, 1.0)
    with pytest.raises(chaoskit.ParameterError, match="not among"):
        ftle_field(gyre, {"x": (0, 1, 5), "q": (0, 1, 5)}, 1.0, fixed={"phase": 0.0})
    with pytest.raises(chaoskit.ParameterError, match="2 or 3"):
        ftle_field(gyre, {"x": (0, 1, 5)}, 1.0, fixed={"y": 0.5, "phase": 0.0})
    with pytest.raises(chaoskit.ParameterError, match="increasing"):
        ftle_field(gyre, {"x": [0.0, 0.0, 1.0], "y": (0, 1, 5)}, 1.0, fixed={"phase": 0.0})
    with pytest.raises(chaoskit.CapabilityError, match="backward"):
        ftle_field(gyre.dynamics(0.1), grid, -1.0, fixed={"phase": 0.0}, variables=gyre.variables)
    with pytest.raises(chaoskit.ParameterError, match="whole number"):
        ftle_field(gyre.dynamics(0.3), grid, 1.0, fixed={"phase": 0.0}, variables=gyre.variables)
    metric = FTLE(duration=1.0, grid=grid, fixed={"phase": 0.0})
    truth = gyre.trajectory(20, dt=0.1)
    with pytest.raises(chaoskit.CapabilityError, match="tracer grid"):
        metric.estimate(truth)
    with pytest.raises(chaoskit.CapabilityError, match="tracer grid"):
        metric(truth, truth)
    with pytest.raises(chaoskit.ParameterError, match="grid"):
        FTLE(duration=1.0, grid={"x": (0.0, 1.0, 2)})
    with pytest.raises(chaoskit.ParameterError, match="integration time and the tracer grid"):
        FTLE().estimate(gyre)
