"""The 0–1 test for chaos (Gottwald & Melbourne 2004, 2009), correlation method.

For a scalar observable ``φ_j`` (j = 1 … N) and a frequency ``c ∈ (π/5, 4π/5)``:

- translation variables ``p_c(k) = Σ_{j≤k} φ_j cos(jc)``, ``q_c(k) = Σ_{j≤k} φ_j sin(jc)``;
- mean-square displacement ``M_c(k) = mean_j [(p(j+k) − p(j))² + (q(j+k) − q(j))²]`` for
  ``k = 1 … n_cut``, ``n_cut = N/10``, computed for all k at once with FFT correlations;
- the modified displacement ``D_c(k) = M_c(k) − (Eφ)² (1 − cos kc) / (1 − cos c)`` (removes the
  oscillating term, Gottwald & Melbourne 2009);
- ``K_c = corr(k, D_c(k))``; the result is the median of ``K_c`` over ``n_c`` (default 100)
  frequencies drawn uniformly from (π/5, 4π/5) under ``seed``.

K ≈ 1 means chaotic (diffusive translation), K ≈ 0 regular (bounded).

Oversampled flows: consecutive samples of a finely sampled flow are nearly equal, the
translation variables look regular and K drops to 0 (Lorenz at dt = 0.01 gives K ≈ 0; at
dt = 0.1, K ≈ 1). ``subsample="auto"`` (default) keeps every s-th sample when the series is
oversampled, i.e. its lag-1 autocorrelation exceeds 0.95: s is the first local minimum of the
auto-mutual information (Fraser & Swinney 1986; 32-bin histogram estimate, lags up to
``N/50``), capped so that at least 500 samples remain (and equal to the cap when there is no
minimum). Series that are not oversampled (maps, noise, coarse flows) keep s = 1. An integer
``subsample`` fixes s. The stride used is returned (coordinate ``stride``).
"""

from __future__ import annotations

from typing import Any, ClassVar

import attrs
import chaoskit
import numpy as np
import xarray as xr
from chaoskit.validators import integer

from .support import ReasonedInvariant, feature_array, note_nan, per_feature

__all__ = ["ZeroOneTest", "auto_stride", "zero_one_test"]

MIN_POINTS = 100


def _mutual_information(x: np.ndarray, lags: np.ndarray, bins: int = 32) -> np.ndarray:
    """Histogram estimate (nats) of I(x_t; x_{t+lag}) for each lag, equal-width bins."""
    lo, hi = float(x.min()), float(x.max())
    index = np.minimum(((x - lo) / (hi - lo) * bins).astype(np.int64), bins - 1)
    out = np.empty(len(lags))
    for k, lag in enumerate(lags):
        joint = np.bincount(index[:-lag] * bins + index[lag:], minlength=bins * bins).astype(float)
        joint /= joint.sum()
        joint = joint.reshape(bins, bins)
        px, py = joint.sum(axis=1), joint.sum(axis=0)
        nz = joint > 0
        out[k] = float(np.sum(joint[nz] * np.log(joint[nz] / np.outer(px, py)[nz])))
    return out


def auto_stride(x: np.ndarray, *, threshold: float = 0.95, min_points: int = 500) -> int:
    """The subsampling stride for the 0–1 test (see the module docstring).

    1 unless the lag-1 autocorrelation exceeds ``threshold``; then the first local minimum of
    the auto-mutual information over lags 1 … N/50, at most ``N // min_points`` (the cap also
    applies when there is no minimum).
    """
    x = np.asarray(x, float)
    centred = x - x.mean()
    variance = float(np.mean(centred ** 2))
    if variance == 0 or len(x) < 2 * min_points:
        return 1
    if float(np.mean(centred[1:] * centred[:-1])) / variance <= threshold:
        return 1
    cap = max(1, len(x) // min_points)
    lags = np.arange(1, max(3, len(x) // 50) + 1)
    mi = _mutual_information(x, lags)
    minima = np.flatnonzero((mi[1:-1] < mi[:-2]) & (mi[1:-1] <= mi[2:])) + 1
    first = int(lags[minima[0]]) if minima.size else cap
    return max(1, min(first, cap))


def _msd(phi: np.ndarray, c: np.ndarray, n_cut: int) -> np.ndarray:
    """Mean-square displacement ``M_c(k)`` for k = 1 … n_cut, shape ``(len(c), n_cut)``."""
    n = len(phi)
    j = np.arange(1, n + 1)
    z = np.cumsum(phi * np.exp(1j * np.outer(c, j)), axis=1)  # p + i q, (n_c, N)
    power = np.abs(z) ** 2
    cumulative = np.concatenate([np.zeros((len(c), 1)), np.cumsum(power, axis=1)], axis=1)
    size = 1 << int(np.ceil(np.log2(2 * n)))
    spectrum = np.fft.fft(z, size, axis=1)
    cross = np.fft.ifft(spectrum * np.conj(spectrum), axis=1)[:, 1: n_cut + 1].real  # Σ_j Re z_{j+k} z̄_j
    k = np.arange(1, n_cut + 1)
    head = cumulative[:, n][:, None] - cumulative[:, k]  # Σ_{j≥k} |z_j|²  (indices k … N−1)
    tail = cumulative[:, n - k]  # Σ_{j<N−k} |z_j|²
    return (head + tail - 2.0 * cross) / (n - k)


def zero_one_test(
    x: Any, *, n_c: int = 100, seed: int | None = 0, subsample: int | str = "auto",
    c_range: tuple[float, float] = (np.pi / 5, 4 * np.pi / 5), cut: float = 0.1,
) -> tuple[float, int]:
    """Median K of the 0–1 test (correlation method) of a 1-D series, and the stride used.

    Parameters
    ----------
    x
        Scalar observable, 1-D, finite, at least 100 points after subsampling.
    n_c
        Number of random frequencies c.
    seed
        Seed of the frequencies (``None``: fresh randomness).
    subsample
        ``"auto"`` (see the module docstring) or a fixed stride ≥ 1.
    c_range
        Interval the frequencies are drawn from.
    cut
        ``n_cut = cut · N`` displacements are correlated (Gottwald & Melbourne: N/10).
    """
    x = np.asarray(x, float)
    if x.ndim != 1 or not np.isfinite(x).all():
        raise chaoskit.DataError("zero_one_test: expected a finite 1-D series")
    stride = auto_stride(x) if subsample == "auto" else int(subsample)
    if stride < 1:
        raise chaoskit.ParameterError(f"zero_one_test: subsample must be 'auto' or >= 1, got {subsample!r}")
    phi = x[::stride]
    if len(phi) < MIN_POINTS:
        raise chaoskit.DataError(
            f"zero_one_test: {len(phi)} points after subsampling by {stride} (of {len(x)}); the test "
            f"needs at least {MIN_POINTS}, use a longer series"
        )
    if np.ptp(phi) == 0:
        raise chaoskit.DataError("zero_one_test: the series is constant")
    rng = np.random.default_rng(seed)
    c = rng.uniform(c_range[0], c_range[1], n_c)
    n_cut = max(2, int(cut * len(phi)))
    m = _msd(phi, c, n_cut)
    k = np.arange(1, n_cut + 1)
    oscillation = np.mean(phi) ** 2 * (1 - np.cos(np.outer(c, k))) / (1 - np.cos(c))[:, None]
    d = m - oscillation
    kc = k - k.mean()
    dc = d - d.mean(axis=1, keepdims=True)
    with np.errstate(invalid="ignore", divide="ignore"):
        corr = (dc @ kc) / np.sqrt((dc ** 2).sum(axis=1) * (kc ** 2).sum())
    return float(np.nanmedian(corr)), stride


@attrs.define(frozen=True, kw_only=True)
class ZeroOneTest(ReasonedInvariant):
    """The 0–1 test for chaos: median K per member and variable (≈1 chaotic, ≈0 regular).

    Parameters
    ----------
    n_c
        Number of random frequencies c in (π/5, 4π/5); default 100.
    seed
        Seed of the frequencies (the same c for every series).
    subsample
        ``"auto"`` (default: first minimum of the auto-mutual information) or a fixed stride.

    Notes
    -----
    ``estimate`` returns K with a ``stride`` coordinate of the same shape. As a Metric the
    absolute difference ``|K_f − K_t|`` averaged over variables (K is already on a 0–1 scale).
    """

    name: ClassVar[str] = "zero_one_test"
    kind: ClassVar[str] = "long_term"
    units: ClassVar[str] = ""
    definition: ClassVar[str] = (
        "0-1 test for chaos (Gottwald-Melbourne correlation method with the modified "
        "displacement D_c, n_cut = N/10): median over n_c random c in (pi/5, 4pi/5) of "
        "corr(k, D_c(k)) per member and variable, after subsampling; as a metric |K_f - K_t|, "
        "mean over variables"
    )

    n_c: int = attrs.field(default=100, validator=integer(1))
    seed: int = attrs.field(default=0, validator=integer(0))
    subsample: int | str = attrs.field(default="auto")

    @subsample.validator
    def _check_subsample(self, attribute: Any, value: Any) -> None:
        if value != "auto" and (isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1):
            raise chaoskit.ParameterError(f"ZeroOneTest.subsample must be 'auto' or an integer >= 1, got {value!r}")

    def _estimate(self, data: Any) -> xr.DataArray:
        values, names = feature_array(data)
        members, _, features = values.shape
        k = np.full((members, features), np.nan)
        strides = np.zeros((members, features), dtype=int)
        for m in range(members):
            for f in range(features):
                series = values[m, :, f]
                if not np.isfinite(series).all():
                    note_nan(m, f"variable {names[f]!r} is non-finite (diverged)")
                    continue
                try:
                    k[m, f], strides[m, f] = zero_one_test(series, n_c=self.n_c, seed=self.seed,
                                                           subsample=self.subsample)
                except chaoskit.DataError as exc:
                    if values.shape[1] < MIN_POINTS:
                        raise
                    note_nan(m, f"variable {names[f]!r}: {exc}")
        out = per_feature(k, data, names, name=self.name, attrs=self.describe())
        return out.assign_coords(stride=(out.dims, strides))

    def _compare(self, reference: xr.DataArray, other: xr.DataArray) -> Any:
        diff = abs(other - reference)  # DataArray.__abs__ keeps the type (np.abs's stub does not)
        return diff.mean([d for d in diff.dims if d != "member"], skipna=False).values
