"""Scaled short-term errors: NRMSE and MASE.

Both are per member over the forecast window and reuse :mod:`chaoskit_metrics.short_term`'s
per-member reduction (``member_mean``); complex fields use moduli of differences. Correlations
are in :mod:`chaoskit_metrics.correlation`, horizoned variants in :mod:`chaoskit_metrics.horizon`.

- ``nrmse``: ``sqrt(mean over time and features of ((f − u)/s)²)`` with ``s`` the truth's
  standard deviation of each variable (``normalization="std"``, default; dysts and Vlachas et
  al. 2020) or its range max − min (``"range"``), computed per member over the window's time
  steps and space points — or over the ``context`` when ``scale_from="context"``.
- ``mase``: ``mean |f − u| / mean |y_t − y_{t−m}|``, the denominator the in-sample error of the
  naive (seasonal, ``m = 1``: persistence) one-step forecast on the context when one is given
  (Hyndman & Koehler 2006), else on the truth window itself (dysts' default).
"""

from __future__ import annotations

from typing import ClassVar

import attrs
import chaoskit
import numpy as np
import xarray as xr
from chaoskit.validators import choice, integer

from .short_term import as_float, member_mean
from .support import ReasonedMetric, note_nan

__all__ = ["MASE", "NRMSE"]


def _per_variable_stat(u: np.ndarray, how: str) -> np.ndarray:
    """Spread of each (member, variable) over time and space points, broadcastable to ``u``."""
    axes = tuple(range(1, u.ndim - 1))
    if how == "std":
        return np.sqrt(np.mean(np.abs(u - u.mean(axis=axes, keepdims=True)) ** 2, axis=axes, keepdims=True))
    real = u.real
    return real.max(axis=axes, keepdims=True) - real.min(axis=axes, keepdims=True)


@attrs.define(frozen=True, kw_only=True)
class NRMSE(ReasonedMetric):
    """Normalized root-mean-square error per member (see the module docstring).

    Parameters
    ----------
    normalization
        ``"std"`` (default) or ``"range"`` of the truth, per member and variable.
    scale_from
        ``"truth"`` (default: the forecast window) or ``"context"`` (the context's spread,
        e.g. the long-run standard deviation; requires ``context``).
    """

    name: ClassVar[str] = "nrmse"
    units: ClassVar[str] = ""
    definition: ClassVar[str] = (
        "sqrt(mean over time and features of ((forecast - truth) / s)^2), s the truth's std (or range) "
        "of each variable over the member's window (or its context), per member"
    )

    normalization: str = attrs.field(default="std", validator=choice(("std", "range")))
    scale_from: str = attrs.field(default="truth", validator=choice(("truth", "context")))

    def _compute(self, truth: xr.Dataset, forecast: xr.Dataset, *, context: xr.Dataset | None) -> np.ndarray:
        u, v = as_float(truth["state"].values), as_float(forecast["state"].values)
        if self.scale_from == "context":
            if context is None:
                raise chaoskit.DataError("nrmse: scale_from='context' needs the context passed to the metric")
            scale = _per_variable_stat(as_float(context["state"].values), self.normalization)
        else:
            scale = _per_variable_stat(u, self.normalization)
        bad = ~(scale > 0).reshape(scale.shape[0], -1).all(axis=1)
        for m in np.flatnonzero(bad):
            note_nan(int(m), f"a variable of the {self.scale_from} is constant: its {self.normalization} is 0")
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            out = np.sqrt(member_mean((np.abs(v - u) / scale) ** 2))
        return np.where(bad, np.nan, out)


@attrs.define(frozen=True, kw_only=True)
class MASE(ReasonedMetric):
    """Mean absolute scaled error per member (Hyndman & Koehler 2006).

    Parameters
    ----------
    season
        Lag ``m`` of the naive forecast ``ŷ_t = y_{t−m}`` (1: persistence).

    Notes
    -----
    Scale: the naive forecast's mean absolute one-step error over the ``context`` when given
    (the in-sample series, the textbook definition), else over the truth window (dysts'
    default). The result's attrs say which (``scale_source``).
    """

    name: ClassVar[str] = "mase"
    units: ClassVar[str] = ""
    definition: ClassVar[str] = (
        "mean |forecast - truth| / mean |y_t - y_{t-season}| per member, y the context (in-sample "
        "naive seasonal forecast; persistence for season 1) or, without context, the truth window"
    )

    season: int = attrs.field(default=1, validator=integer(1))

    def __call__(self, truth: xr.Dataset, forecast: xr.Dataset, *, context: xr.Dataset | None = None) -> xr.DataArray:
        """Score per member; attrs ``scale_source`` names the series the naive error came from."""
        result = super().__call__(truth, forecast, context=context)
        result.attrs["scale_source"] = "context" if context is not None else "truth"
        return result

    def _compute(self, truth: xr.Dataset, forecast: xr.Dataset, *, context: xr.Dataset | None) -> np.ndarray:
        u, v = as_float(truth["state"].values), as_float(forecast["state"].values)
        y = u if context is None else as_float(context["state"].values)
        if y.shape[1] <= self.season:
            raise chaoskit.DataError(
                f"mase: the {'context' if context is not None else 'truth'} has {y.shape[1]} time points, "
                f"too few for a naive forecast at lag {self.season}"
            )
        scale = member_mean(np.abs(y[:, self.season:] - y[:, :-self.season]))
        for m in np.flatnonzero(~(scale > 0)):
            note_nan(int(m), "the naive forecast is exact (constant series): the scale is 0")
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            return np.where(scale > 0, member_mean(np.abs(v - u)) / scale, np.nan)
