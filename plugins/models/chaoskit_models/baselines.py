"""Baselines that every model should beat: persistence and the training mean.

Both are closed-form numpy models with no hyperparameters of their own (``device``, ``dtype``
and ``seed`` are inherited and have no effect beyond the output dtype). They work on any data
the conventions allow: spatial fields and complex values included.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

import attrs
import numpy as np
import xarray as xr
from chaoskit import Model

__all__ = ["MeanBaseline", "Persistence"]


@attrs.define(frozen=True, kw_only=True, slots=False)
class Persistence(Model):
    """Persistence: every forecast step repeats the last context value of its member.

    ``x̂_{t+k} = x_t`` for ``k = 1 … steps``. It needs no training (``fit`` records only the
    variables and ``dt``), so it is the floor of short-term skill: a model that does not beat
    it has learned nothing about the dynamics.
    """

    min_context: ClassVar[int] = 1
    backend: ClassVar[str] = "numpy"

    def _fit(self, train: xr.Dataset, *, valid: xr.Dataset | None, trainer: Any) -> None:
        return None

    def _forecast(self, context: xr.Dataset, steps: int) -> Any:
        last = np.asarray(context["state"].values[:, -1:], dtype=_dtype(self.dtype, context))
        return np.repeat(last, steps, axis=1)

    def _get_state(self) -> Mapping[str, Any]:
        return {}

    def _set_state(self, state: Mapping[str, np.ndarray]) -> None:
        return None


@attrs.define(frozen=True, kw_only=True, slots=False)
class MeanBaseline(Model):
    """The training mean: every forecast step is the time and member average of the training data.

    ``x̂_{t+k} = mean(train)`` per variable (and grid point of a field), whatever the context.
    It minimises the long-run mean squared error of a forecast that has lost the phase of the
    dynamics, so an error above it means a model does worse than knowing nothing beyond the
    climatology.
    """

    min_context: ClassVar[int] = 1
    backend: ClassVar[str] = "numpy"

    def _fit(self, train: xr.Dataset, *, valid: xr.Dataset | None, trainer: Any) -> None:
        values = np.asarray(train["state"].values)
        self.__dict__["mean"] = values.mean(axis=(0, 1))

    def _forecast(self, context: xr.Dataset, steps: int) -> Any:
        mean = np.asarray(self.__dict__["mean"], dtype=_dtype(self.dtype, context))
        shape = (context.sizes["member"], steps, *mean.shape)
        return np.broadcast_to(mean, shape).copy()

    def _get_state(self) -> Mapping[str, Any]:
        return {"mean": np.asarray(self.__dict__["mean"])}

    def _set_state(self, state: Mapping[str, np.ndarray]) -> None:
        self.__dict__["mean"] = np.asarray(state["mean"])


def _dtype(name: str, context: xr.Dataset) -> np.dtype:
    """The model's float dtype, or its complex counterpart for complex fields."""
    if np.iscomplexobj(context["state"].values):
        return np.dtype("complex64" if name == "float32" else "complex128")
    return np.dtype(name)
