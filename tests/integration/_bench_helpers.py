"""Shared helpers of the benchmark tests: the toy plugin (tests/integration/bench_toys), loaded
in this process or made discoverable for a subprocess, and small configs."""

from __future__ import annotations

import contextlib
import importlib.metadata
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import xarray as xr
from chaoskit.testing import entry_points_of, isolated_plugins, plugin_path, write_dist_info

TOYS = Path(__file__).resolve().parent / "bench_toys"

#: A grid of toy cells that runs in well under a second.
TINY_DATA = {"train_length": 200, "context": 20, "horizon": 2.0, "test_members": 3, "transient": 1.0}


@contextlib.contextmanager
def toy_plugins() -> Iterator[Any]:
    """The installed plugins plus the toys, for the rest of the block (workers inherit sys.path)."""
    installed = list(importlib.metadata.entry_points(group="chaoskit.plugins"))
    with plugin_path(TOYS), isolated_plugins(*installed, *entry_points_of(TOYS)) as host:
        host.ensure_loaded()
        yield host


def toy_env(site: Path) -> dict[str, str]:
    """Environment of a subprocess that discovers the toys like an installed plugin."""
    write_dist_info(TOYS, site)
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(site), str(TOYS), env.get("PYTHONPATH", "")])
    return env


def chaoskit(env: dict[str, str], *args: str, cwd: Path | None = None, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "chaoskit.cli", *args], env=env, cwd=cwd,
                          capture_output=True, text=True, timeout=timeout)


def numbers(ds: xr.Dataset) -> dict[str, np.ndarray]:
    """Every numeric result that must not depend on the executor (timings and memory excluded)."""
    skip = {"fit_time", "forecast_time", "simulate_time", "score_time", "cell_time", "peak_memory", "base_memory"}
    return {name: np.asarray(ds[name].values) for name in ds.data_vars
            if name not in skip and ds[name].dtype.kind in "fc"}
