"""The hyperchaotic four-dimensional flows (``flows/hyperchaos.py``) against plain numpy
transcriptions of their published equations, and their analytic Jacobians."""

from __future__ import annotations

from functools import partial

import attrs
import numpy as np
import pytest

import chaoskit


def variants(system: chaoskit.System) -> list[chaoskit.System]:
    """The system at its defaults and with every scalar parameter changed by a different factor
    (so that two parameters swapped in a transcription cannot go unnoticed)."""
    changed = {}
    for i, (key, value) in enumerate(sorted(system.parameters.items())):
        if isinstance(value, float):
            changed[key] = value * (1.07 + 0.031 * i) if value != 0 else 0.03 * (i + 1)
    return [system, attrs.evolve(system, **changed)]


def check_rhs(name: str, reference, states, rtol: float = 1e-12) -> None:
    for system in variants(chaoskit.systems.create(name)):
        x = np.asarray(states, dtype=float)
        want = np.array([reference(s, **system.parameters) for s in x])
        got = system.rhs(0.0, x)
        np.testing.assert_allclose(got, want, rtol=rtol, atol=rtol * np.abs(want).max())


def check_jacobian(name: str, states) -> None:
    for system in variants(chaoskit.systems.create(name)):
        x = np.asarray(states, dtype=float)
        numeric = chaoskit.finite_difference_jacobian(partial(system.rhs, 0.0), x)
        np.testing.assert_allclose(
            system.jacobian(0.0, x), numeric, rtol=1e-6, atol=1e-7 * np.abs(numeric).max()
        )


# ----------------------------------------------------------------- the papers' equations, in numpy
def hyper_bao(s, a, b, c, d, e):  # Bao & Liu 2008
    x, y, z, w = s
    return [a * y - a * x + w, c * y - x * z, x * y - b * z, e * x + d * y * z]


def hyper_cai(s, a, b, c, d, e):
    x, y, z, w = s
    return [a * y - a * x, b * x + c * y - x * z + w, y**2 - d * z, -e * x]


def hyper_jha(s, a, b, c, d):
    x, y, z, w = s
    return [a * y - a * x + w, b * x - y - x * z, x * y - c * z, d * w - x * z]


def hyper_lorenz(s, a, b, c, d):
    x, y, z, w = s
    return [a * y - a * x + w, c * x - y - x * z, x * y - b * z, d * w - x * z]


def hyper_lu(s, a, b, c, d):  # Chen, Lu, Lü & Yu 2006
    x, y, z, w = s
    return [a * y - a * x + w, c * y - x * z, x * y - b * z, x * z + d * w]


def hyper_pang(s, a, b, c, d):  # Pang & Liu 2011
    x, y, z, w = s
    return [a * y - a * x, c * y - x * z + w, x * y - b * z, -d * x - d * y]


def hyper_qi(s, a, b, c, d, e, f):  # Qi, van Wyk, van Wyk & Chen 2008
    x, y, z, w = s
    return [
        a * y - a * x + y * z,
        b * x + b * y - x * z,
        x * y - c * z - e * w,
        x * y - d * w + f * z,
    ]


def hyper_rossler(s, a, b, c, d):  # Rössler 1979
    x, y, z, w = s
    return [-y - z, x + a * y + w, b + x * z, d * w - c * z]


def hyper_wang(s, a, b, c, d, e):
    x, y, z, w = s
    return [a * y - a * x, b * x - x * z + w, e * x**2 - c * z, -d * x]


def hyper_xu(s, a, b, c, d, e):
    x, y, z, w = s
    return [a * y - a * x + w, b * x + e * x * z, -c * z - x * y, x * z - d * y]


def hyper_yan(s, a, b, c, d):
    x, y, z, w = s
    return [
        a * y - a * x,
        (c - a) * x - x * z + c * y,
        x * y - y * z + x * z - b * z - w,
        y * z - x * z - d * w,
    ]


def hyper_yang_chen(s, a, b, c, d):
    x, y, z, w = s
    return [a * y - a * x, c * x - x * z + w, x * y - b * z, -d * x]


def qi(s, a, b, c, d):
    x, y, z, w = s
    return [
        a * y - a * x + y * z * w,
        b * x + b * y - x * z * w,
        x * y * w - c * z,
        x * y * z - d * w,
    ]


REFERENCES = {
    "HyperBao": hyper_bao,
    "HyperCai": hyper_cai,
    "HyperJha": hyper_jha,
    "HyperLorenz": hyper_lorenz,
    "HyperLu": hyper_lu,
    "HyperPang": hyper_pang,
    "HyperQi": hyper_qi,
    "HyperRossler": hyper_rossler,
    "HyperWang": hyper_wang,
    "HyperXu": hyper_xu,
    "HyperYan": hyper_yan,
    "HyperYangChen": hyper_yang_chen,
    "Qi": qi,
}


def states(name: str) -> np.ndarray:
    x0 = np.array(chaoskit.systems.create(name).metadata.initial_state)
    return np.stack([x0, np.array([1.3, -0.7, 2.9, -1.9]), 0.5 * x0[::-1]])


@pytest.mark.parametrize("name", sorted(REFERENCES))
def test_rhs_matches_the_published_equations(name: str) -> None:
    check_rhs(name, REFERENCES[name], states(name))


@pytest.mark.parametrize("name", sorted(REFERENCES))
def test_analytic_jacobian_matches_finite_differences(name: str) -> None:
    check_jacobian(name, states(name))


def test_lorenz_beta_is_exactly_eight_thirds() -> None:
    assert chaoskit.systems.create("HyperJha").c == 8.0 / 3.0
    assert chaoskit.systems.create("HyperLorenz").b == 8.0 / 3.0


def test_registered_as_hyperchaotic_four_dimensional_flows() -> None:
    for name in REFERENCES:
        entry = chaoskit.systems.info(name)
        assert "hyperchaotic" in entry.tags and "flow" in entry.tags
        assert chaoskit.systems.create(name).variables == ("x", "y", "z", "w")
