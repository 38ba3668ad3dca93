"""The fitted state of a DSR model, and the data conversion its methods share."""

from __future__ import annotations

import attrs
import numpy as np
import torch
import xarray as xr
from chaoskit import DataError

from .cell import DSRCell

__all__ = ["FittedCell", "feature_values"]


@attrs.define(eq=False)
class FittedCell:
    """A fitted cell with the standardization statistics and a latent state on the attractor."""

    cell: DSRCell
    mean: np.ndarray
    std: np.ndarray
    last_state: np.ndarray

    def tensor(self, values: np.ndarray, like: torch.Tensor) -> torch.Tensor:
        return torch.as_tensor(values, dtype=like.dtype, device=like.device)

    def scale(self, values: np.ndarray) -> torch.Tensor:
        """Standardized ``(member, time, features)`` values as a tensor of the cell."""
        param = next(self.cell.parameters())
        return torch.as_tensor((values - self.mean) / self.std, dtype=param.dtype, device=param.device)


def feature_values(ds: xr.Dataset, name: str) -> np.ndarray:
    """``state`` as float64 ``(member, time, feature)`` (spatial dims and variables stacked)."""
    array = ds.chaos.features().values
    if np.iscomplexobj(array):
        raise DataError(
            f"{name}: the PLRNN family takes real data, got dtype {array.dtype}; "
            "stack the real and imaginary parts as separate variables"
        )
    return np.asarray(array, dtype=np.float64)
