"""Atmospheric models (flows/atmosphere.py): right-hand sides against the papers' equations in
numpy, analytic Jacobians against finite differences."""

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

from chaoskit_systems.flows.atmosphere import AtmosphericRegime, Hadley

STATES = [[0.4, -0.2, 0.9], [1.7, 0.8, -1.3]]


def lorenz84(p, s):
    # Lorenz (1984): x' = -y^2 - z^2 - a x + a F, y' = x y - b x z - y + G, z' = b x y + x z - z
    x, y, z = s
    return [-y**2 - z**2 - p["a"] * x + p["a"] * p["f"],
            x * y - p["b"] * x * z - y + p["g"],
            p["b"] * x * y + x * z - z]


def tuwankotta(p, s):
    x, y, z = s
    return [p["mu1"] * x + p["sigma"] * x * y,
            p["mu2"] * y + p["omega"] * z + p["alpha"] * y * z + p["beta"] * z**2 - p["sigma"] * x**2,
            p["mu2"] * z - p["omega"] * y - p["alpha"] * y**2 - p["beta"] * y * z]


@pytest.mark.parametrize(("cls", "formula"), [(Hadley, lorenz84), (AtmosphericRegime, tuwankotta)])
def test_rhs_matches_the_papers_equations(cls, formula) -> None:
    system = cls()
    _check_rhs(system, formula, STATES + [list(system.metadata.initial_state)])


@pytest.mark.parametrize("cls", [Hadley, AtmosphericRegime])
def test_analytic_jacobian_matches_finite_differences(cls) -> None:
    system = _vary(cls())
    states = np.array(STATES)
    numeric = chaoskit.finite_difference_jacobian(lambda y: system.rhs(0.0, y), states)
    np.testing.assert_allclose(system.jacobian(0.0, states), numeric, rtol=1e-7, atol=1e-7)


def test_atmospheric_regime_nonlinearity_conserves_energy() -> None:
    # Tuwankotta's quadratic terms preserve x^2 + y^2 + z^2: with mu1 = mu2 = 0 the energy is constant
    system = AtmosphericRegime(mu1=0.0, mu2=0.0)
    x = np.array(STATES)
    assert np.allclose(np.sum(x * system.rhs(0.0, x), axis=-1), 0.0, atol=1e-13)


def test_rk4_step_resolves_the_fast_rotation() -> None:
    system = AtmosphericRegime()
    assert system.default_max_step() == pytest.approx(2 * np.pi / 3 / 100)
    assert system.default_max_step() < system.metadata.period / 200
