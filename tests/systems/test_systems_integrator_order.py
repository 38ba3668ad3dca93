"""Empirical orders of convergence on problems with known solutions.

The harmonic oscillator x' = v, v' = −x (exact: cos t, −sin t) over one period, and
y' = λy (exact: e^{λt}). Orders are the least-squares slopes of log(error) against log(step).
"""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch

from chaoskit_systems.integrators import integrate
from chaoskit_systems.integrators.dopri5_tableau import (
    DP5,
    Tableau,
    dense_coefficients,
    dense_eval,
    dopri5_step,
)

T = 2 * math.pi
X0 = torch.tensor([[1.0, 0.0]], dtype=torch.float64)
STEPS = (16, 32, 64, 128)


def oscillator(t, x: torch.Tensor) -> torch.Tensor:
    return torch.stack((x[..., 1], -x[..., 0]), dim=-1)


def slope(h, err) -> float:
    return float(np.polyfit(np.log(h), np.log(err), 1)[0])


@pytest.fixture(scope="module")
def tab() -> Tableau:
    return Tableau.build(torch.float64, torch.device("cpu"))


def fixed_step_errors(tab: Tableau, *, embedded: bool = False) -> list[float]:
    """Global error after one period with the DP5 tableau at fixed steps (FSAL not used)."""
    errors = []
    for n in STEPS:
        h, y = T / n, X0
        for k in range(n):
            y_new, err, _, _ = dopri5_step(oscillator, k * h, y, h, oscillator(k * h, y), tab)
            y = y_new - err if embedded else y_new
        errors.append(float((y - X0).abs().max()))
    return errors


def test_tableau_is_consistent() -> None:
    for i, row in enumerate(DP5["a"]):
        assert sum(row) == pytest.approx(DP5["c"][i], abs=1e-14)  # row sums = nodes
    assert sum(DP5["a"][6]) == pytest.approx(1.0, abs=1e-14)  # 5th-order weights
    assert sum(DP5["e"]) == pytest.approx(0.0, abs=1e-14)  # 5th minus 4th order weights


def test_rk4_is_fourth_order() -> None:
    errors = []
    for n in STEPS:
        result = integrate(oscillator, X0, [T], t0=0.0, method="rk4", step=T / n)
        assert result.info["steps"] == n
        errors.append(float((result.state[:, -1] - X0).abs().max()))
    assert slope([T / n for n in STEPS], errors) == pytest.approx(4.0, abs=0.3)


def test_dopri5_fixed_steps_are_fifth_order(tab) -> None:
    assert slope([T / n for n in STEPS], fixed_step_errors(tab)) == pytest.approx(5.0, abs=0.3)


def test_dopri5_embedded_solution_is_fourth_order(tab) -> None:
    errors = fixed_step_errors(tab, embedded=True)
    assert slope([T / n for n in STEPS], errors) == pytest.approx(4.0, abs=0.3)


def test_dense_output_has_local_order_five(tab) -> None:
    # one step of y' = λy from the exact state; the interpolant's error at θ ∈ (0, 1) is O(h⁵)
    lam = -1.3

    def rhs(t, y: torch.Tensor) -> torch.Tensor:
        return lam * y

    y0 = torch.ones((1, 1), dtype=torch.float64)
    for theta in (0.25, 0.5, 0.8):
        hs, errors = [0.2, 0.1, 0.05, 0.025], []
        for h in hs:
            y_new, _, stages, _ = dopri5_step(rhs, 0.0, y0, h, rhs(0.0, y0), tab)
            coefficients = dense_coefficients(y0, y_new, stages, tab)
            value = dense_eval(coefficients, torch.tensor([theta], dtype=torch.float64))
            errors.append(abs(float(value) - math.exp(lam * theta * h)))
        assert slope(hs, errors) == pytest.approx(5.0, abs=0.3), theta
    # exact at both ends
    for theta, expected in ((0.0, y0), (1.0, y_new)):
        value = dense_eval(coefficients, torch.tensor([theta], dtype=torch.float64))
        assert float(value) == pytest.approx(float(expected), rel=1e-15)


def test_adaptive_dopri5_error_follows_the_tolerance() -> None:
    # 10 periods sampled 200 times; error ∝ tol (tolerance proportionality) and ∝ steps^-5
    times = np.linspace(0.0, 10 * T, 201)
    exact = np.stack((np.cos(times), -np.sin(times)), axis=-1)
    tols = [1e-5, 1e-6, 1e-7, 1e-8, 1e-9, 1e-10]
    errors, attempts = [], []
    for tol in tols:
        result = integrate(oscillator, X0, times, rtol=tol, atol=tol, method="dopri5")
        errors.append(float(np.abs(result.state[0].numpy() - exact).max()))
        attempts.append(result.info["steps_accepted"][0] + result.info["steps_rejected"][0])
    assert all(e < 100 * tol for e, tol in zip(errors, tols, strict=True))
    assert slope(tols, errors) == pytest.approx(1.0, abs=0.15)
    assert slope(attempts, errors) == pytest.approx(-5.0, abs=0.5)
