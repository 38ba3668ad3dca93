"""The largest Lyapunov exponent from data: Rosenstein et al. (1993) and Kantz (1994).

For every point ``y_i`` of a member's cloud (state or delay vectors) take its nearest neighbours
``y_j`` with ``|i − j| >`` the Theiler window, follow both for ``k = 0 … K`` samples and average
the log distance:

- Rosenstein: ``S(k) = ⟨ ln ‖y_{i+k} − y_{j(i)+k}‖ ⟩_i`` with the single nearest neighbour;
- Kantz (fixed-mass variant): ``S(k) = ⟨ ln ⟨‖y_{i+k} − y_{j+k}‖⟩_{j ∈ U_i} ⟩_i`` over the
  ``neighbours`` nearest points ``U_i`` (Kantz's ε-ball replaced by a fixed count, as in
  ChaosTools' ``lyapunov_from_data``).

λ1 is the slope of ``S`` against time (``k · dt``, so the exponent is per time unit, not per
sample) over the linear region: explicit (``fit=(t_start, t_end)``) or automatic — from the
first lag where ``S`` has risen by ``auto_fit[0]`` of its total rise ``max S − S(0)`` to the
first where it has risen by ``auto_fit[1]`` (default 10 % to 60 %: past the initial alignment
of the separation with the unstable direction, before the saturation at the attractor's size).
Euclidean distances throughout. Neighbours come from one k-d tree for all members
(:mod:`chaoskit_metrics.neighbours`).
"""

from __future__ import annotations

from typing import Any, ClassVar, cast

import attrs
import chaoskit
import numpy as np
import xarray as xr
from chaoskit import DataError, ParameterError
from chaoskit.data import MEMBER
from chaoskit.validators import choice, integer

from .embedding import mean_period, member_points
from .neighbours import neighbours_outside_window
from .support import ReasonedInvariant, note_nan

__all__ = ["MaxLyapunov", "divergence_curve"]

LAG = "lag"
_MIN_POINTS = 100
_CHUNK = 1 << 22  # gathered floats per block of lags (32 MB)
_MAX_LAGS = 256  # S(k) is evaluated at most at this many lags, evenly spaced up to the horizon


def _fractions(instance: Any, attribute: Any, value: Any) -> None:
    lo, hi = value
    if not 0.0 <= lo < hi <= 1.0:
        raise ParameterError(f"MaxLyapunov.auto_fit must be two fractions 0 <= lo < hi <= 1, got {value!r}")


def _window(instance: Any, attribute: Any, value: Any) -> None:
    if value is not None and not (len(value) == 2 and 0.0 <= value[0] < value[1]):
        raise ParameterError(f"MaxLyapunov.fit must be (t_start, t_end) with 0 <= t_start < t_end, got {value!r}")


@attrs.define(frozen=True, kw_only=True)
class MaxLyapunov(ReasonedInvariant):
    """Largest Lyapunov exponent per member from a trajectory set (Rosenstein or Kantz).

    Parameters
    ----------
    method
        ``"rosenstein"`` (default) or ``"kantz"``.
    variables
        Variables used (default all; a field's space points count as coordinates).
    embedding_dimension, lag
        Delay embedding of each selected variable: dimension ``m`` and lag in samples; both or
        neither. A single variable needs them.
    theiler
        Theiler window in samples; ``None``: the mean period of each member (rounded up).
    horizon
        Samples ``K`` each pair is followed; ``None``: ``10 ×`` the Theiler window (at least 10).
    neighbours
        Neighbours per point for ``kantz`` (default 8; ``rosenstein`` uses 1).
    fit
        Explicit fit region ``(t_start, t_end)`` in time units of lag; ``None``: automatic.
    auto_fit
        Fractions of the total rise of ``S`` that bound the automatic fit region.

    Notes
    -----
    The result ``(member,)`` is in 1/time (the dataset's ``dt``), with coordinates
    ``uncertainty`` (standard error of the fitted slope), ``fit_start``, ``fit_end``,
    ``theiler`` and ``reason`` (why a member is NaN: too short, constant, no neighbours, …).
    A member needs at least ``K + max(100, 2 w + 2)`` points (``w`` the Theiler window) after
    the embedding; shorter series raise :class:`chaoskit.DataError`.
    """

    name: ClassVar[str] = "max_lyapunov"
    units: ClassVar[str] = "1/time"
    definition: ClassVar[str] = (
        "slope over time of S(k) = mean_i ln |y_{i+k} - y_{j(i)+k}| (Rosenstein; Kantz: ln of the "
        "mean over the nearest neighbours), j outside the Theiler window; automatic fit from "
        "10% to 60% of the rise of S"
    )

    method: str = attrs.field(default="rosenstein", validator=choice(("rosenstein", "kantz")))
    variables: tuple[str, ...] | None = attrs.field(
        default=None, converter=lambda v: (v,) if isinstance(v, str) else (tuple(v) if v is not None else None)
    )
    embedding_dimension: int | None = attrs.field(default=None, validator=integer(1, optional=True))
    lag: int | None = attrs.field(default=None, validator=integer(1, optional=True))
    theiler: int | None = attrs.field(default=None, validator=integer(0, optional=True))
    horizon: int | None = attrs.field(default=None, validator=integer(2, optional=True))
    neighbours: int = attrs.field(default=8, validator=integer(1))
    fit: tuple[float, float] | None = attrs.field(
        default=None, converter=lambda v: None if v is None else tuple(map(float, v)), validator=_window
    )
    auto_fit: tuple[float, float] = attrs.field(
        default=(0.1, 0.6), converter=lambda v: tuple(map(float, v)), validator=_fractions
    )

    def _estimate(self, data: xr.Dataset | chaoskit.Dynamics) -> xr.DataArray:
        curve = divergence_curve(data, self)  # type: ignore[arg-type]
        values, stderr, start, end, reasons = _fit(curve.values, curve[LAG].values, self.fit, self.auto_fit)
        reasons = np.where(curve["reason"].values != "", curve["reason"].values, reasons)
        values = np.where(reasons == "", values, np.nan)
        for i in np.flatnonzero(reasons != ""):
            note_nan(int(i), str(reasons[i]))
        attrs_ = {**self.describe(), **curve.attrs}
        return xr.DataArray(
            values, dims=(MEMBER,),
            coords={MEMBER: curve[MEMBER].values, "uncertainty": (MEMBER, stderr),
                    "fit_start": (MEMBER, start), "fit_end": (MEMBER, end),
                    "theiler": (MEMBER, curve["theiler"].values),
                    "horizon": (MEMBER, curve["horizon"].values), "reason": (MEMBER, reasons)},
            name=self.name, attrs=attrs_,
        )


def divergence_curve(ds: xr.Dataset, settings: MaxLyapunov | None = None, **kwargs: Any) -> xr.DataArray:
    """The mean log divergence ``S(k)`` per member: ``(member, lag_index)``.

    The lags of each member (its own horizon, at most 256 of them evenly spaced) are in the
    coordinate ``lag`` ``(member, lag_index)`` in time units, NaN-padded; so is the curve.
    ``settings`` (or keyword arguments for a :class:`MaxLyapunov`) choose the method, embedding,
    Theiler window and horizon. Every member's curve depends on that member's data only.
    Members that cannot be estimated hold NaN with a ``reason``.
    """
    s = settings if settings is not None else MaxLyapunov(**kwargs)
    dt = ds.chaos.dt
    points, info = member_points(ds, variables=s.variables, dimension=s.embedding_dimension, lag=s.lag)
    members, n, _ = points.shape
    reasons = np.full(members, "", dtype=object)
    finite = np.isfinite(points.reshape(members, -1)).all(axis=1)
    reasons[~finite] = "non-finite values in the series"
    safe = np.where(finite[:, None, None], points, 0.0)
    period = mean_period(safe)
    reasons[~np.isfinite(period) & finite] = "constant series: no divergence to measure"
    if s.theiler is not None:
        theiler = np.full(members, s.theiler, dtype=np.int64)
    else:
        theiler = np.ceil(np.where(np.isfinite(period), period, 1.0)).astype(np.int64)
    horizon = np.full(members, s.horizon, dtype=np.int64) if s.horizon is not None \
        else np.maximum(10 * theiler, 10)
    need = horizon + np.maximum(_MIN_POINTS, 2 * theiler + 2)
    if np.any((n < need) & (reasons == "")):
        worst = int(np.argmax(np.where(reasons == "", need, 0)))
        raise DataError(
            f"{s.name}: {n} points per member are too few for a horizon of {horizon[worst]} "
            f"samples and a Theiler window of {theiler[worst]} samples (need at least "
            f"{need[worst]}); use a longer series, or give a shorter horizon= (it must still "
            "reach the saturation of S)"
        )
    count = 1 if s.method == "rosenstein" else s.neighbours
    active = reasons == ""
    usable = (np.arange(n)[None, :] < (n - horizon)[:, None]) & active[:, None]
    index = neighbours_outside_window(safe, count, theiler, usable)[0]
    found = cast(np.ndarray, (index >= 0).all(axis=-1))  # (members, n); an array, not a scalar
    lonely = (found.sum(axis=1) < 10) & (reasons == "")
    reasons[lonely] = "fewer than 10 points have neighbours outside the Theiler window"
    lags = _lag_grid(horizon)
    curve = _log_divergence(safe, np.where(index >= 0, index, 0), found, lags, s.method)
    bad = reasons != ""
    curve[bad] = np.nan
    lag_time = np.where(lags >= 0, lags * dt, np.nan)
    attrs_ = {"dt": dt, "method": s.method, "neighbours": count, "points": n, **info}
    return xr.DataArray(
        curve, dims=(MEMBER, "lag_index"),
        coords={MEMBER: ds[MEMBER].values, LAG: ((MEMBER, "lag_index"), lag_time),
                "theiler": (MEMBER, theiler), "horizon": (MEMBER, horizon),
                "reason": (MEMBER, reasons.astype(str))},
        name="log_divergence", attrs=attrs_,
    )


def _lag_grid(horizon: np.ndarray) -> np.ndarray:
    """Per member, ``min(K + 1, 256)`` lags evenly spaced in ``[0, K]``; ``-1`` pads."""
    size = int(np.minimum(horizon + 1, _MAX_LAGS).max())
    grid = np.full((horizon.size, size), -1, dtype=np.int64)
    for m, k in enumerate(horizon):  # building an index table: one linspace per member
        row = np.unique(np.linspace(0, k, min(int(k) + 1, _MAX_LAGS)).round().astype(np.int64))
        grid[m, : row.size] = row
    return grid


def _log_divergence(
    points: np.ndarray, index: np.ndarray, found: np.ndarray, lags: np.ndarray, method: str
) -> np.ndarray:
    """``S(k)`` at each member's lags ``(members, L)`` (``-1`` pads give NaN), blockwise."""
    members, n, dim = points.shape
    count = index.shape[2]
    member = np.arange(members)[:, None, None]
    own = np.arange(n)[None, :, None]
    block = max(1, _CHUNK // max(1, members * n * count * dim))
    out = np.full(lags.shape, np.nan)
    for b0 in range(0, lags.shape[1], block):
        k = lags[:, None, b0 : b0 + block]  # (M, 1, L)
        valid = (k >= 0) & found[..., None]  # (M, n, L): found points have K future samples
        a_idx = np.where(valid, own + k, 0)
        a = points[member, a_idx]  # (M, n, L, D)
        b_idx = np.where(valid[:, :, None], index[..., None] + k[:, :, None], 0)
        b = points[member[..., None], b_idx]  # (M, n, count, L, D)
        dist = np.sqrt(((b - a[:, :, None]) ** 2).sum(axis=-1))  # (M, n, count, L)
        with np.errstate(divide="ignore"):
            logd = np.log(dist[:, :, 0] if method == "rosenstein" else dist.mean(axis=2))
        ok = valid & np.isfinite(logd)
        with np.errstate(invalid="ignore", divide="ignore"):
            s = np.where(ok, logd, 0.0).sum(axis=1) / ok.sum(axis=1)
        out[:, b0 : b0 + block] = np.where(lags[:, b0 : b0 + block] >= 0, s, np.nan)
    return out


def _fit(
    curve: np.ndarray, time: np.ndarray, window: tuple[float, float] | None, fractions: tuple[float, float]
) -> tuple[np.ndarray, ...]:
    """Least-squares slope of every member's curve over its own fit region, with its standard error.

    Vectorized over members: ``curve`` and ``time`` are ``(members, L)``, NaN-padded; each
    member's region is a boolean mask over its lags.
    """
    members, lags = curve.shape
    reasons = np.full(members, "", dtype=object)
    present = np.isfinite(time)
    finite = (np.isfinite(curve) | ~present).all(axis=1) & present.any(axis=1)
    reasons[~finite] = "divergence curve is not finite"
    y = np.where(finite[:, None] & present, curve, -np.inf)
    t = np.where(present, time, 0.0)
    if window is not None:
        mask = present & (t >= window[0]) & (t <= window[1])
    else:
        top = y.max(axis=1)
        rise = np.where(finite, top - np.where(finite, y[:, 0], 0.0), 0.0)
        reasons[finite & ~(rise > 0)] = "the separation does not grow (no positive exponent)"
        first = np.argmax(y >= (y[:, 0] + fractions[0] * rise)[:, None], axis=1)
        last = np.argmax(y >= (y[:, 0] + fractions[1] * rise)[:, None], axis=1)
        k = np.arange(lags)[None, :]
        mask = (k >= first[:, None]) & (k <= last[:, None]) & present
    y = np.where(mask, y, 0.0)
    count = mask.sum(axis=1)
    short = (count < 3) & (reasons == "")
    reasons[short] = "the fit region holds fewer than 3 lags; lengthen the series or the horizon"
    w = mask.astype(float)
    n = np.maximum(count, 1)
    t_mean = (w * t).sum(axis=1) / n
    y_mean = (w * y).sum(axis=1) / n
    dt_ = (t - t_mean[:, None]) * w
    sxx = (dt_**2).sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        slope = (dt_ * (y - y_mean[:, None])).sum(axis=1) / sxx
        resid = (y - y_mean[:, None] - slope[:, None] * (t - t_mean[:, None])) * w
        stderr = np.sqrt((resid**2).sum(axis=1) / np.maximum(count - 2, 1) / sxx)
    start = np.where(count > 0, t[np.arange(members), np.argmax(mask, axis=1)], np.nan)
    end = np.where(count > 0, t[np.arange(members), lags - 1 - np.argmax(mask[:, ::-1], axis=1)], np.nan)
    bad = reasons != ""
    slope[bad], stderr[bad], start[bad], end[bad] = np.nan, np.nan, np.nan, np.nan
    return slope, stderr, start, end, reasons.astype(str)
