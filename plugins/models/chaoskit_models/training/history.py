"""The training history: one record per epoch, returned as an ``xr.Dataset`` with dim ``epoch``."""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import numpy as np
import xarray as xr

__all__ = ["History"]

_UNITS = {"loss": "", "valid_loss": "", "alpha": "", "lr": "", "time": "s", "steps": ""}
_DESCRIPTIONS = {
    "loss": "mean training loss over the epoch's batches",
    "valid_loss": "loss on the fixed validation windows (teacher forcing at its current state)",
    "alpha": "teacher-forcing strength at the end of the epoch (0 = free running)",
    "lr": "learning rate of the epoch's last step",
    "time": "wall-clock seconds since the start of training (cumulative over resumes)",
    "steps": "optimizer steps done by the end of the epoch",
}


class History:
    """Per-epoch records of named floats; variables missing in an epoch are NaN there."""

    def __init__(self) -> None:
        self.records: list[dict[str, float]] = []

    def __len__(self) -> int:
        return len(self.records)

    def append(self, record: Mapping[str, float]) -> None:
        self.records.append({k: float(v) for k, v in record.items()})

    def last(self, name: str, default: float = math.nan) -> float:
        return self.records[-1].get(name, default) if self.records else default

    def state_dict(self) -> dict[str, Any]:
        names = self.names()
        return {"names": names, "values": [[r.get(n, math.nan) for n in names] for r in self.records]}

    def load_state_dict(self, state: Mapping[str, Any]) -> None:
        names = list(state["names"])
        self.records = [dict(zip(names, map(float, row), strict=True)) for row in state["values"]]

    def names(self) -> list[str]:
        seen: dict[str, None] = {}
        for r in self.records:
            seen.update(dict.fromkeys(r))
        return list(seen)

    def to_dataset(self, attrs: Mapping[str, Any] | None = None) -> xr.Dataset:
        """The history as ``xr.Dataset`` (dim ``epoch``, 1-based coordinate)."""
        epochs = np.arange(1, len(self.records) + 1)
        data = {}
        for name in self.names():
            values = np.array([r.get(name, math.nan) for r in self.records], dtype=float)
            meta = {"description": _DESCRIPTIONS.get(name, "validation metric on closed-loop forecasts")}
            if name in _UNITS:
                meta["units"] = _UNITS[name]
            data[name] = xr.DataArray(values, dims=("epoch",), attrs=meta)
        return xr.Dataset(data, coords={"epoch": epochs}, attrs=dict(attrs or {}))
