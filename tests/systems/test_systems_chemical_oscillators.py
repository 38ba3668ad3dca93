"""The isothermal autocatalator and the Kawczyński–Strizhak model
(``flows/chemical_oscillators.py``)."""

from __future__ import annotations

from functools import partial

import attrs
import numpy as np
import pytest

import chaoskit


def isothermal_chemical(s, delta, kappa, mu, sigma):
    # Petrov, Scott & Showalter 1992: α' = μ(κ + γ) − αβ² − α, σβ' = αβ² + α − β, δγ' = β − γ
    alpha, beta, gamma = s
    return [
        mu * (kappa + gamma) - alpha * beta**2 - alpha,
        (alpha * beta**2 + alpha - beta) / sigma,
        (beta - gamma) / delta,
    ]


def kawczynski_strizhak(s, beta, gamma, kappa, mu):
    # Strizhak & Kawczyński 1995
    x, y, z = s
    return [gamma * (y - x**3 + 3 * mu * x), -2 * mu * x - y - z + beta, kappa * (x - z)]


CASES = {
    "IsothermalChemical": (
        isothermal_chemical,
        {"delta": 0.8, "kappa": 2.2, "mu": 0.31, "sigma": 0.02},
    ),
    "KawczynskiStrizhak": (
        kawczynski_strizhak,
        {"beta": -0.3, "gamma": 0.6, "kappa": 0.25, "mu": 1.9},
    ),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_equations_and_jacobian(name: str) -> None:
    reference, other = CASES[name]
    base = chaoskit.systems.create(name)
    x0 = np.array(base.metadata.initial_state)
    x = np.stack([x0, np.array([0.7, 1.4, -0.6]), x0[::-1] * 1.3])
    for system in (base, attrs.evolve(base, **other)):
        want = np.array([reference(v, **system.parameters) for v in x])
        np.testing.assert_allclose(system.rhs(0.0, x), want, rtol=1e-12, atol=1e-12)
        numeric = chaoskit.finite_difference_jacobian(partial(system.rhs, 0.0), x)
        np.testing.assert_allclose(
            system.jacobian(0.0, x), numeric, rtol=1e-6, atol=1e-7 * np.abs(numeric).max()
        )


def test_isothermal_chemical_rejects_non_positive_time_scales() -> None:
    with pytest.raises(chaoskit.ParameterError, match="sigma"):
        chaoskit.systems.create("IsothermalChemical", sigma=0.0)
    assert chaoskit.systems.create("IsothermalChemical").variables == ("alpha", "beta", "gamma")
