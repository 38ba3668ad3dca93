"""Small helpers shared by the Koopman models: device, tensors, snapshot pairs, conditioning."""

from __future__ import annotations

import numpy as np
import torch
import xarray as xr
from chaoskit import DataError

from ..conditioning import ConditioningWarning
from ..torch_utils import resolve

__all__ = ["ConditioningWarning", "as_tensor", "linalg_device", "snapshot_pairs", "to_numpy"]


def linalg_device(owner: str, device: str) -> torch.device:
    """The device of a Koopman model's float64 linear algebra (MPS has no float64: an error)."""
    return resolve(owner, device, "float64")[0]


def as_tensor(array: np.ndarray, device: torch.device) -> torch.Tensor:
    """``array`` as a float64 (or complex128) tensor on ``device``."""
    array = np.asarray(array)
    dtype = torch.complex128 if np.iscomplexobj(array) else torch.float64
    return torch.as_tensor(array, dtype=dtype, device=device)


def to_numpy(tensor: torch.Tensor) -> np.ndarray:
    """A CPU numpy copy of ``tensor``."""
    return tensor.detach().cpu().numpy()


def snapshot_pairs(values: np.ndarray, what: str, owner: str) -> tuple[np.ndarray, np.ndarray]:
    """``(X, Y)`` of shape ``(pairs, features)``: consecutive states of every member.

    ``values`` is ``(member, time, feature)``; pairs never straddle two members.
    """
    _, times, features = values.shape
    if times < 2:
        raise DataError(
            f"{what}: {owner} needs at least 2 time points per member after embedding, got {times}; "
            "use longer trajectories or fewer delays"
        )
    x = values[:, :-1].reshape(-1, features)
    y = values[:, 1:].reshape(-1, features)
    return x, y


def member_coordinate(ds: xr.Dataset) -> np.ndarray:
    """The ``member`` coordinate values of ``ds``."""
    return np.asarray(ds["member"].values)
