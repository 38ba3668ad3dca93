"""Shared plumbing of the long-term metrics: feature arrays and NaN results with reasons.

A metric that cannot score a member (a constant truth variable, no forecast point inside the
truth's range, a too-short series …) returns NaN for that member and records why. Inside
``_compute`` or ``_estimate`` call :func:`note_nan`; the result's attrs then carry
``nan_reasons``, a JSON-encoded ``{member: reason}`` mapping (``"json:{...}"``, as every
chaoskit attribute that NetCDF cannot store natively; ``ds.chaos``-style decoding with
:func:`chaoskit.data.decode_attrs` turns it back into a dict). Members whose forecast diverged
are listed with the time at which they did.
"""

from __future__ import annotations

import contextvars
import json
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import attrs
import chaoskit
import numpy as np
import xarray as xr
from chaoskit.data import MEMBER, STATE

__all__ = [
    "ReasonedInvariant", "ReasonedMetric", "collect_reasons", "feature_array", "finite_members",
    "note_nan", "per_feature", "reasons_attr",
]

_REASONS: contextvars.ContextVar[dict[int, str] | None] = contextvars.ContextVar(
    "chaoskit_metrics_nan_reasons", default=None
)


def note_nan(member: int, reason: str) -> None:
    """Record why member ``member`` (position along ``member``) scores NaN in the current call."""
    reasons = _REASONS.get()
    if reasons is not None:
        previous = reasons.get(int(member))
        reasons[int(member)] = reason if previous is None or previous == reason else f"{previous}; {reason}"


@contextmanager
def collect_reasons() -> Iterator[dict[int, str]]:
    """Collect the reasons noted by :func:`note_nan` inside the block (nested calls merge)."""
    outer = _REASONS.get()
    reasons: dict[int, str] = {}
    token = _REASONS.set(reasons)
    try:
        yield reasons
    finally:
        _REASONS.reset(token)
        if outer is not None:
            for member, reason in reasons.items():
                outer.setdefault(member, reason)


def reasons_attr(reasons: dict[int, str], members: np.ndarray) -> str:
    """``reasons`` keyed by member label, JSON-encoded as a chaoskit attribute string."""
    labels = {str(members[i].item() if hasattr(members[i], "item") else members[i]): r
              for i, r in sorted(reasons.items())}
    return "json:" + json.dumps(labels, sort_keys=True)


def feature_array(ds: xr.Dataset) -> tuple[np.ndarray, list[str]]:
    """``state`` as a float64 array ``(member, time, feature)`` and the feature names.

    Space points and variables are all features; complex fields give their real and imaginary
    parts as two features each (``re(name)``, ``im(name)``).
    """
    da = ds[STATE]
    values = np.asarray(da.values)
    members, steps = values.shape[:2]
    flat = values.reshape(members, steps, -1)
    variables = [str(v) for v in ds["variable"].values]
    space = ds.chaos.space_dims
    if space:
        grid = int(np.prod([ds.sizes[d] for d in space]))
        names = [f"{v}[{i}]" for i in range(grid) for v in variables]
    else:
        names = variables
    if np.iscomplexobj(flat):
        return (np.concatenate([flat.real, flat.imag], axis=-1).astype(float),
                [f"re({n})" for n in names] + [f"im({n})" for n in names])
    return flat.astype(float, copy=False), names


def per_feature(values: np.ndarray, ds: xr.Dataset, names: list[str], *, name: str,
                attrs: dict[str, Any] | None = None) -> xr.DataArray:
    """A ``(member, variable)`` DataArray (``(member, feature)`` for fields or complex data)."""
    plain = not ds.chaos.space_dims and list(names) == [str(v) for v in ds["variable"].values]
    dim = "variable" if plain else "feature"
    return xr.DataArray(np.asarray(values, float), dims=(MEMBER, dim),
                        coords={MEMBER: ds[MEMBER].values, dim: list(names)}, name=name,
                        attrs=dict(attrs or {}))


def finite_members(values: np.ndarray) -> np.ndarray:
    """Boolean ``(member,)``: whether every value of the member is finite."""
    return np.isfinite(values.reshape(values.shape[0], -1)).all(axis=1)


@attrs.define(frozen=True, kw_only=True)
class ReasonedMetric(chaoskit.Metric):
    """A Metric whose NaN results carry reasons (attr ``nan_reasons``); see the module docstring."""

    def __call__(
        self, truth: xr.Dataset, forecast: xr.Dataset, *, context: xr.Dataset | None = None
    ) -> xr.DataArray:
        """Score ``forecast`` against ``truth`` per member; NaN members say why in attrs."""
        with collect_reasons() as reasons:
            result = super().__call__(truth, forecast, context=context)
        diverged = np.asarray(result["diverged_at"].values, float)
        if not self.handles_divergence:
            for i in np.flatnonzero(np.isfinite(diverged)):
                reasons.setdefault(int(i), f"forecast diverged at t = {diverged[i]:.6g}")
        result.attrs["nan_reasons"] = reasons_attr(
            {i: r for i, r in reasons.items() if np.isnan(result.values[i])}, result[MEMBER].values
        )
        return result


@attrs.define(frozen=True, kw_only=True)
class ReasonedInvariant(ReasonedMetric, chaoskit.Invariant):
    """An Invariant whose ``estimate`` and comparisons record why a member is NaN."""

    def estimate(self, data: Any) -> xr.DataArray:
        """The invariant of ``data`` per member; NaN members say why in attrs ``nan_reasons``."""
        with collect_reasons() as reasons:
            out = super().estimate(data)
        out.attrs["nan_reasons"] = reasons_attr(reasons, np.asarray(data[MEMBER].values))
        return out

    def _compute(self, truth: xr.Dataset, forecast: xr.Dataset, *, context: xr.Dataset | None) -> Any:
        with collect_reasons() as from_truth:
            reference = self._estimate(truth)
        with collect_reasons() as from_forecast:
            other = self._estimate(forecast)
        for i, reason in from_truth.items():
            note_nan(i, f"truth: {reason}")
        for i, reason in from_forecast.items():
            note_nan(i, f"forecast: {reason}")
        return self._compare(reference, other)

    def _compare(self, reference: xr.DataArray, other: xr.DataArray) -> Any:
        """Relative error ``|I_f − I_t| / |I_t|``, mean over non-member dims; NaN propagates."""
        with np.errstate(divide="ignore", invalid="ignore"):
            rel = abs(other - reference) / abs(reference)  # DataArray.__abs__ keeps the type
        extra = [d for d in rel.dims if d != MEMBER]
        return (rel.mean(extra, skipna=False) if extra else rel).values
