"""Pieces shared by chaoskit's torch models: standardization, module weights as arrays, and
the check that a model trained on observed data gets no latent teacher forcing."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import torch
from chaoskit import CapabilityError, DataError

__all__ = ["load_module_arrays", "module_arrays", "require_no_forcing", "standardization"]


def standardization(values: np.ndarray, enabled: bool = True) -> tuple[np.ndarray, np.ndarray]:
    """Per-feature mean and standard deviation of ``(member, time, feature)`` values.

    A feature that is constant (std below ``1e-12·max(1, |mean|)``) keeps std 1, so it is
    centred but not blown up. ``enabled=False`` gives zeros and ones (no change).
    """
    n = values.shape[-1]
    if not enabled:
        return np.zeros(n), np.ones(n)
    mean = values.mean(axis=(0, 1))
    std = values.std(axis=(0, 1))
    return mean, np.where(std > 1e-12 * np.maximum(1.0, np.abs(mean)), std, 1.0)


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
