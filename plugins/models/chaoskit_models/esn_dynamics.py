"""The closed-loop map of a trained echo state network, as a :class:`chaoskit.Dynamics`."""

from __future__ import annotations

from typing import Any

import numpy as np
import torch
from chaoskit import DataError, Dynamics
from chaoskit_systems.dynamics import quiet_forward_ad

from .recurrence import Readout, Reservoir
from .reservoir import ReservoirWeights

__all__ = ["ESNDynamics"]


class ESNDynamics(Dynamics):
    """The closed-loop reservoir map of a fitted :class:`~chaoskit_models.esn.EchoStateNetwork`.

    The state is the **reservoir state** ``r`` (dimension ``units``), not the physical state::

        Φ(r) = (1 − a)·r + a·tanh(W_in·W_out·[1; φ(r)] + W·r + b)

    — the network's readout fed back as its next input, in the standardized units the network
    was trained in. One step advances ``dt`` (the training data's sampling interval). Map a
    reservoir state to the physical state with :meth:`readout`; :attr:`initial_state` is a
    state on the network's attractor (the reservoir state after the last training member), and
    ``EchoStateNetwork.warm_up(context)`` gives the state after any context.

    ``step`` takes and returns torch tensors ``(..., units)``; the weights are cast to the
    tensor's dtype and device (float64 states give float64 dynamics whatever the model's
    dtype). ``jacobian`` and ``jvp`` use ``torch.func`` (reverse and forward mode).

    Parameters
    ----------
    weights
        The reservoir's fixed float64 weights.
    w_out
        Readout weights ``(variables, 1 + features)`` in float64.
    mean, std
        Per-feature standardization of the inputs (zeros and ones when not standardized).
    leak
        Leak rate ``a``.
    readout_kind
        ``"linear"`` or ``"quadratic"``.
    dt
        Time advanced by one step.
    initial_state
        A reservoir state on the attractor, ``(units,)``.
    device, dtype
        Device and dtype of :attr:`initial_state`.
    """

    backend = "torch"

    def __init__(
        self,
        *,
        weights: ReservoirWeights,
        w_out: np.ndarray,
        mean: np.ndarray,
        std: np.ndarray,
        leak: float,
        readout_kind: str,
        dt: float,
        initial_state: np.ndarray,
        device: torch.device,
        dtype: torch.dtype,
    ) -> None:
        super().__init__(weights.units, dt)
        self._weights = weights
        self._w_out = np.asarray(w_out, dtype=np.float64)
        self._mean = np.asarray(mean, dtype=np.float64)
        self._std = np.asarray(std, dtype=np.float64)
        self._leak = float(leak)
        self._kind = readout_kind
        self._parts: dict[tuple[torch.dtype, torch.device], tuple[Reservoir, Readout]] = {}
        self.initial_state: torch.Tensor = torch.as_tensor(
            initial_state, dtype=dtype, device=device
        )

    # ------------------------------------------------------------------ public extras
    def readout(self, r: torch.Tensor) -> torch.Tensor:
        """Physical states ``(..., variables)`` read out from reservoir states ``(..., units)``."""
        self._check(r)
        _, readout = self._weights_for(r)
        flat = r.reshape(-1, self.dimension).T
        y = readout(flat).T
        mean = torch.as_tensor(self._mean, dtype=r.dtype, device=r.device)
        std = torch.as_tensor(self._std, dtype=r.dtype, device=r.device)
        return (y * std + mean).reshape(*r.shape[:-1], -1)

    def jvp(self, x: Any, v: Any) -> tuple[Any, Any]:
        """``(Φ(x), J(x) @ v)`` for tangents ``v`` ``(..., units, k)``, by forward-mode AD."""
        self._check(x)
        if not isinstance(v, torch.Tensor) or tuple(v.shape[:-1]) != tuple(x.shape):
            raise DataError(
                f"{type(self).__name__}.jvp: expected tangents of shape {(*x.shape, 'k')}, "
                f"got {tuple(getattr(v, 'shape', ()))}"
            )
        flat = x.reshape(-1, self.dimension)
        tangents = v.to(x.dtype).reshape(flat.shape[0], self.dimension, v.shape[-1])

        def rows(states: torch.Tensor) -> torch.Tensor:
            return self._map(states.T).T

        def push(t: torch.Tensor) -> torch.Tensor:
            return torch.func.jvp(rows, (flat,), (t,))[1]

        with quiet_forward_ad():
            jv = torch.func.vmap(push, in_dims=2, out_dims=2)(tangents)
        return rows(flat).reshape(x.shape), jv.reshape(v.shape)

    # ------------------------------------------------------------------ Dynamics implementation
    def _check(self, x: Any) -> None:
        if not isinstance(x, torch.Tensor):
            raise DataError(
                f"{type(self).__name__} has the torch backend: expected a torch.Tensor of shape "
                f"(..., {self.dimension}), got {type(x).__name__}; convert with torch.as_tensor(x)"
            )
        if not x.is_floating_point():
            raise DataError(
                f"{type(self).__name__}: expected a floating-point state, got dtype {x.dtype}"
            )
        super()._check(x)

    def _step(self, x: torch.Tensor) -> torch.Tensor:
        flat = x.reshape(-1, self.dimension).T
        return self._map(flat).T.reshape(x.shape)

    def _jacobian(self, x: torch.Tensor) -> torch.Tensor:
        flat = x.reshape(-1, self.dimension)

        def single(r: torch.Tensor) -> torch.Tensor:
            return self._map(r.unsqueeze(-1)).squeeze(-1)

        jac = torch.func.vmap(torch.func.jacrev(single))(flat)
        return jac.reshape(*x.shape, self.dimension)

    def _map(self, r: torch.Tensor) -> torch.Tensor:
        """The closed-loop update of column-layout states ``(units, B)``."""
        reservoir, readout = self._weights_for(r)
        return reservoir.step(r, readout(r))

    def _weights_for(self, x: torch.Tensor) -> tuple[Reservoir, Readout]:
        key = (x.dtype, x.device)
        if key not in self._parts:
            reservoir = Reservoir(
                self._weights, leak=self._leak, device=x.device, dtype=x.dtype, sparse=False
            )
            readout = Readout(
                torch.as_tensor(self._w_out, dtype=x.dtype, device=x.device), self._kind
            )
            self._parts[key] = (reservoir, readout)
        return self._parts[key]
