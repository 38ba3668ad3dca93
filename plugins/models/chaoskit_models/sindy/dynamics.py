"""The identified vector field ``ẋ = Ξ Θ(x)`` in torch, and its RK4 one-step map."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import torch
from chaoskit import DataError, Dynamics

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
        self.terms = [terms[j] for j in active]
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


class SINDyDynamics(Dynamics):
    """``Φ(x)``: the identified system advanced by ``dt`` with ``substeps`` classic RK4 steps.

    ``step`` and ``jacobian`` take torch tensors ``(..., d)`` (numpy arrays are converted and
    numpy is returned); the Jacobian is exact automatic differentiation of the RK4 map
    (:func:`torch.func.jacrev` under :func:`torch.func.vmap`). Custom library functions must
    then be torch-differentiable (the functions of :mod:`.terms` are).
    """

    backend = "torch"

    def __init__(self, field: VectorField, dt: float, *, substeps: int = 1) -> None:
        super().__init__(field.dimension, dt)
        self.field = field
        self.substeps = int(substeps)
        self.h = self.dt / self.substeps
        from chaoskit_systems.integrators.rk4 import rk4_step

        self._rk4_step = rk4_step

    def __repr__(self) -> str:
        return f"SINDyDynamics(dimension={self.dimension}, dt={self.dt}, substeps={self.substeps})"

    def _advance(self, x: torch.Tensor) -> torch.Tensor:
        for j in range(self.substeps):
            x = self._rk4_step(self.field, j * self.h, x, self.h)
        return x

    def _check(self, x: Any) -> None:
        super()._check(x)
        if isinstance(x, torch.Tensor) and not x.is_floating_point():
            raise DataError(f"SINDyDynamics: expected a floating-point state, got dtype {x.dtype}")

    def _step(self, x: Any) -> Any:
        if not isinstance(x, torch.Tensor):
            return self._advance(torch.as_tensor(np.asarray(x, dtype=float))).numpy()
        return self._advance(x)

    def _jacobian(self, x: Any) -> Any:
        if not isinstance(x, torch.Tensor):
            return self._jacobian(torch.as_tensor(np.asarray(x, dtype=float))).numpy()
        flat = x.reshape(-1, self.dimension)

        def single(state: torch.Tensor) -> torch.Tensor:
            return self._advance(state.unsqueeze(0)).squeeze(0)

        jac = torch.func.vmap(torch.func.jacrev(single))(flat)
        return jac.reshape(*x.shape, self.dimension)
