"""State-space divergence D_stsp by Gaussian mixtures and Monte Carlo, for high dimension.

For N ≥ 6 state dimensions a 30^N histogram is empty almost everywhere, so Hess et al. (2023),
after Brenner et al. (2022), place an equal-weight isotropic Gaussian on each of the first
``max_centers`` (10⁴) points of each trajectory:

    p(x) = (1/M) Σ_i N(x; u_i, σ² I),   q(x) = (1/M') Σ_j N(x; f_j, σ² I),

draw ``n_samples`` (1,000) points from ``p`` and estimate ``KL(p ‖ q) ≈ mean(log p − log q)``,
each log density by logsumexp. chaoskit standardizes both clouds with the truth's per-variable
mean and standard deviation first (``standardize=True``), so σ² = 1 is in units of the truth's
standard deviation; with ``standardize=False`` σ² is in the data's own units. The Monte-Carlo
draw uses the metric's ``seed``, so results are reproducible. Units: nats. The estimate can be
slightly negative for near-identical clouds (Monte-Carlo noise).
"""

from __future__ import annotations

from typing import ClassVar

import attrs
import numpy as np
import xarray as xr
from chaoskit.validators import integer, positive

from .support import ReasonedMetric, feature_array, finite_members, note_nan

__all__ = ["GMMStateSpaceDivergence", "gmm_kl", "mixture_log_density"]

_CHUNK = 256


def _logsumexp(a: np.ndarray, axis: int) -> np.ndarray:
    peak = np.max(a, axis=axis, keepdims=True)
    return np.squeeze(peak, axis) + np.log(np.sum(np.exp(a - peak), axis=axis))


def mixture_log_density(x: np.ndarray, centers: np.ndarray, variance: float) -> np.ndarray:
    """``log((1/M) Σ_i N(x; c_i, variance·I))`` for points ``x (S, N)``, chunked over ``x``."""
    dims = centers.shape[1]
    norm = -np.log(len(centers)) - 0.5 * dims * np.log(2.0 * np.pi * variance)
    c2 = np.sum(centers ** 2, axis=1)
    out = np.empty(len(x))
    for start in range(0, len(x), _CHUNK):
        chunk = x[start: start + _CHUNK]
        d2 = np.sum(chunk ** 2, axis=1)[:, None] + c2[None, :] - 2.0 * chunk @ centers.T
        out[start: start + _CHUNK] = _logsumexp(-0.5 * np.maximum(d2, 0.0) / variance, axis=1)
    return out + norm


def gmm_kl(
    truth: np.ndarray, forecast: np.ndarray, *, variance: float = 1.0, n_samples: int = 1000,
    max_centers: int = 10_000, standardize: bool = True, rng: np.random.Generator | None = None,
) -> tuple[float, str]:
    """Monte-Carlo ``KL(p_true ‖ p_gen)`` of two Gaussian mixtures; ``(nan, reason)`` if undefined."""
    rng = np.random.default_rng(0) if rng is None else rng
    if standardize:
        mean, std = truth.mean(axis=0), truth.std(axis=0)
        if np.any(std == 0):
            return float("nan"), f"truth dimension {int(np.argmin(std))} is constant: cannot standardize"
        truth, forecast = (truth - mean) / std, (forecast - mean) / std
    p_centers, q_centers = truth[:max_centers], forecast[:max_centers]
    pick = rng.integers(0, len(p_centers), n_samples)
    samples = p_centers[pick] + np.sqrt(variance) * rng.standard_normal((n_samples, truth.shape[1]))
    log_p = mixture_log_density(samples, p_centers, variance)
    log_q = mixture_log_density(samples, q_centers, variance)
    return float(np.mean(log_p - log_q)), ""


@attrs.define(frozen=True, kw_only=True)
class GMMStateSpaceDivergence(ReasonedMetric):
    """Gaussian-mixture Monte-Carlo D_stsp per member (for N ≥ 6 state dimensions), in nats.

    Parameters
    ----------
    variance
        σ² of every mixture component (1.0), in truth standard deviations when ``standardize``.
    n_samples
        Monte-Carlo samples drawn from the truth's mixture (1,000).
    max_centers
        Components centred on the first ``max_centers`` points of each trajectory (10,000).
    standardize
        Standardize both point clouds by the truth's per-variable mean and std (True).
    seed
        Seed of the Monte-Carlo draw; members are drawn in order from one generator.
    """

    name: ClassVar[str] = "dstsp_gmm"
    kind: ClassVar[str] = "long_term"
    units: ClassVar[str] = "nats"
    aligned: ClassVar[bool] = False
    definition: ClassVar[str] = (
        "KL(p_true || p_gen) ~ mean over 1000 samples x ~ p_true of log p_true(x) - log p_gen(x), "
        "p equal-weight isotropic Gaussian mixtures (sigma^2 = 1) on the first 10^4 points of "
        "each trajectory after standardizing by the truth's mean and std; logsumexp; per member"
    )

    variance: float = attrs.field(default=1.0, validator=positive)
    n_samples: int = attrs.field(default=1000, validator=integer(1))
    max_centers: int = attrs.field(default=10_000, validator=integer(1))
    standardize: bool = attrs.field(default=True)
    seed: int = attrs.field(default=0, validator=integer(0))

    def _compute(self, truth: xr.Dataset, forecast: xr.Dataset, *, context: xr.Dataset | None) -> np.ndarray:
        u, _ = feature_array(truth)
        v, _ = feature_array(forecast)
        rng = np.random.default_rng(self.seed)
        out = np.full(u.shape[0], np.nan)
        finite = finite_members(v)
        for m in range(u.shape[0]):
            if not finite[m]:
                note_nan(m, "forecast holds non-finite values")
                continue
            out[m], reason = gmm_kl(u[m], v[m], variance=self.variance, n_samples=self.n_samples,
                                    max_centers=self.max_centers, standardize=self.standardize, rng=rng)
            if reason:
                note_nan(m, reason)
        return out
