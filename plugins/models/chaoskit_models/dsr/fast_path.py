"""What the fused unrolls of the PLRNN family share (:mod:`.shallow_unroll`, :mod:`.plrnn_unroll`).

A cell offers the teacher-forcing strategies ``forced_states(x, mix)`` (see
:class:`~chaoskit_models.training.protocol.LatentCell`): ``mix`` holds one forcing weight α_t per
time step t = 1 … T−1 — ``None`` (no forcing), a number, or a tensor ``(E, 1, 1)`` (one α per
ensemble member) — and the carried state is ``z̃_t = lerp(z_t, infer(z_t, x_t), α_t)``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import torch

__all__ = ["Mix", "fusable", "keep_factors"]

Mix = Sequence["float | torch.Tensor | None"]
"""Per-step forcing weights α_t for t = 1 … T−1: ``None`` (no forcing), a number, or ``(E, 1, 1)``."""


def fusable(x: torch.Tensor, features: int, identity: bool) -> bool:
    """Whether a fused unroll covers windows ``x`` of a cell with ``features`` observed units.

    ``identity``: the cell's observation is the identity on its first units (the fused unrolls
    force by a lerp of those units towards the data). Not under autocast (the buffers are in the
    windows' dtype), not for windows that need a gradient, and not inside ``torch.func``
    transforms (``vmap``, ``grad``), which the hand-written backward passes do not support.
    """
    return (
        identity and x.shape[-1] == features and x.shape[-2] >= 2 and not x.requires_grad
        and not torch.is_autocast_enabled(x.device.type) and not _transformed(x)
    )


def _transformed(x: torch.Tensor) -> bool:
    """Whether ``x`` is a ``torch.func`` (vmap/grad) wrapper: a private torch check, so a torch
    without it counts every tensor as transformed (the autograd unroll, always correct)."""
    check = getattr(getattr(torch._C, "_functorch", None), "is_functorch_wrapped_tensor", None)
    return True if check is None else bool(check(x))


def keep_factors(mix: Mix) -> list[Any]:
    """``1 − α_t`` per step (``None`` where there is no forcing), computed once per distinct α.

    GTF passes the same α object for every step, so a window costs one subtraction, not T.
    """
    memo: dict[int, Any] = {}
    return [None if v is None else memo.setdefault(id(v), 1.0 - v) for v in mix]
