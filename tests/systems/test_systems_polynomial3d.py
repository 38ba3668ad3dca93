"""Polynomial 3-D flows (flows/polynomial3d.py): right-hand sides against plain numpy formulas
written from the papers' equations, analytic Jacobians against finite differences."""

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

from chaoskit_systems.flows import polynomial3d as mod

STATES = [[0.3, -0.7, 1.1], [-1.9, 2.4, -0.6]]


def aizawa(p, s):
    x, y, z = s
    return [(z - p["b"]) * x - p["d"] * y,
            p["d"] * x + (z - p["b"]) * y,
            p["c"] + p["a"] * z - z**3 / 3 - (x**2 + y**2) * (1 + p["e"] * z) + p["f"] * z * x**3]


def burke_shaw(p, s):
    x, y, z = s
    return [-p["n"] * (x + y), y - p["n"] * x * z, p["n"] * x * y + p["e"]]


def chen(p, s):
    x, y, z = s
    a, b, c = p["a"], p["b"], p["c"]
    return [a * (y - x), (c - a) * x - x * z + c * y, x * y - b * z]


def chen_lee(p, s):
    x, y, z = s
    return [p["a"] * x - y * z, p["b"] * y + x * z, p["c"] * z + x * y / 3]


def dadras(p, s):
    x, y, z = s
    return [y - p["p"] * x + p["o"] * y * z, p["r"] * y - x * z + z, p["c"] * x * y - p["e"] * z]


def dequan_li(p, s):
    x, y, z = s
    return [p["a"] * (y - x) + p["d"] * x * z, p["k"] * x + p["f"] * y - x * z,
            p["c"] * z + x * y - p["eps"] * x**2]


def finance_paper(p, s):
    # Cai & Huang's form in the unshifted Y = y + 1/b: x' = z + (Y - a)x, Y' = 1 - bY - x^2
    x, y, z = s
    big_y = y + 1 / p["b"]
    return [z + (big_y - p["a"]) * x, 1 - p["b"] * big_y - x**2, -x - p["c"] * z]


def halvorsen(p, s):
    x, y, z = s
    a, b = p["a"], p["b"]
    return [-a * x - b * y - b * z - y**2, -a * y - b * z - b * x - z**2,
            -a * z - b * x - b * y - x**2]


def bouali(p, s):
    x, y, z = s
    return [p["a"] * p["y0"] * x - p["a"] * x * y - p["b"] * z,
            -p["g"] * y + p["g"] * y * x**2,
            -1.5 * p["m"] * x + p["m"] * p["bb"] * x * z - p["c"] * z]


def guckenheimer_holmes(p, s):
    x, y, z = s
    a, b, c, d, e, f = (p[k] for k in "abcdef")
    return [a * x - b * y + c * z * x + d * z * x**2 + d * z * y**2,
            a * y + b * x + c * z * y,
            e - z**2 - f * x**2 - f * y**2 - a * z**3]


CASES = {
    "Aizawa": aizawa, "BurkeShaw": burke_shaw, "Chen": chen, "ChenLee": chen_lee,
    "Dadras": dadras, "DequanLi": dequan_li, "Finance": finance_paper, "Halvorsen": halvorsen,
    "Bouali": bouali, "Bouali2": bouali, "GuckenheimerHolmes": guckenheimer_holmes,
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_rhs_matches_the_papers_equations(name: str) -> None:
    system = getattr(mod, name)()
    _check_rhs(system, CASES[name], STATES + [list(system.metadata.initial_state)])


@pytest.mark.parametrize("name", sorted(CASES))
def test_analytic_jacobian_matches_finite_differences(name: str) -> None:
    system = _vary(getattr(mod, name)())
    states = np.array(STATES)
    numeric = chaoskit.finite_difference_jacobian(lambda y: system.rhs(0.0, y), states)
    np.testing.assert_allclose(system.jacobian(0.0, states), numeric, rtol=1e-7, atol=1e-7)


def test_registry_names_and_aliases() -> None:
    assert isinstance(chaoskit.systems.create("DequanLi"), mod.DequanLi)
    assert isinstance(chaoskit.systems.create("systems/guckenheimer_holmes"), mod.GuckenheimerHolmes)
    assert isinstance(chaoskit.systems.create("langford_aizawa"), mod.Aizawa)


def test_halvorsen_is_cyclically_symmetric() -> None:
    system = mod.Halvorsen()
    x = np.array(STATES)
    rolled = system.rhs(0.0, np.roll(x, 1, axis=-1))
    np.testing.assert_allclose(rolled, np.roll(system.rhs(0.0, x), 1, axis=-1), rtol=1e-14)
