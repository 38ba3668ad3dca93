"""Scaling studies: a power law of a metric versus model size or amount of data.

A benchmark holds a scaling study when one of its axes is a numeric size with at least three
values: a ``sweep`` over one numeric hyperparameter of a model (``units``, ``latent_dim`` …;
the other hyperparameters fixed), or a numeric data dimension (``train_length``,
``granularity`` …). For every metric, system (at every combination of the other data
settings) and model family along such an axis, :func:`scaling_studies` takes the median over
seeds at each size and fits ``y = a · x^b`` by least squares on ``log y`` against ``log x``
(the "model scale versus domain knowledge" and neural-scaling-law analyses). Points that are
not finite and positive are left out; a series with fewer than three usable points gets no
fit. The exponent's standard error is the ordinary least-squares one (it assumes independent
log-normal scatter, so read it as a rough guide with few points).
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Mapping, Sequence
from typing import Any

import attrs
import numpy as np
import xarray as xr

from ..data import decode_attrs
from .tables import metric_info

__all__ = ["PowerLaw", "ScalingSeries", "fit_power_law", "scaling_studies"]

#: Dims of a result that are never a scaling axis.
_NOT_AXES = frozenset({"system", "model", "seed", "member", "lead", "sample", "component"})


@attrs.frozen
class PowerLaw:
    """``y = prefactor · x^exponent`` fitted in log-log space on ``points`` points."""

    prefactor: float
    exponent: float
    exponent_se: float
    r2: float
    points: int

    def __call__(self, x: Any) -> np.ndarray:
        return self.prefactor * np.asarray(x, dtype=float) ** self.exponent


@attrs.frozen
class ScalingSeries:
    """One metric of one model family on one task along one axis, and its fit (or ``None``)."""

    metric: str
    variable: str
    task: str
    family: str
    axis: str
    x: np.ndarray
    y: np.ndarray
    fit: PowerLaw | None


def fit_power_law(
    x: Sequence[float] | np.ndarray, y: Sequence[float] | np.ndarray
) -> PowerLaw | None:
    """Least-squares fit of ``log y = log a + b log x`` over the finite, positive points.

    Returns ``None`` with fewer than three usable points or fewer than two distinct sizes.
    """
    xa, ya = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    ok = np.isfinite(xa) & np.isfinite(ya) & (xa > 0) & (ya > 0)
    lx, ly = np.log(xa[ok]), np.log(ya[ok])
    n = lx.size
    if n < 3 or np.unique(lx).size < 2:
        return None
    design = np.stack([np.ones(n), lx], axis=1)
    coef, *_ = np.linalg.lstsq(design, ly, rcond=None)
    residual = ly - design @ coef
    ss_res = float(residual @ residual)
    ss_tot = float(((ly - ly.mean()) ** 2).sum())
    sxx = float(((lx - lx.mean()) ** 2).sum())
    se = math.sqrt(ss_res / (n - 2) / sxx) if n > 2 else math.nan
    r2 = 1.0 - ss_res / ss_tot if ss_tot > 0 else 1.0
    return PowerLaw(prefactor=float(math.exp(coef[0])), exponent=float(coef[1]), exponent_se=se,
                    r2=r2, points=n)


def scaling_studies(ds: xr.Dataset) -> list[ScalingSeries]:
    """Every scaling series of a benchmark result (see the module docstring)."""
    series: list[ScalingSeries] = []
    metrics = metric_info(ds)
    data_dims = [str(d) for d in ds["status"].dims if d not in _NOT_AXES]
    families = _model_families(ds)
    for label, var in metrics:
        median = ds[var].median("seed", skipna=True)
        for family, (axis, labels, sizes) in families.items():
            for task, sel in _tasks(ds, data_dims):
                y = np.array([float(median.sel(model=m, **sel)) for m in labels])
                series.append(_series(label, var, task, family, axis, sizes, y))
        for axis in data_dims:
            values = _numeric(ds[axis].values)
            if values is None or np.unique(values).size < 3:
                continue
            others = [d for d in data_dims if d != axis]
            for model in ds["model"].values:
                for task, sel in _tasks(ds, others):
                    y = median.sel(model=model, **sel).transpose(axis).values.astype(float)
                    series.append(_series(label, var, task, str(model), axis, values, y))
    return series


def _series(label: str, var: str, task: str, family: str, axis: str, x: np.ndarray, y: np.ndarray) -> ScalingSeries:
    order = np.argsort(x)
    x, y = np.asarray(x, dtype=float)[order], np.asarray(y, dtype=float)[order]
    return ScalingSeries(metric=label, variable=var, task=task, family=family, axis=axis, x=x, y=y,
                         fit=fit_power_law(x, y))


def _tasks(ds: xr.Dataset, dims: Sequence[str]) -> list[tuple[str, dict[str, Any]]]:
    out = []
    for system in ds["system"].values:
        for combo in itertools.product(*(ds[d].values for d in dims)):
            sel = {"system": system, **dict(zip(dims, combo))}
            extra = ", ".join(f"{d}={v}" for d, v in zip(dims, combo))
            out.append((f"{system} ({extra})" if extra else str(system), sel))
    return out


def _model_families(ds: xr.Dataset) -> dict[str, tuple[str, list[str], np.ndarray]]:
    """``family -> (axis, model labels, sizes)`` for each model swept over one numeric field.

    Models of the same registered name whose hyperparameters differ in exactly one numeric
    field (the same one throughout) and take at least three values of it form a family.
    """
    config = decode_attrs(ds.attrs).get("config", {}) or {}
    present = {str(m) for m in ds["model"].values}
    groups: dict[str, list[Mapping[str, Any]]] = {}
    for spec in config.get("models", []):
        if spec.get("label") in present:
            groups.setdefault(str(spec["name"]), []).append(spec)
    out: dict[str, tuple[str, list[str], np.ndarray]] = {}
    for name, specs in groups.items():
        if len(specs) < 3:
            continue
        keys = set().union(*(s.get("params", {}).keys() for s in specs))
        varying = [k for k in sorted(keys)
                   if len({repr(s.get("params", {}).get(k)) for s in specs}) > 1]
        if len(varying) != 1:
            continue
        axis = varying[0]
        sizes = _numeric([s.get("params", {}).get(axis) for s in specs])
        if sizes is None or np.unique(sizes).size < 3:
            continue
        family = f"{name} vs {axis}"
        out[family] = (axis, [str(s["label"]) for s in specs], sizes)
    return out


def _numeric(values: Any) -> np.ndarray | None:
    try:
        array = np.asarray(list(values), dtype=float)
    except (TypeError, ValueError):
        return None
    if any(isinstance(v, (bool, np.bool_)) for v in values) or not np.all(np.isfinite(array)):
        return None
    return array
