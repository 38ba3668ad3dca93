"""The Kaplan–Yorke (Lyapunov) dimension of a Lyapunov spectrum (Kaplan & Yorke 1979).

``D_KY = j + (λ_1 + … + λ_j) / |λ_{j+1}|`` with the exponents sorted in decreasing order and
``j`` the largest index whose partial sum is non-negative. Conventions (as ChaosTools.jl):
``D_KY = 0`` when ``λ_1 < 0`` (a stable fixed point); ``D_KY = k`` (the number of exponents)
when every partial sum is non-negative (no volume contraction within the exponents given).
NaN anywhere in a spectrum gives NaN.
"""

from __future__ import annotations

from typing import Any, ClassVar

import attrs
import chaoskit
import numpy as np
import xarray as xr
from chaoskit import CapabilityError, DataError, Dynamics

from .lyapunov import EXPONENT, LyapunovSpectrum, require_dynamics

__all__ = ["KaplanYorke", "kaplan_yorke_dimension"]


def kaplan_yorke_dimension(spectrum: Any) -> Any:
    """The Kaplan–Yorke dimension of spectra along the last axis (or the ``exponent`` dim).

    Parameters
    ----------
    spectrum
        Array-like ``(..., k)`` of Lyapunov exponents in any order, or a DataArray with an
        ``exponent`` dim.

    Returns
    -------
    float, numpy.ndarray or xarray.DataArray
        Shape ``(...)``; a DataArray keeps its other dims.
    """
    if isinstance(spectrum, xr.DataArray):
        if EXPONENT not in spectrum.dims:
            raise DataError(f"kaplan_yorke_dimension: expected an {EXPONENT!r} dim, got {spectrum.dims}")
        return xr.apply_ufunc(
            _ky, spectrum.drop_vars("uncertainty", errors="ignore"),
            input_core_dims=[[EXPONENT]], keep_attrs=False,
        ).rename("kaplan_yorke")
    values = np.asarray(spectrum, dtype=float)
    if values.ndim == 0 or values.shape[-1] == 0:
        raise DataError(f"kaplan_yorke_dimension: expected a spectrum (..., k), got shape {values.shape}")
    out = _ky(values)
    return float(out) if out.ndim == 0 else out


def _ky(values: np.ndarray) -> np.ndarray:
    lam = -np.sort(-values, axis=-1)  # decreasing; NaN sorts last and poisons the sums
    k = lam.shape[-1]
    partial = np.cumsum(lam, axis=-1)
    nonneg = partial >= 0
    # the non-negative partial sums form a prefix: once a partial sum turns negative, every
    # later exponent is smaller still (and negative), so their count is j
    j = nonneg.sum(axis=-1)
    safe_j = np.clip(j, 1, k)
    head = np.take_along_axis(partial, (safe_j - 1)[..., None], axis=-1)[..., 0]
    nxt = np.take_along_axis(lam, np.clip(j, 0, k - 1)[..., None], axis=-1)[..., 0]
    with np.errstate(divide="ignore", invalid="ignore"):
        frac = head / np.abs(nxt)
    out = np.where(j == 0, 0.0, np.where(j >= k, float(k), j + frac))
    return np.where(np.isnan(values).any(axis=-1), np.nan, out)


@attrs.define(frozen=True, kw_only=True)
class KaplanYorke(chaoskit.Invariant):
    """Kaplan–Yorke dimension of a dynamics object (from its Lyapunov spectrum) or of a spectrum.

    Parameters
    ----------
    spectrum
        Settings of the :class:`~chaoskit_metrics.lyapunov.LyapunovSpectrum` used for dynamics
        objects, as a dict (e.g. ``{"steps": 20000, "members": 128}``).

    Notes
    -----
    ``estimate(dynamics, initial_states=...)`` computes the spectrum and returns a scalar
    DataArray with an ``uncertainty`` coordinate: the standard error across members of the
    per-member dimension. ``estimate(spectrum_dataarray)`` applies the formula to a spectrum
    already computed. As a Metric on trajectory Datasets it raises
    :class:`chaoskit.CapabilityError`.
    """

    name: ClassVar[str] = "kaplan_yorke"
    kind: ClassVar[str] = "dynamics"
    units: ClassVar[str] = ""
    accepts_dynamics: ClassVar[bool] = True
    definition: ClassVar[str] = (
        "D_KY = j + sum_{i<=j} lambda_i / |lambda_{j+1}|, exponents decreasing, j the largest "
        "index with a non-negative partial sum; 0 if lambda_1 < 0, k if no partial sum is negative"
    )

    spectrum: dict[str, Any] = attrs.field(factory=dict)

    def __attrs_post_init__(self) -> None:
        LyapunovSpectrum(**{**self.spectrum, "per_member": True})  # validate the settings now

    def estimate(self, data: Any, *, initial_states: Any = None) -> xr.DataArray:
        """The dimension of a dynamics object (from ``initial_states``) or of a spectrum DataArray."""
        if isinstance(data, xr.DataArray):
            out = kaplan_yorke_dimension(data)
            out.attrs = {**self.describe(), "source": "spectrum given"}
            return out.rename(self.name)
        dynamics = require_dynamics(self.name, data)
        segments = LyapunovSpectrum(**{**self.spectrum, "per_member": True}).estimate(
            dynamics, initial_states=initial_states
        )
        per_member = kaplan_yorke_dimension(segments)
        valid = np.isfinite(segments.values).all(axis=-1)
        n = int(valid.sum())
        value = kaplan_yorke_dimension(segments.values[valid].mean(axis=0)) if n else np.nan
        stderr = float(per_member.values[valid].std(ddof=1) / np.sqrt(n)) if n > 1 else np.nan
        attrs_ = {**self.describe(), "members_used": n, "dt": dynamics.dt,
                  "spectrum": [float(v) for v in segments.values[valid].mean(axis=0)] if n else []}
        return xr.DataArray(value, coords={"uncertainty": stderr}, name=self.name, attrs=attrs_)

    def _estimate(self, data: xr.Dataset | Dynamics) -> xr.DataArray:
        if isinstance(data, Dynamics):
            return self.estimate(data)
        raise CapabilityError(
            f"{self.name} needs a Lyapunov spectrum, i.e. a dynamics object; a trajectory Dataset "
            "gives only the largest exponent ('max_lyapunov') and the correlation dimension"
        )

