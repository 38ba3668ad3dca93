"""Test-local systems and data for the invariant-metric tests, independent of chaoskit-systems.

- :class:`HenonDynamics`, :class:`LogisticDynamics`: numpy one-step maps with analytic
  Jacobians (they exercise the numpy backend of the Lyapunov spectrum).
- :func:`lorenz_data`: Lorenz-63 trajectories by a plain numpy RK4 (step 0.01), cached per process.
- :func:`henon_data`: Hénon orbits, cached.
"""

from __future__ import annotations

import functools

import chaoskit
import numpy as np
import torch
import xarray as xr

SIGMA, RHO, BETA = 10.0, 28.0, 8.0 / 3.0
LORENZ_SPECTRUM = (0.906, 0.0, -14.572)  # Sprott, 1e9 RK4 steps (REFERENCES.md §1)
LORENZ_SUM = -(SIGMA + 1.0 + BETA)  # the divergence, exact
LORENZ_KY = 2.062  # Sprott
LORENZ_D2 = 2.05  # Grassberger & Procaccia 1983
HENON_SPECTRUM = (0.41922, -1.62319)  # Sprott; sum = ln 0.3
ROSSLER_SPECTRUM = (0.0714, 0.0, -5.3943)  # Sprott


class HenonDynamics(chaoskit.Dynamics):
    """Hénon map ``(x, y) → (1 − a x² + y, b x)`` in numpy, analytic Jacobian."""

    def __init__(self, a: float = 1.4, b: float = 0.3) -> None:
        super().__init__(2, 1.0)
        self.a, self.b = a, b

    def _step(self, x: np.ndarray) -> np.ndarray:
        return np.stack((1.0 - self.a * x[..., 0] ** 2 + x[..., 1], self.b * x[..., 0]), axis=-1)

    def _jacobian(self, x: np.ndarray) -> np.ndarray:
        jac = np.zeros((*x.shape[:-1], 2, 2))
        jac[..., 0, 0] = -2.0 * self.a * x[..., 0]
        jac[..., 0, 1] = 1.0
        jac[..., 1, 0] = self.b
        return jac


class TorchHenonWithoutJacobian(chaoskit.Dynamics):
    """The Hénon map as a torch dynamics with no Jacobian (the core default raises) and no
    ``system`` (so the compiled tangent cache keys it by identity)."""

    backend = "torch"

    def __init__(self) -> None:
        super().__init__(2, 1.0)

    def _step(self, x: torch.Tensor) -> torch.Tensor:
        return torch.stack((1.0 - 1.4 * x[..., 0] ** 2 + x[..., 1], 0.3 * x[..., 0]), dim=-1)


class LogisticDynamics(chaoskit.Dynamics):
    """Logistic map ``x → r x (1 − x)`` in numpy, analytic Jacobian."""

    def __init__(self, r: float = 4.0) -> None:
        super().__init__(1, 1.0)
        self.r = r

    def _step(self, x: np.ndarray) -> np.ndarray:
        return self.r * x * (1.0 - x)

    def _jacobian(self, x: np.ndarray) -> np.ndarray:
        return (self.r * (1.0 - 2.0 * x))[..., None]


def _lorenz_rhs(x: np.ndarray) -> np.ndarray:
    u, v, w = x[..., 0], x[..., 1], x[..., 2]
    return np.stack((SIGMA * (v - u), u * (RHO - w) - v, u * v - BETA * w), axis=-1)


@functools.cache
def lorenz_data(n: int = 10_000, dt: float = 0.05, members: int = 3, seed: int = 0) -> xr.Dataset:
    """``members`` independent Lorenz trajectories of ``n`` points, ``dt`` apart (RK4 step 0.01).

    Members start at random points of the box [−15, 15]² × [10, 40] and run 30 time units of
    transient first, so they are independent trajectories on the attractor.
    """
    rng = np.random.default_rng(seed)
    x = rng.uniform([-15, -15, 10], [15, 15, 40], size=(members, 3))
    sub = max(1, round(dt / 0.01))
    h = dt / sub

    def advance(x: np.ndarray, steps: int) -> np.ndarray:
        for _ in range(steps):
            k1 = _lorenz_rhs(x)
            k2 = _lorenz_rhs(x + 0.5 * h * k1)
            k3 = _lorenz_rhs(x + 0.5 * h * k2)
            k4 = _lorenz_rhs(x + h * k3)
            x = x + h / 6.0 * (k1 + 2.0 * k2 + 2.0 * k3 + k4)
        return x

    x = advance(x, round(30.0 / h))
    out = np.empty((members, n, 3))
    for i in range(n):
        out[:, i] = x
        x = advance(x, sub)
    return chaoskit.make_dataset(out, time=np.arange(n) * dt, variables=("x", "y", "z"),
                                 attrs={"dt": dt, "system": "lorenz (test-local numpy RK4)"})


@functools.cache
def henon_data(n: int = 10_000, members: int = 2, seed: int = 0) -> xr.Dataset:
    """``members`` Hénon orbits of ``n`` points after 1,000 discarded iterations."""
    rng = np.random.default_rng(seed)
    dyn = HenonDynamics()
    x = rng.uniform(-0.1, 0.1, size=(members, 2))
    for _ in range(1000):
        x = dyn.step(x)
    out = np.empty((members, n, 2))
    for i in range(n):
        out[:, i] = x
        x = dyn.step(x)
    return chaoskit.make_dataset(out, time=np.arange(n, dtype=float), variables=("x", "y"),
                                 attrs={"dt": 1.0, "system": "henon (test-local)"})
