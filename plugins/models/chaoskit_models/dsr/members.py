"""Tensor helpers for equations over parameters with an optional leading ``ensemble`` dim.

Every cell of the PLRNN family states its map and Jacobian once, as functions of its parameters
and states: a single cell passes its own parameters (``(M,)``, ``(M, M)``, …) and states
``(..., M)``; the stacked ensemble view (:mod:`.stacked`) passes parameters with a leading member
dim ``E`` (``(E, M)``, ``(E, M, M)``, …) and states ``(E, ..., M)``. The helpers below tell the two
apart by the parameters' number of dims: one cell takes the plain 2-D products (as cheap as
``F.linear`` in a free run of 10⁵ steps), an ensemble one batched ``bmm``/``baddbmm`` over the
members.
"""

from __future__ import annotations

import torch
from torch.nn import functional as F

__all__ = ["add_diag", "linear", "per_member"]


def linear(z: torch.Tensor, weight_t: torch.Tensor, bias: torch.Tensor | None = None) -> torch.Tensor:
    """``z @ weight_t + bias``: ``(..., K) × (K, N) + (N,)``, or per member ``(E, ..., K) × (E, K, N) + (E, N)``."""
    if weight_t.ndim == 2:
        return F.linear(z, weight_t.T, bias)
    flat_z = z if z.ndim == 3 else z.reshape(z.shape[0], -1, z.shape[-1])
    out = torch.bmm(flat_z, weight_t) if bias is None else torch.baddbmm(bias.unsqueeze(1), flat_z, weight_t)
    return out if z.ndim == 3 else out.reshape(*z.shape[:-1], out.shape[-1])


def per_member(p: torch.Tensor, z: torch.Tensor, *, matrix: bool = False) -> torch.Tensor:
    """``p`` shaped to broadcast against states ``z``: a vector ``(K,)`` / ``(E, K)`` or, with
    ``matrix``, a matrix ``(K, K)`` / ``(E, K, K)`` (one per member: ``(E, 1, …, K[, K])``)."""
    if p.ndim == (2 if matrix else 1):
        return p
    return p.view(p.shape[0], *([1] * (z.ndim - 2)), *p.shape[1:])


def add_diag(a: torch.Tensor, z: torch.Tensor, rest: torch.Tensor) -> torch.Tensor:
    """``diag(A) + rest`` for ``rest`` ``(…, M, M)`` at states ``z``: ``(…, M, M)``."""
    return torch.diag_embed(per_member(a, z).expand(z.shape)) + rest
