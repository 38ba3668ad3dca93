"""Sprott's jerk circuit, the multi-scroll Chua circuit, Pehlivan–Wei and the Abooee laser
system (``flows/chaos_circuits.py``)."""

from __future__ import annotations

from functools import partial

import attrs
import numpy as np
import pytest
import torch

import chaoskit


def jerk_circuit(s, eps, y0):  # Sprott 2011: x''' = −x'' − x − ε(exp(x'/y0) − 1)
    x, y, z = s
    return [y, z, -z - x - eps * (np.exp(y / y0) - 1)]


def pehlivan_wei(s):  # Pehlivan & Wei 2012
    x, y, z = s
    return [y - y * z, y + y * z - 2 * x, 2 - x * y - y**2]


def laser(s, a, b, c, d, h, k):  # Abooee et al. 2013
    x, y, z = s
    return [a * (y - x) + b * y * z**2, c * x + d * x * z**2, h * z + k * x**2]


def chua_diode(x, c, m):
    """Yalçın et al.: slope m[i] between breakpoints c[i] and c[i+1], odd, continuous."""
    total = m[-1] * x
    for i in range(1, len(m)):
        total += 0.5 * (m[i - 1] - m[i]) * (abs(x + c[i]) - abs(x - c[i]))
    return total


def multi_chua(s, a, b, c, m):
    x, y, z = s
    return [a * (y - chua_diode(x, c, m)), x - y + z, -b * y]


CASES = {
    "JerkCircuit": (jerk_circuit, {"eps": 2e-9, "y0": 0.03}),
    "PehlivanWei": (pehlivan_wei, {}),
    "Laser": (laser, {"a": 9.0, "b": 1.2, "c": 4.5, "d": -0.8, "h": -4.0, "k": -5.5}),
    "MultiChua": (
        multi_chua,
        {"a": 8.0, "b": 13.0, "c": [0.0, 1.1, 2.0, 3.3], "m": [-0.2, 0.3, -0.5, 0.25]},
    ),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_rhs_matches_the_published_equations(name: str) -> None:
    reference, other = CASES[name]
    base = chaoskit.systems.create(name)
    x0 = np.array(base.metadata.initial_state)
    x = np.stack([x0, np.array([0.7, 0.4, -0.6]), np.array([-2.5, -0.1, 1.7]), 1.3 * x0[::-1]])
    for system in (base, attrs.evolve(base, **other)):
        want = np.array([reference(v, **system.parameters) for v in x])
        np.testing.assert_allclose(system.rhs(0.0, x), want, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("name", ["JerkCircuit", "PehlivanWei", "Laser"])
def test_analytic_jacobian_matches_finite_differences(name: str) -> None:
    system = chaoskit.systems.create(name)
    x0 = np.array(system.metadata.initial_state)
    x = np.stack([x0, np.array([0.7, 0.1, -0.6]), 0.5 * x0[::-1]])
    numeric = chaoskit.finite_difference_jacobian(partial(system.rhs, 0.0), x)
    np.testing.assert_allclose(
        system.jacobian(0.0, x), numeric, rtol=1e-6, atol=1e-7 * np.abs(numeric).max()
    )


def test_multi_chua_characteristic_is_the_piecewise_linear_one() -> None:
    system = chaoskit.systems.create("MultiChua")
    c, m = system.c, system.m
    assert m == (-1 / 7, 2 / 7, -4 / 7, 2 / 7, -4 / 7, 2 / 7)
    # slope m[i] on (c[i], c[i+1]) and beyond the last breakpoint, odd symmetry
    edges = [*c, c[-1] + 5.0]
    for i in range(len(m)):
        mid = torch.tensor([0.5 * (edges[i] + edges[i + 1])], dtype=torch.float64)
        h = 1e-4
        slope = (system.diode(mid + h) - system.diode(mid - h)) / (2 * h)
        assert float(slope) == pytest.approx(m[i], abs=1e-9)
        assert float(system.diode(-mid)) == pytest.approx(-float(system.diode(mid)), abs=1e-12)
    with pytest.raises(chaoskit.ParameterError, match="same length"):
        attrs.evolve(system, c=[0.0, 1.0])
    assert attrs.evolve(system, **system.parameters) == system


def test_multi_chua_autodiff_jacobian_matches_finite_differences() -> None:
    system = chaoskit.systems.create("MultiChua")
    x = np.array([[0.5, 0.1, -0.2], [2.7, -0.3, 1.0], [-9.1, 0.4, 3.0]])  # away from the kinks
    numeric = chaoskit.finite_difference_jacobian(partial(system.rhs, 0.0), x)
    np.testing.assert_allclose(system.jacobian(0.0, x), numeric, rtol=1e-7, atol=1e-8)
