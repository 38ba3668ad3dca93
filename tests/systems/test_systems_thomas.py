"""Thomas' cyclically symmetric flow and its labyrinth-chaos variant: right-hand sides against
Thomas (1999) in numpy, Jacobians, symmetry and the exact divergence."""

from __future__ import annotations

import chaoskit
import numpy as np
import pytest

STATES = np.array([[2.2, 2.36, 3.22], [-4.96, 1.03, -4.69]])


def thomas_numpy(x: np.ndarray, a: float, b: float) -> np.ndarray:
    # Thomas: dx/dt = sin(y) - beta x, cyclically; here with time scaled by b (beta = a / b)
    return b * np.array([np.sin(x[1]), np.sin(x[2]), np.sin(x[0])]) - a * x


@pytest.mark.parametrize(("name", "a", "b"), [("Thomas", 1.85, 10.0), ("ThomasLabyrinth", 0.5, 10.0)])
def test_rhs_matches_the_paper(name: str, a: float, b: float) -> None:
    system = chaoskit.systems.create(name)
    assert system.parameters == {"a": a, "b": b}
    expected = np.array([thomas_numpy(s, a, b) for s in STATES])
    np.testing.assert_allclose(system.rhs(0.0, STATES), expected, rtol=1e-14, atol=1e-13)
    trace = np.trace(system.jacobian(0.0, STATES), axis1=-2, axis2=-1)
    np.testing.assert_allclose(trace, system.metadata.references["lyapunov_sum"].value)
    np.testing.assert_allclose(trace, -3 * a)


@pytest.mark.parametrize("name", ["Thomas", "ThomasLabyrinth"])
def test_jacobian_and_cyclic_symmetry(name: str) -> None:
    system = chaoskit.systems.create(name)
    states = np.random.default_rng(3).normal(scale=4.0, size=(6, 3))
    numeric = chaoskit.finite_difference_jacobian(lambda y: system.rhs(0.0, y), states)
    np.testing.assert_allclose(system.jacobian(0.0, states), numeric, rtol=1e-7, atol=1e-7)
    rolled = np.roll(states, 1, axis=-1)  # (x, y, z) -> (z, x, y) maps the field onto itself
    np.testing.assert_allclose(system.rhs(0.0, rolled), np.roll(system.rhs(0.0, states), 1, axis=-1))


def test_labyrinth_stays_in_the_dissipative_box() -> None:
    system = chaoskit.systems.create("ThomasLabyrinth")
    ds = system.trajectory(100, dt=0.1, rtol=1e-6, atol=1e-8)
    bound = system.b / system.a  # |x| <= b/a is absorbing
    assert np.abs(ds["state"].values).max() <= bound + 1e-9
