"""Symbolic encoding of AL-RNN trajectories by the linear subregions they visit (Brenner et al. 2024).

An AL-RNN with P rectified units is linear inside each subregion of latent space fixed by the
signs of those P units, so a trajectory becomes a symbol sequence: at every time point the
sign pattern ``s_t = 1[z_{t, M−P+k} > 0]``, ``k = 0 … P−1``, coded as the integer
``Σ_k s_{t,k}·2^k``. From the sequence come the distinct subregions visited, how often each is
occupied, and the transition graph between consecutive symbols (self-transitions included).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import xarray as xr
from chaoskit import DataError, ParameterError

__all__ = ["MAX_PWL_UNITS", "region_codes", "symbolic_encoding"]

#: Codes are int64, so at most 62 rectified units can be encoded.
MAX_PWL_UNITS = 62


def region_codes(latent: np.ndarray, pwl_units: int) -> np.ndarray:
    """Integer subregion codes ``(...,)`` of latent states ``(..., M)`` (last P units rectified)."""
    if not 0 <= pwl_units <= MAX_PWL_UNITS:
        raise ParameterError(f"pwl_units must lie in [0, {MAX_PWL_UNITS}] to be encoded, got {pwl_units}")
    if latent.shape[-1] < pwl_units:
        raise DataError(f"latent states of size {latent.shape[-1]} have fewer than pwl_units = {pwl_units} units")
    signs = latent[..., latent.shape[-1] - pwl_units :] > 0
    weights = np.left_shift(np.int64(1), np.arange(pwl_units, dtype=np.int64))
    return (signs.astype(np.int64) * weights).sum(axis=-1)


def symbolic_encoding(latent: Any, pwl_units: int, *, time: Any = None) -> xr.Dataset:
    """The symbol sequence, subregions, occupancy and transition graph of latent trajectories.

    Parameters
    ----------
    latent
        Latent states ``(member, time, M)`` or ``(time, M)`` (numpy or torch), e.g. from
        ``ALRNN.latent_trajectory``.
    pwl_units
        P, the number of rectified units (the last P of M).
    time
        Optional time coordinate of length ``time``.

    Returns
    -------
    xarray.Dataset
        - ``symbol`` ``(member, time)``: the subregion code at each state;
        - ``pattern`` ``(region, unit)``: the sign pattern of each visited subregion (coordinate
          ``region`` holds the visited codes in increasing order, ``unit`` the latent indices
          of the rectified units);
        - ``occupancy`` ``(region)``: the fraction of states in each subregion;
        - ``transitions`` ``(source, target)``: counts of consecutive symbol pairs within members;
        - ``transition_probability`` ``(source, target)``: the counts normalized per source
          (NaN for a source never left, i.e. only visited at the last time point);
        - ``n_regions``: the number of distinct subregions visited.
        Attributes: ``pwl_units`` and ``possible_regions = 2^P``.
    """
    if hasattr(latent, "detach"):
        latent = latent.detach().cpu().numpy()
    z = np.asarray(latent, dtype=np.float64)
    if z.ndim == 2:
        z = z[None]
    if z.ndim != 3 or z.shape[1] < 1:
        raise DataError(f"latent must be (member, time, M) or (time, M), got shape {np.shape(latent)}")
    if not np.isfinite(z).all():
        raise DataError("latent holds non-finite values (a diverged trajectory); encode a finite one")
    codes = region_codes(z, pwl_units)  # (member, time)
    visited, inverse = np.unique(codes, return_inverse=True)
    inverse = inverse.reshape(codes.shape)
    n = visited.size
    counts = np.zeros((n, n), dtype=np.int64)
    np.add.at(counts, (inverse[:, :-1].ravel(), inverse[:, 1:].ravel()), 1)
    out_total = counts.sum(axis=1, keepdims=True)
    with np.errstate(invalid="ignore", divide="ignore"):
        probability = np.where(out_total > 0, counts / np.maximum(out_total, 1), np.nan)
    units = np.arange(z.shape[-1] - pwl_units, z.shape[-1])
    pattern = (visited[:, None] >> np.arange(pwl_units)[None, :]) & 1
    occupancy = np.bincount(inverse.ravel(), minlength=n) / inverse.size
    coords: dict[str, Any] = {
        "member": np.arange(z.shape[0]), "region": visited, "unit": units,
        "source": visited, "target": visited,
    }
    if time is not None:
        time = np.asarray(time)
        if time.shape != (z.shape[1],):
            raise DataError(f"time must have length {z.shape[1]}, got shape {time.shape}")
        coords["time"] = time
    return xr.Dataset(
        {
            "symbol": (("member", "time"), codes),
            "pattern": (("region", "unit"), pattern.astype(bool)),
            "occupancy": (("region",), occupancy),
            "transitions": (("source", "target"), counts),
            "transition_probability": (("source", "target"), probability),
            "n_regions": ((), np.int64(n)),
        },
        coords=coords,
        attrs={"pwl_units": int(pwl_units), "possible_regions": int(2**pwl_units)},
    )
