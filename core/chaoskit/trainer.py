"""The Trainer interface: how a gradient-trained model is fit."""

from __future__ import annotations

import abc
from typing import Any

import attrs
import xarray as xr

from .data import validate
from .errors import ParameterError
from .model import Model

__all__ = ["TrainResult", "Trainer"]


@attrs.frozen(kw_only=True)
class TrainResult:
    """The outcome of ``Trainer.fit``.

    ``history`` is a Dataset with dim ``epoch`` holding ``loss`` and any validation metrics;
    ``best_epoch`` is the epoch whose weights the model holds afterwards (``None`` when the
    trainer keeps the last); ``checkpoint`` the path of the best checkpoint when one was
    written; ``wall_time`` the seconds spent; ``stopped_early`` whether early stopping ended it.
    """

    history: xr.Dataset
    best_epoch: int | None = None
    checkpoint: str | None = None
    wall_time: float = 0.0
    stopped_early: bool = False


@attrs.define(frozen=True, kw_only=True)
class Trainer(abc.ABC):
    """Fits a model; options (epochs, optimizer, teacher forcing …) are frozen attrs fields.

    Contract
    --------
    ``fit(model, train, valid=None)`` validates the data and that ``model`` is a chaoskit
    :class:`Model`, then calls ``_fit``, which trains the model in place and returns a
    :class:`TrainResult`. Trainers call the training-lifecycle hooks
    (``chaoskit_train_start``, ``chaoskit_train_epoch_end``, ``chaoskit_train_end``) through
    :func:`chaoskit.plugins.call_hook`, so plugins can log elsewhere.
    """

    def fit(self, model: Model, train: xr.Dataset, *, valid: xr.Dataset | None = None) -> TrainResult:
        """Train ``model`` on ``train`` (and ``valid`` for early stopping); return the result."""
        if not isinstance(model, Model):
            raise ParameterError(
                f"{type(self).__name__}.fit expects a chaoskit Model, got {type(model).__name__}"
            )
        validate(train, name="train", min_times=2)
        if valid is not None:
            validate(valid, name="valid", min_times=2)
        return self._fit(model, train, valid=valid)

    @abc.abstractmethod
    def _fit(self, model: Any, train: xr.Dataset, *, valid: xr.Dataset | None) -> TrainResult:
        """Train ``model`` in place on validated data."""
