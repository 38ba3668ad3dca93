"""SprottJerk (1997), SprottMore (2020), SprottTorus (2014): right-hand sides against the
papers' equations in numpy, Jacobians against finite differences."""

from __future__ import annotations

import chaoskit
import numpy as np
import pytest

STATES = np.array([[0.3, -1.2, 0.7], [1.5, 0.4, -2.1]])

PAPER = {
    # x''' = -A x'' + (x')^2 - x with A = 2.017
    "SprottJerk": lambda x, y, z: (y, z, -2.017 * z + y**2 - x),
    "SprottMore": lambda x, y, z: (y, -x - np.sign(z) * y, y**2 - np.exp(-(x**2))),
    "SprottTorus": lambda x, y, z: (y + 2 * x * y + x * z, 1 - 2 * x**2 + y * z, x - x**2 - y**2),
}


@pytest.mark.parametrize("name", sorted(PAPER))
def test_rhs_matches_the_paper(name: str) -> None:
    system = chaoskit.systems.create(name)
    expected = np.array([PAPER[name](*s) for s in STATES])
    np.testing.assert_allclose(system.rhs(0.0, STATES), expected, rtol=1e-14, atol=1e-14)


@pytest.mark.parametrize("name", sorted(PAPER))
def test_jacobian_matches_finite_differences(name: str) -> None:
    system = chaoskit.systems.create(name)
    states = np.random.default_rng(1).normal(scale=2.0, size=(6, 3))
    states[:, 2] += np.sign(states[:, 2])  # keep clear of SprottMore's switching plane z = 0
    numeric = chaoskit.finite_difference_jacobian(lambda y: system.rhs(0.0, y), states)
    np.testing.assert_allclose(system.jacobian(0.0, states), numeric, rtol=1e-7, atol=1e-8)


def test_jerk_divergence_is_minus_mu() -> None:
    system = chaoskit.systems.create("SprottJerk", mu=1.5)
    trace = np.trace(system.jacobian(0.0, STATES), axis1=-2, axis2=-1)
    np.testing.assert_allclose(trace, -1.5)
    default = chaoskit.systems.create("SprottJerk").metadata.references["lyapunov_sum"]
    assert default.value == -2.017 and default.source == "exact"


def test_sprott_more_switches_damping_with_z() -> None:
    system = chaoskit.systems.create("SprottMore")
    up, down = system.rhs(0.0, np.array([[0.2, 1.0, 0.5], [0.2, 1.0, -0.5]]))
    assert up[1] == pytest.approx(-0.2 - 1.0) and down[1] == pytest.approx(-0.2 + 1.0)
