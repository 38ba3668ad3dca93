"""Jerk flows (flows/arneodo.py): right-hand sides against the papers' equations in numpy,
analytic Jacobians against finite differences."""

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

from chaoskit_systems.flows.arneodo import Arneodo, Coullet, GenesioTesi

STATES = [[0.4, -0.2, 0.9], [-1.7, 0.8, -1.3]]


def act(p, s):
    # x''' = -a x - b x' - c x'' + d x^3 (Arneodo, Coullet & Tresser 1980)
    x, xd, xdd = s
    return [xd, xdd, -p["a"] * x - p["b"] * xd - p["c"] * xdd + p["d"] * x**3]


def genesio_tesi(p, s):
    # x''' = -a x'' - b x' - c x + x^2 (Genesio & Tesi 1992)
    x, xd, xdd = s
    return [xd, xdd, -p["a"] * xdd - p["b"] * xd - p["c"] * x + x**2]


CASES = [(Arneodo, act), (Coullet, act), (GenesioTesi, genesio_tesi)]


@pytest.mark.parametrize(("cls", "formula"), CASES)
def test_rhs_matches_the_papers_equations(cls, formula) -> None:
    system = cls()
    _check_rhs(system, formula, STATES + [list(system.metadata.initial_state)])


@pytest.mark.parametrize(("cls", "formula"), CASES)
def test_analytic_jacobian_matches_finite_differences(cls, formula) -> None:
    system = _vary(cls())
    states = np.array(STATES)
    numeric = chaoskit.finite_difference_jacobian(lambda y: system.rhs(0.0, y), states)
    np.testing.assert_allclose(system.jacobian(0.0, states), numeric, rtol=1e-7, atol=1e-7)


def test_coullet_is_arneodo_at_other_parameters() -> None:
    assert Coullet().parameters == {"a": -0.8, "b": 1.1, "c": 0.45, "d": -1.0}
    x = np.array(STATES)
    np.testing.assert_array_equal(Coullet().rhs(0.0, x), Arneodo(**Coullet().parameters).rhs(0.0, x))
