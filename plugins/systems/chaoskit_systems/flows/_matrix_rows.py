"""Private helper of some flow modules: a Jacobian from rows that mix tensors and numbers."""

from __future__ import annotations

from collections.abc import Sequence

import torch

__all__ = ["matrix"]


def matrix(like: torch.Tensor, rows: Sequence[Sequence[torch.Tensor | float]]) -> torch.Tensor:
    """Stack ``rows`` into a tensor ``(*like.shape, len(rows), len(rows[0]))``.

    Entries are tensors shaped like ``like`` (one state component) or plain numbers, which are
    broadcast to that shape.
    """
    zero = torch.zeros_like(like)
    return torch.stack(
        [torch.stack([e if isinstance(e, torch.Tensor) else zero + e for e in row], dim=-1)
         for row in rows],
        dim=-2,
    )
