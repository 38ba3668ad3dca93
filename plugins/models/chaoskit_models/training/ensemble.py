"""``fit_ensemble``: train several seeds of one small model at once, as one batched ensemble.

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


def fit_ensemble(
    models: Sequence[Model], train: xr.Dataset, valid: xr.Dataset | None = None, trainer: Any = None
) -> list[TrainResult]:
    """Fit ``models`` (one class and configuration, different seeds) as one batched ensemble.

    Each member initialises from its own ``seed``, draws its own training windows, and ends
    fitted exactly as after ``model.fit(train, valid=valid, trainer=trainer)``: the same
    weights (up to the rounding of batched matrix products), ``train_result`` with its own
    history, forecasts, ``dynamics()``, ``save``/``load``. Members that stop early or diverge
    are frozen while the others go on; a diverged member keeps its last finite weights (or its
    best epoch's) and its history attrs name the step (``diverged_at_step``, ``diverged``).

    Parameters
    ----------
    models
        One or more unfitted or fitted :class:`~chaoskit_models.training.TorchTrainable` models
        of the same class whose hyperparameters are all equal except ``seed``, and whose
        module is a :class:`~chaoskit_models.training.protocol.StackableCell` (the PLRNN family
        and the AL-RNN).
    train, valid
        As for ``model.fit``; the same data for every member.
    trainer
        A :class:`~chaoskit_models.training.GradientTrainer`, or ``None`` for the models'
        default trainer. Not supported in an ensemble: ``lora``, ``checkpoint_dir``/``resume``,
        ``precision="fp16"`` (:class:`chaoskit.CapabilityError`).

    Returns
    -------
    list of chaoskit.TrainResult
        One per model, in order (also stored as each model's ``train_result``).

    Raises
    ------
    ParameterError
        No models, a model given twice, models of different classes or hyperparameters.
    CapabilityError
        A model whose module has no ensemble view, or a trainer option an ensemble cannot run.
    chaoskit.errors.TrainingDivergedError
        When every member diverged (the models stay unfitted).
    """
    models = list(models)
    _check_models(models)
    members = []
    for index, model in enumerate(models):
        with capturing(model):
            try:
                model.fit(train, valid=valid, trainer=trainer)
            except Captured as captured:
                members.append((captured, Member(index=index, model=model, problem=captured.problem,
                                                 data_attrs=captured.data_attrs, variables=captured.variables)))
            else:
                raise ChaoskitError(
                    f"{type(model).__name__}._fit did not train through "
                    "chaoskit_models.training.fit_torch_model; this is a bug in the model"
                )
    resolved = members[0][0].trainer
    if any(captured.trainer != resolved for captured, _ in members):
        raise ParameterError(
            "fit_ensemble: the models' default trainers differ; pass one trainer=GradientTrainer(...)"
        )
    _check_trainer(resolved)
    _check_modules([m for _, m in members])
    ensemble = [m for _, m in members]
    results = run_ensemble(resolved, ensemble)
    for member in ensemble:
        if member.status == "diverged":
            warnings.warn(f"fit_ensemble: {member.reason}; it keeps the weights of its last good step "
                          "(or of its best epoch with restore_best)", DivergenceWarning, stacklevel=2)
    for member, result in zip(ensemble, results, strict=True):
        state = {k: v.detach().clone() for k, v in member.problem.module.state_dict().items()}
        with replaying(member.model, state, result):
            member.model.fit(train, valid=valid, trainer=trainer)
    return [m.model.train_result for m in ensemble]


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
    for field in attrs.fields(type(first)):
        if field.name == "seed":
            continue
        a = getattr(first, field.name)
        for i, model in enumerate(models[1:], start=1):
            b = getattr(model, field.name)
            if a != b:
                raise ParameterError(
                    f"fit_ensemble trains models that differ only in seed, but {field.name} is {a!r} in "
                    f"model 0 and {b!r} in model {i}. Settings that change the loss or the shapes need "
                    "separate fits (one ensemble per setting)"
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
