"""The Stokes mixing flows (``flows/stokes_mixing.py``): velocities derived numerically from
their stream functions, incompressibility, and the boundary conditions of the papers."""

from __future__ import annotations

from functools import partial

import math

import attrs
import numpy as np
import pytest

import chaoskit


def central(f, x, i, h=1e-6):
    """∂f/∂x_i by central differences."""
    e = np.zeros(len(x))
    e[i] = h
    return (f(x + e) - f(x - e)) / (2 * h)


def switch(t, tau):
    return math.tanh(20 * tau * math.sin(2 * math.pi * t / tau))


# --------------------------------------------------------------- interior squirmer (Blake 1971)
def squirmer_stream(r, theta, t, a, g, tau):
    """ψ = Σ_n rⁿ(r² − 1)(G_n sin nθ − A_n cos nθ): zero normal flow on r = 1."""
    w = 0.5 * (1 + switch(t, tau))
    return sum(
        r**n
        * (r**2 - 1)
        * (g[n - 1] * (1 - w) * math.sin(n * theta) - a[n - 1] * w * math.cos(n * theta))
        for n in range(1, len(a) + 1)
    )


def squirmer(s, a, g, tau):
    """ṙ = (1/r) ∂ψ/∂θ, θ̇ = −(1/r) ∂ψ/∂r (u_θ = rθ̇ = −∂ψ/∂r), ṫ = 1."""
    psi = lambda v: squirmer_stream(v[0], v[1], v[2], a, g, tau)
    r = s[0]
    return [central(psi, s, 1) / r, -central(psi, s, 0) / r, 1.0]


def test_interior_squirmer_is_the_stream_function_flow() -> None:
    base = chaoskit.systems.create("InteriorSquirmer")
    variant = attrs.evolve(base, a=[0.3, -0.2, 0.6], g=[0.1, 0.45, -0.3], tau=2.0)
    x = np.array([base.metadata.initial_state, [0.55, 2.1, 0.6], [0.9, -1.2, 2.3], [0.3, 0.4, 1.1]])
    for system in (base, variant):
        want = np.array([squirmer(v, **system.parameters) for v in x])
        np.testing.assert_allclose(system.rhs(0.0, x), want, rtol=1e-7, atol=1e-8)


def test_interior_squirmer_boundary_slip_and_incompressibility() -> None:
    system = chaoskit.systems.create("InteriorSquirmer", a=[0.3, -0.2, 0.6], g=[0.1, 0.45, -0.3])
    theta, t = np.linspace(0, 2 * np.pi, 7), 0.4
    wall = np.stack([np.ones_like(theta), theta, np.full_like(theta, t)], axis=-1)
    f = system.rhs(0.0, wall)
    w = 0.5 * (1 + switch(t, system.tau))
    n = np.arange(1, 4)[:, None]
    slip = 2 * (
        np.asarray(system.a)[:, None] * w * np.cos(n * theta)
        - np.asarray(system.g)[:, None] * (1 - w) * np.sin(n * theta)
    ).sum(0)
    np.testing.assert_allclose(f[:, 0], 0.0, atol=1e-14)  # no flow through the wall
    np.testing.assert_allclose(f[:, 1], slip, rtol=1e-12)  # tangential slip u_θ = θ̇ at r = 1
    # div u = (1/r) ∂(r u_r)/∂r + (1/r) ∂u_θ/∂θ with u_r = ṙ, u_θ = rθ̇
    for s in ([0.4, 0.7, 0.2], [0.8, -2.0, 1.9]):
        s = np.array(s)
        ru_r = lambda v: v[0] * system.rhs(0.0, v)[0]
        u_th = lambda v: v[0] * system.rhs(0.0, v)[1]
        div = (central(ru_r, s, 0) + central(u_th, s, 1)) / s[0]
        assert abs(div) < 1e-7


# --------------------------------------------------------------- lid-driven cavity (Grover et al.)
def cavity(s, a, b, tau, u1, u2):
    """Each mode m: Stokes flow in 0 ≤ x ≤ a, |y| ≤ b whose walls y = ±b move at ±U sin(mπx/a)."""
    x, y, t = s
    vx = vy = 0.0
    for m, speed in ((1, u1 * switch(t, tau)), (2, u2)):
        k = m * math.pi / a
        norm = 2 * speed / (2 * m * math.pi * b + a * math.sinh(2 * k * b))
        vx += (
            norm
            * math.sin(k * x)
            * (
                -m * math.pi * b * math.sinh(k * b) * math.sinh(k * y)
                + math.cosh(k * b) * (m * math.pi * y * math.cosh(k * y) + a * math.sinh(k * y))
            )
        )
        vy += (
            norm
            * m
            * math.pi
            * math.cos(k * x)
            * (b * math.sinh(k * b) * math.cosh(k * y) - math.cosh(k * b) * y * math.sinh(k * y))
        )
    return [vx, vy, 1.0]


def test_lid_driven_cavity_equations() -> None:
    base = chaoskit.systems.create("LidDrivenCavityFlow")
    variant = attrs.evolve(base, a=5.0, b=1.3, tau=0.9, u1=7.0, u2=-3.0)
    x = np.array([base.metadata.initial_state, [1.2, -0.4, 0.3], [4.4, 0.8, 0.8], [2.0, 0.1, 0.55]])
    for system in (base, variant):
        want = np.array([cavity(v, **system.parameters) for v in x])
        np.testing.assert_allclose(system.rhs(0.0, x), want, rtol=1e-12, atol=1e-12)


def test_lid_driven_cavity_walls_and_incompressibility() -> None:
    system = chaoskit.systems.create("LidDrivenCavityFlow")
    a, b, t = system.a, system.b, 0.2
    xs = np.linspace(0.0, a, 9)
    u1 = system.u1 * switch(t, system.tau)
    wall_speed = u1 * np.sin(np.pi * xs / a) + system.u2 * np.sin(2 * np.pi * xs / a)
    for sign in (1.0, -1.0):
        f = system.rhs(0.0, np.stack([xs, np.full_like(xs, sign * b), np.full_like(xs, t)], -1))
        np.testing.assert_allclose(f[:, 0], sign * wall_speed, rtol=1e-12, atol=1e-12)
        np.testing.assert_allclose(f[:, 1], 0.0, atol=1e-12)
    side = system.rhs(0.0, np.array([[0.0, 0.3, t], [a, -0.5, t]]))
    np.testing.assert_allclose(side[:, 0], 0.0, atol=1e-12)  # no flow through x = 0, a
    jac = system.jacobian(0.0, np.array([[1.0, 0.2, 0.3], [3.3, -0.7, 0.9]]))
    np.testing.assert_allclose(jac[:, 0, 0] + jac[:, 1, 1], 0.0, atol=1e-10)


# ------------------------------------------------- oscillating rolls (Solomon & Gollub)
def oscillating_flow(s, b, k, omega, u):
    """ẋ = −∂ψ/∂y, ẏ = ∂ψ/∂x with ψ = −(u/k) sin(k(x + b sin z)) sin(ky); ż = ω."""
    psi = lambda v: -(u / k) * math.sin(k * (v[0] + b * math.sin(v[2]))) * math.sin(k * v[1])
    return [-central(psi, s, 1), central(psi, s, 0), omega]


def test_oscillating_flow_is_the_stream_function_flow_and_its_jacobian() -> None:
    base = chaoskit.systems.create("OscillatingFlow")
    variant = attrs.evolve(base, b=0.3, k=1.7, omega=0.8, u=0.5)
    x = np.array([base.metadata.initial_state, [0.4, -1.1, 2.0], [5.0, 2.2, -0.7]])
    for system in (base, variant):
        want = np.array([oscillating_flow(v, **system.parameters) for v in x])
        np.testing.assert_allclose(system.rhs(0.0, x), want, rtol=1e-7, atol=1e-9)
        numeric = chaoskit.finite_difference_jacobian(partial(system.rhs, 0.0), x)
        np.testing.assert_allclose(system.jacobian(0.0, x), numeric, rtol=1e-6, atol=1e-8)


@pytest.mark.parametrize("name", ["InteriorSquirmer", "LidDrivenCavityFlow", "OscillatingFlow"])
def test_clock_variable(name: str) -> None:
    system = chaoskit.systems.create(name)
    assert "nonautonomous" in system.metadata.flags
    rate = system.rhs(0.0, np.array([system.metadata.initial_state]))[0, 2]
    assert rate == pytest.approx(getattr(system, "omega", 1.0))


def test_interior_squirmer_mode_counts_must_match() -> None:
    with pytest.raises(chaoskit.ParameterError, match="same number of modes"):
        chaoskit.systems.create("InteriorSquirmer", a=[0.5, 0.5], g=[0.5])
