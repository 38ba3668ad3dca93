"""Population models: the Lotka–Volterra flow and the age-structured Leslie predator–prey map.

- Lotka–Volterra: the vector field against the equations, the conserved quantity
  V = δx − γ ln x + βy − α ln y along integrated orbits, the stored period, the equilibrium;
- Leslie predator–prey: the step against the equations, the Jacobian against finite
  differences, positivity, the absorbing box, persistence of all three classes, chaos.
"""

from __future__ import annotations

import math

import chaoskit
import numpy as np
import pytest
import torch
from chaoskit_systems.flows.population import LotkaVolterra
from chaoskit_systems.maps.leslie import LesliePredatorPrey


# ---------------------------------------------------------------------------------- Lotka–Volterra
def lotka_volterra(x: np.ndarray, alpha: float, beta: float, gamma: float, delta: float) -> np.ndarray:
    prey, predators = x[..., 0], x[..., 1]
    return np.stack((alpha * prey - beta * prey * predators, delta * prey * predators - gamma * predators), -1)


def conserved(x: np.ndarray, alpha: float, beta: float, gamma: float, delta: float) -> np.ndarray:
    return delta * x[..., 0] - gamma * np.log(x[..., 0]) + beta * x[..., 1] - alpha * np.log(x[..., 1])


def test_lotka_volterra_vector_field_and_jacobian() -> None:
    system = chaoskit.systems.create("lotka_volterra")
    assert isinstance(system, LotkaVolterra) and system.kind == "flow"
    x = np.array([[10.0, 5.0], [1.0, 20.0], [3.5, 0.7]])
    for params in (system.parameters, {"alpha": 0.7, "beta": 0.3, "gamma": 0.4, "delta": 1.2}):
        variant = LotkaVolterra(**params)
        np.testing.assert_allclose(variant.rhs(0.0, x), lotka_volterra(x, **params), rtol=1e-14)
        numeric = chaoskit.finite_difference_jacobian(lambda y, f=variant: f.rhs(0.0, y), x)
        np.testing.assert_allclose(variant.jacobian(0.0, x), numeric, rtol=1e-7, atol=1e-9)
    equilibrium = np.array([system.gamma / system.delta, system.alpha / system.beta])
    np.testing.assert_allclose(system.rhs(0.0, equilibrium), [0.0, 0.0], atol=1e-14)
    with pytest.raises(chaoskit.ParameterError, match="beta"):
        LotkaVolterra(beta=-1.0)


def test_lotka_volterra_conserves_v() -> None:
    system = chaoskit.systems.create("lotka_volterra")
    params = system.parameters
    period = system.metadata.period
    ds = system.trajectory(201, dt=5 * period / 200, members=4, seed=0, rtol=1e-11, atol=1e-12)
    x = ds["state"].values
    v = conserved(x, **params)
    np.testing.assert_allclose(system.conserved_quantity(x), v, rtol=1e-14)
    drift = np.abs(v - v[:, :1]).max() / np.abs(v).max()
    assert drift < 1e-9, f"V drifted by {drift:.1e} (relative) over five cycles"
    assert system.metadata.references["conserved_quantity"].value == pytest.approx(
        conserved(np.array([10.0, 5.0]), **params), rel=1e-14)
    # the rk4 scheme conserves it to its truncation error
    rk4 = system.trajectory(201, dt=5 * period / 200, method="rk4")["state"].values
    v_rk4 = conserved(rk4, **params)
    assert np.abs(v_rk4 - v_rk4[:, :1]).max() < 1e-4 * np.abs(v_rk4).max()


def test_lotka_volterra_period() -> None:
    """The orbit through the default initial state closes after the stored period."""
    system = chaoskit.systems.create("lotka_volterra")
    period = system.metadata.period
    ds = system.trajectory(101, dt=period / 100)
    x = ds["state"].values[0]
    np.testing.assert_allclose(x[-1], x[0], rtol=1e-6)
    assert np.linalg.norm(x[50] - x[0]) > 1.0  # and not before
    small = 2 * math.pi / math.sqrt(system.alpha * system.gamma)  # linearised period
    assert period > small


# ---------------------------------------------------------------------------------- Leslie
def leslie(x: np.ndarray, f1: float, f2: float, s1: float, s2: float, a: float, c: float) -> np.ndarray:
    j, n, p = x[..., 0], x[..., 1], x[..., 2]
    escape = np.exp(-a * p)
    return np.stack(
        ((f1 * j + f2 * n) * np.exp(-(j + n)), (s1 * j + s2 * n) * escape, c * (j + n) * (1 - escape)), -1
    )


STATES = np.array([[6.24, 0.64, 0.29], [0.01, 2.0, 0.5], [3.0, 3.0, 3.0], [0.5, 0.1, 0.02]])


def test_leslie_step_and_jacobian() -> None:
    system = chaoskit.systems.create("leslie_predator_prey")
    assert isinstance(system, LesliePredatorPrey) and system.variables == ("juveniles", "adults", "predators")
    for params in (system.parameters, {"f1": 0.5, "f2": 12.0, "s1": 0.6, "s2": 0.5, "a": 2.0, "c": 0.8}):
        variant = LesliePredatorPrey(**params)
        np.testing.assert_allclose(variant.step(STATES), leslie(STATES, **params), rtol=1e-14)
        numeric = chaoskit.finite_difference_jacobian(variant.step, STATES)
        np.testing.assert_allclose(variant.jacobian(0.0, STATES), numeric, rtol=1e-7, atol=1e-9)
    with pytest.raises(chaoskit.ParameterError, match="s1"):
        LesliePredatorPrey(s1=1.5)


def test_leslie_stays_positive_and_bounded() -> None:
    system = chaoskit.systems.create("leslie_predator_prey")
    f1, f2, s1, s2, c = (system.parameters[k] for k in ("f1", "f2", "s1", "s2", "c"))
    rng = np.random.default_rng(0)
    # five decades around the carrying scale 1 (far larger densities underflow exp(-(j + n))
    # and exp(-a p) to 0: extinction in floating point, not in the model)
    x0 = np.exp(rng.uniform(np.log(1e-3), np.log(1e2), size=(200, 3)))
    x = system.trajectory(400, members=200, initial_state=x0)["state"].values
    assert np.isfinite(x).all() and (x >= 0).all() and (x[..., :2] > 0).all()
    # (an overwhelming initial predator load may eat the prey down and starve the predators
    # to extinction: p' ≈ c a (j + n) p collapses to 0, a genuine outcome of the model)
    top = max(f1, f2) / math.e  # N e^{-N} <= 1/e
    assert (x[:, 1:, 0] <= top * (1 + 1e-12)).all()
    # n' <= s1 top + s2 n: adults fall below s1 top / (1 - s2), then predators below c (j + n)
    adults_cap = s1 * top / (1 - s2)
    assert (x[:, 50:, 1] <= adults_cap * (1 + 1e-9)).all()
    assert (x[:, 51:, 2] <= c * (top + adults_cap) * (1 + 1e-9)).all()


def test_leslie_coexists_on_a_chaotic_attractor() -> None:
    system = chaoskit.systems.create("leslie_predator_prey")
    ds = system.trajectory(3000, members=16, seed=0, transient=200)
    x = ds["state"].values
    assert (x.min(axis=(0, 1)) > 1e-3).all(), "a class went (nearly) extinct"
    ref = system.metadata.references["lyapunov_spectrum"]
    assert ref.value[0] > 0.1 and ref.source.startswith("computed")
    # largest exponent from the tangent map, 16 members × 2000 iterations
    xt = torch.as_tensor(x[:, 0])
    v = torch.ones(16, 3, dtype=torch.float64)
    growth = torch.zeros(16, dtype=torch.float64)
    for _ in range(2000):
        v = system.jacobian(0.0, xt) @ v.unsqueeze(-1)
        v = v.squeeze(-1)
        xt = system.step(xt)
        norm = v.norm(dim=-1)
        growth += norm.log()
        v = v / norm.unsqueeze(-1)
    assert growth.mean().item() / 2000 == pytest.approx(ref.value[0], abs=0.02)
