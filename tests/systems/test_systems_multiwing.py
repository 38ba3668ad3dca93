"""Sakarya, WangSun, ZhouChen, Tsucs2: right-hand sides against the papers' equations in numpy
(with the published coefficients), Jacobians, exact divergences where constant."""

from __future__ import annotations

import chaoskit
import numpy as np
import pytest

STATES = np.array([[-2.9, 3.89, 3.07], [0.5, -1.3, 2.2]])


def sakarya(x, y, z):
    # Li, Pehlivan, Sprott & Akgul (2015)
    return (-x + y + y * z, -x - y + 0.4 * x * z, z - 0.3 * x * y)


def wang_sun(x, y, z):
    # Wang et al. (2009): x' = a x + c y z, y' = b x + d y - x z, z' = e z + f x y
    return (0.2 * x + y * z, -0.01 * x - 0.4 * y - x * z, -z - x * y)


def zhou_chen(x, y, z):
    # Zhou & Chen (2004)
    return (2.97 * x + 0.15 * y + y * z, -3.0 * y - x * z + y * z, -8.78 * z - x * y)


def tsucs2(x, y, z):
    # TSUCS2 (Pan, Zhou & Li 2013): x' = a(y - x) + d x z, y' = k x + f y - x z, z' = c z + x y - eps x^2
    return (40 * (y - x) + 0.5 * x * z, 20 * y - x * z, 0.833 * z + x * y - 0.65 * x**2)


CASES = {"Sakarya": sakarya, "WangSun": wang_sun, "ZhouChen": zhou_chen, "Tsucs2": tsucs2}


@pytest.mark.parametrize("name", sorted(CASES))
def test_rhs_matches_the_paper(name: str) -> None:
    system = chaoskit.systems.create(name)
    expected = np.array([CASES[name](*s) for s in STATES])
    np.testing.assert_allclose(system.rhs(0.0, STATES), expected, rtol=1e-14, atol=1e-13)


@pytest.mark.parametrize("name", sorted(CASES))
def test_jacobian_matches_finite_differences(name: str) -> None:
    system = chaoskit.systems.create(name)
    states = np.random.default_rng(6).normal(scale=3.0, size=(6, 3))
    numeric = chaoskit.finite_difference_jacobian(lambda y: system.rhs(0.0, y), states)
    np.testing.assert_allclose(system.jacobian(0.0, states), numeric, rtol=1e-7, atol=1e-7)


@pytest.mark.parametrize(("name", "divergence"), [("Sakarya", -1.0), ("WangSun", -1.2)])
def test_exact_lyapunov_sum(name: str, divergence: float) -> None:
    system = chaoskit.systems.create(name)
    trace = np.trace(system.jacobian(0.0, STATES), axis1=-2, axis2=-1)
    np.testing.assert_allclose(trace, divergence, rtol=1e-14)
    assert system.metadata.references["lyapunov_sum"].value == pytest.approx(divergence, rel=1e-14)


def test_general_parameters() -> None:
    system = chaoskit.systems.create("Sakarya", a=0.5, b=2.0, c=-1.0, h=3.0, p=0.7, q=1.1, r=0.9, s=-2.0)
    x, y, z = STATES[1]
    np.testing.assert_allclose(system.rhs(0.0, STATES[1]), [0.5 * x + 3 * y - 2 * y * z,
                                                             -2 * y - 0.7 * x + 1.1 * x * z,
                                                             -z - 0.9 * x * y])
    tsucs = chaoskit.systems.create("Tsucs2", k=2.0)
    assert tsucs.rhs(0.0, STATES[1])[1] == pytest.approx(tsucs2(x, y, z)[1] + 2.0 * x)
