"""RikitakeDynamo, VallisElNino, WindmiReduced: right-hand sides against the papers' equations
in numpy (WINDMI in dysts' evaluated form, see its entry), Jacobians, exact divergences."""

from __future__ import annotations

import chaoskit
import numpy as np
import pytest
from chaoskit_systems import metadata as md


def rikitake(x, y, z, mu=1.0, a=1.0):
    # Rikitake (1958): two disk dynamos, currents x, y and angular velocity z
    return (-mu * x + y * z, -mu * y + (z - a) * x, 1 - x * y)


def vallis(x, y, z, b=102.0, c=3.0, p=0.0):
    # Vallis (1988): current x, temperature differences y, z
    return (b * y - c * (x + p), x * z - y, -x * y - z + 1)


def windmi(i, v, p, a1=0.247, b1=10.8, b2=0.0752, b3=1.06, d1=2200.0, vsw=5.0):
    # Horton, Weigel & Sprott (2001) reduced model, with dysts' linear pressure term b2 * p / 2
    switch = (1 + np.tanh(d1 * (i - 1))) / 2
    return (a1 * (vsw - v), b1 * i - b2 * p / 2 - b3 * v, vsw**2 - p ** (5 / 4) * np.sqrt(vsw) * switch)


CASES = {
    "RikitakeDynamo": (rikitake, np.array([[-0.78, -0.63, 2.67], [1.4, 0.3, -0.9]])),
    "VallisElNino": (vallis, np.array([[-6.99, 0.023, -0.166], [3.2, -0.4, 1.7]])),
    "WindmiReduced": (windmi, np.array([[0.933, 6.27, 41.97], [1.0004, 4.5, 80.0]])),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_rhs_matches_the_paper(name: str) -> None:
    f, states = CASES[name]
    system = chaoskit.systems.create(name)
    expected = np.array([f(*s) for s in states])
    np.testing.assert_allclose(system.rhs(0.0, states), expected, rtol=1e-13, atol=1e-12)


@pytest.mark.parametrize("name", sorted(CASES))
def test_jacobian_matches_finite_differences(name: str) -> None:
    _, states = CASES[name]
    system = chaoskit.systems.create(name)
    numeric = chaoskit.finite_difference_jacobian(lambda y: system.rhs(0.0, y), states)
    np.testing.assert_allclose(system.jacobian(0.0, states), numeric, rtol=1e-6, atol=1e-7)


@pytest.mark.parametrize("name", ["RikitakeDynamo", "VallisElNino"])
def test_exact_lyapunov_sum(name: str) -> None:
    system = chaoskit.systems.create(name)
    states = np.random.default_rng(4).normal(scale=3.0, size=(5, 3))
    trace = np.trace(system.jacobian(0.0, states), axis1=-2, axis2=-1)
    np.testing.assert_allclose(trace, system.metadata.references["lyapunov_sum"].value, rtol=1e-14)


def test_parameters_change_the_field() -> None:
    state = np.array([0.5, -1.0, 2.0])
    np.testing.assert_allclose(
        chaoskit.systems.create("rikitake", mu=2.0, a=5.0).rhs(0.0, state), rikitake(*state, mu=2.0, a=5.0)
    )
    np.testing.assert_allclose(
        chaoskit.systems.create("VallisElNino", p=0.3).rhs(0.0, state), vallis(*state, p=0.3)
    )


def test_windmi_documents_its_departure_from_the_paper() -> None:
    entry = md.entry("WindmiReduced")
    assert "p/2" in entry["sources"]["dysts"]["differences"]
    system = chaoskit.systems.create("WindmiReduced")
    ds = system.trajectory(60, dt=0.5, rtol=1e-6, atol=1e-8)
    p = ds["state"].values[0, :, 2]
    assert 10 < p.min() and p.max() < 250  # dysts' attractor: mean p ≈ 92, std ≈ 33
