"""``GradientTrainer``: the chaoskit :class:`~chaoskit.Trainer` of every gradient-trained model."""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

import attrs
import xarray as xr
from chaoskit import (
    CapabilityError,
    ChaoskitError,
    Metric,
    Model,
    ParameterError,
    Trainer,
    TrainResult,
)
from chaoskit.validators import boolean, choice, integer, nonnegative, positive

from .forcing import NoForcing, forcing_of
from .lora import LoRA
from .optim import OPTIMIZERS
from .precision import PRECISIONS
from .protocol import TeacherForcing, TorchTrainable
from .schedules import Schedule, schedule_of

__all__ = ["GradientTrainer"]

_optional_positive = attrs.validators.optional(positive)


def _path(value: Any) -> str | None:
    return None if value is None else os.fspath(value)


def _resume(instance: Any, attribute: Any, value: Any) -> None:
    if not isinstance(value, (bool, str, os.PathLike)):
        raise ParameterError(
            f"GradientTrainer.resume must be True/False or the path of a checkpoint, got {value!r}"
        )


def _lora(instance: Any, attribute: Any, value: Any) -> None:
    if value is not None and not isinstance(value, LoRA):
        raise ParameterError(
            f"GradientTrainer.lora must be None or a LoRA(targets=..., rank=..., alpha=...) object, got {value!r}"
        )


def _monitor(instance: Any, attribute: Any, value: Any) -> None:
    if not (isinstance(value, Metric) or isinstance(value, str) and value):
        raise ParameterError(
            "GradientTrainer.monitor must be 'valid_loss', 'loss', the name of a registered chaoskit "
            f"metric (e.g. 'rmse', 'vpt') or a Metric object, got {value!r}"
        )


@attrs.define(frozen=True, kw_only=True)
class GradientTrainer(Trainer):
    """Mini-batch gradient training of a :class:`~chaoskit_models.training.TorchTrainable` model.

    Each optimizer step draws ``batch_size`` random windows of ``window`` time steps from the
    training data (every member and start equally likely, optional Gaussian ``noise``), computes
    the model's loss under the ``teacher_forcing`` strategy, and updates the parameters. An
    epoch is ``batches_per_epoch`` steps; after each one the validation loss (or a chaoskit
    metric on closed-loop forecasts of validation windows) is recorded, early stopping and the
    plateau schedule consulted, and the lifecycle hooks called.

    Parameters
    ----------
    epochs, batches_per_epoch, batch_size, window
        Run length, steps per epoch, windows per step, window length (time points).
    noise
        Standard deviation of Gaussian noise added to training windows (preprocessed units).
    optimizer, optimizer_options
        ``"adam"``, ``"adamw"``, ``"radam"``, ``"sgd"`` or ``"lion"``, and extra keyword
        arguments for it (``{"betas": (0.9, 0.99)}``, ``{"momentum": 0.9}`` …).
    lr, lr_end, schedule
        Learning rate, its final value, and the schedule: ``"constant"``, ``"exponential"``
        (``lr`` → ``lr_end``, default ``lr/1000``), ``"cosine"`` (→ ``lr_end``, default 0),
        ``"plateau"`` or a :class:`~chaoskit_models.training.Schedule` object.
    weight_decay
        L2 penalty (adam, radam, sgd) or decoupled decay (adamw, lion).
    grad_clip
        Maximal global gradient norm (``None``: no clipping).
    teacher_forcing
        A :class:`~chaoskit_models.training.TeacherForcing` strategy (default free running).
    precision
        ``"float"`` (the model's dtype), ``"bf16"`` or ``"fp16"`` autocast (float32 models).
    lora
        A :class:`~chaoskit_models.training.LoRA` configuration: fine-tune low-rank adapters of
        the model's last trained weights; the adapters are merged when training ends.
    warm_start
        Start from the model's last trained weights instead of a fresh initialisation.
    patience, monitor, min_delta, restore_best
        Early stopping after ``patience`` epochs without an improvement of ``monitor`` by more
        than ``min_delta`` (``None``: never). ``monitor`` is ``"valid_loss"`` (the training loss
        when there is no validation data), ``"loss"``, or a chaoskit metric (name or object)
        scored on closed-loop forecasts of the validation windows from their first
        ``valid_context`` points. ``restore_best`` leaves the model with the weights of the
        best epoch.
    valid_context, valid_windows, valid_window
        Context length of those forecasts, the most validation windows used, and their length
        (``None``: ``window``). A DSR model selected as in the Durstewitz lab's code scores
        long free runs: ``monitor="dstsp_binned", valid_window=20_000, valid_context=1``.
    valid_every
        Validate after every ``valid_every``-th epoch and after the last one. With a monitored
        validation quantity only those epochs compete for ``restore_best``, and ``patience``
        and the plateau schedule count validations, not epochs.
    checkpoint_dir, checkpoint_every, resume
        Write ``last.pt`` every ``checkpoint_every`` steps (and ``best.pt``) to
        ``checkpoint_dir``; ``resume=True`` continues from ``checkpoint_dir/last.pt`` when it
        exists, a path resumes from that file.
    max_steps
        Stop after this many optimizer steps in all (a checkpoint is written there).
    seed
        Seed of window sampling, noise and adapter initialisation (``None``: the model's seed).
    progress
        Show a tqdm bar (only when stderr is a terminal).
    """

    epochs: int = attrs.field(default=100, validator=integer(1))
    batches_per_epoch: int = attrs.field(default=50, validator=integer(1))
    batch_size: int = attrs.field(default=16, validator=integer(1))
    window: int = attrs.field(default=200, validator=integer(2))
    noise: float = attrs.field(default=0.0, validator=nonnegative)
    optimizer: str = attrs.field(default="adam", validator=choice(tuple(OPTIMIZERS)))
    optimizer_options: Mapping[str, Any] = attrs.field(factory=dict, converter=dict, hash=False)
    lr: float = attrs.field(default=1e-3, validator=positive)
    lr_end: float | None = attrs.field(default=None, validator=_optional_positive)
    # attrs converts the default too; its stub types field() by the default, not the converter
    schedule: Schedule = attrs.field(  # type: ignore[assignment]
        default="constant", converter=schedule_of
    )
    weight_decay: float = attrs.field(default=0.0, validator=nonnegative)
    grad_clip: float | None = attrs.field(default=None, validator=_optional_positive)
    teacher_forcing: TeacherForcing = attrs.field(factory=NoForcing, converter=forcing_of)
    precision: str = attrs.field(default="float", validator=choice(PRECISIONS))
    lora: LoRA | None = attrs.field(default=None, validator=_lora)
    warm_start: bool = attrs.field(default=False, validator=boolean)
    patience: int | None = attrs.field(default=None, validator=integer(1, optional=True))
    monitor: str | Metric = attrs.field(default="valid_loss", validator=_monitor)
    min_delta: float = attrs.field(default=0.0, validator=nonnegative)
    restore_best: bool = attrs.field(default=True, validator=boolean)
    valid_context: int = attrs.field(default=1, validator=integer(1))
    valid_windows: int = attrs.field(default=64, validator=integer(1))
    valid_window: int | None = attrs.field(default=None, validator=integer(2, optional=True))
    valid_every: int = attrs.field(default=1, validator=integer(1))
    checkpoint_dir: str | None = attrs.field(default=None, converter=_path)
    checkpoint_every: int = attrs.field(default=100, validator=integer(1))
    resume: bool | str = attrs.field(default=False, validator=_resume)
    max_steps: int | None = attrs.field(default=None, validator=integer(1, optional=True))
    seed: int | None = attrs.field(default=None, validator=integer(0, optional=True))
    progress: bool = attrs.field(default=True, validator=boolean)

    @property
    def total_steps(self) -> int:
        """Optimizer steps of the whole run (``epochs × batches_per_epoch``)."""
        return self.epochs * self.batches_per_epoch

    def _fit(self, model: Any, train: xr.Dataset, *, valid: xr.Dataset | None) -> TrainResult:
        if not isinstance(model, TorchTrainable):
            raise CapabilityError(
                f"GradientTrainer trains torch models that implement TorchTrainable; "
                f"{type(model).__name__} does not (closed-form models are fit with model.fit(train))"
            )
        assert isinstance(model, Model)  # Trainer.fit only hands Model instances to _fit
        model.fit(train, valid=valid, trainer=self)
        result = model.__dict__.get("train_result")
        if not isinstance(result, TrainResult):
            raise ChaoskitError(
                f"{type(model).__name__}._fit did not train through "
                "chaoskit_models.training.fit_torch_model; this is a bug in the model"
            )
        return result


def fit_torch_model(model: Model, train: xr.Dataset, valid: xr.Dataset | None, trainer: Any) -> TrainResult:
    """Train a :class:`TorchTrainable` model; what its ``_fit`` calls.

    Resolves the trainer (``trainer`` or ``model.default_trainer()``), asks the model for its
    :class:`~chaoskit_models.training.TrainingProblem`, trains, hands the trained module to
    ``model.finish_training`` and stores the :class:`chaoskit.TrainResult` as
    ``model.train_result``.
    """
    from .ensemble_capture import intercept
    from .loop import run_training
    from .protocol import TrainingProblem

    if not isinstance(model, TorchTrainable):
        raise CapabilityError(f"fit_torch_model needs a TorchTrainable model, got {type(model).__name__}")
    trainer = model.default_trainer() if trainer is None else trainer
    if not isinstance(trainer, GradientTrainer):
        raise ParameterError(
            f"{type(model).__name__} is trained by a GradientTrainer "
            f"(chaoskit.trainers.create('gradient', ...)), got {type(trainer).__name__} {trainer!r}"
        )
    problem = model.training_problem(train, valid)
    if not isinstance(problem, TrainingProblem):
        raise ChaoskitError(
            f"{type(model).__name__}.training_problem returned {type(problem).__name__}, "
            "not a TrainingProblem; this is a bug in the model"
        )
    valid_attrs = dict(valid.attrs if valid is not None else train.attrs)
    result = intercept(model, trainer, problem, valid_attrs, train.chaos.variables)  # fit_ensemble's members
    if result is None:
        result = run_training(trainer, model, problem, data_attrs=valid_attrs, variables=train.chaos.variables)
    model.finish_training(problem.module)
    model.__dict__["_chaoskit_module_state"] = {
        k: v.detach().clone() for k, v in problem.module.state_dict().items()
    }
    model.__dict__["train_result"] = result
    return result
