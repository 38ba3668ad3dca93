"""Sampling-interval scan of the complexity–entropy plane (PECCARY; Hyman, Daniel & Schaffner 2025).

Where a series lands in the complexity–entropy plane depends on the pattern timescale
``t_pat = (n − 1)·ℓ·dt`` (pattern size n, sampling interval ℓ samples): a finely sampled flow
looks regular at small ℓ and noise-like at large ℓ. PECCARY therefore scans ℓ and reads the
plane at pattern timescales comparable to the signal's natural timescale ``t_nat``.

What chaoskit implements (the well-defined parts):

- ``H(ℓ)``, ``C(ℓ)`` for every ℓ of the scan, with ``n = 5`` by default (PECCARY's), the tie
  rule of :mod:`chaoskit_metrics.ordinal` (stable argsort, as PECCARY);
- ``t_nat`` by one of PECCARY's three estimators: ``"maxavg"`` (its default: the mean interval
  between successive local maxima), ``"minavg"`` (the same for minima) and ``"ncross"``
  (twice the mean interval between successive crossings of the mean; PECCARY divides the
  whole duration by half the number of crossings, which the partial cycles at both ends bias
  by up to a few percent);
- ``t_pat(ℓ)`` and the ratio ``t_pat / t_nat``; a flag ``in_band`` for the ℓ whose ratio lies in
  ``band`` (default ``(0.3, 0.5)``, our reading of the paper's recommended window, a parameter
  because we could not check it against PECCARY's own ``calcSampInt``), and the checks of
  PECCARY's ``doPeccary``: ``duration / t_nat`` must exceed 1 (an error otherwise) and should
  exceed 1.5 (``short_duration`` flag).

Not implemented: the regular/complex/stochastic region boundaries of PECCARY's plots (their
construction is not stated precisely enough to reproduce). ``t_nat`` is meaningful for signals
with a dominant repeating pattern (orbits, oscillators); for noise it is a few samples.
"""

from __future__ import annotations

from typing import Any

import chaoskit
import numpy as np
import xarray as xr
from chaoskit.data import MEMBER

from .ordinal import complexity_entropy
from .support import feature_array

__all__ = ["natural_timescale", "peccary_scan"]

METHODS = ("maxavg", "minavg", "ncross")


def natural_timescale(x: Any, dt: float, method: str = "maxavg") -> float:
    """PECCARY's natural-timescale estimate of a 1-D series sampled every ``dt``; NaN if undefined."""
    x = np.asarray(x, float)
    if method in ("maxavg", "minavg"):
        y = x if method == "maxavg" else -x
        peaks = np.flatnonzero((y[1:-1] > y[:-2]) & (y[1:-1] > y[2:])) + 1
        return float(np.mean(np.diff(peaks)) * dt) if len(peaks) > 1 else float("nan")
    if method == "ncross":
        sign = np.sign(x - x.mean())
        crossings = np.flatnonzero(sign[1:] != sign[:-1])
        if len(crossings) < 2:
            return float("nan")
        return float(2.0 * (crossings[-1] - crossings[0]) * dt / (len(crossings) - 1))
    raise chaoskit.ParameterError(f"natural_timescale: method must be one of {list(METHODS)}, got {method!r}")


def peccary_scan(
    data: xr.Dataset | np.ndarray,
    *,
    dt: float | None = None,
    n: int = 5,
    lags: Any = None,
    t_nat: float | None = None,
    method: str = "maxavg",
    band: tuple[float, float] = (0.3, 0.5),
) -> xr.Dataset:
    """Scan the sampling interval ℓ: ``H(ℓ)``, ``C(ℓ)``, ``t_pat(ℓ)`` and the natural timescale.

    Parameters
    ----------
    data
        A trajectory Dataset (every member and variable is scanned) or a 1-D array (then ``dt``
        is required).
    dt
        Sampling interval of an array; read from the Dataset otherwise.
    n
        Pattern size (5).
    lags
        Sampling intervals ℓ to scan; default ``1 … L`` with L the largest ℓ whose pattern
        timescale stays within the natural timescale (at least 1 … 10), capped so that every ℓ
        leaves ``5 · n!`` windows where the series allows.
    t_nat
        Natural timescale to use instead of the estimate (same for every series).
    method
        Estimator of ``t_nat``: ``"maxavg"`` (default), ``"minavg"``, ``"ncross"``.
    band
        Ratio ``t_pat / t_nat`` window flagged as ``in_band``.

    Returns
    -------
    xarray.Dataset
        Variables ``H``, ``C`` ``(member, variable, lag)``, ``t_pat (lag)``, ``t_nat
        (member, variable)``, ``ratio`` and ``in_band`` ``(member, variable, lag)``,
        ``short_duration (member, variable)``; attrs with the settings.
    """
    if method not in METHODS:
        raise chaoskit.ParameterError(f"peccary_scan: method must be one of {list(METHODS)}, got {method!r}")
    if isinstance(data, xr.Dataset):
        chaoskit.validate(data, name="data")
        values, names = feature_array(data)
        step = data.chaos.dt if dt is None else float(dt)
        members = np.asarray(data[MEMBER].values)
    else:
        series = np.asarray(data, float)
        if series.ndim != 1 or dt is None:
            raise chaoskit.ParameterError("peccary_scan: pass a trajectory Dataset, or a 1-D array with dt=")
        values, names, step, members = series[None, :, None], ["x"], float(dt), np.array([0])
    count, steps, features = values.shape
    duration = (steps - 1) * step
    if t_nat is None:
        nat = np.array([[natural_timescale(values[m, :, f], step, method) for f in range(features)]
                        for m in range(count)])
    else:
        nat = np.full((count, features), float(t_nat))
    if np.any(~np.isfinite(nat)):
        raise chaoskit.DataError(
            f"peccary_scan: no natural timescale by {method!r} (no repeating extrema or crossings); "
            "pass t_nat= or another method"
        )
    if np.any(duration < nat):
        raise chaoskit.DataError(
            f"peccary_scan: the series lasts {duration:.4g} time units, less than its natural timescale "
            f"{float(nat.max()):.4g}; PECCARY needs duration > t_nat (better > 1.5 t_nat)"
        )
    if lags is None:
        longest = max(10, int(np.floor(float(nat.max()) / ((n - 1) * step))))
        usable = max(1, (steps - 5 * int(np.prod(range(1, n + 1))) - 1) // (n - 1))
        lags = np.arange(1, max(1, min(longest, usable)) + 1)
    lags = np.asarray(lags, dtype=int)
    h = np.empty((count, features, len(lags)))
    c = np.empty_like(h)
    series = np.moveaxis(values, 1, -1)
    for k, lag in enumerate(lags):
        h[..., k], c[..., k] = complexity_entropy(series, n, int(lag))
    t_pat = (n - 1) * lags * step
    ratio = t_pat[None, None, :] / nat[..., None]
    dims3 = (MEMBER, "variable", "lag")
    return xr.Dataset(
        {"H": (dims3, h), "C": (dims3, c), "t_pat": ("lag", t_pat), "t_nat": ((MEMBER, "variable"), nat),
         "ratio": (dims3, ratio), "in_band": (dims3, (ratio >= band[0]) & (ratio <= band[1])),
         "short_duration": ((MEMBER, "variable"), duration < 1.5 * nat)},
        coords={MEMBER: members, "variable": names, "lag": lags},
        attrs={"n": n, "dt": step, "duration": duration, "t_nat_method": method if t_nat is None else "given",
               "band": list(band), "reference": "Hyman, Daniel & Schaffner 2025 (PECCARY)"},
    )
