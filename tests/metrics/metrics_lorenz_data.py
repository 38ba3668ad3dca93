"""Cached Lorenz-63 trajectories for the metric tests (RK4, dt = 0.01, transient discarded).

Generated once per test process with chaoskit-systems, so the geometry and complexity tests
share them. Members start from perturbed initial conditions (offsets of ~0.2) that saturate
within ~10 time units, so after the transient of 20 they are independent trajectories on the
attractor.
"""

from __future__ import annotations

import functools

import chaoskit
import xarray as xr

DT = 0.01


@functools.cache
def lorenz(n: int = 20_000, *, rho: float = 28.0, members: int = 2, seed: int = 0) -> xr.Dataset:
    """``members`` Lorenz trajectories of ``n`` points at dt 0.01 after a transient of 20."""
    system = chaoskit.systems.create("lorenz", rho=rho)
    return system.trajectory(n, dt=DT, members=members, seed=seed, transient=20.0, method="rk4")
