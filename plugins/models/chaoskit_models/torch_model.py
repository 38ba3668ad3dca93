"""Pieces shared by chaoskit's torch models: module weights as arrays, and that a model trained on observed data gets no latent teacher forcing (``standardization``
lives in :mod:`chaoskit_models.arrays` and is re-exported here)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import torch
from chaoskit import CapabilityError, DataError

from .arrays import standardization

__all__ = ["load_module_arrays", "module_arrays", "require_no_forcing", "standardization"]


def module_arrays(module: torch.nn.Module, prefix: str) -> dict[str, np.ndarray]:
    """The module's ``state_dict`` as numpy arrays under ``prefix + name`` (for ``_get_state``)."""
    return {prefix + k: v.detach().cpu().numpy() for k, v in module.state_dict().items()}


def load_module_arrays(
    module: torch.nn.Module, state: Mapping[str, np.ndarray], prefix: str, *, owner: str, settings: str
) -> None:
    """Load ``module_arrays``' output back into ``module`` (strict), or raise a DataError that
    names the model (``owner``) and the hyperparameters the weights must fit (``settings``)."""
    weights = {k[len(prefix):]: torch.as_tensor(np.asarray(v)) for k, v in state.items() if k.startswith(prefix)}
    try:
        module.load_state_dict(weights, strict=True)
    except RuntimeError as exc:
        raise DataError(
            f"{owner}: the saved weights do not fit {settings} ({str(exc).splitlines()[0]})"
        ) from None


def require_no_forcing(owner: str, trainer: Any, how: str) -> None:
    """Refuse a latent teacher-forcing strategy for a model that is not a latent RNN.

    ``how`` says how the model is trained instead (for the message).
    """
    from .training import NoForcing

    forcing = getattr(trainer, "teacher_forcing", None)
    if forcing is not None and not isinstance(forcing, NoForcing):
        raise CapabilityError(
            f"{owner} is trained {how}; the latent-state strategy {type(forcing).__name__} does not "
            "apply to it. Use GradientTrainer(teacher_forcing=NoForcing()) (the default)"
        )
