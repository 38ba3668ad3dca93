"""Short-term forecast errors: a pointwise error term averaged over time and every feature.

Each metric is one subclass of :class:`PointwiseError` that states its term (and, where needed,
a transform of the mean), so adding NRMSE or another average takes a few lines. Scores are per
member; space dims and variables of a field are all features and weigh equally. Complex fields
use the modulus of the difference.
"""

from __future__ import annotations

import abc
from typing import Any, ClassVar

import attrs
import numpy as np
import xarray as xr

import chaoskit
from chaoskit.data import STATE
from chaoskit.validators import choice

__all__ = [
    "MAE", "MSE", "RMSE", "SMAPE", "PointwiseError", "as_float", "member_mean", "smape_terms",
]


def as_float(values: Any) -> np.ndarray:
    """``values`` as an array of at least double precision (complex stays complex)."""
    array = np.asarray(values)
    return array.astype(np.result_type(array.dtype, np.float64), copy=False)


def member_mean(values: np.ndarray) -> np.ndarray:
    """Mean over every axis but the first (member): shape ``(member,)``."""
    return values.reshape(values.shape[0], -1).mean(axis=1)


def smape_terms(truth: np.ndarray, forecast: np.ndarray, scale: float) -> np.ndarray:
    """Elementwise ``scale · |f − u| / (|u| + |f|)``, 0 where truth and forecast are both 0.

    With ``scale = 200`` each term lies in [0, 200] (forecasting papers, PhyxMamba); with
    ``scale = 100`` in [0, 100] (current dysts). Non-finite forecasts give NaN.
    """
    denominator = np.abs(truth) + np.abs(forecast)
    with np.errstate(divide="ignore", invalid="ignore"):
        terms = scale * np.abs(forecast - truth) / denominator
    return np.where(denominator == 0, 0.0, terms)


@attrs.define(frozen=True, kw_only=True)
class PointwiseError(chaoskit.Metric):
    """Base of the metrics ``finish(mean over time and features of term(truth, forecast))``.

    Subclasses set the class attributes of :class:`chaoskit.Metric` and implement ``_term``;
    ``_finish`` maps the per-member mean (identity by default; ``sqrt`` for RMSE). Diverged
    members score NaN and are recorded in ``diverged_at`` (the base's behaviour).
    """

    direction: ClassVar[str] = "lower"
    kind: ClassVar[str] = "short_term"

    @abc.abstractmethod
    def _term(self, truth: np.ndarray, forecast: np.ndarray) -> np.ndarray:
        """The pointwise error, same shape as the inputs ``(member, time, *space, variable)``."""

    def _finish(self, mean: np.ndarray, truth: np.ndarray) -> np.ndarray:
        """Transform of the per-member mean ``(member,)``; ``truth`` is there for normalizations."""
        return mean

    def _compute(
        self, truth: xr.Dataset, forecast: xr.Dataset, *, context: xr.Dataset | None
    ) -> np.ndarray:
        u = as_float(truth[STATE].values)
        v = as_float(forecast[STATE].values)
        with np.errstate(invalid="ignore", over="ignore"):
            return self._finish(member_mean(self._term(u, v)), u)


@attrs.define(frozen=True, kw_only=True)
class MSE(PointwiseError):
    """Mean squared error per member, over time and every feature."""

    name: ClassVar[str] = "mse"
    units: ClassVar[str] = "state^2"
    definition: ClassVar[str] = (
        "mean over time and all features of |forecast - truth|^2, per member"
    )

    def _term(self, truth: np.ndarray, forecast: np.ndarray) -> np.ndarray:
        return np.abs(forecast - truth) ** 2


@attrs.define(frozen=True, kw_only=True)
class RMSE(PointwiseError):
    """Root-mean-square error per member: the square root of :class:`MSE`."""

    name: ClassVar[str] = "rmse"
    units: ClassVar[str] = "state"
    definition: ClassVar[str] = (
        "sqrt(mean over time and all features of |forecast - truth|^2), per member"
    )

    def _term(self, truth: np.ndarray, forecast: np.ndarray) -> np.ndarray:
        return np.abs(forecast - truth) ** 2

    def _finish(self, mean: np.ndarray, truth: np.ndarray) -> np.ndarray:
        return np.sqrt(mean)


@attrs.define(frozen=True, kw_only=True)
class MAE(PointwiseError):
    """Mean absolute error per member, over time and every feature."""

    name: ClassVar[str] = "mae"
    units: ClassVar[str] = "state"
    definition: ClassVar[str] = "mean over time and all features of |forecast - truth|, per member"

    def _term(self, truth: np.ndarray, forecast: np.ndarray) -> np.ndarray:
        return np.abs(forecast - truth)


@attrs.define(frozen=True, kw_only=True)
class SMAPE(PointwiseError):
    """Symmetric mean absolute percentage error per member.

    Parameters
    ----------
    scale
        ``200`` (default): ``200 · mean(|f − u| / (|u| + |f|))``, range 0–200, as in the
        forecasting literature, Gilpin 2023 and PhyxMamba. ``100``: range 0–100, as in current
        dysts. A pair with ``u = f = 0`` contributes 0.
    """

    name: ClassVar[str] = "smape"
    units: ClassVar[str] = "percent"
    definition: ClassVar[str] = (
        "scale * mean over time and all features of |forecast - truth| / (|truth| + |forecast|), "
        "per member; 0/0 counts 0; scale 200 (range 0-200) or 100 (range 0-100), see parameters"
    )

    scale: float = attrs.field(default=200.0, validator=choice((200, 100)))

    def _term(self, truth: np.ndarray, forecast: np.ndarray) -> np.ndarray:
        return smape_terms(truth, forecast, float(self.scale))
