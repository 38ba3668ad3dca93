"""State-space divergence D_stsp, binned (Hess et al. 2023), and the method-choosing ``dstsp``.

Binned D_stsp of one truth/forecast pair, ``N`` state dimensions (features):

- per dimension ``n_bins = 30`` equal bins on ``[min − 0.1σ, max + 0.1σ]`` of the *truth*
  (σ its standard deviation); a point lies in a bin as in ``numpy.histogramdd`` (left edge
  inclusive, the last bin also holds the right edge); forecast points outside the box are
  dropped;
- counts ``h`` of the occupied bins only: a sparse histogram over the unique bin-index tuples
  (flat int64 codes while ``n_bins^N < 2^62``, rows otherwise), never a dense ``n_bins^N``
  array, counts in 64 bits (the Julia anchor counts in UInt16 and overflows at 65,535 per bin;
  the Python anchor drops every point whose bin index is 0 — both avoided, both tested);
- Laplace smoothing ``p = (h + α) / (Σh + α·n_bins^N)``, α = 1e-5, for truth and forecast;
- ``KL(p_true ‖ p_gen) = Σ_bins p log(p/q)``: the occupied bins summed explicitly, the
  ``n_bins^N − U`` bins empty in both added in closed form.

NaN with a reason when no forecast point falls in the box or a truth variable is constant.
Units: nats. The binned version suits N < 6; :mod:`chaoskit_metrics.dstsp_gmm` covers N ≥ 6
and ``StateSpaceDivergence(method="auto")`` picks between them (as Hess et al. do).
"""

from __future__ import annotations

from typing import Any, ClassVar

import attrs
import numpy as np
import xarray as xr
from chaoskit.validators import choice, integer, nonnegative, positive

from .dstsp_gmm import gmm_kl
from .support import ReasonedMetric, feature_array, finite_members, note_nan

__all__ = ["BinnedStateSpaceDivergence", "StateSpaceDivergence", "bin_indices", "binned_kl", "sparse_histogram"]

GMM_FROM_DIMENSION = 6


def bin_indices(x: np.ndarray, edges: list[np.ndarray]) -> np.ndarray:
    """Bin index ``(T, N)`` of every point; ``-1`` in a dimension where it lies outside the edges.

    The semantics of ``numpy.histogramdd``: left edges inclusive, the right edge in the last bin.
    """
    out = np.empty(x.shape, dtype=np.int64)
    for d, e in enumerate(edges):
        n_bins = len(e) - 1
        column = x[:, d]
        index = np.searchsorted(e, column, side="right") - 1
        index[column == e[-1]] = n_bins - 1
        index[~((column >= e[0]) & (column <= e[-1]))] = -1  # also NaN
        out[:, d] = index
    return out


def sparse_histogram(index: np.ndarray, n_bins: int) -> tuple[np.ndarray, np.ndarray]:
    """Occupied bins and their int64 counts from in-range bin indices ``(T, N)``.

    Keys are flat int64 codes ``Σ_d i_d · n_bins^d`` when ``n_bins^N < 2^62``, else the index
    rows themselves (shape ``(U, N)``).
    """
    dims = index.shape[1]
    if dims * np.log2(n_bins) < 62:
        weights = n_bins ** np.arange(dims, dtype=np.int64)
        keys, counts = np.unique(index @ weights, return_counts=True)
    else:
        keys, counts = np.unique(index, axis=0, return_counts=True)
    return keys, counts.astype(np.int64)


def binned_kl(
    truth: np.ndarray, forecast: np.ndarray, *, n_bins: int = 30, alpha: float = 1e-5, margin: float = 0.1
) -> tuple[float, str]:
    """Binned ``KL(p_true ‖ p_gen)`` of two point clouds ``(T, N)``; ``(nan, reason)`` when undefined.

    See the module docstring for the exact recipe. Returns ``(value, "")`` on success.
    """
    sigma = truth.std(axis=0)
    if np.any(sigma == 0):
        return float("nan"), f"truth dimension {int(np.argmin(sigma))} is constant: the bin range is empty"
    lo, hi = truth.min(axis=0) - margin * sigma, truth.max(axis=0) + margin * sigma
    edges = [np.linspace(lo[d], hi[d], n_bins + 1) for d in range(truth.shape[1])]
    it, ig = bin_indices(truth, edges), bin_indices(forecast, edges)
    ig = ig[(ig >= 0).all(axis=1)]
    if len(ig) == 0:
        return float("nan"), "no forecast point falls inside the truth's bin range"
    keys_t, counts_t = sparse_histogram(it, n_bins)
    keys_g, counts_g = sparse_histogram(ig, n_bins)
    keys = np.concatenate([keys_t, keys_g])
    union, inverse = np.unique(keys, axis=0 if keys.ndim > 1 else None, return_inverse=True)
    inverse = inverse.ravel()
    h_t = np.bincount(inverse[: len(keys_t)], weights=counts_t, minlength=len(union))
    h_g = np.bincount(inverse[len(keys_t):], weights=counts_g, minlength=len(union))
    total_bins = float(n_bins) ** truth.shape[1]
    z_t = float(counts_t.sum()) + alpha * total_bins
    z_g = float(counts_g.sum()) + alpha * total_bins
    p, q = (h_t + alpha) / z_t, (h_g + alpha) / z_g
    occupied = float(np.sum(p * np.log(p / q)))
    empty = (total_bins - len(union)) * (alpha / z_t) * np.log(z_g / z_t)
    return occupied + empty, ""


@attrs.define(frozen=True, kw_only=True)
class BinnedStateSpaceDivergence(ReasonedMetric):
    """Binned state-space divergence D_stsp per member (Hess et al. 2023), in nats.

    Parameters
    ----------
    n_bins
        Bins per dimension (30).
    alpha
        Laplace smoothing pseudo-count per bin (1e-5).
    margin
        The box is ``[min − margin·σ, max + margin·σ]`` of the truth per dimension (0.1).

    Notes
    -----
    Distributional: truth and forecast need the same members and variables, not the same
    times (``aligned = False``). Each forecast member is compared with its own truth member.
    """

    name: ClassVar[str] = "dstsp_binned"
    kind: ClassVar[str] = "long_term"
    units: ClassVar[str] = "nats"
    aligned: ClassVar[bool] = False
    definition: ClassVar[str] = (
        "KL(p_true || p_gen) of 30-bin-per-dimension histograms on [min - 0.1 sigma, max + 0.1 sigma] "
        "of the truth, Laplace smoothing p = (h + alpha) / (sum h + alpha n_bins^N), alpha = 1e-5, "
        "forecast points outside the box dropped; per member (Hess et al. 2023)"
    )

    n_bins: int = attrs.field(default=30, validator=integer(1))
    alpha: float = attrs.field(default=1e-5, validator=positive)
    margin: float = attrs.field(default=0.1, validator=nonnegative)

    def _compute(self, truth: xr.Dataset, forecast: xr.Dataset, *, context: xr.Dataset | None) -> np.ndarray:
        u, _ = feature_array(truth)
        v, _ = feature_array(forecast)
        return _per_member(u, v, lambda a, b: binned_kl(a, b, n_bins=self.n_bins, alpha=self.alpha,
                                                        margin=self.margin))


def _per_member(u: np.ndarray, v: np.ndarray, fn: Any) -> np.ndarray:
    out = np.full(u.shape[0], np.nan)
    finite = finite_members(v)
    for m in range(u.shape[0]):
        if not finite[m]:
            note_nan(m, "forecast holds non-finite values")
            continue
        out[m], reason = fn(u[m], v[m])
        if reason:
            note_nan(m, reason)
    return out


@attrs.define(frozen=True, kw_only=True)
class StateSpaceDivergence(ReasonedMetric):
    """State-space divergence D_stsp per member: binned below N = 6 dimensions, GMM from 6 on.

    Parameters
    ----------
    method
        ``"auto"`` (default; binned for N < 6 state features, GMM otherwise, as Hess et al.),
        ``"binned"`` or ``"gmm"``. The method used is in the result's attrs (``method_used``).
    n_bins, alpha, margin
        Binned version (see :class:`BinnedStateSpaceDivergence`).
    variance, n_samples, max_centers, standardize, seed
        GMM version (see :class:`chaoskit_metrics.dstsp_gmm.GMMStateSpaceDivergence`).
    """

    name: ClassVar[str] = "dstsp"
    kind: ClassVar[str] = "long_term"
    units: ClassVar[str] = "nats"
    aligned: ClassVar[bool] = False
    definition: ClassVar[str] = (
        "state-space divergence KL(p_true || p_gen) per member: binned (30 bins per dimension, "
        "alpha 1e-5) for N < 6 state dimensions, Gaussian-mixture Monte Carlo (sigma^2 = 1 on "
        "truth-standardized data, 1000 samples) for N >= 6, unless method says otherwise"
    )

    method: str = attrs.field(default="auto", validator=choice(("auto", "binned", "gmm")))
    n_bins: int = attrs.field(default=30, validator=integer(1))
    alpha: float = attrs.field(default=1e-5, validator=positive)
    margin: float = attrs.field(default=0.1, validator=nonnegative)
    variance: float = attrs.field(default=1.0, validator=positive)
    n_samples: int = attrs.field(default=1000, validator=integer(1))
    max_centers: int = attrs.field(default=10_000, validator=integer(1))
    standardize: bool = attrs.field(default=True)
    seed: int = attrs.field(default=0, validator=integer(0))

    def method_for(self, dimension: int) -> str:
        """The method used for data with ``dimension`` state features."""
        if self.method != "auto":
            return self.method
        return "binned" if dimension < GMM_FROM_DIMENSION else "gmm"

    def __call__(self, truth: xr.Dataset, forecast: xr.Dataset, *, context: xr.Dataset | None = None) -> xr.DataArray:
        """Score ``forecast`` against ``truth``; attrs ``method_used`` names the method applied."""
        result = super().__call__(truth, forecast, context=context)
        result.attrs["method_used"] = self.method_for(feature_array(truth)[0].shape[-1])
        return result

    def _compute(self, truth: xr.Dataset, forecast: xr.Dataset, *, context: xr.Dataset | None) -> np.ndarray:
        u, _ = feature_array(truth)
        v, _ = feature_array(forecast)
        if self.method_for(u.shape[-1]) == "binned":
            return _per_member(u, v, lambda a, b: binned_kl(a, b, n_bins=self.n_bins, alpha=self.alpha,
                                                            margin=self.margin))
        rng = np.random.default_rng(self.seed)
        return _per_member(u, v, lambda a, b: gmm_kl(
            a, b, variance=self.variance, n_samples=self.n_samples, max_centers=self.max_centers,
            standardize=self.standardize, rng=rng))
