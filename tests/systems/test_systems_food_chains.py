"""Food chains (flows/food_chains.py): right-hand sides against the papers' equations in numpy."""

import attrs
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

from chaoskit_systems.flows import food_chains as mod


def hastings_powell(p, s):
    x, y, z = s
    f1 = p["a1"] * x / (1 + p["b1"] * x)
    f2 = p["a2"] * y / (1 + p["b2"] * y)
    return [x * (1 - x) - f1 * y, f1 * y - f2 * z - p["d1"] * y, f2 * z - p["d2"] * z]


def blasius(p, s):
    x, y, z = s
    g1 = p["alpha1"] * x * y / (1 + p["k1"] * x)
    g2 = p["alpha2"] * y * z / (1 + p["k2"] * y)
    return [p["a"] * x - g1, -p["b"] * y + g1 - g2, -p["c"] * (z - p["zs"]) + g2]


def gilpin_feldman(p, s):
    x, y, al = s
    d = p["delta"]
    fitness = (p["a1"] * al * (1 - p["k1"] * x * al * (d - 1)) / (1 + p["b1"] * al)
               - p["a3"] * y / (1 + p["b2"] * x)
               - p["d1"] * (1 - p["k2"] * al**2 * (d**2 - 1) + p["k4"] * al**4 * (d**4 - 1)))
    trait = p["vv"] * (-p["a1"] * p["k1"] * x * al * d / (1 + p["b1"] * al)
                       - p["d1"] * (4 * p["k4"] * al**3 * d**4 - 2 * p["k2"] * al * d**2))
    return [x * fitness, y * (p["a2"] * x / (1 + p["b2"] * x) - p["d2"]), trait]


CASES = {
    "HastingsPowell": (hastings_powell, [[0.7, 0.2, 9.9], [0.3, 0.05, 8.0]]),
    "Blasius": (blasius, [[4.0, 5.0, 0.02], [1.0, 0.5, 3.0]]),
    "CoevolvingPredatorPrey": (gilpin_feldman, [[0.1, 0.5, 0.7], [0.4, 0.2, -0.3]]),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_rhs_matches_the_papers_equations(name: str) -> None:
    system = getattr(mod, name)()
    formula, states = CASES[name]
    _check_rhs(system, formula, states + [list(system.metadata.initial_state)])


def test_hastings_powell_members_keep_populations_positive() -> None:
    ds = mod.HastingsPowell().trajectory(20, members=64, seed=8)
    assert ds.attrs["initial_perturbation"] == pytest.approx(1e-3 * 9.9014657)
    assert (ds["state"].values > 0).all()
