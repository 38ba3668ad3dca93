"""Array views of chaoskit datasets shared by the models: ``(member, time, feature)`` blocks."""

from __future__ import annotations

import numpy as np
import xarray as xr
from chaoskit import DataError

__all__ = ["feature_values", "output_dtype", "standardization"]


def feature_values(
    ds: xr.Dataset, name: str, owner: str, *, complex_ok: bool = False
) -> np.ndarray:
    """``state`` as ``(member, time, feature)``, spatial dims and variables flattened into features.

    Real data come back as float64; complex data as complex128 where ``complex_ok``, and are
    otherwise rejected with a :class:`chaoskit.DataError` naming ``owner``.
    """
    array = np.asarray(ds["state"].values)
    if np.iscomplexobj(array):
        if not complex_ok:
            raise DataError(
                f"{name}: {owner} takes real data, got dtype {array.dtype}; "
                "stack the real and imaginary parts as separate variables"
            )
        values = array.astype(np.complex128, copy=False)
    else:
        values = array.astype(np.float64, copy=False)
    return values.reshape(array.shape[0], array.shape[1], -1)


def output_dtype(name: str, complex_data: bool) -> np.dtype:
    """The numpy dtype of a model whose ``dtype`` field is ``name``, complex for complex data."""
    if complex_data:
        return np.dtype("complex64" if name == "float32" else "complex128")
    return np.dtype(name)


def standardization(values: np.ndarray, enabled: bool = True) -> tuple[np.ndarray, np.ndarray]:
    """Per-feature mean and standard deviation of ``(member, time, feature)`` values.

    A feature that is constant (std below ``1e-12·max(1, |mean|)``) keeps std 1, so it is
    centred but not blown up. ``enabled=False`` gives zeros and ones (no change).
    """
    n = values.shape[-1]
    if not enabled:
        return np.zeros(n), np.ones(n)
    mean = values.mean(axis=(0, 1))
    std = values.std(axis=(0, 1))
    return mean, np.where(std > 1e-12 * np.maximum(1.0, np.abs(mean)), std, 1.0)
