"""``fit_ensemble``: train seeds or settings of one small model at once, as one batched ensemble.

Small recurrent models are bound by per-operation overhead on the CPU: a step of one clipped
shPLRNN (M = 3, L = 100) costs about as many dispatcher calls as a step of twenty. An ensemble
stacks the members' cells along a leading ``ensemble`` dim and unrolls them together (one
batched matrix product per layer and time step), while everything else stays per member —
initialisation, window stream, optimizer, learning rate, gradient clipping, α of generalized
teacher forcing, early stopping, divergence, best weights and history — so that each member
ends as after its own ``model.fit`` with the same trainer (see ``docs/training.md``,
"Ensembles").
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from typing import Any

import attrs
import xarray as xr
from chaoskit import CapabilityError, ChaoskitError, Model, ParameterError, TrainResult
from chaoskit.errors import DivergenceWarning

from .ensemble_capture import Captured, capturing, replaying
from .ensemble_loop import Member, run_ensemble
from .protocol import StackableCell, TorchTrainable

__all__ = ["fit_ensemble"]


#: Trainer settings that may differ between members (each member has its own optimizer,
#: schedule, window stream and gradient clipping); every other setting is shared.
PER_MEMBER_TRAINER = ("seed", "lr", "lr_end", "weight_decay", "grad_clip", "noise")


def fit_ensemble(
    models: Sequence[Model], train: xr.Dataset, valid: xr.Dataset | None = None, trainer: Any = None
) -> list[TrainResult]:
    """Fit ``models`` (one class and structure; seeds or settings may differ) as one batched ensemble.

    Each member initialises from its own ``seed``, draws its own training windows, and ends
    fitted exactly as after ``model.fit(train, valid=valid, trainer=its trainer)``: the same
    weights (up to the rounding of batched matrix products), ``train_result`` with its own
    history, forecasts, ``dynamics()``, ``save``/``load``. Members that stop early or diverge
    are frozen while the others go on; a diverged member keeps its last finite weights (or its
    best epoch's) and its history attrs name the step (``diverged_at_step``, ``diverged``).

    Parameters
    ----------
    models
        One or more unfitted or fitted :class:`~chaoskit_models.training.TorchTrainable` models
        of the same class whose hyperparameters are all equal except ``seed`` and the class's
        ``ensemble_free`` ones (for the PLRNN family: ``regularization`` and the default
        trainer's settings), and whose module is a
        :class:`~chaoskit_models.training.protocol.StackableCell` (the PLRNN family and the
        AL-RNN).
    train, valid
        As for ``model.fit``; the same data for every member.
    trainer
        A :class:`~chaoskit_models.training.GradientTrainer`, ``None`` for the models' default
        trainers, or a list or tuple of those, one per model. The trainers the members resolve may
        differ only in :data:`PER_MEMBER_TRAINER` (``seed``, ``lr``, ``lr_end``,
        ``weight_decay``, ``grad_clip``, ``noise``): a hyperparameter scan of those settings
        trains as one ensemble. Not supported in an ensemble: ``lora``,
        ``checkpoint_dir``/``resume``, ``precision="fp16"`` (:class:`chaoskit.CapabilityError`).

    Returns
    -------
    list of chaoskit.TrainResult
        One per model, in order (also stored as each model's ``train_result``).

    Raises
    ------
    ParameterError
        No models, a model given twice, models of different classes or of hyperparameters that
        must be shared, trainers that differ in a shared setting, or a trainer sequence of
        another length.
    CapabilityError
        A model whose module has no ensemble view, or a trainer option an ensemble cannot run.
    chaoskit.errors.TrainingDivergedError
        When every member diverged (the models stay unfitted).
    """
    models = list(models)
    _check_models(models)
    trainers = _per_member(trainer, len(models))
    ensemble = []
    for index, (model, given) in enumerate(zip(models, trainers, strict=True)):
        with capturing(model):
            try:
                model.fit(train, valid=valid, trainer=given)
            except Captured as captured:
                ensemble.append(Member(index=index, model=model, problem=captured.problem,
                                       data_attrs=captured.data_attrs, variables=captured.variables,
                                       trainer=captured.trainer))
            else:
                raise ChaoskitError(
                    f"{type(model).__name__}._fit did not train through "
                    "chaoskit_models.training.fit_torch_model; this is a bug in the model"
                )
    _check_shared_settings([m.trainer for m in ensemble])
    _check_trainer(ensemble[0].trainer)
    _check_modules(ensemble)
    results = run_ensemble(ensemble[0].trainer, ensemble)
    for member in ensemble:
        if member.status == "diverged":
            warnings.warn(f"fit_ensemble: {member.reason}; it keeps the weights of its last good step "
                          "(or of its best epoch with restore_best)", DivergenceWarning, stacklevel=2)
    for member, result, given in zip(ensemble, results, trainers, strict=True):
        state = {k: v.detach().clone() for k, v in member.problem.module.state_dict().items()}
        with replaying(member.model, state, result):
            member.model.fit(train, valid=valid, trainer=given)
    return [m.model.train_result for m in ensemble]


def _per_member(trainer: Any, count: int) -> list[Any]:
    """One trainer (or ``None``) per model: ``trainer`` repeated, or the sequence given."""
    if not isinstance(trainer, (list, tuple)):
        return [trainer] * count
    trainers = list(trainer)
    if len(trainers) != count:
        raise ParameterError(
            f"fit_ensemble: {len(trainers)} trainers for {count} models; pass one trainer, or one per model"
        )
    return trainers


def _check_shared_settings(trainers: list[Any]) -> None:
    first = trainers[0]
    for field in attrs.fields(type(first)):
        if field.name in PER_MEMBER_TRAINER:
            continue
        for i, other in enumerate(trainers[1:], start=1):
            if type(other) is not type(first) or getattr(other, field.name) != getattr(first, field.name):
                raise ParameterError(
                    f"fit_ensemble: the members' trainers differ in {field.name} "
                    f"({getattr(first, field.name)!r} for model 0, {getattr(other, field.name, None)!r} "
                    f"for model {i}); only {', '.join(PER_MEMBER_TRAINER)} may differ within an ensemble"
                )


def _check_models(models: list[Any]) -> None:
    if not models:
        raise ParameterError("fit_ensemble needs at least one model, got an empty sequence")
    first = models[0]
    for i, model in enumerate(models):
        if not isinstance(model, Model) or not isinstance(model, TorchTrainable):
            raise ParameterError(
                f"fit_ensemble trains chaoskit models fitted by the gradient trainer (TorchTrainable); "
                f"model {i} is a {type(model).__name__}"
            )
        if type(model) is not type(first):
            raise ParameterError(
                f"fit_ensemble trains models of one class; model 0 is a {type(first).__name__}, "
                f"model {i} a {type(model).__name__}. Fit different classes separately"
            )
    if len({id(m) for m in models}) != len(models):
        raise ParameterError("fit_ensemble: the same model object appears more than once; pass distinct models")
    free = {"seed", *first.ensemble_free}
    for field in attrs.fields(type(first)):
        if field.name in free:
            continue
        a = getattr(first, field.name)
        for i, model in enumerate(models[1:], start=1):
            b = getattr(model, field.name)
            if a != b:
                raise ParameterError(
                    f"fit_ensemble trains models that differ only in {', '.join(sorted(free))}, but "
                    f"{field.name} is {a!r} in model 0 and {b!r} in model {i}. Settings that change "
                    "the module's structure need separate fits (one ensemble per setting)"
                )


def _check_trainer(trainer: Any) -> None:
    unsupported = []
    if trainer.lora is not None:
        unsupported.append("lora (adapters are not stacked; fine-tune the members separately)")
    if trainer.checkpoint_dir is not None or trainer.resume is not False:
        unsupported.append("checkpoint_dir / resume (an ensemble run is not checkpointed; use max_steps "
                           "to time-box it, or separate fits to resume)")
    if trainer.precision == "fp16":
        unsupported.append("precision='fp16' (loss scaling is per run; use 'bf16' or 'float')")
    if unsupported:
        raise CapabilityError("fit_ensemble does not support " + "; ".join(unsupported))


def _check_modules(members: list[Member]) -> None:
    module = members[0].problem.module
    if not isinstance(module, StackableCell):
        raise CapabilityError(
            f"{type(members[0].model).__name__} cannot be trained as a batched ensemble: its module "
            f"{type(module).__name__} has no ensemble view (stack_members; the PLRNN family and the "
            "AL-RNN have one). Fit the models separately, e.g. in parallel processes"
        )
