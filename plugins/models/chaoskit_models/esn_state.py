"""The fitted state of an echo state network: the saved float64 arrays and their torch forms."""

from __future__ import annotations

import attrs
import numpy as np
import torch
import xarray as xr

from .arrays import feature_values
from .recurrence import Readout, Reservoir
from .reservoir import ReservoirWeights

__all__ = ["FittedESN"]


@attrs.define(eq=False)
class FittedESN:
    """The fitted state: float64 numpy arrays (what is saved) and their torch counterparts."""

    weights: ReservoirWeights
    w_out: np.ndarray
    mean: np.ndarray
    std: np.ndarray
    last_state: np.ndarray
    reservoir: Reservoir
    readout: Readout
    mean_t: torch.Tensor
    std_t: torch.Tensor

    @classmethod
    def build(
        cls,
        weights: ReservoirWeights,
        w_out: np.ndarray,
        mean: np.ndarray,
        std: np.ndarray,
        last_state: np.ndarray,
        *,
        leak: float,
        kind: str,
        device: torch.device,
        dtype: torch.dtype,
        sparse: bool,
    ) -> FittedESN:
        return cls(
            weights=weights,
            w_out=w_out,
            mean=mean,
            std=std,
            last_state=last_state,
            reservoir=Reservoir(weights, leak=leak, device=device, dtype=dtype, sparse=sparse),
            readout=Readout(torch.as_tensor(w_out, dtype=dtype, device=device), kind),
            mean_t=torch.as_tensor(mean, dtype=dtype, device=device),
            std_t=torch.as_tensor(std, dtype=dtype, device=device),
        )

    def inputs(self, ds: xr.Dataset) -> torch.Tensor:
        """Standardized inputs ``(time, variable, member)`` of a validated dataset."""
        values = feature_values(ds, "context", "EchoStateNetwork")
        return torch.as_tensor(
            (values - self.mean) / self.std, dtype=self.mean_t.dtype, device=self.mean_t.device
        ).permute(1, 2, 0)
