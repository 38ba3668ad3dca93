"""YuWang, YuWang2, SanUmSrisuchinwong: right-hand sides against the papers' equations in
numpy, Jacobians and exact divergences."""

from __future__ import annotations

import chaoskit
import numpy as np
import pytest

STATES = np.array([[-0.21, -0.18, 14.1], [0.64, 1.09, 2.45], [1.2, -0.7, 3.0]])


def yu_wang(x, y, z, b=40.0):
    # Yu & Wang (2012): x' = a(y - x), y' = b x - c x z, z' = exp(x y) - d z
    return (10 * (y - x), b * x - 2 * x * z, np.exp(x * y) - 2.5 * z)


def yu_wang2(x, y, z):
    return (10 * (y - x), 30 * x - 2 * x * z, np.cosh(x * y) - 2.5 * z)


def san_um(x, y, z, a=2.0):
    # San-Um & Srisuchinwong (2012): x' = y - x, y' = -z tanh x, z' = -a + x y + |y|
    return (y - x, -z * np.tanh(x), -a + x * y + np.abs(y))


CASES = {"YuWang": yu_wang, "YuWang2": yu_wang2, "SanUmSrisuchinwong": san_um}


@pytest.mark.parametrize("name", sorted(CASES))
def test_rhs_matches_the_paper(name: str) -> None:
    system = chaoskit.systems.create(name)
    expected = np.array([CASES[name](*s) for s in STATES])
    np.testing.assert_allclose(system.rhs(0.0, STATES), expected, rtol=1e-14, atol=1e-13)


@pytest.mark.parametrize("name", sorted(CASES))
def test_jacobian_and_divergence(name: str) -> None:
    system = chaoskit.systems.create(name)
    jac = system.jacobian(0.0, STATES)
    numeric = chaoskit.finite_difference_jacobian(lambda y: system.rhs(0.0, y), STATES)
    np.testing.assert_allclose(jac, numeric, rtol=1e-7, atol=1e-7)
    trace = np.trace(jac, axis1=-2, axis2=-1)
    np.testing.assert_allclose(trace, system.metadata.references["lyapunov_sum"].value, rtol=1e-14)


def test_wimol_banlue_alias_and_parameter() -> None:
    system = chaoskit.systems.create("wimol_banlue", a=1.5)
    np.testing.assert_allclose(system.rhs(0.0, STATES), np.array([san_um(*s, a=1.5) for s in STATES]))
