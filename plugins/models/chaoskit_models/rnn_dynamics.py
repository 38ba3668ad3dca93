"""The closed-loop map of a trained LSTM or GRU forecaster, as a :class:`chaoskit.Dynamics`."""

from __future__ import annotations

from typing import Any

import numpy as np
import torch
from chaoskit import DataError, Dynamics

from .rnn_module import RNNModule

__all__ = ["RNNDynamics"]


class RNNDynamics(Dynamics):
    """One closed-loop step of an :class:`~chaoskit_models.rnn_forecaster.RNNForecaster`.

    The state is ``s_t = [x_t, h_{t−1}, c_{t−1}]``: the standardized observation, the hidden
    states of every layer, and (LSTM only) their cell states, so the dimension is
    ``features + layers·hidden`` (GRU) or ``features + 2·layers·hidden`` (LSTM). One step runs
    the recurrent stack on ``x_t`` and reads out ``x_{t+1}``::

        (h_t, c_t) = RNN(x_t, h_{t−1}, c_{t−1}),   x_{t+1} = [x_t +] W h_t^{(top)} + b

    giving ``s_{t+1} = [x_{t+1}, h_t, c_t]``. The gate equations are written out here with
    torch's parameter layout (LSTM gates ``i, f, g, o``; GRU ``r, z, n``), so ``torch.func``
    gives the Jacobian; they agree with ``nn.LSTM``/``nn.GRU`` to rounding.
    :meth:`lift` maps a physical state to ``[x, 0, 0]`` (a cold network);
    ``RNNForecaster.warm_up(context)`` gives the state after a context, from which the
    closed loop reproduces ``forecast``. :meth:`observe` returns physical units.
    """

    backend = "torch"

    def __init__(self, module: RNNModule, *, mean: np.ndarray, std: np.ndarray, dt: float) -> None:
        rnn = module.rnn
        self.kind = "lstm" if isinstance(rnn, torch.nn.LSTM) else "gru"
        self.features, self.hidden, self.layers = rnn.input_size, rnn.hidden_size, rnn.num_layers
        self.increment = module.increment
        copies = 2 if self.kind == "lstm" else 1
        super().__init__(self.features + copies * self.layers * self.hidden, dt)
        self._params = {
            k: v.detach().to("cpu", torch.float64) for k, v in module.state_dict().items()
        }
        self._mean = np.asarray(mean, np.float64)
        self._std = np.asarray(std, np.float64)
        self._cache: dict[tuple[torch.dtype, torch.device], dict[str, torch.Tensor]] = {}

    # ------------------------------------------------------------------ translations
    def lift(self, x: Any) -> torch.Tensor:
        """``[ (x − mean)/std, 0, … ]`` for physical states ``x`` ``(..., features)``."""
        x = torch.as_tensor(x)
        z = (x - self._as(self._mean, x)) / self._as(self._std, x)
        zeros = z.new_zeros(*z.shape[:-1], self.dimension - self.features)
        return torch.cat([z, zeros], dim=-1)

    def observe(self, state: Any) -> torch.Tensor:
        """Physical states ``(..., features)`` of map states ``(..., dimension)``."""
        return state[..., : self.features] * self._as(self._std, state) + self._as(
            self._mean, state
        )

    # ------------------------------------------------------------------ Dynamics implementation
    def _check(self, x: Any) -> None:
        if not isinstance(x, torch.Tensor) or not x.is_floating_point():
            raise DataError(
                f"{type(self).__name__} has the torch backend: expected a floating-point "
                f"torch.Tensor of shape (..., {self.dimension}), got {type(x).__name__}; "
                "convert with torch.as_tensor(x)"
            )
        super()._check(x)

    def _step(self, s: torch.Tensor) -> torch.Tensor:
        p = self._weights(s)
        f, n, size = self.features, self.layers, self.hidden
        x = s[..., :f]
        hs = [s[..., f + k * size : f + (k + 1) * size] for k in range(n)]
        cs = (
            [s[..., f + (n + k) * size : f + (n + k + 1) * size] for k in range(n)]
            if self.kind == "lstm"
            else []
        )
        new_h, new_c, inp = [], [], x
        for k in range(n):
            gi = inp @ p[f"rnn.weight_ih_l{k}"].T + p[f"rnn.bias_ih_l{k}"]
            gh = hs[k] @ p[f"rnn.weight_hh_l{k}"].T + p[f"rnn.bias_hh_l{k}"]
            if self.kind == "lstm":
                i, fg, g, o = (gi + gh).chunk(4, dim=-1)
                c = torch.sigmoid(fg) * cs[k] + torch.sigmoid(i) * torch.tanh(g)
                h = torch.sigmoid(o) * torch.tanh(c)
                new_c.append(c)
            else:
                ri, zi, ni = gi.chunk(3, dim=-1)
                rh, zh, nh = gh.chunk(3, dim=-1)
                r, z = torch.sigmoid(ri + rh), torch.sigmoid(zi + zh)
                h = (1 - z) * torch.tanh(ni + r * nh) + z * hs[k]
            new_h.append(h)
            inp = h
        y = inp @ p["readout.weight"].T + p["readout.bias"]
        if self.increment:
            y = y + x
        return torch.cat([y, *new_h, *new_c], dim=-1)

    def _jacobian(self, x: torch.Tensor) -> torch.Tensor:
        flat = x.reshape(-1, self.dimension)
        jac = torch.func.vmap(torch.func.jacrev(self._step))(flat)
        return jac.reshape(*x.shape, self.dimension)

    def _weights(self, x: torch.Tensor) -> dict[str, torch.Tensor]:
        key = (x.dtype, x.device)
        if key not in self._cache:
            self._cache[key] = {
                k: v.to(device=x.device, dtype=x.dtype) for k, v in self._params.items()
            }
        return self._cache[key]

    @staticmethod
    def _as(array: np.ndarray, like: torch.Tensor) -> torch.Tensor:
        return torch.as_tensor(array, dtype=like.dtype, device=like.device)
