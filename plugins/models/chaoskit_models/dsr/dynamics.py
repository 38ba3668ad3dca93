"""The one-step latent map of a trained PLRNN-family model, as a :class:`chaoskit.Dynamics`."""

from __future__ import annotations

import copy
from typing import Any

import numpy as np
import torch
from chaoskit import DataError, Dynamics

from .cell import DSRCell

__all__ = ["LatentDynamics"]


class LatentDynamics(Dynamics):
    """``z_{k+1} = F(z_k)``: the latent map of a fitted DSR model, one step per ``dt``.

    The state is the **latent state** ``z`` (dimension M) in the model's standardized units;
    :meth:`lift` maps a physical state to a latent one (the model's initial-state rule on the
    standardized state) and :meth:`observe` reads the physical state out of a latent one.
    :attr:`initial_state` is the latent state at the end of the training data (reached by
    teacher forcing through the last training window), a state on or near the model's
    attractor.

    ``step``, ``jacobian`` and ``jvp`` take torch tensors ``(..., M)``; the weights are cast to
    the tensor's dtype and device (a float64 state gives float64 dynamics whatever the model's
    dtype). The Jacobian is the cell's closed form, and ``jvp(x, V) = (F(x), J(x)·V)``.

    Parameters
    ----------
    cell
        The trained cell (copied, detached).
    mean, std
        Per-variable standardization of the data (zeros and ones when not standardized).
    dt
        Time advanced by one step.
    initial_state
        A latent state ``(M,)``.
    """

    backend = "torch"

    def __init__(
        self, cell: DSRCell, *, mean: np.ndarray, std: np.ndarray, dt: float, initial_state: np.ndarray,
        device: torch.device, dtype: torch.dtype,
    ) -> None:
        super().__init__(cell.latent_dim, dt)
        self._cell = copy.deepcopy(cell).requires_grad_(False)
        self._mean = np.asarray(mean, dtype=np.float64)
        self._std = np.asarray(std, dtype=np.float64)
        self._copies: dict[tuple[torch.dtype, torch.device], DSRCell] = {}
        # cast copies made up front: converting a module inside a torch.func transform (jacrev
        # of step, say) is not allowed
        for dt_ in (torch.float64, torch.float32):
            self._cell_for(torch.empty(0, dtype=dt_, device=device))
        self.initial_state: torch.Tensor = torch.as_tensor(initial_state, dtype=dtype, device=device)

    # ------------------------------------------------------------------ public extras
    def lift(self, x: Any) -> torch.Tensor:
        """Latent states ``(..., M)`` of physical states ``(..., N)``."""
        x = self._tensor(x)
        cell = self._cell_for(x)
        return cell.initial((x - self._stat(self._mean, x)) / self._stat(self._std, x))

    def observe(self, state: Any) -> torch.Tensor:
        """Physical states ``(..., N)`` read out of latent states ``(..., M)``."""
        self._check(state)
        cell = self._cell_for(state)
        return cell.observe(state) * self._stat(self._std, state) + self._stat(self._mean, state)

    def jvp(self, x: Any, v: Any) -> tuple[Any, Any]:
        """``(F(x), J(x)·v)`` for tangents ``v`` ``(..., M, k)``, with the closed-form Jacobian."""
        self._check(x)
        if not isinstance(v, torch.Tensor) or tuple(v.shape[:-1]) != tuple(x.shape):
            raise DataError(
                f"{type(self).__name__}.jvp: expected tangents of shape {(*x.shape, 'k')}, "
                f"got {tuple(getattr(v, 'shape', ()))}"
            )
        return self._step(x), self._jacobian(x) @ v.to(x.dtype)

    # ------------------------------------------------------------------ Dynamics implementation
    def _check(self, x: Any) -> None:
        self._tensor(x)
        super()._check(x)

    def _step(self, x: torch.Tensor) -> torch.Tensor:
        return self._cell_for(x).step(x)

    def _jacobian(self, x: torch.Tensor) -> torch.Tensor:
        return self._cell_for(x).jacobian(x)

    # ------------------------------------------------------------------ helpers
    def _tensor(self, x: Any) -> torch.Tensor:
        if not isinstance(x, torch.Tensor):
            raise DataError(
                f"{type(self).__name__} has the torch backend: expected a torch.Tensor, got "
                f"{type(x).__name__}; convert with torch.as_tensor(x)"
            )
        if not x.is_floating_point():
            raise DataError(f"{type(self).__name__}: expected a floating-point state, got dtype {x.dtype}")
        return x

    def _cell_for(self, x: torch.Tensor) -> DSRCell:
        key = (x.dtype, x.device)
        if key not in self._copies:
            self._copies[key] = copy.deepcopy(self._cell).to(device=x.device, dtype=x.dtype)
        return self._copies[key]

    @staticmethod
    def _stat(values: np.ndarray, like: torch.Tensor) -> torch.Tensor:
        return torch.as_tensor(values, dtype=like.dtype, device=like.device)
