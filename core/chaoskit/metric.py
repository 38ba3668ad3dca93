"""The Metric interface (forecast against truth) and its Invariant subclass."""

from __future__ import annotations

import abc
import json
from typing import Any, ClassVar

import attrs
import numpy as np
import xarray as xr

from .data import MEMBER, STATE, TIME, validate
from .dynamics import Dynamics
from .errors import DataError
from .validators import positive

__all__ = ["METRIC_KINDS", "Invariant", "Metric", "divergence_times"]

METRIC_KINDS = ("short_term", "long_term", "dynamics")


def divergence_times(
    truth: xr.Dataset, forecast: xr.Dataset, *, context: xr.Dataset | None = None, margin: float = 2.0
) -> np.ndarray:
    """Per member, the first forecast time that is non-finite or far outside the attractor.

    The attractor's box is the per-variable range of ``truth`` (and ``context`` when given)
    over all members, widened by ``margin`` times its extent on each side. Members that never
    leave it get NaN.
    """
    ref = [_real_parts(truth[STATE].values)]
    if context is not None:
        ref.append(_real_parts(context[STATE].values))
    axes = tuple(range(ref[0].ndim - 1))
    lo = np.min([np.nanmin(r, axis=axes) for r in ref], axis=0)
    hi = np.max([np.nanmax(r, axis=axes) for r in ref], axis=0)
    extent = np.where(hi > lo, hi - lo, np.maximum(np.abs(hi), 1.0))
    real = _real_parts(forecast[STATE].values)
    with np.errstate(invalid="ignore"):
        out = (~np.isfinite(real)) | (real < lo - margin * extent) | (real > hi + margin * extent)
    out = out.reshape(out.shape[0], out.shape[1], -1).any(axis=-1)  # (member, time)
    time = np.asarray(forecast[TIME].values, float)
    first = np.where(out.any(axis=1), out.argmax(axis=1), -1)
    return np.where(first >= 0, time[np.maximum(first, 0)], np.nan)


def _real_parts(values: np.ndarray) -> np.ndarray:
    """Complex fields as real and imaginary parts side by side on the last axis."""
    if np.iscomplexobj(values):
        return np.concatenate([values.real, values.imag], axis=-1)
    return values


@attrs.define(frozen=True, kw_only=True)
class Metric(abc.ABC):
    """A score per member comparing a forecast with the truth.

    Class attributes every subclass sets
    ------------------------------------
    name
        The registry name (``"rmse"``).
    direction
        ``"lower"`` or ``"higher"``: which values are better.
    kind
        ``"short_term"``, ``"long_term"`` or ``"dynamics"``.
    units
        Units of the score (``"lyapunov_times"``, ``"state"``, ``""`` for dimensionless).
    definition
        One line stating exactly what is computed (formula, thresholds, conventions).
    handles_divergence
        ``False`` (default): a diverged member scores NaN and is recorded in ``diverged_at``.
        ``True``: the metric scores diverged members itself (valid prediction time does).
    aligned
        ``True`` (default): truth and forecast must share members, times and variables.
        ``False`` (long-term statistics): they must share members and variables only.

    Contract
    --------
    ``__call__(truth, forecast, context=None)`` validates both datasets (same members, times and
    variables), finds diverged members, and calls ``_compute``, which returns one value per
    member (array-like of shape ``(member,)``). The result is a DataArray ``(member,)`` named
    after the metric, with a ``diverged_at`` coordinate (NaN where the forecast stayed bounded)
    and attrs holding the name, direction, kind, units, definition and parameters.
    """

    name: ClassVar[str]
    direction: ClassVar[str] = "lower"
    kind: ClassVar[str] = "short_term"
    units: ClassVar[str] = ""
    definition: ClassVar[str] = ""
    handles_divergence: ClassVar[bool] = False
    aligned: ClassVar[bool] = True

    divergence_margin: float = attrs.field(default=2.0, validator=positive)

    def __call__(
        self, truth: xr.Dataset, forecast: xr.Dataset, *, context: xr.Dataset | None = None
    ) -> xr.DataArray:
        """Score ``forecast`` against ``truth`` per member."""
        validate(truth, name="truth")
        validate(forecast, name="forecast", finite=False)
        if context is not None:
            validate(context, name="context")
        _check_aligned(truth, forecast, times=self.aligned)
        diverged = divergence_times(truth, forecast, context=context, margin=self.divergence_margin)
        values = np.asarray(self._compute(truth, forecast, context=context), dtype=float)
        if values.shape != (truth.sizes[MEMBER],):
            raise DataError(
                f"metric {self.name}: _compute returned shape {values.shape}, expected ({truth.sizes[MEMBER]},)"
            )
        if not self.handles_divergence:
            values = np.where(np.isnan(diverged), values, np.nan)
        return self._result(values, truth[MEMBER].values, diverged)

    def _result(self, values: np.ndarray, members: np.ndarray, diverged: np.ndarray) -> xr.DataArray:
        return xr.DataArray(
            values, dims=(MEMBER,), coords={MEMBER: members, "diverged_at": (MEMBER, diverged)},
            name=self.name, attrs=self.describe(),
        )

    def describe(self) -> dict[str, Any]:
        """The metric's identity and settings, as stored in result attrs."""
        return {
            "metric": self.name, "direction": self.direction, "kind": self.kind,
            "units": self.units, "definition": self.definition,
            "parameters": json.dumps(attrs.asdict(self), sort_keys=True, default=str),
        }

    @abc.abstractmethod
    def _compute(self, truth: xr.Dataset, forecast: xr.Dataset, *, context: xr.Dataset | None) -> Any:
        """Return one value per member for validated, aligned datasets."""


def _check_aligned(truth: xr.Dataset, forecast: xr.Dataset, *, times: bool) -> None:
    if truth.sizes[MEMBER] != forecast.sizes[MEMBER]:
        raise DataError(
            f"truth has {truth.sizes[MEMBER]} members but forecast has {forecast.sizes[MEMBER]}; "
            "score each forecast member against its own truth member"
        )
    if times and truth[STATE].shape != forecast[STATE].shape:
        raise DataError(
            f"truth has shape {dict(truth[STATE].sizes)} but forecast has {dict(forecast[STATE].sizes)}; "
            "score a forecast against the truth over the same members and times"
        )
    if truth.chaos.variables != forecast.chaos.variables:
        raise DataError(
            f"truth variables {list(truth.chaos.variables)} differ from forecast variables "
            f"{list(forecast.chaos.variables)}"
        )
    for dim in truth.chaos.space_dims:
        if dim not in forecast.coords or not np.allclose(truth[dim].values, forecast[dim].values):
            raise DataError(f"truth and forecast differ on the spatial grid {dim!r}; interpolate one onto the other")
    if not times:
        return
    t, f = np.asarray(truth[TIME].values, float), np.asarray(forecast[TIME].values, float)
    if not np.allclose(t, f, rtol=1e-9, atol=1e-9 * max(1.0, float(np.abs(t).max()))):
        raise DataError(
            f"truth and forecast time axes differ (truth {t[0]}…{t[-1]}, forecast {f[0]}…{f[-1]}); "
            "take the truth at the forecast's times"
        )


@attrs.define(frozen=True, kw_only=True)
class Invariant(Metric):
    """A property of one trajectory set or one dynamics object (Lyapunov spectrum, dimension …).

    ``estimate(data)`` takes a Dataset, or a :class:`Dynamics` for invariants that need the
    equations, and returns a DataArray with a ``member`` dim (plus any dims of its own, e.g.
    ``exponent``) and, where the method gives one, an ``uncertainty`` coordinate.
    As a Metric it compares the invariant of the forecast with that of the truth: by default the
    relative error ``|I(forecast) − I(truth)| / |I(truth)|`` averaged over non-member dims.
    Subclasses implement ``_estimate`` and may override ``_compare``.
    """

    direction: ClassVar[str] = "lower"
    kind: ClassVar[str] = "long_term"
    accepts_dynamics: ClassVar[bool] = False
    aligned: ClassVar[bool] = False

    def estimate(self, data: xr.Dataset | Dynamics) -> xr.DataArray:
        """The invariant of ``data`` (a trajectory set, or a dynamics object where accepted)."""
        if isinstance(data, Dynamics):
            if not self.accepts_dynamics:
                raise DataError(f"{self.name} is estimated from data; pass a trajectory Dataset")
        else:
            validate(data, name="data")
        return self._estimate(data)

    @abc.abstractmethod
    def _estimate(self, data: xr.Dataset | Dynamics) -> xr.DataArray:
        """Estimate the invariant of validated data."""

    def _compute(self, truth: xr.Dataset, forecast: xr.Dataset, *, context: xr.Dataset | None) -> Any:
        return self._compare(self._estimate(truth), self._estimate(forecast))

    def _compare(self, reference: xr.DataArray, other: xr.DataArray) -> Any:
        rel = abs(other - reference) / abs(reference)  # DataArray.__abs__: keeps the DataArray type
        extra = [d for d in rel.dims if d != MEMBER]
        return (rel.mean(extra) if extra else rel).values
