"""The combined result: cell results → one :class:`xarray.Dataset`.

Dims ``(system, model, seed, *data dims)`` for per-cell values, plus ``member`` (test initial
conditions), ``lead`` (forecast steps), ``sample`` and ``component`` (attractor samples). Each
metric ``M`` gives ``M`` (the median over members; a diverged member counts as the worst value,
so a model that diverges on most initial conditions gets ``inf``/``-inf``) and ``M_members``.
"""

from __future__ import annotations

import datetime as _dt
import json
import os
import platform
import re
import sys
from collections.abc import Mapping
from typing import Any

import numpy as np
import xarray as xr

from ..data import encode_attrs
from .grid import Plan

__all__ = ["RESULT_FORMAT", "combine", "machine_info", "metric_variable"]

RESULT_FORMAT = "chaoskit-bench-result/1"
_TIMINGS = {"fit_time": "fit", "forecast_time": "forecast", "simulate_time": "simulate",
            "score_time": "score", "cell_time": "cell"}
_UNITS = {"fit_time": "s", "forecast_time": "s", "simulate_time": "s", "score_time": "s", "cell_time": "s",
          "peak_memory": "bytes", "base_memory": "bytes"}


def metric_variable(label: str) -> str:
    """The result variable of a metric label (``/`` and other characters NetCDF refuses → ``_``)."""
    return re.sub(r"[^A-Za-z0-9_.\-]", "_", label)


def machine_info(executor: str = "", threads: int | None = None) -> dict[str, Any]:
    """Platform, Python, CPU count, torch threads (when torch is loaded) and the executor."""
    info: dict[str, Any] = {
        "platform": platform.platform(), "python": platform.python_version(),
        "processor": platform.processor() or platform.machine(), "cpu_count": os.cpu_count(),
        "host": platform.node(), "executor": executor, "threads_per_worker": threads,
    }
    torch = sys.modules.get("torch")
    if torch is not None:
        info["torch_threads_main"] = int(torch.get_num_threads())
    return info


def combine(plan: Plan, results: Mapping[str, Mapping[str, Any]], *, attrs: Mapping[str, Any] | None = None) -> xr.Dataset:
    """Build the result Dataset of ``plan`` from ``{cell_id: result}`` (missing cells stay NaN)."""
    config = plan.config
    dims = plan.dims
    coords: dict[str, Any] = {
        "system": [s.label for s in config.systems], "model": [m.label for m in config.models],
        "seed": np.asarray(config.seeds, dtype=np.int64),
    }
    for dim in config.data.dims:
        coords[dim] = list(config.data.values[dim])
    shape = tuple(len(coords[d]) for d in dims)
    index = {d: {v: i for i, v in enumerate(coords[d])} for d in dims}
    members = max(int(v) for v in config.data.values["test_members"])
    metrics = list(plan.metrics)
    lead = max([len(r["arrays"].get("error_growth", ())) for r in results.values()] + [1])
    samples = max([len(r["arrays"].get("free_run", ())) for r in results.values()] + [1])

    out = {name: np.full(shape, np.nan) for name in [*_TIMINGS, "peak_memory", "base_memory",
                                                       "diverged_at", "diverged_members"]}
    text = {name: np.full(shape, "", dtype=object) for name in ("status", "error", "notes")}
    scores = {m: np.full(shape, np.nan) for m in metrics}
    per_member = {m: np.full((*shape, members), np.nan) for m in metrics}
    member_div = np.full((*shape, members), np.nan)
    growth = np.full((*shape, lead), np.nan)
    row_shape = tuple(len(coords[d]) for d in dims if d not in ("model", "seed"))
    free = np.full((shape[0], shape[1], *row_shape[1:], samples, 3), np.nan, dtype=np.float32)
    true = np.full((*row_shape, samples, 3), np.nan, dtype=np.float32)
    sampling = {k: np.full(row_shape, np.nan) for k in ("time_step", "lyapunov_time", "forecast_steps")}
    units = np.full(row_shape, "", dtype=object)
    metric_attrs: dict[str, dict[str, Any]] = {m: {} for m in metrics}
    memory_method = ""

    for cell in plan.cells:
        at = tuple(index[d][cell.coords[d]] for d in dims)
        row = tuple(i for d, i in zip(dims, at) if d not in ("model", "seed"))
        result = results.get(cell.cell_id)
        if result is None:
            text["status"][at] = "skipped" if cell.skip else "missing"
            text["error"][at] = cell.skip or "not run yet"
            continue
        meta, arrays = result["meta"], result["arrays"]
        text["status"][at] = meta["status"]
        text["error"][at] = meta.get("error", "")
        text["notes"][at] = "\n".join(meta.get("notes", []))
        for name, key in _TIMINGS.items():
            out[name][at] = meta["timings"].get(key, np.nan)
        out["peak_memory"][at] = meta["memory"]["peak"]
        out["base_memory"][at] = meta["memory"]["base"]
        memory_method = meta["memory"]["method"]
        out["diverged_at"][at] = meta.get("diverged_at", np.nan)
        out["diverged_members"][at] = meta.get("diverged_members", np.nan) if meta["status"] != "failed" else np.nan
        _sampling(meta, row, sampling, units)
        for label in metrics:
            entry = meta.get("metrics", {}).get(label)
            if entry is None:
                continue
            scores[label][at] = entry["median"]
            values = arrays.get(f"metric:{label}")
            if values is not None:
                per_member[label][at][: len(values)] = values
            if entry.get("error"):
                text["error"][at] = (text["error"][at] + f"\nmetric {label}: {entry['error']}").strip()
            if not metric_attrs[label]:
                metric_attrs[label] = dict(entry.get("attrs", {}))
        if "member_diverged_at" in arrays:
            values = arrays["member_diverged_at"]
            member_div[at][: len(values)] = values
        if "error_growth" in arrays:
            values = arrays["error_growth"]
            growth[at][: len(values)] = values
        if cell.seed == config.seeds[0] and "free_run" in arrays:
            model_at = (at[0], at[1], *at[3:])
            _put(free, model_at, arrays["free_run"])
            _put(true, row, arrays["true_attractor"])

    data_vars: dict[str, Any] = {}
    for name, values in out.items():
        data_vars[name] = (dims, values, {"units": _UNITS.get(name, "")})
    for name, values in text.items():
        data_vars[name] = (dims, values.astype(str))
    for label in metrics:
        var = metric_variable(label)
        meta_attrs = {**metric_attrs[label], "label": label,
                      "reduction": "median over test members; a diverged member counts as the worst value"}
        data_vars[var] = (dims, scores[label], encode_attrs(meta_attrs))
        data_vars[f"{var}_members"] = ((*dims, "member"), per_member[label], encode_attrs({**meta_attrs, "reduction": "none"}))
    data_vars["member_diverged_at"] = ((*dims, "member"), member_div)
    data_vars["error_growth"] = ((*dims, "lead"), growth, {
        "definition": "median over members of sqrt(mean over features of ((forecast - truth) / std_train)^2)"})
    model_dims = ("system", "model", *config.data.dims, "sample", "component")
    row_dims = ("system", *config.data.dims)
    data_vars["free_run"] = (model_dims, free, {"description": f"free run of each model from the first test context, seed {config.seeds[0]}"})
    data_vars["true_attractor"] = ((*row_dims, "sample", "component"), true, {
        "description": f"the end of the (noise-free) training trajectory, seed {config.seeds[0]}"})
    for name, values in sampling.items():
        data_vars[name] = (row_dims, values)
    data_vars["horizon_units"] = (row_dims, units.astype(str))
    lead_time = np.arange(1, lead + 1)[None, :] * (sampling["time_step"].reshape(-1, 1) / _unit(sampling).reshape(-1, 1))
    data_vars["lead_time"] = ((*row_dims, "lead"), lead_time.reshape(*row_shape, lead), {
        "description": "forecast lead in horizon units (Lyapunov times, or time units where horizon_units says so)"})

    coords["member"] = np.arange(members)
    coords["lead"] = np.arange(1, lead + 1)
    coords["component"] = np.arange(3)
    coords["model_name"] = ("model", [plan.qualified.get(f"models:{m.label}", m.name) for m in config.models])
    coords["model_hyperparameters"] = ("model", [json.dumps(dict(m.params), sort_keys=True) for m in config.models])
    coords["system_name"] = ("system", [plan.qualified.get(f"systems:{s.label}", s.name) for s in config.systems])
    coords["system_kind"] = ("system", [getattr(plan.systems.get(s.label), "kind", "") for s in config.systems])
    base_attrs = {
        "format": RESULT_FORMAT, "name": config.name, "description": config.description,
        "config": config.to_dict(), "config_toml": config.text or "", "config_source": config.source,
        "metrics": metrics, "metric_variables": [metric_variable(m) for m in metrics],
        "skipped": list(plan.skipped.values()), "memory_method": _memory_text(memory_method),
        "created": _dt.datetime.now(_dt.UTC).isoformat(timespec="seconds"),
    }
    base_attrs.update(attrs or {})
    return xr.Dataset(data_vars, coords=coords, attrs=encode_attrs(base_attrs))


def _sampling(meta: Mapping[str, Any], row: tuple[int, ...], sampling: dict[str, np.ndarray], units: np.ndarray) -> None:
    info = meta.get("sampling") or {}
    if not info:
        return
    sampling["time_step"][row] = info["dt"]
    sampling["lyapunov_time"][row] = np.nan if info["lyapunov_time"] is None else info["lyapunov_time"]
    sampling["forecast_steps"][row] = info["horizon_steps"]
    units[row] = info["horizon_units"]


def _unit(sampling: Mapping[str, np.ndarray]) -> np.ndarray:
    lt = sampling["lyapunov_time"]
    return np.where(np.isfinite(lt), lt, 1.0)


def _put(target: np.ndarray, at: tuple[int, ...], values: np.ndarray) -> None:
    n, width = values.shape[0], min(3, values.shape[1])
    target[at][:n, :width] = values[:, :width]


def _memory_text(method: str) -> str:
    if method == "VmHWM":
        return ("peak resident set size of the process running the cell (Linux VmHWM, reset before each cell "
                "through /proc/self/clear_refs); base_memory is the resident size when the cell started")
    if method:
        return "peak resident set size of the worker process since it started (ru_maxrss)"
    return ""

