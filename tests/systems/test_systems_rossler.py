"""The Rössler system: right-hand side against Rössler (1976) in numpy, its Jacobian, and the
published reference invariants (Sprott) stored in its metadata."""

from __future__ import annotations

import chaoskit
import numpy as np
import pytest
from chaoskit_systems.flows.rossler import Rossler

STATES = np.array([[6.5, 0.48, 0.34], [-3.1, 2.2, 11.0]])


def rossler_numpy(x: np.ndarray, a: float = 0.2, b: float = 0.2, c: float = 5.7) -> np.ndarray:
    return np.array([-x[1] - x[2], x[0] + a * x[1], b + x[2] * (x[0] - c)])


def test_rhs_matches_the_paper() -> None:
    system = chaoskit.systems.create("Rossler")
    assert isinstance(system, Rossler) and system.parameters == {"a": 0.2, "b": 0.2, "c": 5.7}
    expected = np.array([rossler_numpy(s) for s in STATES])
    np.testing.assert_allclose(system.rhs(0.0, STATES), expected, rtol=1e-14)
    variant = chaoskit.systems.create("rossler", a=0.1, b=0.1, c=14.0)
    np.testing.assert_allclose(variant.rhs(0.0, STATES[1]), rossler_numpy(STATES[1], 0.1, 0.1, 14.0))


def test_jacobian_matches_finite_differences() -> None:
    system = Rossler()
    states = np.random.default_rng(0).normal(scale=3.0, size=(6, 3))
    numeric = chaoskit.finite_difference_jacobian(lambda y: system.rhs(0.0, y), states)
    np.testing.assert_allclose(system.jacobian(0.0, states), numeric, rtol=1e-7, atol=1e-8)


def test_aliases() -> None:
    for name in ("Rossler", "roessler", "rossler76", "systems/rossler"):
        assert isinstance(chaoskit.systems.create(name), Rossler)


def test_reference_invariants_are_sprotts() -> None:
    refs = Rossler.metadata.references
    spectrum = refs["lyapunov_spectrum"]
    assert spectrum.value == (0.0714, 0.0, -5.3943) and spectrum.source == "lit: Sprott"
    ky = refs["kaplan_yorke_dimension"]
    assert ky.value == 2.0132 and ky.source == "lit: Sprott"
    lam = spectrum.value
    assert 2 + (lam[0] + lam[1]) / abs(lam[2]) == pytest.approx(ky.value, abs=1e-4)
    assert Rossler.metadata.max_lyapunov == 0.0714
    assert Rossler.metadata.lyapunov_time == pytest.approx(14.006, abs=1e-3)


def test_orbit_stays_on_the_spiral_attractor() -> None:
    ds = Rossler().trajectory(150, dt=0.2, transient=10.0, rtol=1e-6, atol=1e-8)
    x = ds["state"].values[0]
    assert np.isfinite(x).all()
    assert -12 < x[:, 0].min() < -6 and 8 < x[:, 0].max() < 13 and x[:, 2].max() > 5
