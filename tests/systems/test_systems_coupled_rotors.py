"""Hamiltonian rotors (flows/coupled_rotors.py): Hamilton's equations from the Hamiltonians by
numerical differentiation (independent of the implementation), and conservation of energy."""

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

from chaoskit_systems.flows.coupled_rotors import ArnoldWeb, DoublePendulum


def _hamilton(hamiltonian, s, n_angles, h=1e-6):
    """(dq/dt, dp/dt) = (dH/dp, -dH/dq) by central differences; state (q..., p...)."""
    s = np.asarray(s, dtype=float)
    grad = np.zeros_like(s)
    for i in range(len(s)):
        e = np.zeros_like(s)
        e[i] = h
        grad[i] = (hamiltonian(s + e) - hamiltonian(s - e)) / (2 * h)
    n = len(s) // 2
    return np.concatenate((grad[n:], -grad[:n]))


def pendulum_h(p):
    def h(s):
        th1, th2, p1, p2 = s
        # kinetic energy from the Lagrangian mass matrix: T = p^T M^{-1} p / 2
        c = np.cos(th1 - th2)
        mass = np.array([[(p["m1"] + p["m2"]) * p["l1"] ** 2, p["m2"] * p["l1"] * p["l2"] * c],
                         [p["m2"] * p["l1"] * p["l2"] * c, p["m2"] * p["l2"] ** 2]])
        mom = np.array([p1, p2])
        kinetic = 0.5 * mom @ np.linalg.solve(mass, mom)
        return (kinetic - (p["m1"] + p["m2"]) * p["g"] * p["l1"] * np.cos(th1)
                - p["m2"] * p["g"] * p["l2"] * np.cos(th2))
    return h


def test_double_pendulum_follows_hamiltons_equations() -> None:
    def formula(p, s):
        return _hamilton(pendulum_h(p), s, 2)

    states = [[0.3, -0.7, 1.1, 0.4], [2.9, 1.0, -3.0, 2.2], list(DoublePendulum.metadata.initial_state)]
    _check_rhs(DoublePendulum(), formula, states, rtol=1e-7)
    np.testing.assert_allclose(DoublePendulum().energy(np.array(states)),
                               [pendulum_h(DoublePendulum().parameters)(np.array(s)) for s in states], rtol=1e-12)


def test_double_pendulum_conserves_energy() -> None:
    system = DoublePendulum()
    ds = system.trajectory(50, dt=0.1, rtol=1e-10, atol=1e-12)
    energy = system.energy(ds["state"].values[0])
    np.testing.assert_allclose(energy, energy[0], rtol=1e-7)


def test_arnold_web_follows_hamiltons_equations() -> None:
    def formula(p, s):
        i1, i2, phi1, phi2, phi3 = s

        def h(q_and_p):  # (phi1, phi2, I1, I2) with phi3 fixed: the I3 term does not act on them
            f1, f2, j1, j2 = q_and_p
            return (j1**2 + j2**2) / 2 + p["mu"] / (4 + np.cos(f1) + np.cos(f2) + np.cos(phi3))

        dphi1, dphi2, di1, di2 = _hamilton(h, [phi1, phi2, i1, i2], 2)
        return [di1, di2, dphi1, dphi2, p["w"]]

    states = [[0.1, -0.3, 0.5, 2.0, 1.0], [1.2, 0.4, -3.0, 0.2, 6.0], list(ArnoldWeb.metadata.initial_state)]
    _check_rhs(ArnoldWeb(), formula, states, rtol=1e-7)


def test_members_are_perturbed_on_the_scale_of_the_momenta() -> None:
    ds = ArnoldWeb().trajectory(2, members=3, seed=0)
    assert ds.attrs["initial_perturbation"] == pytest.approx(1e-2 * 0.10469507)
