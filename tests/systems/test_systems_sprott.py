"""Sprott's flows A–S (Sprott 1994): right-hand sides against the paper's equations in numpy,
analytic Jacobians against finite differences, and the exact Lyapunov sums (the divergence)."""

from __future__ import annotations

import chaoskit
import numpy as np
import pytest
from chaoskit_systems import metadata as md

STATES = np.array([[0.3, -1.2, 0.7], [1.5, 0.4, -2.1]])

# Table I of Sprott (1994), written out with the published coefficients.
PAPER = {
    "SprottA": lambda x, y, z: (y, -x + y * z, 1 - y**2),
    "SprottB": lambda x, y, z: (y * z, x - y, 1 - x * y),
    "SprottC": lambda x, y, z: (y * z, x - y, 1 - x**2),
    "SprottD": lambda x, y, z: (-y, x + z, x * z + 3 * y**2),
    "SprottE": lambda x, y, z: (y * z, x**2 - y, 1 - 4 * x),
    "SprottF": lambda x, y, z: (y + z, -x + 0.5 * y, x**2 - z),
    "SprottG": lambda x, y, z: (0.4 * x + z, x * z - y, -x + y),
    "SprottH": lambda x, y, z: (-y + z**2, x + 0.5 * y, x - z),
    "SprottI": lambda x, y, z: (-0.2 * y, x + z, x + y**2 - z),
    "SprottJ": lambda x, y, z: (2 * z, -2 * y + z, -x + y + y**2),
    "SprottK": lambda x, y, z: (x * y - z, x - y, x + 0.3 * z),
    "SprottL": lambda x, y, z: (y + 3.9 * z, 0.9 * x**2 - y, 1 - x),
    "SprottM": lambda x, y, z: (-z, -(x**2) - y, 1.7 + 1.7 * x + y),
    "SprottN": lambda x, y, z: (-2 * y, x + z**2, 1 + y - 2 * z),
    "SprottO": lambda x, y, z: (y, x - z, x + x * z + 2.7 * y),
    "SprottP": lambda x, y, z: (2.7 * y + z, -x + y**2, x + y),
    "SprottQ": lambda x, y, z: (-z, x - y, 3.1 * x + y**2 + 0.5 * z),
    "SprottR": lambda x, y, z: (0.9 - y, 0.4 + z, x * y - z),
    "SprottS": lambda x, y, z: (-x - 4 * y, x + z**2, 1 + x),
}


@pytest.mark.parametrize("name", sorted(PAPER))
def test_rhs_matches_the_paper(name: str) -> None:
    system = chaoskit.systems.create(name)
    expected = np.array([PAPER[name](*s) for s in STATES])
    np.testing.assert_allclose(system.rhs(0.0, STATES), expected, rtol=1e-14, atol=1e-14)
    for state, row in zip(STATES, expected):  # unbatched states too
        np.testing.assert_allclose(system.rhs(0.0, state), row, rtol=1e-14, atol=1e-14)


@pytest.mark.parametrize("name", sorted(PAPER))
def test_analytic_jacobian_matches_finite_differences(name: str) -> None:
    system = chaoskit.systems.create(name)
    states = np.random.default_rng(1).normal(scale=2.0, size=(5, 3))
    numeric = chaoskit.finite_difference_jacobian(lambda y: system.rhs(0.0, y), states)
    np.testing.assert_allclose(system.jacobian(0.0, states), numeric, rtol=1e-7, atol=1e-8)


@pytest.mark.parametrize("name", sorted(PAPER))
def test_exact_lyapunov_sum_is_the_divergence(name: str) -> None:
    system = chaoskit.systems.create(name)
    reference = system.metadata.references.get("lyapunov_sum")
    states = np.random.default_rng(2).normal(scale=2.0, size=(7, 3))
    trace = np.trace(system.jacobian(0.0, states), axis1=-2, axis2=-1)
    if reference is None:  # A, D, K, O, P: the divergence depends on the state
        assert np.ptp(trace) > 1e-3
    else:
        assert reference.source == "exact"
        np.testing.assert_allclose(trace, reference.value, rtol=1e-14, atol=1e-14)


def test_parameters_are_the_papers() -> None:
    expected = {"SprottF": {"a": 0.5}, "SprottG": {"a": 0.4}, "SprottH": {"a": 0.5},
                "SprottI": {"a": 0.2}, "SprottK": {"a": 0.3}, "SprottL": {"a": 0.9, "b": 3.9},
                "SprottM": {"a": 1.7}, "SprottO": {"a": 2.7}, "SprottP": {"a": 2.7},
                "SprottQ": {"a": 3.1, "b": 0.5}, "SprottR": {"a": 0.9, "b": 0.4}}
    for name in PAPER:
        assert chaoskit.systems.create(name).parameters == expected.get(name, {})
        assert md.entry(name)["name"] == "sprott_" + name[-1].lower()


def test_parameters_change_the_field() -> None:
    system = chaoskit.systems.create("SprottL", a=1.0, b=2.0)
    x, y, z = STATES[1]
    np.testing.assert_allclose(system.rhs(0.0, STATES[1]), [y + 2.0 * z, x**2 - y, 1 - x])
