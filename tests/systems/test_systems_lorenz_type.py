"""Rucklidge and Shimizu–Morioka: right-hand sides against the papers' equations in numpy,
Jacobians, the (x, y) → (−x, −y) symmetry and the exact divergence."""

from __future__ import annotations

import chaoskit
import numpy as np
import pytest

STATES = np.array([[1.93, 3.19, 5.78], [-0.4, 1.1, -0.3]])


def rucklidge(x, y, z, kappa=2.0, lam=6.7):
    # Rucklidge (1992): x' = -kappa x + lambda y - y z, y' = x, z' = -z + y^2
    return (-kappa * x + lam * y - y * z, x, -z + y**2)


def shimizu_morioka(x, y, z, lam=0.85, alpha=0.5):
    # Shimizu & Morioka (1980): x' = y, y' = (1 - z) x - lambda y, z' = -alpha z + x^2
    return (y, (1 - z) * x - lam * y, -alpha * z + x**2)


CASES = {"Rucklidge": rucklidge, "ShimizuMorioka": shimizu_morioka}


@pytest.mark.parametrize("name", sorted(CASES))
def test_rhs_matches_the_paper(name: str) -> None:
    system = chaoskit.systems.create(name)
    expected = np.array([CASES[name](*s) for s in STATES])
    np.testing.assert_allclose(system.rhs(0.0, STATES), expected, rtol=1e-14, atol=1e-14)


@pytest.mark.parametrize("name", sorted(CASES))
def test_jacobian_symmetry_and_divergence(name: str) -> None:
    system = chaoskit.systems.create(name)
    states = np.random.default_rng(5).normal(scale=2.0, size=(6, 3))
    jac = system.jacobian(0.0, states)
    numeric = chaoskit.finite_difference_jacobian(lambda y: system.rhs(0.0, y), states)
    np.testing.assert_allclose(jac, numeric, rtol=1e-7, atol=1e-8)
    flip = np.array([-1.0, -1.0, 1.0])
    np.testing.assert_allclose(system.rhs(0.0, states * flip), system.rhs(0.0, states) * flip)
    trace = np.trace(jac, axis1=-2, axis2=-1)
    np.testing.assert_allclose(trace, system.metadata.references["lyapunov_sum"].value, rtol=1e-14)


def test_parameters_change_the_field() -> None:
    state = STATES[1]
    np.testing.assert_allclose(chaoskit.systems.create("Rucklidge", a=1.0, b=4.0).rhs(0.0, state),
                               rucklidge(*state, kappa=1.0, lam=4.0))
    np.testing.assert_allclose(chaoskit.systems.create("shimizu_morioka", a=0.75, b=0.45).rhs(0.0, state),
                               shimizu_morioka(*state, lam=0.75, alpha=0.45))
