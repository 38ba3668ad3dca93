"""Point clouds from trajectory sets for the data-driven invariants: delay embedding, Theiler window.

The largest Lyapunov exponent from data and the correlation dimension both work on one point
cloud per member. :func:`member_points` builds it from a Dataset: the selected variables (all by
default) as they are, or delay-embedded when an embedding dimension is given (with an explicit
lag). :func:`mean_period` gives the default Theiler window: the mean period of the series, the
inverse of the power-weighted mean frequency (Rosenstein, Collins & De Luca 1993).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import xarray as xr
from chaoskit import DataError, ParameterError
from chaoskit.data import MEMBER, TIME

__all__ = ["delay_embed", "mean_period", "member_points"]


def delay_embed(series: np.ndarray, dimension: int, lag: int) -> np.ndarray:
    """Delay vectors ``[x_t, x_{t+τ}, …, x_{t+(m−1)τ}]`` of series along axis ``-2``.

    Parameters
    ----------
    series
        ``(..., n, c)``: ``c`` channels, each embedded (the result concatenates channel by
        channel: channel 0 at all delays, then channel 1 …).
    dimension, lag
        Embedding dimension ``m ≥ 1`` and lag ``τ ≥ 1`` in samples.

    Returns
    -------
    numpy.ndarray
        ``(..., n − (m − 1)τ, c·m)``.
    """
    if dimension < 1 or lag < 1:
        raise ParameterError(f"delay_embed: dimension and lag must be >= 1, got {dimension}, {lag}")
    n = series.shape[-2]
    span = (dimension - 1) * lag
    if span >= n:
        raise DataError(
            f"delay embedding with dimension {dimension} and lag {lag} spans {span + 1} samples but "
            f"the series has {n}; use a longer series or a smaller dimension/lag"
        )
    parts = [series[..., j * lag : n - span + j * lag, :] for j in range(dimension)]
    stacked = np.stack(parts, axis=-1)  # (..., n', c, m)
    return stacked.reshape(*stacked.shape[:-2], -1)


def mean_period(points: np.ndarray) -> np.ndarray:
    """Mean period in samples per member: ``1 / f̄`` with ``f̄ = Σ f P(f) / Σ P(f)``.

    ``points`` is ``(members, n, c)``; ``P`` is the periodogram of each mean-removed channel,
    summed over channels (so each channel weighs by its variance), ``f`` in cycles per sample.
    Constant members give NaN.
    """
    centred = points - points.mean(axis=1, keepdims=True)
    power = (np.abs(np.fft.rfft(centred, axis=1)) ** 2).sum(axis=-1)  # (members, n//2+1)
    freq = np.fft.rfftfreq(points.shape[1])
    total = power.sum(axis=1)
    scale = np.abs(points).max(axis=(1, 2)) + np.finfo(float).tiny
    flat = total <= (1e-12 * scale) ** 2 * points.shape[1] ** 2
    with np.errstate(invalid="ignore", divide="ignore"):
        out = total / (power * freq).sum(axis=1)
    return np.where(flat, np.nan, out)


def member_points(
    ds: xr.Dataset,
    *,
    variables: Sequence[str] | str | None = None,
    dimension: int | None = None,
    lag: int | None = None,
) -> tuple[np.ndarray, dict[str, Any]]:
    """One point cloud per member, ``(members, n_points, D)`` in float64, and a description.

    Without ``dimension`` the selected variables (and space points of a field) are the
    coordinates; a single variable then needs an embedding (a 1-D cloud has no attractor
    geometry to measure). With ``dimension`` each selected variable is delay-embedded with
    ``lag`` samples.
    """
    data = ds.chaos.features() if variables is None else _select(ds, variables)
    values = np.asarray(data.transpose(MEMBER, TIME, ...).values)
    if np.iscomplexobj(values):
        values = np.concatenate([values.real, values.imag], axis=-1)
    values = values.astype(np.float64, copy=False)
    channels = values.shape[-1]
    if dimension is None:
        if lag is not None:
            raise ParameterError("a lag was given without an embedding dimension; give both")
        if channels == 1:
            raise ParameterError(
                "a single variable has no geometry to measure without a delay embedding; give "
                "the embedding dimension and lag (e.g. dimension=3, lag=10 samples)"
            )
        return values, {"embedding": "none", "channels": channels}
    if lag is None:
        raise ParameterError(f"embedding dimension {dimension} given without a lag; give lag= in samples")
    return delay_embed(values, int(dimension), int(lag)), {
        "embedding": "delay", "embedding_dimension": int(dimension), "lag": int(lag),
        "channels": channels,
    }


def _select(ds: xr.Dataset, variables: Sequence[str] | str) -> xr.DataArray:
    names = [variables] if isinstance(variables, str) else list(variables)
    known = ds.chaos.variables
    missing = [v for v in names if v not in known]
    if missing:
        raise ParameterError(f"unknown variables {missing}; the data have {list(known)}")
    feats = ds["state"].sel(variable=names)
    space = ds.chaos.space_dims
    return feats.stack(feature=[*space, "variable"]) if space else feats.rename(variable="feature")
