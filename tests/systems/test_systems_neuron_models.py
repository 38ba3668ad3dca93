"""Hindmarsh–Rose and the Hopfield network (``flows/neuron_models.py``)."""

from __future__ import annotations

from functools import partial

import math

import attrs
import numpy as np
import pytest

import chaoskit


def hindmarsh_rose(s, a, b, c, d, s_, tx, tz):
    # Marhl & Perc's time-scaled Hindmarsh–Rose, term by term
    x, y, z = s
    return [
        -x + y / tx - a / tx * x**3 + b / tx * x**2 + z / tx,
        -a * x**3 - (d - b) * x**2 + z,
        -s_ / tz * x - z / tz + c / tz,
    ]


def hopfield(s, beta, eps, k, tau):
    # Lewis & Glass 1992: dx_i/dt = -x_i/τ + g(ε Σ_j k_ij x_j) − β, g(u) = (1 + tanh u)/2
    out = []
    for i in range(len(s)):
        u = eps * sum(k[i][j] * s[j] for j in range(len(s)))
        out.append(-s[i] / tau + (1 + math.tanh(u)) / 2 - beta)
    return out


def test_hindmarsh_rose_equations_and_jacobian() -> None:
    base = chaoskit.systems.create("HindmarshRose")
    variant = attrs.evolve(base, a=0.6, b=1.2, c=0.05, d=0.9, s=1.3, tx=0.05, tz=0.7)
    x = np.array([base.metadata.initial_state, [0.4, -0.3, 0.2], [-1.1, 0.8, -0.5]])
    for system in (base, variant):
        p = dict(system.parameters)
        p["s_"] = p.pop("s")
        want = np.array([hindmarsh_rose(v, **p) for v in x])
        np.testing.assert_allclose(system.rhs(0.0, x), want, rtol=1e-12, atol=1e-12)
        numeric = chaoskit.finite_difference_jacobian(partial(system.rhs, 0.0), x)
        np.testing.assert_allclose(system.jacobian(0.0, x), numeric, rtol=1e-6, atol=1e-6)


def test_hopfield_equations_and_jacobian() -> None:
    base = chaoskit.systems.create("Hopfield")
    k = np.random.default_rng(3).normal(size=(4, 4))
    variant = attrs.evolve(base, beta=0.4, eps=3.0, k=k, tau=1.7)
    assert variant.dimension == 4 and variant.variables == ("x1", "x2", "x3", "x4")
    for system in (base, variant):
        n = system.dimension
        x = np.random.default_rng(n).normal(size=(3, n)) * 0.5
        want = np.array([hopfield(v, **system.parameters) for v in x])
        np.testing.assert_allclose(system.rhs(0.0, x), want, rtol=1e-12, atol=1e-12)
        numeric = chaoskit.finite_difference_jacobian(partial(system.rhs, 0.0), x)
        np.testing.assert_allclose(system.jacobian(0.0, x), numeric, rtol=1e-6, atol=1e-7)


def test_hopfield_matrix_parameter() -> None:
    system = chaoskit.systems.create("Hopfield")
    assert system.variables == tuple(f"x{i}" for i in range(1, 7))
    assert system.k[0] == (0.0, -1.0, 0.0, 0.0, -1.0, -1.0)  # stored as tuples: immutable, hashable
    hash(system)
    # reported as nested lists (the JSON form), and they rebuild the same system
    assert system.parameters["k"] == chaoskit_json_k()
    assert attrs.evolve(system, **system.parameters) == system
    with pytest.raises(chaoskit.ParameterError, match="square"):
        attrs.evolve(system, k=[[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]])
    with pytest.raises(chaoskit.ParameterError, match="finite"):
        attrs.evolve(system, k=[[1.0, np.nan], [0.0, 1.0]])
    with pytest.raises(chaoskit.ParameterError, match="2-D"):
        attrs.evolve(system, k=[1.0, 2.0])


def chaoskit_json_k() -> list[list[float]]:
    from chaoskit_systems import metadata as md

    return [[float(v) for v in row] for row in md.entry("Hopfield")["parameters"]["k"]]
