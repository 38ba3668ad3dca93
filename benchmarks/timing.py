"""Timing shared by the benchmarks: the median CPU or wall time of repeated calls."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import numpy as np


def cpu(fn: Callable[[], Any], repeat: int = 1) -> tuple[float, Any]:
    """Median CPU seconds of ``repeat`` calls of ``fn``, and the last result."""
    return _median(fn, repeat, time.process_time)


def wall(fn: Callable[[], Any], repeat: int = 1) -> tuple[float, Any]:
    """Median wall-clock seconds of ``repeat`` calls of ``fn``, and the last result."""
    return _median(fn, repeat, time.perf_counter)


def _median(fn: Callable[[], Any], repeat: int, clock: Callable[[], float]) -> tuple[float, Any]:
    times, out = [], None
    for _ in range(repeat):
        start = clock()
        out = fn()
        times.append(clock() - start)
    return float(np.median(times)), out
