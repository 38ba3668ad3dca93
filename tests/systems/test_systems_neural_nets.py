"""Neural networks (flows/neural_nets.py): right-hand sides against the papers' equations in numpy."""

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

from chaoskit_systems.flows.neural_nets import BeerRNN, CellularNeuralNetwork

STATES = [[0.4, -0.2, 0.9], [-1.7, 0.8, -1.3], [2.5, -3.0, 0.05]]


def cnn(p, s):
    # x_i' = -x_i + sum_j A_ij f(x_j), f(x) = (|x + 1| - |x - 1|)/2 = clip(x, -1, 1)
    out = np.clip(s, -1, 1)
    a, b, c, d = p["a"], p["b"], p["c"], p["d"]
    templ = np.array([[d, -b, -b], [-b, c, -a], [-b, a, 1.0]])
    return -s + templ @ out


def ctrnn(p, s):
    # tau_i y_i' = -y_i + sum_j w_ij sigma(y_j + theta_j)
    tau = np.array([p["tau1"], p["tau2"], p["tau3"]])
    theta = np.array([p["theta1"], p["theta2"], p["theta3"]])
    w = np.array([[p[f"w{i}{j}"] for j in (1, 2, 3)] for i in (1, 2, 3)])
    return (-s + w @ (1 / (1 + np.exp(-(s + theta))))) / tau


@pytest.mark.parametrize(("cls", "formula"), [(CellularNeuralNetwork, cnn), (BeerRNN, ctrnn)])
def test_rhs_matches_the_papers_equations(cls, formula) -> None:
    system = cls()
    _check_rhs(system, formula, STATES + [list(system.metadata.initial_state)])


def test_beer_weights_keep_dysts_matrix() -> None:
    from chaoskit_systems.metadata import entry

    net = BeerRNN()
    assert net.weights == ((5.422, -0.018, 2.75), (-0.24, 4.59, 1.21), (0.535, -2.25, 3.885))
    assert entry("BeerRNN")["sources"]["dysts"]["differences"].startswith("dysts stores tau")
    assert isinstance(chaoskit.systems.create("beer_ctrnn"), BeerRNN)
