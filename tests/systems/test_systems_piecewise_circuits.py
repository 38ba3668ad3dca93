"""Piecewise-smooth circuits (flows/piecewise_circuits.py): right-hand sides against the papers'
equations in numpy, on both sides of every switching surface."""

import attrs
import chaoskit
import numpy as np
import pytest


def _vary(system):
    """The system with every parameter moved off its default by a distinct amount."""
    new = {}
    for i, (key, value) in enumerate(system.parameters.items()):
        new[key] = value * (1.1 + 0.013 * i) if value != 0 else 0.05 * (i + 1)
    return attrs.evolve(system, **new)


def _check_rhs(system, formula, states, rtol=1e-12):
    """``system.rhs`` against the plain numpy ``formula(p, state)`` at defaults and varied parameters."""
    for variant in (system, _vary(system)):
        p = variant.parameters
        got = variant.rhs(0.0, np.asarray(states, dtype=float))
        expected = np.array([formula(p, np.asarray(s, dtype=float)) for s in states])
        np.testing.assert_allclose(got, expected, rtol=rtol, atol=rtol * np.abs(expected).max())

from chaoskit_systems.flows.piecewise_circuits import AnishchenkoAstakhov, Chua, Colpitts

# states on both sides of the kinks x = ±1 (Chua), z = e - 1 (Colpitts), x = 0 (Anishchenko)
STATES = [[0.4, -0.2, 0.9], [-1.7, 0.8, -1.3], [2.3, 0.1, 12.0], [-0.6, 1.5, 7.5]]


def chua(p, s):
    x, y, z = s
    if abs(x) <= 1:
        h = p["m0"] * x
    else:  # outer segments of slope m1, continuous at |x| = 1
        h = p["m1"] * x + np.sign(x) * (p["m0"] - p["m1"])
    return [p["alpha"] * (y - x - h), x - y + z, -p["beta"] * y]


def colpitts(p, s):
    x, y, z = s
    current = (p["e"] - 1) - z if z < p["e"] - 1 else 0.0
    return [y - p["a"] * current, p["c"] - x - p["b"] * y - z, y - p["d"] * z]


def anishchenko_astakhov(p, s):
    x, y, z = s
    step = 1.0 if x > 0 else 0.0
    return [p["mu"] * x + y - x * z, -x, -p["eta"] * z + p["eta"] * step * x**2]


CASES = [(Chua, chua), (Colpitts, colpitts), (AnishchenkoAstakhov, anishchenko_astakhov)]


@pytest.mark.parametrize(("cls", "formula"), CASES)
def test_rhs_matches_the_papers_equations(cls, formula) -> None:
    system = cls()
    _check_rhs(system, formula, STATES + [list(system.metadata.initial_state)])


def test_chua_slopes_are_exact_and_the_field_is_odd() -> None:
    assert (Chua().m0, Chua().m1) == (-8 / 7, -5 / 7)
    x = np.array(STATES)
    np.testing.assert_allclose(Chua().rhs(0.0, -x), -Chua().rhs(0.0, x), rtol=1e-14)


@pytest.mark.parametrize(("cls", "formula"), CASES)
def test_autodiff_jacobian_is_one_sided_away_from_kinks(cls, formula) -> None:
    system = cls()
    states = np.array(STATES)
    numeric = chaoskit.finite_difference_jacobian(lambda y: system.rhs(0.0, y), states)
    np.testing.assert_allclose(system.jacobian(0.0, states), numeric, rtol=1e-7, atol=1e-7)
