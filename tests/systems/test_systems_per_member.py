"""Per-member step control of the adaptive driver (dop853, the default, and dopri5 share it): members never share a step."""

from __future__ import annotations

from typing import ClassVar

import attrs
import numpy as np
import pytest
import torch

import chaoskit
from chaoskit.validators import finite
from chaoskit_systems.base import TorchSystem
from chaoskit_systems.integrators import integrate

OMEGA = torch.tensor([0.5, 2.0, 8.0], dtype=torch.float64)
TIMES = np.linspace(0.0, 10.0, 21)


def oscillators(omega: torch.Tensor):
    """x' = v, v' = −ω_b² x with one frequency per member."""
    def rhs(t, x: torch.Tensor) -> torch.Tensor:
        return torch.stack((x[..., 1], -(omega**2) * x[..., 0]), dim=-1)

    return rhs


def test_members_with_different_time_scales_take_different_steps() -> None:
    x0 = torch.tensor([[1.0, 0.0]] * 3, dtype=torch.float64)
    result = integrate(oscillators(OMEGA), x0, TIMES)
    steps = result.info["steps_accepted"]
    assert steps[0] < steps[1] < steps[2]
    assert steps[2] > 8 * steps[0]  # the step scales with 1/ω
    attempts = np.add(steps, result.info["steps_rejected"])
    assert result.info["iterations"] == attempts.max()
    exact = np.stack([np.cos(w * TIMES) for w in OMEGA.tolist()])
    np.testing.assert_allclose(result.state[..., 0].numpy(), exact, atol=1e-7)


def test_batch_equals_each_member_alone() -> None:
    x0 = torch.tensor([[1.0, 0.0], [0.3, -2.0], [-1.0, 5.0]], dtype=torch.float64)
    together = integrate(oscillators(OMEGA), x0, TIMES)
    for b in range(3):
        alone = integrate(oscillators(OMEGA[b : b + 1]), x0[b : b + 1], TIMES)
        assert alone.info["steps_accepted"][0] == together.info["steps_accepted"][b]
        assert alone.info["steps_rejected"][0] == together.info["steps_rejected"][b]
        torch.testing.assert_close(alone.state[0], together.state[b], rtol=1e-12, atol=1e-12)


def test_lorenz_batch_equals_members_alone(lorenz) -> None:
    x0 = np.array([[-9.7869288, -15.03852, 20.533978], [1.0, 1.0, 1.0], [30.0, -20.0, 50.0]])
    together = lorenz.trajectory(501, dt=0.01, members=3, initial_state=x0)
    steps = together.chaos.attrs["steps_accepted"]
    assert len(set(steps)) > 1  # different orbits, different step sequences
    for b in range(3):
        alone = lorenz.trajectory(501, dt=0.01, initial_state=x0[b])
        assert alone.chaos.attrs["steps_accepted"] == [steps[b]]
        np.testing.assert_allclose(
            alone["state"].values[0], together["state"].values[b], rtol=1e-9, atol=1e-9
        )


# the reason is how the member's last attempts ended: dopri5's trial states overflow first,
# dop853's error norm stays finite while its step shrinks below what moves t
@pytest.mark.parametrize(("method", "reason"), [("dopri5", "non-finite state"), ("dop853", "step size underflow")])
def test_a_blowing_up_member_stops_alone(method: str, reason: str) -> None:
    # y' = y² blows up at t = 1/y0: member 0 at t = 1, the others never within [0, 1.9]
    x0 = torch.tensor([[1.0], [0.1], [-1.0]], dtype=torch.float64)
    times = np.linspace(0.0, 1.9, 5)
    result = integrate(lambda t, y: y * y, x0, times, rtol=1e-7, atol=1e-9, method=method)
    state = result.state[..., 0].numpy()
    assert result.failed_members == [0]
    assert result.info["failed_times"][0] == pytest.approx(1.0, abs=1e-6)
    assert result.info["failed_reasons"] == [reason]
    assert np.isnan(state[0, 3:]).all() and state[0, 2] == pytest.approx(1 / (1 - 0.95), rel=1e-5)
    y0 = x0[1:].numpy()
    np.testing.assert_allclose(state[1:], y0 / (1 - y0 * times), rtol=1e-6)


@attrs.frozen(kw_only=True)
class Blowup(TorchSystem):
    """y' = a·y², finite-time blow-up at t = 1/(a·y0); no analytic Jacobian (autodiff default)."""

    a: float = attrs.field(default=1.0, validator=finite)

    variables: ClassVar[tuple[str, ...]] = ("y",)
    metadata: ClassVar[chaoskit.SystemMetadata] = chaoskit.SystemMetadata(
        name="blowup", dt=0.1, initial_state=(1.0,)
    )

    def _rhs(self, t, x: torch.Tensor) -> torch.Tensor:
        return self.a * x * x


def test_failed_members_warn_through_the_system() -> None:
    with pytest.warns(chaoskit.DivergenceWarning, match=r"1 member\(s\) stopped early"):
        ds = Blowup().trajectory(21, dt=0.1, initial_state=[[1.0], [0.2]], members=2, rtol=1e-6)
    attrs_ = ds.chaos.attrs
    assert attrs_["failed_members"] == [0]
    assert attrs_["failed_times"][0] == pytest.approx(1.0, abs=1e-4)
    state = ds["state"].values[..., 0]
    assert np.isnan(state[0, 11:]).all() and np.isfinite(state[0, :10]).all()
    np.testing.assert_allclose(state[1], 0.2 / (1 - 0.2 * ds["time"].values), rtol=1e-5)


def test_max_steps_is_a_clear_error() -> None:
    x0 = torch.tensor([[1.0, 0.0]] * 3, dtype=torch.float64)
    expected = r"member \d did not reach t = 10 within max_steps = 20"
    with pytest.raises(chaoskit.ChaoskitError, match=expected):
        integrate(oscillators(OMEGA), x0, TIMES, max_steps=20)


def test_rk4_marks_non_finite_members() -> None:
    x0 = torch.tensor([[1.0], [0.1]], dtype=torch.float64)
    result = integrate(lambda t, y: y * y, x0, np.linspace(0.0, 2.0, 5), method="rk4", step=0.01)
    assert result.failed_members == [0]
    assert np.isnan(result.state[0, 3:].numpy()).all()
    assert np.isfinite(result.state[1].numpy()).all()


def test_a_stiff_system_is_named_with_an_implicit_method_to_use(monkeypatch) -> None:
    """Van der Pol at mu = 1e6 is stiff: the explicit step collapses; the error names the
    system and the remedies (the step budget is lowered here so that it comes at once)."""
    from chaoskit_systems.integrators import adaptive

    monkeypatch.setattr(adaptive, "default_max_steps", lambda t0, t_out: 300)
    stiff = chaoskit.systems.create("forced_van_der_pol", mu=1e6)
    with pytest.raises(chaoskit.ChaoskitError,
                       match=r"ForcedVanDerPol.trajectory: dop853: .*may be stiff.*method='Radau'"):
        stiff.trajectory(3, dt=2.0)
