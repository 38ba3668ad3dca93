"""Private helper of the flow modules: assemble a batched Jacobian from its rows."""

from __future__ import annotations

from collections.abc import Sequence

import torch

__all__ = ["constant_like", "matrix"]


def matrix(like: torch.Tensor, rows: Sequence[Sequence[torch.Tensor | float]]) -> torch.Tensor:
    """``(..., n, m)`` tensor from rows of entries; numbers are broadcast to ``like``'s shape."""

    def entry(value: torch.Tensor | float) -> torch.Tensor:
        if isinstance(value, torch.Tensor):
            return value.expand_as(like)
        return torch.full_like(like, float(value))

    return torch.stack([torch.stack([entry(v) for v in row], dim=-1) for row in rows], dim=-2)


def constant_like(like: torch.Tensor, value: torch.Tensor | float) -> torch.Tensor:
    """``value`` broadcast to ``like``'s shape (a clock's constant rate, say).

    Unlike ``torch.full_like`` it also takes a tensor ``value``: a per-member parameter in a
    parameter sweep (see :mod:`chaoskit_systems._sweep`).
    """
    return torch.zeros_like(like) + value
