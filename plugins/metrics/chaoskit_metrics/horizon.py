"""Horizoned variants: any pointwise metric over the first k Lyapunov times of a forecast."""

from __future__ import annotations

from typing import Any, ClassVar

import attrs
import chaoskit
import numpy as np
import xarray as xr
from chaoskit.data import TIME
from chaoskit.metric import divergence_times
from chaoskit.validators import positive

__all__ = ["Horizoned", "horizon_steps"]


def horizon_steps(truth: xr.Dataset, lyapunov_times: float, lyapunov_time: float | None) -> int:
    """Number of leading forecast steps covering ``lyapunov_times`` Lyapunov times (at least 1)."""
    tau = float(lyapunov_time) if lyapunov_time is not None else truth.chaos.lyapunov_time
    return max(1, min(truth.sizes[TIME], int(np.ceil(lyapunov_times * tau / truth.chaos.dt - 1e-9))))


@attrs.define(frozen=True, kw_only=True)
class Horizoned(chaoskit.Metric):
    """Any aligned metric over the first ``lyapunov_times`` Lyapunov times of the window.

    Parameters
    ----------
    metric
        Registry name (``"rmse"``) or Metric instance to restrict.
    lyapunov_times
        Horizon k in Lyapunov times: the first ``ceil(k · T_λ / dt)`` steps are scored.
    lyapunov_time
        ``T_λ = 1/λ1`` in time units; ``None`` reads it from the truth's attrs.
    options
        Parameters for creating ``metric`` by name.

    Notes
    -----
    ``diverged_at`` records divergence anywhere in the window (the attractor box taken from the
    whole truth window); the value is the inner metric on the horizon only: NaN for a member
    that diverged within the horizon, its score for one that diverged later.
    """

    name: ClassVar[str] = "horizoned"
    handles_divergence: ClassVar[bool] = True
    definition: ClassVar[str] = (
        "the inner metric computed on the first ceil(k * lyapunov_time / dt) forecast steps, per member"
    )

    metric: Any = attrs.field(default="rmse")
    lyapunov_times: float = attrs.field(default=1.0, validator=positive)
    lyapunov_time: float | None = attrs.field(default=None, validator=attrs.validators.optional(positive))
    options: dict[str, Any] = attrs.field(factory=dict)

    @property
    def inner(self) -> chaoskit.Metric:
        """The restricted metric."""
        if isinstance(self.metric, chaoskit.Metric):
            return self.metric
        return chaoskit.metrics.create(self.metric, **self.options)

    @property
    def direction(self) -> str:  # type: ignore[override]
        return self.inner.direction

    @property
    def units(self) -> str:  # type: ignore[override]
        return self.inner.units

    def __attrs_post_init__(self) -> None:
        if not self.inner.aligned:
            raise chaoskit.ParameterError(f"Horizoned: {self.inner.name!r} is not a pointwise (aligned) metric")

    def __call__(self, truth: xr.Dataset, forecast: xr.Dataset, *, context: xr.Dataset | None = None) -> xr.DataArray:
        """Score the first k Lyapunov times; attrs add ``horizon_steps`` and the inner metric."""
        result = super().__call__(truth, forecast, context=context)
        inner = self.inner
        result.attrs.update(inner_metric=inner.name, inner_definition=inner.definition,
                            lyapunov_times=self.lyapunov_times,
                            horizon_steps=horizon_steps(truth, self.lyapunov_times, self.lyapunov_time))
        return result

    def _compute(self, truth: xr.Dataset, forecast: xr.Dataset, *, context: xr.Dataset | None) -> np.ndarray:
        steps = horizon_steps(truth, self.lyapunov_times, self.lyapunov_time)
        window = {TIME: slice(0, steps)}
        inner = self.inner
        # the attractor box comes from the whole window (as for every metric), not the horizon
        relaxed = attrs.evolve(inner, divergence_margin=1e12) if attrs.has(type(inner)) else inner
        values = np.array(relaxed(truth.isel(window), forecast.isel(window), context=context).values, float)
        if not inner.handles_divergence:
            diverged = divergence_times(truth, forecast, context=context, margin=self.divergence_margin)
            end = float(truth[TIME].values[steps - 1])
            values[diverged <= end] = np.nan
        return values
