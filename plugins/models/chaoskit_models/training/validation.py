"""The monitored quantity of a run: validation loss, training loss, or a chaoskit metric."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import torch
from chaoskit import CapabilityError, Metric, ParameterError, make_dataset

from .protocol import ForcingRuntime, TrainingProblem

__all__ = ["Monitor", "validation_due"]


class Monitor:
    """What early stopping, ``restore_best`` and the plateau schedule look at.

    ``name`` is the history variable; :meth:`score` turns its value into "lower is better".
    """

    def __init__(
        self,
        monitor: str | Metric,
        problem: TrainingProblem,
        *,
        has_valid: bool,
        window: int,
        context: int,
    ) -> None:
        self.metric: Metric | None = None
        if isinstance(monitor, Metric):
            self.metric = monitor
        elif monitor == "valid_loss":
            monitor = "valid_loss" if has_valid else "loss"
        elif monitor != "loss":
            import chaoskit

            self.metric = chaoskit.metrics.create(monitor)
        if self.metric is not None:
            if not has_valid:
                raise ParameterError(
                    f"monitor={self.metric.name!r} scores validation forecasts, but there is no "
                    "validation data; pass fit(train, valid=...) or monitor='loss'"
                )
            if problem.forecast is None:
                raise CapabilityError(
                    f"monitor={self.metric.name!r} needs closed-loop forecasts, but this model's "
                    "training problem has no forecast function; monitor 'valid_loss' instead"
                )
            if window <= context:
                raise ParameterError(
                    f"monitor={self.metric.name!r}: the validation windows ({window} points) must be "
                    f"longer than valid_context ({context})"
                )
            self.name = self.metric.name
        else:
            self.name = str(monitor)
        self.sign = -1.0 if self.metric is not None and self.metric.direction == "higher" else 1.0
        #: whether the monitored value exists only in epochs that end with a validation
        self.uses_valid = has_valid and self.name != "loss"

    def score(self, record: Mapping[str, float]) -> float:
        """The monitored value of an epoch's record, oriented so that lower is better."""
        value = record.get(self.name, math.nan)
        return self.sign * value if math.isfinite(value) else math.inf


def validation_due(epoch: int, every: int, epochs: int) -> bool:
    """Whether the ``epoch``-th epoch (1-based) ends with a validation: every ``every``-th one
    and the last of the ``epochs``."""
    return epoch % every == 0 or epoch == epochs


def validation_loss(
    problem: TrainingProblem, module: torch.nn.Module, windows: torch.Tensor, forcing: ForcingRuntime
) -> float:
    """The loss on the validation windows (no gradients, forcing state frozen)."""
    with torch.no_grad(), forcing.frozen():
        return float(problem.loss(module, windows, forcing))


def validation_metric(
    metric: Metric,
    problem: TrainingProblem,
    module: torch.nn.Module,
    windows: torch.Tensor,
    *,
    context: int,
    attrs: Mapping[str, Any],
    variables: Sequence[str],
) -> float:
    """The member-mean of ``metric`` on closed-loop forecasts of the validation windows.

    Each window's first ``context`` points are the context and the rest the truth; the data are
    in the model's preprocessed units. A window whose forecast diverged (by the metric's own
    test, recorded in its ``diverged_at``: non-finite, or beyond ``divergence_margin`` times the
    data's range) scores the worst value, ``inf`` (``-inf`` for metrics where higher is better),
    so the epoch counts as the worst: a model that blows up from one validation start is not a
    good one. Other undefined (NaN) scores are left out of the mean.
    """
    assert problem.forecast is not None
    ctx, truth = windows[:, :context], windows[:, context:]
    with torch.no_grad():
        pred = problem.forecast(module, ctx, truth.shape[1])
    features = windows.shape[-1]
    names = tuple(variables) if len(variables) == features else tuple(f"f{i}" for i in range(features))
    dt = float(attrs.get("dt", 1.0))
    meta = {k: attrs[k] for k in ("dt", "lyapunov_time", "system") if k in attrs}
    meta.setdefault("dt", dt)

    def dataset(values: torch.Tensor, start: int) -> Any:
        array = values.detach().to("cpu", torch.float64).numpy()
        time = dt * np.arange(start, start + array.shape[1])
        return make_dataset(array, time=time, variables=names, attrs=meta)

    worst = math.inf if metric.direction == "lower" else -math.inf
    result = metric(dataset(truth, context), dataset(pred, context), context=dataset(ctx, 0))
    scores = np.array(result.values, dtype=float)
    if "diverged_at" in result.coords:
        scores[~np.isnan(np.asarray(result["diverged_at"].values, dtype=float))] = worst
    if np.all(np.isnan(scores)):
        return worst
    return float(np.nanmean(scores))
