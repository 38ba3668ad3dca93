"""Correlation of forecast and truth: Pearson and Spearman, per member.

For each variable the correlation over time (and space points) between forecast and truth, then
the mean over variables; real parts of complex fields. Spearman correlates average ranks (ties
share their mean rank), as ``scipy.stats.spearmanr``. A variable that is constant in truth or
forecast makes the member NaN with a reason. Higher is better.
"""

from __future__ import annotations

from typing import ClassVar

import attrs
import numpy as np
import xarray as xr

from .support import ReasonedMetric, note_nan

__all__ = ["Pearson", "Spearman"]


def _correlation(a: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per (member, variable) Pearson correlation over time and space; ``(corr, defined)``."""
    members, variables = a.shape[0], a.shape[-1]
    a = np.moveaxis(a, -1, 1).reshape(members, variables, -1)
    b = np.moveaxis(b, -1, 1).reshape(members, variables, -1)
    a = a - a.mean(axis=-1, keepdims=True)
    b = b - b.mean(axis=-1, keepdims=True)
    denominator = np.sqrt((a * a).sum(axis=-1) * (b * b).sum(axis=-1))
    with np.errstate(divide="ignore", invalid="ignore"):
        return (a * b).sum(axis=-1) / denominator, denominator > 0


@attrs.define(frozen=True, kw_only=True)
class Pearson(ReasonedMetric):
    """Pearson correlation of forecast and truth per variable over time, mean over variables."""

    name: ClassVar[str] = "pearson"
    direction: ClassVar[str] = "higher"
    units: ClassVar[str] = ""
    definition: ClassVar[str] = (
        "Pearson correlation between forecast and truth over time (and space points) of each "
        "variable, mean over variables, per member; real parts of complex fields"
    )

    def _transform(self, x: np.ndarray) -> np.ndarray:
        return x

    def _compute(self, truth: xr.Dataset, forecast: xr.Dataset, *, context: xr.Dataset | None) -> np.ndarray:
        u = np.asarray(truth["state"].values).real.astype(float)
        v = np.asarray(forecast["state"].values).real.astype(float)
        finite = np.isfinite(v).reshape(v.shape[0], -1).all(axis=1)
        out = np.full(u.shape[0], np.nan)
        if finite.any():
            corr, defined = _correlation(self._transform(u[finite]), self._transform(v[finite]))
            out[finite] = np.where(defined.all(axis=1), corr.mean(axis=1), np.nan)
            for m in np.flatnonzero(finite)[~defined.all(axis=1)]:
                note_nan(int(m), "a variable is constant in truth or forecast: correlation undefined")
        return out


@attrs.define(frozen=True, kw_only=True)
class Spearman(Pearson):
    """Spearman rank correlation per variable over time (average ranks for ties), mean over variables."""

    name: ClassVar[str] = "spearman"
    definition: ClassVar[str] = (
        "Spearman rank correlation (Pearson correlation of average ranks over time and space "
        "points) between forecast and truth of each variable, mean over variables, per member"
    )

    def _transform(self, x: np.ndarray) -> np.ndarray:
        from scipy.stats import rankdata

        members, variables = x.shape[0], x.shape[-1]
        flat = np.moveaxis(x, -1, 1).reshape(members, variables, -1)
        ranks = rankdata(flat, axis=-1)
        return np.moveaxis(ranks.reshape(members, variables, *x.shape[1:-1]), 1, -1)
