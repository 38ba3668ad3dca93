"""The identified vector field ``ẋ = Ξ Θ(x)`` in torch, and its RK4 one-step map."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import torch
from chaoskit_systems.dynamics import FlowMap

from .terms import Term, evaluate

__all__ = ["SINDyDynamics", "VectorField"]


class VectorField:
    """``f(t, x) = Θ(x) Ξᵀ`` over the terms with a non-zero coefficient, for ``x`` ``(..., d)``.

    The coefficients are cast to the dtype and device of each state that comes in (cached),
    so one field serves float32 and float64, CPU and GPU.
    """

    def __init__(self, terms: Sequence[Term], coefficients: np.ndarray) -> None:
        coef = np.asarray(coefficients, dtype=np.float64)
        active = np.flatnonzero(np.any(coef != 0.0, axis=0))
        self.terms = [terms[int(j)] for j in active]
        self.dimension = int(coef.shape[0])
        self._weights = coef[:, active].T.copy()  # (active terms, d)
        self._cast: dict[tuple[torch.dtype, torch.device], torch.Tensor] = {}

    def weights(self, like: torch.Tensor) -> torch.Tensor:
        key = (like.dtype, like.device)
        if key not in self._cast:
            self._cast[key] = torch.as_tensor(self._weights, dtype=like.dtype, device=like.device)
        return self._cast[key]

    def __call__(self, t: Any, x: torch.Tensor) -> torch.Tensor:
        if not self.terms:
            return torch.zeros_like(x)
        return evaluate(self.terms, x) @ self.weights(x)


class SINDyDynamics(FlowMap):
    """``Φ(x)``: the identified system advanced by ``dt`` with ``substeps`` classic RK4 steps.

    A :class:`chaoskit_systems.dynamics.FlowMap` of the identified field: ``step``,
    ``jacobian`` (exact automatic differentiation of the RK4 map) and ``jvp`` take torch tensors
    ``(..., d)``, numpy arrays give numpy back. Custom library functions must then be
    torch-differentiable (the functions of :mod:`.terms` are).
    """

    def __init__(self, field: VectorField, dt: float, *, substeps: int = 1) -> None:
        super().__init__(field, field.dimension, dt, substeps=substeps)
        self.field = field
