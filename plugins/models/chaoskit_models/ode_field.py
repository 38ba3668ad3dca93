"""The neural vector field of :class:`~chaoskit_models.neural_ode.NeuralODE` and its one-step map."""

from __future__ import annotations

import copy
from typing import Any

import numpy as np
import torch
from chaoskit_systems.dynamics import FlowMap

__all__ = ["ACTIVATIONS", "ODEDynamics", "VectorField", "shoot"]

ACTIVATIONS = {"tanh": torch.nn.Tanh, "relu": torch.nn.ReLU, "silu": torch.nn.SiLU,
               "gelu": torch.nn.GELU, "softplus": torch.nn.Softplus}


class VectorField(torch.nn.Module):
    """An MLP ``g(z)``: ``features → hidden (× depth) → features``, the right-hand side of
    ``dz/dτ = g(z)`` in standardized state ``z`` and time counted in sampling intervals ``τ``.

    The last layer starts at a tenth of torch's default scale, so an untrained field is nearly
    still and the first forecasts stay near persistence.
    """

    def __init__(self, features: int, hidden: int, depth: int, activation: str) -> None:
        super().__init__()
        layers: list[torch.nn.Module] = []
        width = features
        for _ in range(depth):
            layers += [torch.nn.Linear(width, hidden), ACTIVATIONS[activation]()]
            width = hidden
        last = torch.nn.Linear(width, features)
        with torch.no_grad():
            last.weight.mul_(0.1)
            last.bias.zero_()
        self.net = torch.nn.Sequential(*layers, last)

    def forward(self, z: torch.Tensor) -> torch.Tensor:
        return self.net(z)


def rk4_advance(field: Any, z: torch.Tensor, substeps: int) -> torch.Tensor:
    """Advance ``z`` by one sampling interval (``τ`` from 0 to 1) with ``substeps`` RK4 steps."""
    from chaoskit_systems.integrators.rk4 import rk4_step

    h = 1.0 / substeps
    rhs = lambda t, y: field(y)
    for j in range(substeps):
        z = rk4_step(rhs, j * h, z, h)
    return z


def shoot(field: Any, windows: torch.Tensor, segment: int, substeps: int) -> tuple[torch.Tensor, torch.Tensor]:
    """Multiple shooting on ``windows`` ``(B, T, N)``: cut each window into segments of
    ``segment`` steps, integrate every segment from its observed first point, and return the
    predictions and the observed targets, both ``(B·segments, segment, N)``."""
    b, t, n = windows.shape
    count = (t - 1) // segment
    used = windows[:, : count * segment + 1]
    starts = used[:, :-1:segment].reshape(b * count, n)
    targets = used[:, 1:].reshape(b, count, segment, n).reshape(b * count, segment, n)
    z, out = starts, []
    for _ in range(segment):
        z = rk4_advance(field, z, substeps)
        out.append(z)
    return torch.stack(out, dim=1), targets


class ODEDynamics(FlowMap):
    """One sampling interval of a trained neural ODE (RK4 with the training substeps).

    A :class:`chaoskit_systems.dynamics.FlowMap` of ``g_θ`` in ``τ`` (one unit = one sampling
    interval); its ``dt`` is the physical sampling interval. The map's state is the
    standardized state ``z = (x − mean)/std``; :meth:`lift` and :meth:`observe` translate
    (Lyapunov exponents do not depend on this linear change of coordinates). The field's
    weights are cast to the dtype and device of the states that come in.
    """

    def __init__(self, field: VectorField, *, mean: np.ndarray, std: np.ndarray, dt: float,
                 substeps: int, initial_state: np.ndarray) -> None:
        super().__init__(self._rhs_of_state, len(mean), 1.0, substeps=substeps)
        self.dt = float(dt)  # physical time of one step; the RK4 steps run in τ = t/dt
        self.field = field
        self._mean, self._std = np.asarray(mean, np.float64), np.asarray(std, np.float64)
        self.initial_state = torch.as_tensor(initial_state, dtype=torch.float64)
        self._copies: dict[tuple[torch.dtype, torch.device], VectorField] = {}

    def lift(self, x: Any) -> torch.Tensor:
        x = torch.as_tensor(x)
        return (x - self._as(self._mean, x)) / self._as(self._std, x)

    def observe(self, state: Any) -> torch.Tensor:
        return state * self._as(self._std, state) + self._as(self._mean, state)

    def _check(self, x: Any) -> None:
        super()._check(x)
        # cast the weights now, before any torch.func transform (those may not mutate modules)
        if isinstance(x, torch.Tensor):
            self._field(x)
        else:
            single = np.asarray(x).dtype == np.float32
            self._field(torch.empty(0, dtype=torch.float32 if single else torch.float64))

    def _rhs_of_state(self, t: Any, z: torch.Tensor) -> torch.Tensor:
        return self._field(z)(z)

    def _field(self, x: torch.Tensor) -> VectorField:
        key = (x.dtype, x.device)
        if key not in self._copies:
            self._copies[key] = copy.deepcopy(self.field).to(device=x.device, dtype=x.dtype).requires_grad_(False)
        return self._copies[key]

    @staticmethod
    def _as(array: np.ndarray, like: torch.Tensor) -> torch.Tensor:
        return torch.as_tensor(array, dtype=like.dtype, device=like.device)
