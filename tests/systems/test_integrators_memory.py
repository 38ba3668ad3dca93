"""The integrators keep no per-step Python objects: their Python heap does not grow with the
number of steps (tensor storage is outside tracemalloc's view; the output buffer is the only
allocation proportional to the output, see docs/performance.md for the peak RSS)."""

from __future__ import annotations

import tracemalloc

import pytest
import torch
from chaoskit_systems.flows.lorenz import Lorenz
from chaoskit_systems.integrators import integrate

RHS = Lorenz()._rhs
X0 = torch.tensor([[1.0, 1.0, 20.0], [2.0, -1.0, 25.0]], dtype=torch.float64)


def python_peak(method: str, horizon: float) -> tuple[int, int]:
    """Peak of traced Python memory (bytes) and steps taken, 50 outputs over ``horizon``."""
    t_out = torch.linspace(0.0, horizon, 50, dtype=torch.float64)
    options = {"step": 0.005} if method == "rk4" else {}
    integrate(RHS, X0, t_out[:5], method=method, **options)  # warm caches outside the trace
    tracemalloc.start()
    result = integrate(RHS, X0, t_out, method=method, **options)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    steps = result.info.get("steps") or max(result.info["steps_accepted"])
    return peak, int(steps)


@pytest.mark.parametrize("method", ["rk4", "dopri5", "dop853"])
def test_python_memory_does_not_grow_with_the_steps(method: str) -> None:
    short_peak, short_steps = python_peak(method, 1.0)
    long_peak, long_steps = python_peak(method, 8.0)
    # one Python float kept per step would add ≥ 32 bytes × (long_steps − short_steps) > 4 KB
    assert 32 * (long_steps - short_steps) > 4096
    assert long_peak < short_peak + 4096, (short_peak, long_peak)
