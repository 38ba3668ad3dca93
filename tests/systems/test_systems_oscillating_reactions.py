"""Oscillating reactions (flows/oscillating_reactions.py): right-hand sides against the papers'
rate laws written in numpy."""

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

from chaoskit_systems.flows import oscillating_reactions as mod


def gyorgyi_field(p, s):
    x, z, v = s
    ybar = p["yb1"] * z * v / (p["y0"] * (p["yb2"] * x + p["yb3"] + p["kf"]))
    x = max(x, 0.0)
    rf = (p["ci"] - p["z0"] * z) * np.sqrt(x)
    dx = p["c1"] * x * ybar + p["c2"] * ybar + p["c3"] * x**2 + p["c4"] * rf + p["c5"] * x * z - p["kf"] * x
    dz = p["c6"] * rf / p["z0"] + p["c7"] * x * z + p["c8"] * z * v + p["c9"] * z - p["kf"] * z
    dv = p["c10"] * x * ybar + p["c11"] * ybar + p["c12"] * x**2 + p["c13"] * z * v - p["kf"] * v
    return p["t0"] * np.array([dx, dz, dv])


def decroly_goldbeter(p, s):
    al, be, ga = s
    phi = al * (1 + al) * (1 + be) ** 2 / (p["l1"] + (1 + al) ** 2 * (1 + be) ** 2)
    eta = be * (1 + p["d"] * be) * (1 + ga) ** 2 / (p["l2"] + (1 + p["d"] * be) ** 2 * (1 + ga) ** 2)
    return [p["nu"] - p["s1"] * phi, p["q1"] * p["s1"] * phi - p["s2"] * eta, p["q2"] * p["s2"] * eta - p["k"] * ga]


def houart(p, s):
    z, y, a = s
    v_in = p["V0"] + p["V1"] * p["beta"]
    v2 = p["Vm2"] * z**2 / (p["K2"] ** 2 + z**2)
    v3 = (p["Vm3"] * z ** p["m"] / (p["Kz"] ** p["m"] + z ** p["m"]) * y**2 / (p["Ky"] ** 2 + y**2)
          * a**4 / (p["Ka"] ** 4 + a**4))
    v5 = p["Vm5"] * a ** p["p"] / (p["K5"] ** p["p"] + a ** p["p"]) * z ** p["n"] / (p["Kd"] ** p["n"] + z ** p["n"])
    return [v_in - v2 + v3 + p["kf"] * y - p["k"] * z, v2 - v3 - p["kf"] * y, p["beta"] * p["V4"] - v5 - p["eps"] * a]


CASES = {
    "BelousovZhabotinsky": (gyorgyi_field, [[0.02, 0.6, 0.8], [0.05, 0.3, 1.2]]),
    "GlycolyticOscillation": (decroly_goldbeter, [[20.0, 100.0, 0.3], [45.0, 160.0, 0.05]]),
    "CaTwoPlus": (houart, [[0.3, 1.1, 0.2], [0.9, 0.4, 0.5]]),
    "CaTwoPlusQuasiperiodic": (houart, [[0.3, 1.1, 0.2], [0.9, 0.4, 0.5]]),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_rhs_matches_the_papers_equations(name: str) -> None:
    system = getattr(mod, name)()
    formula, states = CASES[name]
    _check_rhs(system, formula, states + [list(system.metadata.initial_state)])


def test_bz_clips_negative_hbro2_with_finite_derivatives() -> None:
    system = mod.BelousovZhabotinsky()
    x = np.array([[-1e-3, 0.6, 0.8]])
    np.testing.assert_allclose(system.rhs(0.0, x)[0], gyorgyi_field(system.parameters, x[0]), rtol=1e-12)
    assert np.isfinite(system.jacobian(0.0, x)).all()


def test_quasiperiodic_parameter_set_differs_only_in_values() -> None:
    a, b = mod.CaTwoPlus(), mod.CaTwoPlusQuasiperiodic()
    assert set(a.parameters) == set(b.parameters) and a.parameters != b.parameters
    assert "quasiperiodic" in chaoskit.systems.info("CaTwoPlusQuasiperiodic").tags
