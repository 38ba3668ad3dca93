"""Marginal Wasserstein-1 distances between the truth's and the forecast's state distributions.

For each member and variable (feature), the 1-D Wasserstein-1 (earth mover's) distance between
the empirical distributions of the truth's and the forecast's values over time:

    W1 = ∫ |F_u(x) − F_f(x)| dx,

computed exactly from the sorted samples (for equal sample sizes ``mean |sort(u) − sort(f)|``;
otherwise the integral of the CDF difference over the merged sorted values, as
``scipy.stats.wasserstein_distance``). The metric averages over variables; with
``standardize=True`` each variable is first divided by the truth's standard deviation, so
variables of different scales weigh equally (the result is then in truth standard deviations).
Blind to temporal order and to correlations between variables: pair it with D_stsp and D_H.
"""

from __future__ import annotations

from typing import ClassVar

import attrs
import numpy as np
import xarray as xr

from .support import ReasonedMetric, feature_array, note_nan, per_feature

__all__ = ["MarginalWasserstein", "marginal_wasserstein", "wasserstein_1d"]


def wasserstein_1d(u: np.ndarray, v: np.ndarray) -> np.ndarray:
    """W1 between the samples along the last axis of ``u`` and ``v`` (leading axes broadcast)."""
    u, v = np.sort(u, axis=-1), np.sort(v, axis=-1)
    if u.shape[-1] == v.shape[-1]:
        return np.mean(np.abs(u - v), axis=-1)
    lead = np.broadcast_shapes(u.shape[:-1], v.shape[:-1])
    u = np.broadcast_to(u, lead + u.shape[-1:])
    v = np.broadcast_to(v, lead + v.shape[-1:])
    out = np.empty(lead)
    for index in np.ndindex(*lead):
        a, b = u[index], v[index]
        merged = np.sort(np.concatenate([a, b]))
        points, widths = merged[:-1], np.diff(merged)
        cdf_a = np.searchsorted(a, points, side="right") / len(a)
        cdf_b = np.searchsorted(b, points, side="right") / len(b)
        out[index] = np.sum(np.abs(cdf_a - cdf_b) * widths)
    return out


def marginal_wasserstein(truth: xr.Dataset, forecast: xr.Dataset, *, standardize: bool = False) -> xr.DataArray:
    """W1 per member and variable ``(member, variable)`` between truth and forecast marginals."""
    u, names = feature_array(truth)
    v, _ = feature_array(forecast)
    u, v = np.moveaxis(u, 1, -1), np.moveaxis(v, 1, -1)  # (member, feature, time)
    if standardize:
        scale = u.std(axis=-1, keepdims=True)
        with np.errstate(divide="ignore", invalid="ignore"):
            u, v = u / scale, v / scale
    return per_feature(wasserstein_1d(u, v), truth, names, name="wasserstein")


@attrs.define(frozen=True, kw_only=True)
class MarginalWasserstein(ReasonedMetric):
    """Mean over variables of the marginal Wasserstein-1 distances, per member.

    Parameters
    ----------
    standardize
        Divide each variable by the truth's standard deviation (per member) first; default
        False (distances in the data's units).
    """

    name: ClassVar[str] = "wasserstein"
    kind: ClassVar[str] = "long_term"
    units: ClassVar[str] = "state"
    aligned: ClassVar[bool] = False
    definition: ClassVar[str] = (
        "mean over variables of the 1-D Wasserstein-1 distance between the empirical distributions "
        "over time of truth and forecast values (exact, from sorted samples), per member; "
        "optionally in units of the truth's std per variable"
    )

    standardize: bool = attrs.field(default=False)

    def _compute(self, truth: xr.Dataset, forecast: xr.Dataset, *, context: xr.Dataset | None) -> np.ndarray:
        u, _ = feature_array(truth)
        v, _ = feature_array(forecast)
        finite = np.isfinite(v).reshape(v.shape[0], -1).all(axis=1)
        out = np.full(u.shape[0], np.nan)
        for m in np.flatnonzero(~finite):
            note_nan(int(m), "forecast holds non-finite values")
        if finite.any():
            a, b = np.moveaxis(u[finite], 1, -1), np.moveaxis(v[finite], 1, -1)
            if self.standardize:
                scale = a.std(axis=-1, keepdims=True)
                if np.any(scale == 0):
                    for m in np.flatnonzero(finite)[np.any(scale[..., 0] == 0, axis=1)]:
                        note_nan(int(m), "a truth variable is constant: cannot standardize")
                with np.errstate(divide="ignore", invalid="ignore"):
                    a, b = a / scale, b / scale
            out[finite] = wasserstein_1d(a, b).mean(axis=-1)
        return out
