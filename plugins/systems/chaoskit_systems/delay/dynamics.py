"""``DelayDynamics``: the one-step map of a delay equation on its discretized history."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
import torch
from chaoskit import DataError, Dynamics

from .._tensors import same_kind
from ..dynamics import TorchDynamics
from .steps import shift_history

if TYPE_CHECKING:
    from .base import DelaySystem

__all__ = ["DelayDynamics"]


class DelayDynamics(TorchDynamics):
    """``Φ(X)``: one sampling interval ``dt`` of the method of steps, on the discretized history.

    The state ``X`` has dimension ``N = (2m + 1)·d``: the history ``x(t − τ + j·h/2)``,
    ``j = 0 … 2m`` (oldest first, ``x(t)`` last; ``h = τ/m``), flattened with the components
    fastest, i.e. ``X.reshape(..., 2m + 1, d)``. One step applies ``k = dt/h`` RK4 steps of the
    method of steps — the same arithmetic as ``trajectory`` — so the Jacobian
    (:func:`torch.func.jacrev`) and ``jvp`` give the tangent dynamics of the discretized
    equation, whose leading Lyapunov exponents approximate those of the delay equation.
    :meth:`lift` builds ``X`` from a constant or sampled history, :meth:`observe` reads ``x(t)``.
    """

    system: DelaySystem

    def __init__(self, system: DelaySystem, dt: float, *, t0: float = 0.0) -> None:
        m, k = system.grid(float(dt), strict=True)
        assert k is not None
        self.system = system
        self.steps_per_delay = m
        self.substeps = k
        self.h = system.delay / m
        self.points = 2 * m + 1
        self.variables = system.dimension
        self.max_step = self.h
        self.t0 = float(t0)
        Dynamics.__init__(self, self.points * system.dimension, float(dt))

    def __repr__(self) -> str:
        return (f"DelayDynamics({self.system!r}, dt={self.dt}, steps_per_delay="
                f"{self.steps_per_delay}, substeps={self.substeps}, dimension={self.dimension})")

    @property
    def history_times(self) -> np.ndarray:
        """Times of the history points relative to the present: ``−τ … 0`` in steps of h/2."""
        return -self.system.delay + 0.5 * self.h * np.arange(self.points)

    def _advance(self, x: torch.Tensor) -> torch.Tensor:
        history = x.reshape(*x.shape[:-1], self.points, self.variables)
        for j in range(self.substeps):
            history = shift_history(self.system._rhs, self.t0 + j * self.h, history, self.h)
        return history.reshape(x.shape)

    def lift(self, history: Any) -> Any:
        """The state ``X`` of a history: ``(..., d)`` states (constant histories) or
        ``(..., 2m + 1, d)`` samples at :attr:`history_times`; numpy or torch like the input."""
        def fn(h: torch.Tensor) -> torch.Tensor:
            if h.ndim >= 2 and h.shape[-2:] == (self.points, self.variables):
                return h.reshape(*h.shape[:-2], self.dimension)
            if h.shape[-1:] != (self.variables,):
                raise DataError(
                    f"DelayDynamics.lift: expected states (..., {self.variables}) or histories "
                    f"(..., {self.points}, {self.variables}), got {tuple(h.shape)}"
                )
            return h.unsqueeze(-2).expand(*h.shape[:-1], self.points, self.variables).reshape(
                *h.shape[:-1], self.dimension
            )

        return same_kind(history, fn)

    def observe(self, x: Any) -> Any:
        """``x(t)``: the last ``d`` entries of the state, shape ``(..., d)``."""
        self._check(x)
        return x[..., -self.variables :]

