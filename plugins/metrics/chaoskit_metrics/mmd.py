"""Maximum mean discrepancy (MMD²) with PhyxMamba's rational-quadratic kernel mixture.

Kernel (Liu et al. 2025, PhyxMamba's attractor loss): ``k(x, y) = Σ_s s² / (s² + ‖x − y‖²)``
over the scales ``s ∈ {0.2, 0.5, 0.9, 1.3}`` — a sum of rational-quadratic kernels with shape
parameter α = 1 — on states standardized by the truth's per-variable mean and standard deviation
(PhyxMamba divides by ``sqrt(variance + 1e-6)``; chaoskit uses the truth member's own std and
records a NaN reason for a constant variable).

Estimator: ``estimator="biased"`` (default, PhyxMamba's) is the V-statistic
``MMD² = mean K_xx + mean K_yy − 2 mean K_xy`` over all pairs including i = j, clipped at 0;
it is exactly 0 for identical samples. ``"unbiased"`` is the U-statistic (Gretton et al. 2012)
that leaves out i = j in K_xx and K_yy; it can be slightly negative. Each trajectory is thinned
to at most ``max_samples`` (2,000) evenly spaced time points, so the kernel matrices stay at
2,000 × 2,000. The value is MMD² (not its square root), dimensionless.
"""

from __future__ import annotations

from typing import ClassVar

import attrs
import chaoskit
import numpy as np
import xarray as xr
from chaoskit.validators import choice, integer

from .support import ReasonedMetric, feature_array, note_nan

__all__ = ["DEFAULT_SCALES", "MMD", "mmd2", "rational_quadratic"]

DEFAULT_SCALES = (0.2, 0.5, 0.9, 1.3)


def rational_quadratic(x: np.ndarray, y: np.ndarray, scales: tuple[float, ...] = DEFAULT_SCALES) -> np.ndarray:
    """Kernel matrix ``Σ_s s² / (s² + ‖x_i − y_j‖²)`` of point sets ``x (n, d)`` and ``y (m, d)``."""
    d2 = np.sum(x ** 2, axis=1)[:, None] + np.sum(y ** 2, axis=1)[None, :] - 2.0 * x @ y.T
    d2 = np.maximum(d2, 0.0)
    out = np.zeros_like(d2)
    for s in scales:
        out += s * s / (s * s + d2)
    return out


def mmd2(x: np.ndarray, y: np.ndarray, *, scales: tuple[float, ...] = DEFAULT_SCALES,
         estimator: str = "biased") -> float:
    """MMD² between samples ``x (n, d)`` and ``y (m, d)`` with the rational-quadratic mixture."""
    kxx, kyy, kxy = rational_quadratic(x, x, scales), rational_quadratic(y, y, scales), rational_quadratic(x, y, scales)
    n, m = len(x), len(y)
    if estimator == "biased":
        return max(0.0, float(kxx.mean() + kyy.mean() - 2.0 * kxy.mean()))
    if estimator == "unbiased":
        if n < 2 or m < 2:
            raise chaoskit.DataError("mmd2: the unbiased estimator needs at least 2 samples on each side")
        xx = (kxx.sum() - np.trace(kxx)) / (n * (n - 1))
        yy = (kyy.sum() - np.trace(kyy)) / (m * (m - 1))
        return float(xx + yy - 2.0 * kxy.mean())
    raise chaoskit.ParameterError(f"mmd2: estimator must be 'biased' or 'unbiased', got {estimator!r}")


def _thin(x: np.ndarray, limit: int) -> np.ndarray:
    if len(x) <= limit:
        return x
    return x[np.linspace(0, len(x) - 1, limit).round().astype(int)]


@attrs.define(frozen=True, kw_only=True)
class MMD(ReasonedMetric):
    """MMD² per member between the truth's and the forecast's state distributions.

    Parameters
    ----------
    scales
        Length scales of the rational-quadratic mixture (PhyxMamba: 0.2, 0.5, 0.9, 1.3), in
        truth standard deviations.
    estimator
        ``"biased"`` (V-statistic, ≥ 0, PhyxMamba) or ``"unbiased"`` (U-statistic).
    max_samples
        Each trajectory is thinned to at most this many evenly spaced time points (2,000).
    """

    name: ClassVar[str] = "mmd"
    kind: ClassVar[str] = "long_term"
    units: ClassVar[str] = ""
    aligned: ClassVar[bool] = False
    definition: ClassVar[str] = (
        "MMD^2 (biased V-statistic by default) with kernel sum_s s^2 / (s^2 + |x - y|^2), "
        "s in {0.2, 0.5, 0.9, 1.3}, on states standardized by the truth's mean and std, each "
        "trajectory thinned to <= 2000 evenly spaced points; per member (PhyxMamba's kernel)"
    )

    scales: tuple[float, ...] = attrs.field(default=DEFAULT_SCALES, converter=lambda s: tuple(float(v) for v in s))
    estimator: str = attrs.field(default="biased", validator=choice(("biased", "unbiased")))
    max_samples: int = attrs.field(default=2000, validator=integer(2))

    @scales.validator
    def _check_scales(self, attribute: attrs.Attribute, value: tuple[float, ...]) -> None:
        if not value or not all(np.isfinite(v) and v > 0 for v in value):
            raise chaoskit.ParameterError(f"MMD.scales must be positive numbers, got {value!r}")

    def _compute(self, truth: xr.Dataset, forecast: xr.Dataset, *, context: xr.Dataset | None) -> np.ndarray:
        u, names = feature_array(truth)
        v, _ = feature_array(forecast)
        out = np.full(u.shape[0], np.nan)
        for m in range(u.shape[0]):
            if not np.isfinite(v[m]).all():
                note_nan(m, "forecast holds non-finite values")
                continue
            mean, std = u[m].mean(axis=0), u[m].std(axis=0)
            if np.any(std == 0):
                note_nan(m, f"truth variable {names[int(np.argmin(std))]!r} is constant: cannot standardize")
                continue
            x = _thin((u[m] - mean) / std, self.max_samples)
            y = _thin((v[m] - mean) / std, self.max_samples)
            out[m] = mmd2(x, y, scales=self.scales, estimator=self.estimator)
        return out
