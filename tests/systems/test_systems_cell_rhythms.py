"""Cellular rhythms (flows/cell_rhythms.py): right-hand sides against the papers' equations in numpy."""

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

from chaoskit_systems.flows import cell_rhythms as mod


def romond(p, s):
    c = s[[0, 3]]
    m = s[[1, 4]]
    x = s[[2, 5]]
    out = np.zeros((2, 3))
    for i in range(2):
        j = 1 - i
        out[i, 0] = p["vi"] * p["Kim"] / (p["Kim"] + m[j]) - p["vd"] * x[i] * c[i] / (p["Kd1"] + c[i]) - p["kd1"] * c[i]
        v1 = p["Vm1"] * c[i] / (p["Kc"] + c[i])
        out[i, 1] = v1 * (1 - m[i]) / (p["K"] + 1 - m[i]) - p["V2"] * m[i] / (p["K"] + m[i])
        out[i, 2] = p["Vm3"] * m[i] * (1 - x[i]) / (p["K"] + 1 - x[i]) - p["V4"] * x[i] / (p["K"] + x[i])
    return out.reshape(-1)


def leloup_gonze(p, s):
    mrna, fc, fs, fn, th = s
    vs = p["vc"] * (0.5 + 0.5 * np.cos(th) + p["vmin"]) * (p["vmax"] - p["vmin"])
    return [vs * p["Ki"] ** p["n"] / (p["Ki"] ** p["n"] + fn ** p["n"]) - p["vm"] * mrna / (p["km"] + mrna),
            p["ks"] * mrna - p["k1"] * fc + p["k2"] * fn - p["k"] * fc,
            p["k"] * fc - p["vd"] * fs / (p["kd"] + fs),
            p["k1"] * fc - p["k2"] * fn - p["vdn"] * fn / (p["kdn"] + fn),
            2 * np.pi / p["ps"]]


def chay(p, s):
    v, n, c = s
    am = p["ams"] * (v + p["amvb"]) / (1 - np.exp(-p["ar"] * v - p["amvo"]))
    bm = p["bms"] * np.exp(-p["bmr"] * v - p["bmo"])
    ah = p["ahs"] * np.exp(-p["ahr"] * v - p["aho"])
    bh = 1 / (1 + np.exp(-p["bhr"] * v - p["bho"]))
    an = p["ans"] * (v + p["anvb"]) / (1 - np.exp(-p["ar"] * v - p["anvo"]))
    bn = p["bns"] * np.exp(-p["bnr"] * v - p["bno"])
    minf, hinf, ninf = am / (am + bm), ah / (ah + bh), an / (an + bn)
    tau_n = 1 / (p["tscl"] * (an + bn))
    dv = (p["gi"] * minf**3 * hinf * (p["vi"] - v) + p["gkv"] * n**4 * (p["vk"] - v)
          + p["gkc"] * c / (1 + c) * (p["vk"] - v) + p["gl"] * (p["vl"] - v))
    return [dv, (ninf - n) / tau_n, p["rho"] * (minf**3 * hinf * (p["vc"] - v) - p["kc"] * c)]


def chay_1985_rates(v):
    """Chay's rate constants as printed (Hodgkin-Huxley form, v in mV)."""
    am = 0.1 * (25 + v) / (1 - np.exp(-0.1 * v - 2.5))
    bm = 4 * np.exp(-(v + 50) / 18)
    ah = 0.07 * np.exp(-0.05 * v - 2.5)
    bh = 1 / (1 + np.exp(-0.1 * v - 2))
    an = 0.01 * (20 + v) / (1 - np.exp(-0.1 * v - 2))
    bn = 0.125 * np.exp(-(v + 30) / 80)
    return am, bm, ah, bh, an, bn


CASES = {
    "CellCycle": (romond, [[0.6, 0.9, 0.95, 0.7, 0.3, 0.5], [0.1, 0.2, 0.4, 0.8, 0.95, 0.1]]),
    "CircadianRhythm": (leloup_gonze, [[1.5, 5.3, 41.0, 11.6, 3.0], [6.0, 9.0, 15.0, 10.0, 100.0]]),
    "ExcitableCell": (chay, [[-44.6, 0.13, 0.47], [-30.0, 0.3, 0.5], [-60.0, 0.05, 0.4]]),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_rhs_matches_the_papers_equations(name: str) -> None:
    system = getattr(mod, name)()
    formula, states = CASES[name]
    _check_rhs(system, formula, states + [list(system.metadata.initial_state)], rtol=1e-11)


def test_excitable_cell_parameters_reproduce_chays_rates() -> None:
    # dysts' parametrized rates at the defaults are Chay's printed constants; vm, vn agree with them
    p = mod.ExcitableCell().parameters
    assert p["bmo"] == pytest.approx(-p["bmr"] * p["vm"]) and p["bno"] == pytest.approx(-p["bnr"] * p["vn"])
    for v in (-60.0, -44.6, -21.0):
        am, bm, ah, bh, an, bn = chay_1985_rates(v)
        minf, hinf = am / (am + bm), ah / (ah + bh)
        ninf, tau = an / (an + bn), 1 / (230 * (an + bn))
        state = np.array([v, 0.2, 0.5])
        expected = [1800 * minf**3 * hinf * (100 - v) + 1700 * 0.2**4 * (-75 - v) + 11 * 0.5 / 1.5 * (-75 - v)
                    + 7 * (-40 - v), (ninf - 0.2) / tau, 0.27 * (minf**3 * hinf * (100 - v) - 0.183333 * 0.5)]
        np.testing.assert_allclose(mod.ExcitableCell().rhs(0.0, state), expected, rtol=1e-12)


def test_circadian_forcing_has_a_24_hour_period() -> None:
    system = mod.CircadianRhythm()
    x = np.array([[1.5, 5.3, 41.0, 11.6, 0.7]])
    np.testing.assert_allclose(system.rhs(0.0, x + [0, 0, 0, 0, 2 * np.pi]), system.rhs(0.0, x), rtol=1e-13)
    assert system.rhs(0.0, x)[0, -1] == pytest.approx(2 * np.pi / 24)
