"""Hénon–Heiles, the nuclear quadrupole Hamiltonian and the Nosé–Hoover oscillator
(``flows/conservative_oscillators.py``): Hamilton's equations derived numerically from the
published Hamiltonians, energy conservation, analytic Jacobians."""

from __future__ import annotations

from functools import partial

import attrs
import numpy as np
import pytest

import chaoskit


def henon_heiles_h(s, lam):  # Hénon & Heiles 1964
    x, y, px, py = s
    return 0.5 * (px**2 + py**2) + 0.5 * (x**2 + y**2) + lam * (x**2 * y - y**3 / 3.0)


def quadrupole_h(s, a, b, d):  # Baran & Raduta 1998
    q1, q2, p1, p2 = s
    rho2 = q1**2 + q2**2
    return (
        a / 2 * (p1**2 + p2**2)
        + a / 2 * rho2
        - b / np.sqrt(2) * (q1**3 - 3 * q1 * q2**2)
        + d / 4 * rho2**2
    )


def hamilton(hamiltonian, s, **params):
    """(∂H/∂p, −∂H/∂q) by central differences of H, for states (q1, q2, p1, p2)."""
    grad = np.zeros(4)
    for i in range(4):
        h = 1e-5 * max(1.0, abs(s[i]))
        e = np.zeros(4)
        e[i] = h
        grad[i] = (hamiltonian(s + e, **params) - hamiltonian(s - e, **params)) / (2 * h)
    return np.array([grad[2], grad[3], -grad[0], -grad[1]])


def variants(system):
    changed = {
        k: v * (1.1 + 0.05 * i) for i, (k, v) in enumerate(sorted(system.parameters.items()))
    }
    return [system, attrs.evolve(system, **changed)]


STATES = np.array(
    [
        [-0.29707259, -0.0031367513, 0.42548865, 0.071905482],
        [0.3, -0.2, 0.1, 0.25],
        [-0.85591178, 1.48078342, -0.85075322, 1.63576085],
    ]
)


@pytest.mark.parametrize(
    "name, hamiltonian", [("HenonHeiles", henon_heiles_h), ("NuclearQuadrupole", quadrupole_h)]
)
def test_rhs_is_hamiltons_equations(name: str, hamiltonian) -> None:
    for system in variants(chaoskit.systems.create(name)):
        want = np.stack([hamilton(hamiltonian, s, **system.parameters) for s in STATES])
        np.testing.assert_allclose(system.rhs(0.0, STATES), want, rtol=1e-8, atol=1e-8)
        np.testing.assert_allclose(
            system.energy(STATES), [hamiltonian(s, **system.parameters) for s in STATES], rtol=1e-13
        )


def test_henon_heiles_explicit_equations() -> None:
    system = chaoskit.systems.create("HenonHeiles", lam=0.7)
    x, y, px, py = STATES.T
    want = np.stack([px, py, -x - 2 * 0.7 * x * y, -y - 0.7 * x**2 + 0.7 * y**2], axis=-1)
    np.testing.assert_allclose(system.rhs(0.0, STATES), want, rtol=1e-14)


@pytest.mark.parametrize("name", ["HenonHeiles", "NuclearQuadrupole"])
def test_energy_is_conserved(name: str) -> None:
    system = chaoskit.systems.create(name)
    ds = system.trajectory(20, dt=0.25, rtol=1e-10, atol=1e-12)
    energy = np.asarray(system.energy(ds["state"].values[0]))
    assert np.ptp(energy) < 1e-8 * max(1.0, abs(energy[0]))
    assert "hamiltonian" in system.metadata.flags


def test_nose_hoover_equations_and_divergence() -> None:
    system = chaoskit.systems.create("NoseHoover", a=1.3)
    x, y, z = STATES[:, :3].T
    want = np.stack([y, -x + y * z, 1.3 - y**2], axis=-1)
    np.testing.assert_allclose(system.rhs(0.0, STATES[:, :3]), want, rtol=1e-14)
    # the phase-space divergence is the thermostat variable z
    np.testing.assert_allclose(np.trace(system.jacobian(0.0, STATES[:, :3]), axis1=-2, axis2=-1), z)


@pytest.mark.parametrize(
    "name, dim", [("HenonHeiles", 4), ("NuclearQuadrupole", 4), ("NoseHoover", 3)]
)
def test_analytic_jacobian_matches_finite_differences(name: str, dim: int) -> None:
    for system in variants(chaoskit.systems.create(name)):
        x = STATES[:, :dim]
        numeric = chaoskit.finite_difference_jacobian(partial(system.rhs, 0.0), x)
        np.testing.assert_allclose(system.jacobian(0.0, x), numeric, rtol=1e-7, atol=1e-8)
