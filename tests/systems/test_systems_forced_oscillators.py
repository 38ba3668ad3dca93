"""Forced oscillators (flows/forced_oscillators.py): right-hand sides against the papers'
second-order equations in numpy, the phase variable, analytic Jacobians."""

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

from chaoskit_systems.flows import forced_oscillators as mod

STATES = [[0.4, -0.2, 0.9], [-1.7, 0.8, 4.1], [-0.3, -2.0, 100.0]]


def duffing(p, s):
    # x'' + delta x' + beta x + alpha x^3 = gamma cos(omega t), phase = omega t
    x, v, ph = s
    return [v, p["gamma"] * np.cos(ph) - p["delta"] * v - p["beta"] * x - p["alpha"] * x**3, p["omega"]]


def van_der_pol(p, s):
    # x'' - mu (1 - x^2) x' + x = a sin(w t)
    x, v, ph = s
    return [v, p["mu"] * (1 - x**2) * v - x + p["a"] * np.sin(ph), p["w"]]


def brusselator(p, s):
    # A -> X, B + X -> Y + D, 2X + Y -> 3X, X -> E, plus a periodic feed of X
    x, y, ph = s
    return [p["a"] - (p["b"] + 1) * x + x * x * y + p["f"] * np.cos(ph), p["b"] * x - x * x * y, p["w"]]


def fitzhugh_nagumo(p, s):
    v, w, ph = s
    return [v - v**3 / 3 - w + p["curr"] + p["f"] * np.sin(ph), p["gamma"] * (v + p["a"] - p["b"] * w),
            p["omega"]]


def trampoline(p, s):
    x, v, ph = s
    contact = -(x + p["psi"] * v * abs(v)) if x < 0 else 0.0
    return [v, -1 + p["gamma"] * np.cos(ph) + contact, p["w"]]


CASES = {"Duffing": duffing, "ForcedVanDerPol": van_der_pol, "ForcedBrusselator": brusselator,
         "ForcedFitzHughNagumo": fitzhugh_nagumo, "FluidTrampoline": trampoline}


@pytest.mark.parametrize("name", sorted(CASES))
def test_rhs_matches_the_papers_equations(name: str) -> None:
    system = getattr(mod, name)()
    _check_rhs(system, CASES[name], STATES + [list(system.metadata.initial_state)])


@pytest.mark.parametrize("name", ["Duffing", "ForcedVanDerPol", "ForcedBrusselator", "ForcedFitzHughNagumo"])
def test_analytic_jacobian_matches_finite_differences(name: str) -> None:
    system = _vary(getattr(mod, name)())
    states = np.array(STATES)
    numeric = chaoskit.finite_difference_jacobian(lambda y: system.rhs(0.0, y), states)
    np.testing.assert_allclose(system.jacobian(0.0, states), numeric, rtol=1e-7, atol=1e-7)


@pytest.mark.parametrize("name", sorted(CASES))
def test_phase_is_a_state_and_time_is_unused(name: str) -> None:
    system = getattr(mod, name)()
    x = np.array(STATES)
    np.testing.assert_array_equal(system.rhs(0.0, x), system.rhs(123.4, x))
    assert system.variables[-1] == "phase" and "nonautonomous" in system.metadata.flags


def test_members_are_perturbed_on_the_scale_of_the_oscillator_not_the_phase() -> None:
    # x0 of the forced Brusselator holds the phase 6381.6; members start ~0.018 away, not ~64
    ds = mod.ForcedBrusselator().trajectory(2, members=4, seed=0)
    assert ds.attrs["initial_perturbation"] == pytest.approx(1e-2 * 1.8192295)
