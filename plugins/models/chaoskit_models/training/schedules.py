"""Learning-rate schedules: constant, exponential decay, cosine, reduce on plateau.

A schedule is a frozen configuration (:class:`Schedule`); :meth:`Schedule.start` makes the
runtime that the trainer asks for the learning rate of each optimizer step (``k = 0 … S−1``
over a run of ``S`` steps) and tells the epoch's monitored value (for :class:`Plateau`). The
runtimes keep no state but the plateau counters, so resuming a checkpoint is exact.
"""

from __future__ import annotations

import abc
import math
from collections.abc import Mapping
from typing import Any

import attrs
from chaoskit import ParameterError
from chaoskit.validators import in_interval, integer, nonnegative

__all__ = ["SCHEDULES", "Constant", "Cosine", "Exponential", "Plateau", "Schedule", "schedule_of"]


class ScheduleRuntime:
    """The learning rate of step ``k``; :meth:`epoch_end` sees the monitored value."""

    def __init__(self, fn: Any) -> None:
        self._fn = fn

    def lr(self, step: int) -> float:
        return float(self._fn(step))

    def epoch_end(self, value: float) -> None:
        """Called once per epoch with the monitored value (lower is better)."""

    def state_dict(self) -> dict[str, Any]:
        return {}

    def load_state_dict(self, state: Mapping[str, Any]) -> None:
        """Restore :meth:`state_dict`'s output."""


class Schedule(abc.ABC):
    """A learning-rate schedule configuration."""

    @abc.abstractmethod
    def start(self, lr: float, lr_end: float | None, total_steps: int) -> ScheduleRuntime:
        """The runtime for a run of ``total_steps`` steps from ``lr`` (towards ``lr_end``)."""


def _progress(step: int, total: int) -> float:
    return min(1.0, step / (total - 1)) if total > 1 else 1.0


@attrs.frozen
class Constant(Schedule):
    """``lr`` at every step (``lr_end`` is ignored)."""

    def start(self, lr: float, lr_end: float | None, total_steps: int) -> ScheduleRuntime:
        return ScheduleRuntime(lambda k: lr)


@attrs.frozen
class Exponential(Schedule):
    """Geometric decay from ``lr`` at the first step to ``lr_end`` at the last.

    ``lr_k = lr·(lr_end/lr)^(k/(S−1))``; ``lr_end`` defaults to ``lr/1000`` (the DSR papers'
    1e-3 → 1e-6).
    """

    def start(self, lr: float, lr_end: float | None, total_steps: int) -> ScheduleRuntime:
        end = lr * 1e-3 if lr_end is None else lr_end
        ratio = math.log(end / lr)
        return ScheduleRuntime(lambda k: lr * math.exp(ratio * _progress(k, total_steps)))


@attrs.frozen
class Cosine(Schedule):
    """Half a cosine from ``lr`` to ``lr_end`` (default 0) over the run."""

    def start(self, lr: float, lr_end: float | None, total_steps: int) -> ScheduleRuntime:
        end = 0.0 if lr_end is None else lr_end
        return ScheduleRuntime(
            lambda k: end + 0.5 * (lr - end) * (1.0 + math.cos(math.pi * _progress(k, total_steps)))
        )


@attrs.frozen
class Plateau(Schedule):
    """Multiply the learning rate by ``factor`` when the monitored value has not improved.

    The value is the one early stopping monitors (validation loss, a validation metric, or the
    training loss without validation data), seen once per epoch. After ``patience`` epochs
    without an improvement larger than ``threshold`` (relative), the rate is reduced, never
    below ``lr_end`` (default 0).
    """

    factor: float = attrs.field(default=0.5, validator=in_interval(0.0, 1.0, closed_high=False))
    patience: int = attrs.field(default=10, validator=integer(0))
    threshold: float = attrs.field(default=1e-4, validator=nonnegative)

    def start(self, lr: float, lr_end: float | None, total_steps: int) -> ScheduleRuntime:
        return _PlateauRuntime(self, lr, 0.0 if lr_end is None else lr_end)


class _PlateauRuntime(ScheduleRuntime):
    def __init__(self, config: Plateau, lr: float, floor: float) -> None:
        super().__init__(None)
        self.config, self.floor = config, floor
        self.current, self.best, self.bad = lr, math.inf, 0

    def lr(self, step: int) -> float:
        return self.current

    def epoch_end(self, value: float) -> None:
        if not math.isfinite(value):
            return
        margin = self.config.threshold * abs(self.best) if math.isfinite(self.best) else 0.0
        if value < self.best - margin:
            self.best, self.bad = value, 0
            return
        self.bad += 1
        if self.bad > self.config.patience:
            self.current = max(self.floor, self.current * self.config.factor)
            self.bad = 0

    def state_dict(self) -> dict[str, Any]:
        return {"current": self.current, "best": self.best, "bad": self.bad}

    def load_state_dict(self, state: Mapping[str, Any]) -> None:
        self.current, self.best, self.bad = float(state["current"]), float(state["best"]), int(state["bad"])


SCHEDULES: Mapping[str, type[Schedule]] = {
    "constant": Constant,
    "exponential": Exponential,
    "cosine": Cosine,
    "plateau": Plateau,
}


def schedule_of(value: str | Schedule) -> Schedule:
    """A schedule from its name (default settings) or a :class:`Schedule` object."""
    if isinstance(value, Schedule):
        return value
    if isinstance(value, str) and value.lower() in SCHEDULES:
        return SCHEDULES[value.lower()]()
    raise ParameterError(
        f"GradientTrainer.schedule must be one of {sorted(SCHEDULES)} or a Schedule object "
        f"(e.g. Plateau(factor=0.5, patience=5)), got {value!r}"
    )
