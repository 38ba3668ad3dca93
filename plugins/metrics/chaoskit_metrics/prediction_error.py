"""The n-step prediction error PE(n) of the dynamical-systems-reconstruction literature.

PE(n) (Koppe et al. 2019; Hess et al. 2023, n = 20): from every test point ``x_t`` run the model
``n`` steps in closed loop and average the squared error to the true ``x_{t+n}``:

    PE(n) = mean_t mean_features (x̂_{t+n | t} − x_{t+n})².

It needs a model, so it comes in two forms:

- :func:`prediction_error` ``(model, data, n=20)`` runs the model itself from every ``stride``-th
  point of each member of ``data``: a fitted chaoskit ``Model`` (forecasting ``n`` steps after a
  context window of ``context_length`` points ending at ``x_t``, all windows in one batched
  ``forecast`` call), a ``Dynamics`` object, or a plain batched step function ``f(x) -> x_next``
  acting on states ``(..., features)`` in the data's own coordinates. Returns PE per member.
- :class:`NStepError`, a Metric on a forecast/truth pair: the squared error at the n-th
  forecast step, per member. Scoring a set of forecasts that start from many test points (one
  member each) and averaging over members gives PE(n) — the Metric form for benchmarks.

Units: state². The DSR papers compute it on standardized data; standardize first to compare.
"""

from __future__ import annotations

from typing import Any, ClassVar

import attrs
import chaoskit
import numpy as np
import xarray as xr
from chaoskit.data import MEMBER, STATE, TIME
from chaoskit.validators import integer

from .short_term import as_float, member_mean
from .support import feature_array

__all__ = ["NStepError", "prediction_error"]


def _step_function(model: Any) -> Any:
    """A numpy ``x -> next x`` from a Dynamics (either backend) or a callable."""
    if isinstance(model, chaoskit.Dynamics):
        if model.backend == "torch":
            import torch

            def step(x: np.ndarray) -> np.ndarray:
                with torch.no_grad():
                    return model.step(torch.as_tensor(x, dtype=torch.float64)).cpu().numpy()
            return step
        return lambda x: np.asarray(model.step(x), float)
    if callable(model):
        return lambda x: np.asarray(model(x), float)
    raise chaoskit.ParameterError(
        f"prediction_error: model must be a fitted chaoskit Model, a Dynamics or a step function, "
        f"got {type(model).__name__}"
    )


def prediction_error(
    model: Any, data: xr.Dataset, n: int = 20, *, context_length: int | None = None,
    stride: int = 1, max_starts: int | None = None,
) -> xr.DataArray:
    """PE(n) per member of ``data``: mean squared error of n-step closed-loop predictions.

    Parameters
    ----------
    model
        A fitted chaoskit ``Model``, a ``Dynamics`` (its state = the data's features) or a
        batched step function on numpy arrays ``(..., features)``.
    data
        Test trajectories; every member is scored separately.
    n
        Prediction steps (20 in Hess et al. 2023).
    context_length
        Models only: points of context ending at each start (default ``model.min_context``).
    stride
        Use every ``stride``-th test point as a start.
    max_starts
        At most this many starts per member (evenly thinned), to bound the cost.
    """
    chaoskit.validate(data, name="data", min_times=2)
    for value, what in ((n, "n"), (stride, "stride")):
        if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
            raise chaoskit.ParameterError(f"prediction_error: {what} must be a positive integer, got {value!r}")
    values, _ = feature_array(data)
    members, steps, features = values.shape
    is_model = isinstance(model, chaoskit.Model)
    context = (context_length or model.min_context) if is_model else 1
    starts = np.arange(context - 1, steps - n, stride)
    if max_starts is not None and len(starts) > max_starts:
        starts = starts[np.linspace(0, len(starts) - 1, max_starts).round().astype(int)]
    if len(starts) == 0:
        raise chaoskit.DataError(
            f"prediction_error: {steps} time points leave no start with {context} context points and "
            f"{n} steps ahead; use longer data or a smaller n"
        )
    target = values[:, starts + n]  # (member, start, feature)
    if is_model:
        offsets = np.arange(-(context - 1), 1)
        windows = np.asarray(data[STATE].values)[:, starts[:, None] + offsets[None, :]]
        windows = windows.reshape(members * len(starts), context, *windows.shape[3:])
        ctx = chaoskit.make_dataset(
            windows, time=np.asarray(data[TIME].values, float)[:context], variables=data.chaos.variables,
            space={d: data[d].values for d in data.chaos.space_dims}, attrs={"dt": data.chaos.dt})
        predicted, _ = feature_array(model.forecast(ctx, n).isel({TIME: [-1]}))
        predicted = predicted.reshape(members, len(starts), features)
    else:
        step = _step_function(model)
        state = values[:, starts]
        if isinstance(model, chaoskit.Dynamics) and model.dimension != features:
            raise chaoskit.DataError(
                f"prediction_error: the dynamics has dimension {model.dimension} but the data has "
                f"{features} features; PE compares states in the data's coordinates"
            )
        for _ in range(n):
            state = step(state)
        predicted = np.asarray(state, float)
    with np.errstate(over="ignore", invalid="ignore"):
        per_start = np.mean((predicted - target) ** 2, axis=-1)
    return xr.DataArray(
        per_start.mean(axis=1), dims=(MEMBER,), coords={MEMBER: data[MEMBER].values}, name="prediction_error",
        attrs={"n": int(n), "starts": len(starts), "stride": int(stride), "context_length": int(context),
               "model": type(model).__name__, "units": "state^2",
               "definition": "mean over starts t and features of (x_hat_{t+n|t} - x_{t+n})^2 (PE(n), Hess 2023)"},
    )


@attrs.define(frozen=True, kw_only=True)
class NStepError(chaoskit.Metric):
    """Squared error at the n-th forecast step per member; its mean over members is PE(n).

    Parameters
    ----------
    n
        The forecast step scored (1-based; 20 as in Hess et al. 2023). The forecast window must
        hold at least n steps.
    """

    name: ClassVar[str] = "prediction_error"
    units: ClassVar[str] = "state^2"
    definition: ClassVar[str] = (
        "mean over features of |forecast - truth|^2 at the n-th forecast step (n = 20 by default), "
        "per member; the mean over members started at many test points is the DSR PE(n)"
    )

    n: int = attrs.field(default=20, validator=integer(1))

    def _compute(self, truth: xr.Dataset, forecast: xr.Dataset, *, context: xr.Dataset | None) -> np.ndarray:
        if truth.sizes[TIME] < self.n:
            raise chaoskit.DataError(
                f"prediction_error: the forecast window has {truth.sizes[TIME]} steps, fewer than n = {self.n}"
            )
        u = as_float(truth[STATE].isel({TIME: self.n - 1}).values)
        v = as_float(forecast[STATE].isel({TIME: self.n - 1}).values)
        with np.errstate(over="ignore", invalid="ignore"):
            return member_mean(np.abs(v - u) ** 2)
