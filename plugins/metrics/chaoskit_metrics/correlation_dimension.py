"""Correlation dimension: Grassberger–Procaccia (1983) and Takens' maximum-likelihood estimator (1985).

Per member, the correlation sum ``C(r)`` — the fraction of point pairs ``i < j`` with
``|i − j| >`` the Theiler window and ``‖y_i − y_j‖ ≤ r`` — is counted for every radius of a
logarithmic grid in one dual-tree pass (``scipy.spatial.cKDTree.count_neighbors``); the pairs
inside the Theiler window are counted directly (``n · w`` distances) and subtracted. No dense
distance matrix is formed.

- **Grassberger–Procaccia** ``D2``: least-squares slope of ``ln C`` against ``ln r`` over the
  scaling region. Automatic rule: among radii with at least ``min_pairs`` pairs and
  ``C(r) ≤ max_fraction``, the window of consecutive radii spanning ``decades`` decades of
  ``r`` (all of them when the range is narrower) whose local slopes ``d ln C / d ln r`` vary
  least (smallest standard deviation). ``uncertainty`` is that standard deviation.
- **Takens**: ``D_T = −1 / ⟨ln(r_ij / r_0)⟩`` over the pairs closer than ``r_0``, the upper end of
  the scaling region, from the same counts (``Σ ln(r_0/r_ij) = ∫_0^{r_0} N(r) dr / r``, integrated
  on the grid, the tail below the grid from the power law). Confidence interval from
  ``2 D_T Σ ~ χ²(2 N_pairs)``, which treats pairs as independent: it is optimistic.

Points beyond ``max_points`` are thinned by an even stride (the Theiler window shrinks by the
same stride). A dimension above the Eckmann–Ruelle bound ``2 log10 N`` cannot be resolved from
``N`` points: NaN with the reason recorded. So is a degenerate member: a constant series, or an
orbit collapsed onto a fixed point or a finite cycle (fewer than 100 distinct points, or at
least 1 % of the pairs at distance 0) — common for maps whose orbit from the
default initial state falls onto a periodic window.
"""

from __future__ import annotations

from typing import Any, ClassVar

import attrs
import chaoskit
import numpy as np
import xarray as xr
from chaoskit.data import MEMBER
from chaoskit.validators import choice, in_interval, integer, positive
from scipy.spatial import cKDTree
from scipy.spatial.distance import pdist
from scipy.stats import chi2

from .embedding import mean_period, member_points
from .support import ReasonedInvariant, note_nan

__all__ = ["CorrelationDimension", "correlation_sum"]

_MIN_POINTS = 100
_CHUNK = 1 << 22
_MAX_COINCIDENT = 0.01  # share of pairs at distance 0 that marks a collapsed orbit


@attrs.define(frozen=True, kw_only=True)
class CorrelationDimension(ReasonedInvariant):
    """Correlation dimension per member (Grassberger–Procaccia, or Takens' estimator).

    Parameters
    ----------
    estimator
        ``"gp"`` (default): Grassberger–Procaccia slope; ``"takens"``: maximum likelihood.
    variables, embedding_dimension, lag
        As in :class:`~chaoskit_metrics.max_lyapunov.MaxLyapunov`.
    theiler
        Theiler window in samples (of the series before thinning); ``None``: the mean period.
    max_points
        Points per member beyond which the cloud is thinned by an even stride (default 20,000).
    radii
        Number of radii (default 32), log-spaced from the 1st percentile of nearest-neighbour
        distances to 1.2 × the radius within which ``max_fraction`` of the pairs lie
        (estimated on ~2,000 evenly thinned points; the bounding-box diameter when
        ``max_fraction ≥ 0.5``). Larger radii are never in the scaling region and dominate the
        cost of the pair counting.
    fit
        Explicit scaling region ``(r_min, r_max)`` in data units; ``None``: automatic.
    decades, min_pairs, max_fraction
        The automatic rule (module docstring): window width in decades of ``r`` (default 1),
        fewest pairs at a usable radius (default 500), largest usable ``C(r)`` (default 0.1).
    confidence
        Level of Takens' interval (default 0.95).

    Notes
    -----
    The result ``(member,)`` is dimensionless with coordinates ``uncertainty``, ``fit_r_min``,
    ``fit_r_max``, ``gp`` and ``takens`` (both estimates), ``takens_low``/``takens_high``,
    ``points`` (used) and ``reason`` (why a member is NaN).
    """

    name: ClassVar[str] = "correlation_dimension"
    units: ClassVar[str] = ""
    definition: ClassVar[str] = (
        "Grassberger-Procaccia: slope of ln C(r) vs ln r over the scaling region (the flattest "
        "one-decade window of radii with >= 500 pairs and C <= 0.1), C the fraction of pairs "
        "outside the Theiler window closer than r; or Takens' maximum-likelihood estimate"
    )

    estimator: str = attrs.field(default="gp", validator=choice(("gp", "takens")))
    variables: tuple[str, ...] | None = attrs.field(
        default=None, converter=lambda v: (v,) if isinstance(v, str) else (tuple(v) if v is not None else None)
    )
    embedding_dimension: int | None = attrs.field(default=None, validator=integer(1, optional=True))
    lag: int | None = attrs.field(default=None, validator=integer(1, optional=True))
    theiler: int | None = attrs.field(default=None, validator=integer(0, optional=True))
    max_points: int = attrs.field(default=20_000, validator=integer(_MIN_POINTS))
    radii: int = attrs.field(default=32, validator=integer(8))
    fit: tuple[float, float] | None = attrs.field(
        default=None, converter=lambda v: None if v is None else tuple(map(float, v))
    )
    decades: float = attrs.field(default=1.0, validator=positive)
    min_pairs: int = attrs.field(default=500, validator=integer(1))
    max_fraction: float = attrs.field(default=0.1, validator=in_interval(0.0, 1.0))
    confidence: float = attrs.field(default=0.95, validator=in_interval(0.0, 1.0, closed_high=False))

    def __attrs_post_init__(self) -> None:
        if self.fit is not None and not (len(self.fit) == 2 and 0 < self.fit[0] < self.fit[1]):
            raise chaoskit.ParameterError(
                f"CorrelationDimension.fit must be (r_min, r_max) with 0 < r_min < r_max, got {self.fit!r}"
            )

    def _estimate(self, data: xr.Dataset | chaoskit.Dynamics) -> xr.DataArray:
        sums = correlation_sum(data, self)  # type: ignore[arg-type]
        members = sums.sizes[MEMBER]
        out = {key: np.full(members, np.nan) for key in
               ("gp", "takens", "takens_low", "takens_high", "uncertainty", "fit_r_min", "fit_r_max")}
        reasons = sums["reason"].values.astype(object)
        radius = sums["radius"].values
        pairs = sums["pairs"].values
        total = sums["total_pairs"].values
        for m in np.flatnonzero(reasons == ""):  # a handful of 48-point curves: no bulk work here
            reasons[m] = self._fit_member(radius[m], sums.values[m], pairs[m], total[m], out,
                                          int(m))
        value = out[self.estimator]
        points = sums["points"].values
        bound = 2 * np.log10(points)
        above = (value > bound) & (reasons == "")
        reasons[above] = [f"estimate {v:.2f} exceeds the Eckmann-Ruelle bound 2 log10 N = {b:.2f}"
                          for v, b in zip(value[above], bound[above])]
        value = np.where(reasons == "", value, np.nan)
        for i in np.flatnonzero(reasons != ""):
            note_nan(int(i), str(reasons[i]))
        coords = {MEMBER: sums[MEMBER].values, "points": (MEMBER, points),
                  "reason": (MEMBER, reasons.astype(str))}
        coords.update({k: (MEMBER, v) for k, v in out.items()})
        return xr.DataArray(value, dims=(MEMBER,), coords=coords, name=self.name,
                            attrs={**self.describe(), **sums.attrs})

    def _fit_member(
        self, r: np.ndarray, c: np.ndarray, pairs: np.ndarray, total: float, out: dict[str, Any], m: int
    ) -> str:
        if self.fit is not None:
            sel = (r >= self.fit[0]) & (r <= self.fit[1]) & (c > 0)
        else:
            usable = (pairs >= self.min_pairs) & (c <= self.max_fraction) & (c > 0)
            sel = _flattest_window(np.log(r), np.log(np.where(c > 0, c, 1.0)), usable, self.decades)
        if sel.sum() < 3:
            return "fewer than 3 radii in the scaling region (too few points, or a bad fit range)"
        x, y = np.log(r[sel]), np.log(c[sel])
        slope = np.polyfit(x, y, 1)[0]
        local = np.diff(y) / np.diff(x)
        r0 = r[sel][-1]
        n0 = c[sel][-1] * total
        inside = r <= r0
        log_sum = np.trapezoid(c[inside] * total, np.log(r[inside])) + c[0] * total / slope
        takens = n0 / log_sum
        alpha = 1.0 - self.confidence
        out["gp"][m], out["takens"][m] = slope, takens
        out["takens_low"][m] = chi2.ppf(alpha / 2, 2 * n0) / (2 * log_sum)
        out["takens_high"][m] = chi2.ppf(1 - alpha / 2, 2 * n0) / (2 * log_sum)
        out["uncertainty"][m] = local.std() if self.estimator == "gp" else (
            out["takens_high"][m] - out["takens_low"][m]) / 2
        out["fit_r_min"][m], out["fit_r_max"][m] = r[sel][0], r0
        return ""


def _flattest_window(x: np.ndarray, y: np.ndarray, usable: np.ndarray, decades: float) -> np.ndarray:
    """Mask of the usable window of ``≥ decades`` decades with the least varying local slope."""
    idx = np.flatnonzero(usable)
    mask = np.zeros(x.size, bool)
    if idx.size < 3:
        return mask
    # the longest run of consecutive usable radii
    runs = np.split(idx, np.flatnonzero(np.diff(idx) > 1) + 1)
    run = max(runs, key=len)
    span = decades * np.log(10.0)
    if x[run[-1]] - x[run[0]] <= span:
        mask[run] = True
        return mask
    best, best_sd = None, np.inf
    for i, start in enumerate(run):
        stop = np.searchsorted(x[run], x[start] + span - 1e-12)
        if stop >= run.size:
            break
        window = run[i : stop + 1]
        sd = float(np.std(np.diff(y[window]) / np.diff(x[window])))
        if sd < best_sd:
            best, best_sd = window, sd
    mask[best] = True
    return mask


def correlation_sum(ds: xr.Dataset, settings: CorrelationDimension | None = None, **kwargs: Any) -> xr.DataArray:
    """``C(r)`` per member on a log grid of radii: ``(member, r_index)`` with coordinates.

    Coordinates: ``radius`` and ``pairs`` ``(member, r_index)`` (pair counts outside the Theiler
    window), ``total_pairs`` (pairs outside the window), ``points`` and ``theiler`` (after
    thinning) and ``reason`` per member.
    """
    s = settings if settings is not None else CorrelationDimension(**kwargs)
    points, info = member_points(ds, variables=s.variables, dimension=s.embedding_dimension, lag=s.lag)
    members, n, _ = points.shape
    stride = int(np.ceil(n / s.max_points))
    points = points[:, ::stride]
    n_used = points.shape[1]
    if n_used < _MIN_POINTS:
        raise chaoskit.DataError(
            f"{s.name}: {n_used} points per member are too few (need at least {_MIN_POINTS}); use a "
            "longer series"
        )
    reasons = np.full(members, "", dtype=object)
    finite = np.isfinite(points.reshape(members, -1)).all(axis=1)
    reasons[~finite] = "non-finite values in the series"
    safe = np.where(finite[:, None, None], points, 0.0)
    period = mean_period(safe)
    reasons[~np.isfinite(period) & finite] = "constant series: no extent to measure"
    if s.theiler is not None:
        theiler = np.full(members, int(np.ceil(s.theiler / stride)), dtype=np.int64)
    else:
        theiler = np.ceil(np.where(np.isfinite(period), period, 0.0)).astype(np.int64)
    too_wide = (n_used - theiler < _MIN_POINTS) & (reasons == "")
    reasons[too_wide] = "the Theiler window leaves fewer than 100 points apart in time"
    radius = np.full((members, s.radii), np.nan)
    counts = np.full((members, s.radii), np.nan)
    pairs = np.full((members, s.radii), np.nan)
    total = np.full(members, np.nan)
    for m in np.flatnonzero(reasons == ""):  # one k-d tree per member: counts are per member
        try:
            radius[m], pairs[m], total[m] = _count(safe[m], int(theiler[m]), s.radii, s.max_fraction)
        except _Degenerate as exc:
            reasons[m] = str(exc)
            continue
        counts[m] = pairs[m] / total[m]
    attrs_ = {"stride": stride, **info}
    return xr.DataArray(
        counts, dims=(MEMBER, "r_index"),
        coords={MEMBER: ds[MEMBER].values, "radius": ((MEMBER, "r_index"), radius),
                "pairs": ((MEMBER, "r_index"), pairs), "total_pairs": (MEMBER, total),
                "points": (MEMBER, np.full(members, n_used)),
                "theiler": (MEMBER, theiler), "reason": (MEMBER, reasons.astype(str))},
        name="correlation_sum", attrs=attrs_,
    )


class _Degenerate(Exception):
    """A member's points cannot give a dimension (the reason is the message); never escapes."""


def _count(y: np.ndarray, w: int, size: int, max_fraction: float) -> tuple[np.ndarray, np.ndarray, float]:
    """Radii, pair counts outside the Theiler window ``w`` and the number of such pairs.

    Raises :class:`_Degenerate` for an orbit collapsed onto a fixed point or a finite cycle:
    fewer than 100 distinct points, or at least 1 % (or ``max_fraction``, if smaller) of the
    sampled pairs at distance 0: exact repeats, which a chaotic orbit in floating point does
    not produce, put a floor under ``C(r)`` at every radius.
    """
    n = y.shape[0]
    distinct = np.unique(y, axis=0).shape[0]
    if distinct < _MIN_POINTS:
        raise _Degenerate(
            f"degenerate orbit: only {distinct} distinct points of {n} (a fixed point or a finite "
            f"cycle; need at least {_MIN_POINTS}): no extent to measure"
        )
    tree = cKDTree(y)
    nearest = tree.query(y, k=2)[0][:, 1]
    positive_nn = nearest[nearest > 0]
    diameter = float(np.sqrt((np.ptp(y, axis=0) ** 2).sum()))
    # the largest radius: 1.2 × the one within which max_fraction of the pairs lie (estimated
    # on an evenly thinned sample of ~2,000 points); larger radii are never fitted, cost most
    sample = pdist(y[:: max(1, n // 2000)])
    if max_fraction >= 0.5 or sample.size == 0:
        high = diameter
    else:
        high = min(diameter, 1.2 * float(np.quantile(sample, max_fraction)))
    share = float(np.mean(sample == 0.0)) if sample.size else 1.0  # coincident pairs
    if not high > 0.0 or share >= min(max_fraction, _MAX_COINCIDENT):
        raise _Degenerate(
            f"degenerate orbit: {share:.0%} of the point pairs coincide (an orbit collapsed onto a "
            f"fixed point or a finite cycle after {distinct} distinct points): C(r) has that floor "
            "at every radius, no scaling region"
        )
    low = float(np.percentile(positive_nn, 1)) if positive_nn.size else high * 1e-3
    radius = np.geomspace(min(low, high / 10), high, size)
    ordered = tree.count_neighbors(tree, radius).astype(np.float64)  # i == j and both orders
    pairs = (ordered - n) / 2.0
    step = max(1, _CHUNK // max(1, n))
    for first in range(1, w + 1, step):  # pairs closer in time than the window
        lags = np.arange(first, min(first + step, w + 1))
        idx = np.arange(n)[:, None] + lags[None, :]
        ok = idx < n
        d = np.sqrt(((y[np.minimum(idx, n - 1)] - y[:, None]) ** 2).sum(axis=-1))[ok]
        pairs -= np.searchsorted(np.sort(d), radius, side="right")
    total = (n - w - 1) * (n - w) / 2.0
    return radius, pairs, total
