"""Shared fixtures of the chaoskit-systems tests: the Lorenz system and scipy references."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import numpy as np
import pytest
import torch
from scipy.integrate import solve_ivp

from chaoskit_systems.flows.lorenz import Lorenz

SIGMA, RHO, BETA = 10.0, 28.0, 8.0 / 3.0


def lorenz_numpy(t: float, x: np.ndarray) -> np.ndarray:
    """The Lorenz-63 vector field in plain numpy (independent of the torch implementation)."""
    return np.array([SIGMA * (x[1] - x[0]), x[0] * (RHO - x[2]) - x[1], x[0] * x[1] - BETA * x[2]])


def reference(x0: np.ndarray, times: np.ndarray, t0: float = 0.0) -> np.ndarray:
    """scipy DOP853 at rtol 1e-10, atol 1e-12: states ``(len(times), 3)``."""
    sol = solve_ivp(lorenz_numpy, (t0, float(times[-1])), np.asarray(x0, dtype=float),
                    method="DOP853", rtol=1e-10, atol=1e-12, t_eval=times)
    assert sol.success, sol.message
    return sol.y.T


@pytest.fixture(autouse=True, scope="module")
def _one_thread() -> Iterator[None]:
    # small batched tensors: one intra-op thread is faster and timing-stable on shared CPUs
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)


@pytest.fixture
def lorenz() -> Lorenz:
    return Lorenz()


@pytest.fixture(scope="session")
def scipy_reference() -> Callable[..., np.ndarray]:
    return reference
