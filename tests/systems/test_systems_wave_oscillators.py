"""Moore–Spiegel and Rabinovich–Fabrikant (``flows/wave_oscillators.py``)."""

from __future__ import annotations

from functools import partial

import attrs
import numpy as np
import pytest

import chaoskit


def moore_spiegel(s, a, b, eps):
    # the jerk x''' = −x'' + a(ε − x²)x' − abx written with y = x', z = x''/a
    x, y, z = s
    return [y, a * z, -z + eps * y - y * x**2 - b * x]


def rabinovich_fabrikant(s, a, g):  # Rabinovich & Fabrikant 1979, α = a, γ = g
    x, y, z = s
    return [y * (z - 1 + x**2) + g * x, x * (3 * z + 1 - x**2) + g * y, -2 * z * (a + x * y)]


CASES = {
    "MooreSpiegel": (moore_spiegel, {"a": 8.0, "b": 3.5, "eps": 7.0}),
    "RabinovichFabrikant": (rabinovich_fabrikant, {"a": 0.98, "g": 0.1}),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_equations_and_jacobian(name: str) -> None:
    reference, other = CASES[name]
    base = chaoskit.systems.create(name)
    x0 = np.array(base.metadata.initial_state)
    x = np.stack([x0, np.array([0.7, -1.4, 0.6]), 0.4 * x0[::-1]])
    for system in (base, attrs.evolve(base, **other)):
        want = np.array([reference(v, **system.parameters) for v in x])
        np.testing.assert_allclose(system.rhs(0.0, x), want, rtol=1e-12, atol=1e-12)
        numeric = chaoskit.finite_difference_jacobian(partial(system.rhs, 0.0), x)
        np.testing.assert_allclose(
            system.jacobian(0.0, x), numeric, rtol=1e-6, atol=1e-7 * np.abs(numeric).max()
        )
