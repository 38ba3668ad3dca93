"""Warm-up and free running of a latent cell: what ``forecast`` and ``dynamics`` start from."""

from __future__ import annotations

import torch

from .cell import DSRCell

__all__ = ["free_run", "predict", "warm_up"]


def warm_up(cell: DSRCell, x: torch.Tensor) -> torch.Tensor:
    """The latent state ``(B, M)`` at the last point of the context ``x`` ``(B, T, N)``.

    Full teacher forcing through the context: ``z_0 = initial(x_0)`` and
    ``z_t = infer(F(z_{t−1}), x_t)`` for ``t = 1 … T−1``, so the observed units follow the data
    and the unobserved ones are driven by it (for the identity observation; for the affine one
    the least-squares correction). A context of one point gives ``initial(x_0)``.
    """
    z = cell.initial(x[:, 0])
    for t in range(1, x.shape[1]):
        z = cell.infer(cell.step(z), x[:, t])
    return z


def free_run(cell: DSRCell, z: torch.Tensor, steps: int) -> torch.Tensor:
    """The latent states ``(B, steps, M)`` that follow ``z`` ``(B, M)`` in closed loop (no gradient)."""
    out = torch.empty(steps, *z.shape, dtype=z.dtype, device=z.device)
    with torch.no_grad():
        for k in range(steps):
            z = cell.step(z)
            out[k] = z
    return out.transpose(0, 1)


def predict(cell: DSRCell, context: torch.Tensor, steps: int) -> torch.Tensor:
    """Observations ``(B, steps, N)`` after warming up on ``context`` ``(B, T, N)``."""
    with torch.no_grad():
        return cell.observe(free_run(cell, warm_up(cell, context), steps))
