"""CPU timing shared by the benchmarks: the median CPU time of repeated calls."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import numpy as np


def cpu(fn: Callable[[], Any], repeat: int = 1) -> tuple[float, Any]:
    """Median CPU seconds of ``repeat`` calls of ``fn``, and the last result."""
    times, out = [], None
    for _ in range(repeat):
        start = time.process_time()
        out = fn()
        times.append(time.process_time() - start)
    return float(np.median(times)), out
