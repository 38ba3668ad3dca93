"""Torus: the time-dependent field against its closed form, and every orbit is the torus knot
shifted by a constant (checked against the exact solution)."""

from __future__ import annotations

import chaoskit
import numpy as np


def knot(t, a=0.5, n=15.3, r=1.0):
    return np.stack([(r + a * np.cos(n * t)) * np.cos(t), (r + a * np.cos(n * t)) * np.sin(t),
                     a * np.sin(n * t)], axis=-1)


def knot_velocity(t, a=0.5, n=15.3, r=1.0):
    return np.stack([-a * n * np.sin(n * t) * np.cos(t) - (r + a * np.cos(n * t)) * np.sin(t),
                     -a * n * np.sin(n * t) * np.sin(t) + (r + a * np.cos(n * t)) * np.cos(t),
                     a * n * np.cos(n * t)], axis=-1)


def test_rhs_is_the_knot_velocity_at_any_state() -> None:
    system = chaoskit.systems.create("Torus")
    states = np.array([[-13.7, 1.9, 0.73], [2.0, -5.0, 1.0]])
    for t in (0.0, 0.37, 12.5):
        np.testing.assert_allclose(system.rhs(t, states), np.stack([knot_velocity(t)] * 2), rtol=1e-13, atol=1e-13)
    times = np.array([0.1, 2.0])  # one time per state
    np.testing.assert_allclose(system.rhs(times, states), knot_velocity(times), rtol=1e-13, atol=1e-13)
    np.testing.assert_array_equal(system.jacobian(0.3, states), np.zeros((2, 3, 3)))


def test_orbit_is_the_shifted_knot() -> None:
    system = chaoskit.systems.create("Torus")
    ds = system.trajectory(40, dt=0.07, transient=1.0, rtol=1e-9, atol=1e-12)
    t = 1.0 + ds["time"].values  # the field sees the physical time
    x = ds["state"].values[0]
    np.testing.assert_allclose(x - x[0], knot(t) - knot(t[0]), atol=1e-7)
    assert "nonautonomous" in system.metadata.flags
    assert system.metadata.references["lyapunov_spectrum"].value == (0.0, 0.0, 0.0)
