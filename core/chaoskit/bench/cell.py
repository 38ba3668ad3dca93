"""Running one cell (in whichever process the executor chose): simulate, fit, forecast, score.

:func:`run_cell` never raises for a failure of the system, the model or a metric: it returns
the result with ``status = "failed"``, the stage and the traceback. It touches no registry —
the task carries the system and metric objects and the model class (pickled by reference), so
it runs the same in the main process, a local worker process or on a Dask worker.

Peak memory is the peak resident set size (RSS) of the process running the cell: on Linux the
``VmHWM`` counter of ``/proc/self/status``, reset before the cell through
``/proc/self/clear_refs``; elsewhere ``ru_maxrss`` (the process's peak since it started).
"""

from __future__ import annotations

import contextlib
import os
import platform
import sys
import time
import traceback
import warnings
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import attrs
import numpy as np

from ..data import STATE, TIME
from ..metric import divergence_times
from .simdata import CellData, load_cell_data

__all__ = ["CellTask", "MemoryProbe", "run_cell", "set_torch_threads"]

_MAX_NOTES = 20

#: The GPU a local worker process claimed (``"cuda:k"``, set by the executor's initializer when
#: several GPUs are shared out); a model asking for ``"cuda"`` runs there.
WORKER_DEVICE: str | None = None


@attrs.frozen
class CellTask:
    """Everything a worker needs to run one cell (picklable, no registry lookups)."""

    cell_id: str
    system: Any
    model_class: type
    hyperparameters: Mapping[str, Any]
    metrics: Mapping[str, Any]
    data: Mapping[str, Any]
    data_id: str
    data_seed: int
    model_seed: int
    attractor_steps: int = 1000
    threads: int = 1
    cache_dir: str | None = None
    pid_dir: str | None = None


class MemoryProbe:
    """Peak resident memory of this process over a stretch of code (see the module docstring)."""

    def __init__(self) -> None:
        self.method = "ru_maxrss"
        self.base = 0
        try:
            with open("/proc/self/clear_refs", "w") as fh:
                fh.write("5")
            self.base = _status_kb("VmRSS") * 1024
            self.method = "VmHWM"
        except (OSError, ValueError):
            self.base = _maxrss()

    def peak(self) -> int:
        """Bytes: the peak RSS since the probe was created (``VmHWM``) or since process start."""
        if self.method == "VmHWM":
            try:
                return _status_kb("VmHWM") * 1024
            except (OSError, ValueError):
                pass
        return _maxrss()


def _status_kb(field: str) -> int:
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    raise ValueError(field)


def _maxrss() -> int:
    try:
        import resource
    except ImportError:  # pragma: no cover - Windows
        return 0
    scale = 1 if sys.platform == "darwin" else 1024  # bytes on macOS, KiB on Linux
    return int(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss) * scale


def set_torch_threads(threads: int) -> int | None:
    """Set torch's intra-op threads if torch is loaded (never imports it); return the old value."""
    torch = sys.modules.get("torch")
    if torch is None:
        return None
    old = int(torch.get_num_threads())
    if old != threads:
        torch.set_num_threads(int(threads))
    return old


def run_cell(task: CellTask) -> dict[str, Any]:
    """Run one cell; return ``{"meta": JSON-able dict, "arrays": {name: numpy array}}``.

    With ``task.pid_dir`` the worker records ``pid_dir/<pid>`` = the cell id while the cell
    runs, so that the runner can tell which cell a dying worker took down.
    """
    marker = None
    if task.pid_dir is not None:
        marker = Path(task.pid_dir) / str(os.getpid())
        with contextlib.suppress(OSError):
            marker.write_text(task.cell_id)
    try:
        return _run(task)
    finally:
        if marker is not None:
            with contextlib.suppress(OSError):
                marker.unlink()


def _run(task: CellTask) -> dict[str, Any]:
    start = time.perf_counter()
    probe = MemoryProbe()
    timings = {"simulate": 0.0, "fit": 0.0, "forecast": 0.0, "score": 0.0, "attractor": 0.0}
    arrays: dict[str, np.ndarray] = {}
    meta: dict[str, Any] = {"cell_id": task.cell_id, "status": "ok", "stage": "", "error": "",
                            "seeds": {"data": task.data_seed, "model": task.model_seed},
                            "metrics": {}, "sampling": {}, "diverged_at": float("nan"), "diverged_members": 0}
    stage = "simulate"
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            data = load_cell_data(task.system, task.data, task.data_id, task.data_seed, task.cache_dir)
            timings["simulate"] = data.simulate_time
            meta["sampling"] = data.sampling.to_dict()
            stage = "fit"
            set_torch_threads(task.threads)
            hyperparameters = dict(task.hyperparameters)
            if WORKER_DEVICE is not None and hyperparameters.get("device") == "cuda":
                hyperparameters["device"] = WORKER_DEVICE
            meta["device"] = hyperparameters.get("device", "")
            model = task.model_class(**hyperparameters, seed=task.model_seed)
            t = time.perf_counter()
            model.fit(data.train)
            timings["fit"] = time.perf_counter() - t
            stage = "forecast"
            t = time.perf_counter()
            forecast = model.forecast(data.context, data.sampling.horizon_steps)
            timings["forecast"] = time.perf_counter() - t
            stage = "score"
            t = time.perf_counter()
            _score(task, data, forecast, meta, arrays)
            timings["score"] = time.perf_counter() - t
            stage = ""
            t = time.perf_counter()
            try:  # the free run only feeds the report's figures: its failure fails nothing
                _attractor(task, model, data, forecast, arrays)
            except Exception as exc:  # noqa: BLE001
                warnings.warn(f"the free run for the report failed: {type(exc).__name__}: {exc}",
                              RuntimeWarning, stacklevel=1)
            timings["attractor"] = time.perf_counter() - t
        except Exception:  # noqa: BLE001 - every failure of plugin code is recorded, not raised
            meta.update(status="failed", stage=stage, error=traceback.format_exc())
    notes = list(dict.fromkeys(f"{w.category.__name__}: {w.message}" for w in caught))
    notes = list(meta["sampling"].get("notes", ())) + notes
    timings["cell"] = time.perf_counter() - start
    meta.update(
        notes=notes[:_MAX_NOTES], timings=timings,
        memory={"peak": probe.peak(), "base": probe.base, "method": probe.method},
        worker={"pid": os.getpid(), "host": platform.node()},
    )
    return {"meta": meta, "arrays": arrays}


def _score(task: CellTask, data: CellData, forecast: Any, meta: dict[str, Any], arrays: dict[str, np.ndarray]) -> None:
    truth, context = data.truth, data.clean_context
    t0 = float(context[TIME].values[-1])
    unit = data.sampling.lyapunov_time or 1.0
    diverged = (divergence_times(truth, forecast, context=context) - t0) / unit
    mask = np.isfinite(diverged)
    arrays["member_diverged_at"] = diverged
    meta["diverged_members"] = int(mask.sum())
    meta["diverged_at"] = float(np.nanmin(diverged)) if mask.any() else float("nan")
    if mask.any():
        meta["status"] = "diverged"
    for label, metric in task.metrics.items():
        entry: dict[str, Any] = {"attrs": _plain_attrs(metric.describe()), "error": ""}
        try:
            result = metric(truth, forecast, context=context)
            values = np.asarray(result.values, dtype=float)
            entry["attrs"] = _plain_attrs(result.attrs)
        except Exception as exc:  # noqa: BLE001 - a failing metric leaves NaN and its message
            values = np.full(truth.sizes["member"], np.nan)
            entry["error"] = f"{type(exc).__name__}: {exc}"
        worst = np.inf if getattr(metric, "direction", "lower") == "lower" else -np.inf
        # a diverged member the metric masked counts as the worst value; a metric that failed stays NaN
        ranked = values if entry["error"] else np.where(mask & np.isnan(values), worst, values)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            entry["median"] = float(np.nanmedian(ranked))
        arrays[f"metric:{label}"] = values
        meta["metrics"][label] = entry
    u = _features(truth[STATE].values)
    v = _features(forecast[STATE].values)
    with np.errstate(invalid="ignore", over="ignore"):
        error = np.sqrt(np.mean((np.abs(v - u) / data.scale.reshape(-1)) ** 2, axis=-1))
    error = np.where(np.isfinite(error), error, np.inf)
    arrays["error_growth"] = np.median(error, axis=0)


def _attractor(task: CellTask, model: Any, data: CellData, forecast: Any, arrays: dict[str, np.ndarray]) -> None:
    steps = task.attractor_steps
    if steps <= 0:
        return
    if steps <= forecast.sizes[TIME]:
        run = forecast.isel(member=[0], time=slice(0, steps))
    else:
        run = model.forecast(data.context.isel(member=[0]), steps)
    free = _features(run[STATE].values)[0]
    true = _features(data.clean_train[STATE].values)[0][-steps:]
    width = min(3, free.shape[-1])
    with np.errstate(over="ignore", invalid="ignore"):  # a diverged run becomes inf in float32
        arrays["free_run"] = np.real(free[:, :width]).astype(np.float32)
    arrays["true_attractor"] = np.real(true[:, :width]).astype(np.float32)


def _features(values: np.ndarray) -> np.ndarray:
    """``(member, time, feature)``: space and variables flattened."""
    values = np.asarray(values)
    return values.reshape(values.shape[0], values.shape[1], -1)


def _plain_attrs(attrs_: Mapping[str, Any]) -> dict[str, Any]:
    """Metric attrs as JSON-able scalars and strings."""
    out: dict[str, Any] = {}
    for key, value in attrs_.items():
        if isinstance(value, (np.integer, np.floating, np.bool_)):
            value = value.item()
        if isinstance(value, (str, int, float, bool)) or value is None:
            out[str(key)] = value
        else:
            out[str(key)] = str(value)
    return out
