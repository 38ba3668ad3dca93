"""Lagrangian transport flows (flows/lagrangian.py): velocities from the papers' stream functions
(differentiated numerically, independently of the implementation), wall conditions, Beltrami and
incompressibility properties, and the double gyre's tracer interface for FTLE computations."""

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
import math

import torch
from chaoskit_systems.flows.lagrangian import (
    ArnoldBeltramiChildress,
    BickleyJet,
    BlinkingRotlet,
    BlinkingVortex,
    DoubleGyre,
)


def _from_stream_function(psi, x, y, h=1e-6):
    """(u, v) = (-dpsi/dy, dpsi/dx) by central differences."""
    u = -(psi(x, y + h) - psi(x, y - h)) / (2 * h)
    v = (psi(x + h, y) - psi(x - h, y)) / (2 * h)
    return u, v


def double_gyre(p, s):
    x, y, phase = s
    eps_t = p["eps"] * np.sin(phase)

    def psi(x, y):  # Shadden, Lekien & Marsden (2005), eq. (14)
        f = eps_t * x**2 + (1 - 2 * eps_t) * x
        return p["alpha"] * np.sin(np.pi * f) * np.sin(np.pi * y)

    return [*_from_stream_function(psi, x, y), p["omega"]]


def bickley(p, s):
    x, y, phase = s

    def psi(x, y):  # Rypina et al. (2007), eqs. (1)-(2); phase = omega t
        waves = sum(p[f"eps{n}"] * np.cos(p[f"k{n}"] * (x - p[f"sigma{n}"] * phase)) for n in (1, 2, 3))
        sech2 = 1 / np.cosh(y / p["ell"]) ** 2
        return -p["u"] * p["ell"] * np.tanh(y / p["ell"]) + p["u"] * p["ell"] * sech2 * waves

    return [*_from_stream_function(psi, x, y, h=1e-5), p["omega"]]


def abc(p, s):
    x, y, z = s
    return [p["a"] * np.sin(z) + p["c"] * np.cos(y), p["b"] * np.sin(x) + p["a"] * np.cos(z),
            p["c"] * np.sin(y) + p["b"] * np.cos(x)]


def test_double_gyre_velocity_comes_from_its_stream_function() -> None:
    states = [[0.3, 0.2, 0.0], [1.6, 0.7, 1.3], [0.9, 0.45, 4.0], list(DoubleGyre.metadata.initial_state)]
    _check_rhs(DoubleGyre(), double_gyre, states, rtol=1e-8)


def test_bickley_jet_velocity_comes_from_its_stream_function() -> None:
    jet = BickleyJet()
    states = [[0.3, -0.4, 0.0], [5.0, 1.2, 3.0e4], [-2.0, 0.1, 8.0e4]]
    for variant in (jet, attrs.evolve(jet, omega=1.5, eps1=0.1, sigma1=2e-5)):
        got = variant.rhs(0.0, np.array(states))
        expected = np.array([bickley(variant.parameters, np.array(s)) for s in states])
        np.testing.assert_allclose(got, expected, rtol=1e-6, atol=1e-6 * np.abs(expected[:, :2]).max())
    # the jet is eastward at its core: u = U at y = 0 whatever the waves
    assert jet.rhs(0.0, np.array([1.0, 0.0, 0.0]))[0] == pytest.approx(jet.u)
    assert jet.k1 == 2 / 6.371 and jet.metadata.initial_state == (0.3, -0.4, 0.0)


def test_abc_flow_is_a_beltrami_field() -> None:
    system = ArnoldBeltramiChildress()
    assert (system.a, system.b) == (math.sqrt(3), math.sqrt(2))
    _check_rhs(system, abc, [[0.3, -0.7, 1.1], [4.0, 2.5, -6.0]])
    x = np.array([[0.3, -0.7, 1.1], [4.0, 2.5, -6.0]])
    jac = system.jacobian(0.0, x)
    curl = np.stack((jac[:, 2, 1] - jac[:, 1, 2], jac[:, 0, 2] - jac[:, 2, 0], jac[:, 1, 0] - jac[:, 0, 1]), -1)
    np.testing.assert_allclose(curl, system.rhs(0.0, x), rtol=1e-13)  # curl u = u
    np.testing.assert_allclose(np.trace(jac, axis1=-2, axis2=-1), 0.0, atol=1e-14)
    numeric = chaoskit.finite_difference_jacobian(lambda y: system.rhs(0.0, y), x)
    np.testing.assert_allclose(jac, numeric, rtol=1e-7, atol=1e-7)


@pytest.mark.parametrize("cls", [DoubleGyre, BickleyJet])
def test_planar_fields_are_incompressible(cls) -> None:
    system = cls()
    x = np.array([[0.3, 0.2, 0.4], [1.6, 0.7, 1.3], [0.9, -0.45, 4.0]])
    jac = system.jacobian(0.0, x)
    scale = np.abs(jac[:, :2, :2]).max()
    np.testing.assert_allclose(jac[:, 0, 0] + jac[:, 1, 1], 0.0, atol=1e-12 * scale)


def test_double_gyre_tracer_interface() -> None:
    gyre = attrs.evolve(DoubleGyre(), eps=0.25)  # the FTLE literature's case
    assert gyre.omega == 2 * math.pi / 10 and gyre.alpha == 0.1
    rng = np.random.default_rng(0)
    xy = rng.uniform([0, 0], [2, 1], size=(5, 4, 2))
    t = 3.7
    vel = gyre.velocity(t, xy)
    assert vel.shape == (5, 4, 2)
    full = gyre.rhs(0.0, np.concatenate((xy, np.full((5, 4, 1), gyre.omega * t)), axis=-1))
    np.testing.assert_array_equal(vel, full[..., :2])
    # per-tracer times, and torch tensors in, tensors out
    times = np.linspace(0, 10, 5)[:, None] * np.ones((5, 4))
    vt = gyre.velocity(torch.tensor(times), torch.tensor(xy))
    assert isinstance(vt, torch.Tensor)
    expected = np.array([[double_gyre(gyre.parameters, [*xy[i, j], gyre.omega * times[i, j]])[:2]
                          for j in range(4)] for i in range(5)])
    np.testing.assert_allclose(vt.numpy(), expected, rtol=1e-7, atol=1e-9)
    # no flow through the walls of [0, 2] x [0, 1]
    wall = np.array([[0.0, 0.3], [2.0, 0.6], [0.7, 0.0], [1.3, 1.0]])
    v = gyre.velocity(2.0, wall)
    assert np.allclose([v[0, 0], v[1, 0], v[2, 1], v[3, 1]], 0.0, atol=1e-15)


def _rotlet(r, th, a, b, bc):
    """Meleshko & Aref's rotlet (bc = 1) or vortex (bc = 0) at (b, 0) in a disk of radius a."""
    ct = np.cos(th)
    kappa = a**2 + b**2 * r**2 / a**2 - 2 * b * r * ct
    zeta = b**2 + r**2 - 2 * b * r * ct
    gamma = (1 - r**2 / a**2) * (a**2 - b**2 * r**2 / a**2)
    iota = b**2 * r / a**2 - b * ct
    nu = a**2 + b**2 - 2 * b**2 * r**2 / a**2
    vr = b * np.sin(th) * (-bc * gamma / kappa**2 - 1 / kappa + 1 / zeta)
    vth = bc * gamma * iota / kappa**2 + bc * r * nu / (a**2 * kappa) + iota / kappa - (r - b * ct) / zeta
    return vr, vth


def blinking(p, s):
    r, th, clock = s
    w = 0.5 + 0.5 * np.tanh(20 * p["tau"] * np.sin(2 * np.pi * clock / p["tau"]))
    r1, t1 = _rotlet(r, th, p["a"], p["b"], p["bc"])
    r2, t2 = _rotlet(r, th, p["a"], -p["b"], p["bc"])
    return [p["sigma"] * (w * r1 + (1 - w) * r2), p["sigma"] * (w * t1 + (1 - w) * t2) / r, 1.0]


@pytest.mark.parametrize("cls", [BlinkingRotlet, BlinkingVortex])
def test_blinking_flows(cls) -> None:
    system = cls()
    states = [[0.3, 0.4, 0.2], [0.7, -2.0, 1.4], [0.2, 1.0, 2.9], list(system.metadata.initial_state)]
    _check_rhs(system, blinking, states, rtol=1e-11)
    # the wall r = a is impermeable; the rotlet also satisfies no slip there
    wall = np.array([[system.a, 0.7, 0.3], [system.a, 2.5, 1.7]])
    vel = system.rhs(0.0, wall)
    np.testing.assert_allclose(vel[:, 0], 0.0, atol=1e-13)
    if system.bc == 1:
        np.testing.assert_allclose(vel[:, 1], 0.0, atol=1e-13)
    # (r, theta) and (-r, theta + pi) are the same point: dr flips sign, dtheta does not
    x = np.array(states[:3])
    mirror = x * [-1, 1, 1] + [0, np.pi, 0]
    np.testing.assert_allclose(system.rhs(0.0, mirror), system.rhs(0.0, x) * [-1, 1, 1], rtol=1e-10)
    assert system.default_max_step() < 0.002


@pytest.mark.slow
def test_double_gyre_ftle_field_matches_the_reference() -> None:
    # REFERENCES.md §1: A = 0.1, eps = 0.25, omega = 2 pi / 10, t0 = 0, T = 15 on a 201 x 101
    # grid of [0, 2] x [0, 1]: mean FTLE 0.156, 99th percentile 0.33-0.37, max 0.35-0.39
    gyre = attrs.evolve(DoubleGyre(), eps=0.25)
    xs, ys = np.linspace(0, 2, 201), np.linspace(0, 1, 101)
    grid = np.stack(np.meshgrid(xs, ys, indexing="ij"), axis=-1)
    x0 = np.concatenate((grid.reshape(-1, 2), np.zeros((grid[..., 0].size, 1))), axis=-1)
    end = gyre.trajectory(2, dt=15.0, members=len(x0), initial_state=x0, method="rk4")["state"].values[:, -1, :2]
    flow = end.reshape(201, 101, 2)
    grad = np.stack([np.stack(np.gradient(flow[..., i], xs, ys), axis=-1) for i in range(2)], axis=-2)
    cauchy_green = np.swapaxes(grad, -1, -2) @ grad
    ftle = np.log(np.linalg.eigvalsh(cauchy_green)[..., -1]) / (2 * 15.0)
    assert ftle.mean() == pytest.approx(0.156, abs=0.002)
    assert 0.32 < np.percentile(ftle, 99) < 0.37 and 0.34 < ftle.max() < 0.39
