"""The torch module of the LSTM and GRU forecasters: a recurrent stack with a linear read-out."""

from __future__ import annotations

import torch
from torch import nn

__all__ = ["CELLS", "RNNModule", "closed_loop", "one_step_loss"]

CELLS = ("lstm", "gru")
Hidden = torch.Tensor | tuple[torch.Tensor, torch.Tensor]


class RNNModule(nn.Module):
    """``h_t = RNN(x_t, h_{t−1})``, ``x̂_{t+1} = W h_t + b`` (``+ x_t`` for increments).

    Parameters
    ----------
    cell
        ``"lstm"`` or ``"gru"`` (torch's ``nn.LSTM`` / ``nn.GRU``, ``batch_first``).
    features, hidden, layers
        Input and output size, hidden size, number of stacked layers.
    increment
        Predict ``x_{t+1} − x_t`` (the read-out is added to the input) instead of ``x_{t+1}``.
    """

    def __init__(
        self, cell: str, features: int, hidden: int, layers: int, *, increment: bool
    ) -> None:
        super().__init__()
        kind = nn.LSTM if cell == "lstm" else nn.GRU
        self.rnn = kind(features, hidden, num_layers=layers, batch_first=True)
        self.readout = nn.Linear(hidden, features)
        self.increment = bool(increment)

    def forward(self, x: torch.Tensor, hidden: Hidden | None = None) -> tuple[torch.Tensor, Hidden]:
        """Predictions ``(B, T, F)`` of the point after each input ``x`` ``(B, T, F)``, state."""
        out, hidden = self.rnn(x, hidden)
        y = self.readout(out)
        return (y + x if self.increment else y), hidden


def one_step_loss(module: nn.Module, windows: torch.Tensor, forcing: object = None) -> torch.Tensor:
    """Mean squared one-step-ahead error over windows ``(B, T, F)``, inputs teacher-forced."""
    pred, _ = module(windows[:, :-1])
    return torch.mean((pred - windows[:, 1:]) ** 2)


def closed_loop(module: nn.Module, context: torch.Tensor, steps: int) -> torch.Tensor:
    """Warm up on ``context`` ``(B, T, F)``, then feed predictions back: ``(B, steps, F)``."""
    pred, hidden = module(context)
    x = pred[:, -1:]
    out = [x]
    for _ in range(steps - 1):
        x, hidden = module(x, hidden)
        out.append(x)
    return torch.cat(out, dim=1)
