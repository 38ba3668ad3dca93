"""SaltonSea and TurchinHanski: right-hand sides against the papers' equations in numpy, the
seasonal phase, and default members that stay positive."""

from __future__ import annotations

import chaoskit
import numpy as np
import pytest


def salton(x, y, z, r=22.0, k=400.0, lam=0.06, m=15.5, a=15.0, mu=3.4, th=10.0, d=8.3):
    # Upadhyay et al.: susceptible fish x, infected fish y, fish-eating birds z
    return (r * x * (1 - (x + y) / k) - lam * x * y,
            lam * x * y - m * y * z / (y + a) - mu * y,
            th * y * z / (y + a) - d * z)


def turchin(n, p, theta, r=8.12, e=0.5, g=0.1, h=0.8, a=8.0, d=0.04, s=1.25):
    # Turchin & Hanski (1997), season sin(2 pi t) carried by the phase theta
    season = 1 - e * np.sin(theta)
    return (r * season * n - r * n**2 - g * n**2 / (n**2 + h**2) - a * n * p / (n + d),
            s * season * p - s * p**2 / n,
            2 * np.pi)


CASES = {
    "SaltonSea": (salton, np.array([[231.9, 89.5, 56.75], [10.0, 3.0, 120.0]])),
    "TurchinHanski": (turchin, np.array([[0.018, 0.0136, 30363.85], [0.4, 0.2, 1.0]])),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_rhs_matches_the_paper(name: str) -> None:
    f, states = CASES[name]
    system = chaoskit.systems.create(name)
    expected = np.array([f(*s) for s in states])
    np.testing.assert_allclose(system.rhs(0.0, states), expected, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("name", sorted(CASES))
def test_jacobian_matches_finite_differences(name: str) -> None:
    _, states = CASES[name]
    states = states.copy()
    states[:, 2] %= 2 * np.pi  # a small phase, so the finite-difference step stays small
    system = chaoskit.systems.create(name)
    numeric = chaoskit.finite_difference_jacobian(lambda y: system.rhs(0.0, y), states)
    np.testing.assert_allclose(system.jacobian(0.0, states), numeric, rtol=1e-6, atol=1e-6)


def test_turchin_hanski_has_no_unused_parameter() -> None:
    system = chaoskit.systems.create("TurchinHanski")
    assert set(system.parameters) == {"a", "d", "e", "g", "h", "r", "s"}


def test_turchin_hanski_perturbs_members_on_the_population_scale() -> None:
    system = chaoskit.systems.create("TurchinHanski")
    ds = system.trajectory(50, members=4, seed=0)
    x = ds["state"].values
    assert np.isfinite(x).all() and (x[..., :2] > 0).all()
    assert ds.attrs["initial_perturbation"] == pytest.approx(1e-2 * 0.018027788)
    # the phase advances at 2 pi per time unit
    np.testing.assert_allclose(np.diff(x[0, :, 2]), 2 * np.pi * ds.chaos.dt, rtol=1e-9)
