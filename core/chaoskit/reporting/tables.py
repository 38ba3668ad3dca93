"""Ranking tables of a benchmark result: per metric, models × tasks, median and spread over seeds.

A *task* is a system at one combination of the data settings (just the system when the
config has no data dims). Each entry is the median over seeds of the per-cell value (itself
the median over test initial conditions) ± the median absolute deviation over seeds; the best
model of each task is marked, and models are sorted by their mean rank over the tasks.
"""

from __future__ import annotations

import itertools
import json
from typing import Any

import attrs
import numpy as np
import xarray as xr

from ..data import decode_attrs

__all__ = ["Ranking", "failures", "metric_info", "ranking", "status_counts", "tasks"]


@attrs.frozen
class Ranking:
    """One metric's table: ``median`` and ``spread`` have shape ``(model, task)``; ``rank``
    is 1 for the best; ``order`` sorts the models by mean rank."""

    metric: str
    label: str
    direction: str
    units: str
    definition: str
    models: tuple[str, ...]
    tasks: tuple[str, ...]
    median: np.ndarray
    spread: np.ndarray
    rank: np.ndarray
    mean_rank: np.ndarray
    state: np.ndarray  # "", "failed", "skipped", "missing" per entry

    @property
    def order(self) -> list[int]:
        return sorted(range(len(self.models)), key=lambda i: (np.nan_to_num(self.mean_rank[i], nan=np.inf), i))

    def cell_text(self, i: int, j: int) -> str:
        if self.state[i, j]:
            return str(self.state[i, j])
        med, spread = self.median[i, j], self.spread[i, j]
        if np.isnan(med):
            return "nan"
        text = _num(med)
        if np.isfinite(spread) and np.isfinite(med):
            text += f" ± {_num(spread)}"
        return text

    def rows(self) -> list[list[str]]:
        """Table rows (model, one entry per task, mean rank), models sorted by mean rank."""
        out = []
        for i in self.order:
            rank = "-" if np.isnan(self.mean_rank[i]) else f"{self.mean_rank[i]:.2f}"
            out.append([self.models[i], *(self.cell_text(i, j) for j in range(len(self.tasks))), rank])
        return out

    def best(self, i: int, j: int) -> bool:
        return bool(self.rank[i, j] == 1)


def metric_info(ds: xr.Dataset) -> list[tuple[str, str]]:
    """``(label, variable)`` of every metric in the result."""
    attrs_ = decode_attrs(ds.attrs)
    labels = attrs_.get("metrics", [])
    variables = attrs_.get("metric_variables", labels)
    return [(label, var) for label, var in zip(labels, variables) if var in ds.data_vars]


def tasks(ds: xr.Dataset) -> list[tuple[str, dict[str, Any]]]:
    """``(task label, selection)``: every system at every combination of the data dims."""
    data_dims = [str(d) for d in ds["status"].dims if d not in ("system", "model", "seed")]
    out = []
    for system in ds["system"].values:
        for combo in itertools.product(*(ds[d].values for d in data_dims)):
            sel = {"system": system, **dict(zip(data_dims, combo))}
            extra = ", ".join(f"{d}={_plain(v)}" for d, v in zip(data_dims, combo))
            out.append((f"{system} ({extra})" if extra else str(system), sel))
    return out


def ranking(ds: xr.Dataset, label: str, variable: str) -> Ranking:
    """The ranking table of one metric (see the module docstring)."""
    da = ds[variable]
    info = decode_attrs(da.attrs)
    direction = info.get("direction", "lower")
    models = tuple(str(m) for m in ds["model"].values)
    task_list = tasks(ds)
    shape = (len(models), len(task_list))
    median, spread = np.full(shape, np.nan), np.full(shape, np.nan)
    state = np.full(shape, "", dtype=object)
    for j, (_, sel) in enumerate(task_list):
        values = da.sel(sel).transpose("model", "seed").values
        status = ds["status"].sel(sel).transpose("model", "seed").values
        for i in range(len(models)):
            row = values[i]
            if np.all(np.isnan(row)):
                kinds = set(status[i])
                state[i, j] = next((k for k in ("skipped", "failed", "missing") if k in kinds), "")
                continue
            med = float(np.nanmedian(row))
            median[i, j] = med
            if np.isfinite(med):
                spread[i, j] = float(np.median(np.abs(row[~np.isnan(row)] - med)))
    rank = _ranks(median, direction)
    with np.errstate(all="ignore"):
        counted = np.where(np.isnan(rank), 0, 1).sum(axis=1)
        mean_rank = np.where(counted > 0, np.nansum(rank, axis=1) / np.maximum(counted, 1), np.nan)
    return Ranking(metric=variable, label=label, direction=direction, units=str(info.get("units", "")),
                   definition=str(info.get("definition", "")), models=models,
                   tasks=tuple(t for t, _ in task_list), median=median, spread=spread, rank=rank,
                   mean_rank=mean_rank, state=state)


def _ranks(median: np.ndarray, direction: str) -> np.ndarray:
    """Rank per column (1 = best; ties share the better rank; NaN unranked)."""
    rank = np.full(median.shape, np.nan)
    sign = 1.0 if direction == "lower" else -1.0
    for j in range(median.shape[1]):
        column = median[:, j]
        ok = ~np.isnan(column)
        keys = sign * column[ok]
        rank[ok, j] = [1 + int(np.sum(keys < k)) for k in keys]
    return rank


def status_counts(ds: xr.Dataset) -> dict[str, int]:
    """How many cells ended in each status."""
    values, counts = np.unique(ds["status"].values.astype(str), return_counts=True)
    return {str(v): int(c) for v, c in zip(values, counts)}


def failures(ds: xr.Dataset, limit: int = 50) -> list[list[str]]:
    """Rows (system, model, seed, status, last line of the error) of failed and skipped cells."""
    rows = []
    stacked = ds[["status", "error"]].stack(cell=list(ds["status"].dims))
    for k in range(stacked.sizes["cell"]):
        status = str(stacked["status"].values[k])
        if status not in ("failed", "skipped", "missing"):
            continue
        lines = str(stacked["error"].values[k]).strip().splitlines()
        coords = [str(stacked["cell"].values[k][i]) for i in range(3)]
        rows.append([*coords, status, lines[-1][:200] if lines else ""])
        if len(rows) >= limit:
            break
    return rows


def _num(x: float) -> str:
    if np.isinf(x):
        return "inf" if x > 0 else "-inf"
    return f"{x:.4g}"


def _plain(value: Any) -> str:
    return value.item().__str__() if isinstance(value, np.generic) else str(value)


def json_block(value: Any) -> str:
    return json.dumps(value, indent=2, sort_keys=True, default=str)

