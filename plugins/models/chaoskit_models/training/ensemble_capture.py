"""How :func:`fit_ensemble` trains members through their own ``fit`` without duplicating it.

A member is fitted twice through its ordinary ``model.fit`` (so data validation, the model's
preprocessing in ``training_problem`` and its post-processing after training all run as in a
single fit), with :func:`fit_torch_model` intercepted at the point where it would train:

1. **capture**: ``fit_torch_model`` builds the member's :class:`TrainingProblem` (fresh
   initialisation from the member's seed) and the resolved trainer, and hands them back by
   raising :class:`Captured` (a ``BaseException``, so a model's ``except Exception`` cannot
   swallow it); the model stays unfitted;
2. the ensemble trains all captured problems together;
3. **replay**: ``fit_torch_model`` builds the problem again, loads the member's trained
   weights into its module and returns the member's result instead of training; ``fit`` then
   finishes as usual (``finish_training``, ``train_result``, the model's own post-processing).

Only the model being captured or replayed is intercepted; any other fit inside runs normally.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Mapping, Sequence
from contextvars import ContextVar
from typing import Any

import torch
from chaoskit import TrainResult

from .protocol import TrainingProblem

__all__ = ["Captured", "capturing", "intercept", "replaying"]


class Captured(BaseException):  # a control-flow signal, not an error
    """The training problem of a member, carried out of ``model.fit`` (capture phase)."""

    def __init__(self, trainer: Any, problem: TrainingProblem, data_attrs: Mapping[str, Any],
                 variables: Sequence[str]) -> None:
        super().__init__("captured")
        self.trainer, self.problem = trainer, problem
        self.data_attrs, self.variables = dict(data_attrs), tuple(variables)


_MODE: ContextVar[tuple[str, Any, Any] | None] = ContextVar("chaoskit_ensemble_mode", default=None)


@contextlib.contextmanager
def capturing(model: Any) -> Iterator[None]:
    """Within the block, training ``model`` raises :class:`Captured` instead of training."""
    token = _MODE.set(("capture", model, None))
    try:
        yield
    finally:
        _MODE.reset(token)


@contextlib.contextmanager
def replaying(model: Any, state: Mapping[str, torch.Tensor], result: TrainResult) -> Iterator[None]:
    """Within the block, training ``model`` loads ``state`` and returns ``result``."""
    token = _MODE.set(("replay", model, (state, result)))
    try:
        yield
    finally:
        _MODE.reset(token)


def intercept(model: Any, trainer: Any, problem: TrainingProblem, data_attrs: Mapping[str, Any],
              variables: Sequence[str]) -> TrainResult | None:
    """Called by ``fit_torch_model`` before it trains: ``None`` means "train as usual"."""
    mode = _MODE.get()
    if mode is None or mode[1] is not model:
        return None
    if mode[0] == "capture":
        raise Captured(trainer, problem, data_attrs, variables)
    state, result = mode[2]
    problem.module.load_state_dict(state)
    problem.module.eval()
    return result
