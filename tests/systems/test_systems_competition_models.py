"""MacArthur's consumer–resource model and the Itik–Banks tumour model
(``flows/competition_models.py``)."""

from __future__ import annotations

from functools import partial

import attrs
import numpy as np
import pytest

import chaoskit


def mac_arthur(state, c, d, k, m, r, s):
    """Huisman & Weissing 1999: growth by Liebig's law of the minimum over the resources."""
    species, resources = len(k[0]), len(s)
    n, res = state[:species], state[species:]
    mu = [min(r * res[j] / (k[j][i] + res[j]) for j in range(resources)) for i in range(species)]
    dn = [n[i] * (mu[i] - m) for i in range(species)]
    dres = [
        d * (s[j] - res[j]) - sum(c[j][i] * mu[i] * n[i] for i in range(species))
        for j in range(resources)
    ]
    return dn + dres


def itik_banks(state, a12, a13, a21, a31, d3, k3, r2, r3):
    # Itik & Banks 2010: tumour x, healthy y, effector z
    x, y, z = state
    return [
        x * (1 - x) - a12 * x * y - a13 * x * z,
        r2 * y * (1 - y) - a21 * x * y,
        r3 * x * z / (x + k3) - a31 * x * z - d3 * z,
    ]


def test_mac_arthur_equations() -> None:
    base = chaoskit.systems.create("MacArthur")
    rng = np.random.default_rng(0)
    variant = attrs.evolve(
        base,
        c=rng.uniform(0.02, 0.2, (3, 2)),
        k=rng.uniform(0.1, 0.5, (3, 2)),
        s=[5.0, 8.0, 3.0],
        d=0.3,
        m=0.2,
        r=1.2,
    )
    assert variant.dimension == 5 and variant.variables == ("n1", "n2", "r1", "r2", "r3")
    for system in (base, variant):
        x0 = (
            np.array(system._initial_states(1, 0)[0][0])
            if system is base
            else np.array([3.0, 7.0, 0.2, 0.1, 0.4])
        )
        x = np.stack([x0, x0 * np.linspace(0.5, 1.5, x0.size)])
        want = np.array([mac_arthur(v, **system.parameters) for v in x])
        np.testing.assert_allclose(system.rhs(0.0, x), want, rtol=1e-12, atol=1e-12)
        numeric = chaoskit.finite_difference_jacobian(partial(system.rhs, 0.0), x)
        np.testing.assert_allclose(system.jacobian(0.0, x), numeric, rtol=1e-6, atol=1e-8)


def test_mac_arthur_parameters_and_shapes() -> None:
    system = chaoskit.systems.create("MacArthur")
    assert system.dimension == 10 and system.variables[:2] == ("n1", "n2")
    assert attrs.evolve(system, **system.parameters) == system
    assert isinstance(system.parameters["k"], list) and isinstance(system.parameters["k"][0], list)
    with pytest.raises(chaoskit.ParameterError, match="resources × species"):
        attrs.evolve(system, s=[1.0, 2.0])
    with pytest.raises(chaoskit.ParameterError, match="1-D"):
        attrs.evolve(system, s=[[1.0]])


def test_mac_arthur_members_start_positive() -> None:
    system = chaoskit.systems.create("MacArthur")
    states, scale = system._initial_states(50, seed=3)
    assert (states > 0).all() and scale == 1e-2
    x0 = np.asarray(system.metadata.initial_state)
    np.testing.assert_array_equal(states[0], x0)
    assert np.abs(states[1:] / x0 - 1).max() < 0.06


def test_itik_banks_equations_and_jacobian() -> None:
    base = chaoskit.systems.create("ItikBanksTumor")
    variant = attrs.evolve(
        base, a12=1.1, a13=2.3, a21=1.4, a31=0.25, d3=0.45, k3=0.9, r2=0.7, r3=4.2
    )
    x = np.array([base.metadata.initial_state, [0.3, 0.5, 0.2], [0.8, 0.1, 0.6]])
    for system in (base, variant):
        want = np.array([itik_banks(v, **system.parameters) for v in x])
        np.testing.assert_allclose(system.rhs(0.0, x), want, rtol=1e-12, atol=1e-14)
        numeric = chaoskit.finite_difference_jacobian(partial(system.rhs, 0.0), x)
        np.testing.assert_allclose(system.jacobian(0.0, x), numeric, rtol=1e-6, atol=1e-8)
