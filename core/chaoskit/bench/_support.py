"""Helpers of :mod:`chaoskit.bench.runner`: building a config from keywords, the temporary
store, thread settings per executor, cell order, and the records of failed cells."""

from __future__ import annotations

import contextlib
import importlib
import shutil
import tempfile
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from ..errors import ParameterError
from .cell import set_torch_threads
from .config import BenchmarkConfig, load_config
from .executors import ExecutorHandle, thread_environment
from .grid import Cell


def row_major(cells: list[Cell]) -> list[Cell]:
    """Cells grouped by their data (every model of a row in turn), for a serial run: the row's
    simulation then stays in the in-memory cache and no disk cache is needed. Parallel runs
    keep the plan's model-outer order, so that concurrent workers simulate different rows."""
    first: dict[str, int] = {}
    for i, cell in enumerate(cells):
        first.setdefault(cell.data_id, i)
    return sorted(cells, key=lambda c: first[c.data_id])


def cuda_device_count() -> int:
    """The number of CUDA devices torch sees (0 without torch or CUDA); imports torch."""
    try:  # imported here only: the core never imports torch at module level
        torch = importlib.import_module("torch")
    except ImportError:
        return 0
    return int(torch.cuda.device_count()) if torch.cuda.is_available() else 0


def summary(meta: Mapping[str, Any]) -> dict[str, Any]:
    lines = (meta.get("error") or "").strip().splitlines()
    return {
        "status": meta["status"], "stage": meta.get("stage", ""), "error": lines[-1] if lines else "",
        "scores": {k: v["median"] for k, v in meta.get("metrics", {}).items()},
        "fit_time": meta["timings"].get("fit"), "forecast_time": meta["timings"].get("forecast"),
        "peak_memory": meta["memory"]["peak"], "diverged_at": meta.get("diverged_at"),
    }


def failed(cell: Cell, message: str) -> dict[str, Any]:
    return {"meta": {
        "cell_id": cell.cell_id, "status": "failed", "stage": "worker", "error": message, "metrics": {},
        "sampling": {}, "diverged_at": float("nan"), "diverged_members": 0, "notes": [],
        "timings": {}, "memory": {"peak": float("nan"), "base": float("nan"), "method": ""}, "worker": {},
    }, "arrays": {}}


@contextlib.contextmanager
def store_dir(store: Path | None) -> Iterator[Path]:
    if store is not None:
        yield store
        return
    tmp = Path(tempfile.mkdtemp(prefix="chaoskit-bench-"))
    try:
        yield tmp
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


@contextlib.contextmanager
def threads(handle: ExecutorHandle) -> Iterator[None]:
    """Single-threaded workers: thread variables for spawned processes, torch threads here."""
    if handle.kind in ("processes", "custom"):
        with thread_environment(handle.threads):
            yield
        return
    if handle.kind == "serial":
        old = set_torch_threads(handle.threads)
        try:
            yield
        finally:
            if old is not None:
                set_torch_threads(old)
        return
    yield


def build_config(config: Any, **sections: Any) -> BenchmarkConfig:
    given = {k: v for k, v in sections.items() if v is not None}
    if not given:
        return load_config(config)
    if config is not None:
        raise ParameterError(f"give a config or the sections as keywords ({', '.join(given)}), not both")
    mapping: dict[str, Any] = {"benchmark": {}}
    for kind in ("systems", "models", "metrics"):
        value = given.get(kind)
        if isinstance(value, Mapping):
            mapping["benchmark"][kind] = list(value)
            tables = {k: dict(v) for k, v in value.items() if v}
            if tables:
                mapping[kind] = tables
        elif value is not None:
            mapping["benchmark"][kind] = [value] if isinstance(value, str) else list(value)
    if "seeds" in given:
        seeds = given["seeds"]
        mapping["benchmark"]["seeds"] = seeds if isinstance(seeds, int) else list(seeds)
    if "data" in given:
        mapping["data"] = dict(given["data"])
    return load_config(mapping)
