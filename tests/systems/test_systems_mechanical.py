"""StickSlipOscillator and SwingingAtwood: right-hand sides against the papers' equations in
numpy, Jacobians, and the Atwood machine's conserved energy."""

from __future__ import annotations

import chaoskit
import numpy as np
import pytest

G = 9.82  # dysts' gravity


def stick_slip(x, v, th, a=1.0, b=1.0, eps=0.05, gamma=1.0, t0=0.3, alpha=0.3, beta=0.3, vs=0.4, w=2.0):
    # Awrejcewicz & Holicke: friction T of the velocity relative to the belt, u = v - vs
    u = v - vs
    friction = t0 * np.sign(u) - alpha * u + beta * u**3
    return (v, a * x - b * x**3 + eps * (gamma * np.cos(th) - friction), w)


def atwood(r, th, pr, pth, m1=1.0, m2=4.5):
    # Tufillaro, Abbott & Griffiths (1984), Hamilton's equations
    return (pr / (m1 + m2), pth / (m1 * r**2),
            pth**2 / (m1 * r**3) - m2 * G + m1 * G * np.cos(th), -m1 * G * r * np.sin(th))


def atwood_energy(s, m1=1.0, m2=4.5):
    r, th, pr, pth = np.moveaxis(s, -1, 0)
    return pr**2 / (2 * (m1 + m2)) + pth**2 / (2 * m1 * r**2) + G * r * (m2 - m1 * np.cos(th))


CASES = {
    "StickSlipOscillator": (stick_slip, np.array([[0.855, -0.391, 0.0], [-1.2, 0.9, 2.5]])),
    "SwingingAtwood": (atwood, np.array([[0.113, 1.5708, 0.1099, 0.1775], [2.0, -0.4, -1.3, 0.8]])),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_rhs_matches_the_paper(name: str) -> None:
    f, states = CASES[name]
    system = chaoskit.systems.create(name)
    expected = np.array([f(*s) for s in states])
    np.testing.assert_allclose(system.rhs(0.0, states), expected, rtol=1e-13, atol=1e-13)


@pytest.mark.parametrize("name", sorted(CASES))
def test_jacobian_matches_finite_differences(name: str) -> None:
    _, states = CASES[name]
    system = chaoskit.systems.create(name)
    numeric = chaoskit.finite_difference_jacobian(lambda y: system.rhs(0.0, y), states)
    np.testing.assert_allclose(system.jacobian(0.0, states), numeric, rtol=1e-7, atol=1e-7)


def test_stick_slip_friction_is_a_function_of_the_relative_velocity() -> None:
    # no spring, no forcing, eps = 1: dv/dt = -T(v - vs) whatever the belt speed vs
    for vs in (0.0, 0.4, 1.0):
        system = chaoskit.systems.create("StickSlipOscillator", eps=1.0, gamma=0.0, a=0.0, b=0.0, vs=vs)
        for u in (-0.7, -0.1, 0.2, 1.1):
            expected = -(0.3 * np.sign(u) - 0.3 * u + 0.3 * u**3)
            assert system.rhs(0.0, np.array([0.0, u + vs, 0.0]))[1] == pytest.approx(expected, rel=1e-13)


def test_swinging_atwood_conserves_energy() -> None:
    system = chaoskit.systems.create("SwingingAtwood")
    ds = system.trajectory(100, dt=system.metadata.period / 50, rtol=1e-10, atol=1e-12)
    energy = atwood_energy(ds["state"].values[0])
    assert np.ptp(energy) < 1e-7 * np.abs(energy).max()
    trace = np.trace(system.jacobian(0.0, ds["state"].values[0]), axis1=-2, axis2=-1)
    np.testing.assert_allclose(trace, 0.0, atol=1e-12)  # Liouville: the flow preserves volume
