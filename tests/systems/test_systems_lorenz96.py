"""Lorenz-96 with any number of sites (``flows/lorenz96.py``)."""

from __future__ import annotations

from functools import partial

import attrs
import numpy as np
import pytest

import chaoskit
from chaoskit_systems.flows.lorenz96 import Lorenz96


def lorenz96(x: np.ndarray, f: float) -> np.ndarray:
    """Lorenz 1996: dX_k/dt = (X_{k+1} − X_{k−2}) X_{k−1} − X_k + F, indices cyclic."""
    n = len(x)
    return np.array(
        [(x[(k + 1) % n] - x[(k - 2) % n]) * x[(k - 1) % n] - x[k] + f for k in range(n)]
    )


@pytest.mark.parametrize("n", [4, 5, 10, 40])
@pytest.mark.parametrize("f", [20.0, 8.0, -1.5])
def test_rhs_matches_the_published_equations(n: int, f: float) -> None:
    system = Lorenz96(n=n, f=f)
    x = np.random.default_rng(n).normal(size=(3, n)) * 3.0
    np.testing.assert_allclose(
        system.rhs(0.0, x), np.stack([lorenz96(s, f) for s in x]), rtol=1e-13, atol=1e-12
    )


@pytest.mark.parametrize("n", [4, 5, 10, 40])
def test_analytic_jacobian_matches_finite_differences(n: int) -> None:
    system = Lorenz96(n=n, f=8.0)
    x = np.random.default_rng(n).normal(size=(2, n)) * 3.0
    numeric = chaoskit.finite_difference_jacobian(partial(system.rhs, 0.0), x)
    np.testing.assert_allclose(system.jacobian(0.0, x), numeric, rtol=1e-7, atol=1e-8)


def test_dimension_follows_n() -> None:
    system = chaoskit.systems.create("lorenz96", n=10)
    assert system.dimension == 10 and system.variables == tuple(f"x{i}" for i in range(10))
    assert Lorenz96().variables == ("x0", "x1", "x2", "x3")
    assert Lorenz96.variables == ("x0", "x1", "x2", "x3")  # on the class: the defaults' names
    assert len(Lorenz96.metadata.initial_state) == 4 and Lorenz96().at_defaults
    assert not system.at_defaults
    for bad in (3, 4.0, True):
        with pytest.raises(chaoskit.ParameterError, match="n"):
            Lorenz96(n=bad)


def test_default_initial_states() -> None:
    states, _ = Lorenz96()._initial_states(3, seed=1)
    np.testing.assert_array_equal(states[0], Lorenz96.metadata.initial_state)
    states, scale = Lorenz96(n=40, f=8.0)._initial_states(3, seed=1)
    expected = np.full(40, 8.0)
    expected[0] += 0.08
    np.testing.assert_array_equal(states[0], expected)
    assert scale == pytest.approx(1e-2 * 8.08)
    assert not np.array_equal(states[1], states[2])
    again, _ = Lorenz96(n=40, f=8.0)._initial_states(2, seed=1)
    np.testing.assert_array_equal(again, states[:2])  # member k does not depend on the count


@pytest.mark.parametrize("n", [5, 10, 40])
def test_trajectories_for_several_sizes(n: int) -> None:
    system = Lorenz96(n=n, f=8.0)
    ds = system.trajectory(20, dt=0.05, members=2, seed=0, rtol=1e-7, atol=1e-9)
    assert ds["state"].shape == (2, 20, n) and np.isfinite(ds["state"].values).all()
    assert list(ds["variable"].values) == [f"x{i}" for i in range(n)]
    assert ds.chaos.attrs["parameters"] == {"n": n, "f": 8.0}
    np.testing.assert_array_equal(ds["state"].values[:, 0], system._initial_states(2, 0)[0])
    # from a state off the equilibrium: the one-step map follows the adaptive trajectory
    x0 = 8.0 + np.random.default_rng(n).normal(size=n)
    x = system.trajectory(20, dt=0.05, initial_state=x0)["state"].values[0]
    assert x.std() > 1.0 and np.abs(x).max() < 30.0
    step = system.dynamics(0.05).step(x[:-1])
    np.testing.assert_allclose(step, x[1:], rtol=1e-6, atol=1e-6)


def test_energy_budget_of_the_advection_term() -> None:
    # the quadratic term conserves Σx²/2: d/dt Σx²/2 = −Σx² + FΣx
    system = Lorenz96(n=10, f=8.0)
    x = np.random.default_rng(0).normal(size=(4, 10))
    lhs = (x * system.rhs(0.0, x)).sum(-1)
    np.testing.assert_allclose(lhs, -(x * x).sum(-1) + 8.0 * x.sum(-1), rtol=1e-12, atol=1e-12)


def test_evolve_changes_size_and_forcing() -> None:
    system = attrs.evolve(Lorenz96(), n=6, f=8.0)
    assert system.parameters == {"n": 6, "f": 8.0}
