"""A cache of tensors derived from a module's parameters (a pseudo-inverse, stacked weights).

Training unrolls a cell over hundreds of steps with the same parameters; building a derived
tensor once per unroll instead of once per step keeps the autograd graph small. An entry is
valid while the parameters it was built from are the same tensor objects with the same version
counter (every in-place update, such as an optimizer step, bumps it), data pointer (where the
tensor has storage), dtype and device, and the grad mode is unchanged. An entry built with gradients belongs to one autograd
graph (``torch.linalg.pinv``'s backward needs tensors that the first backward pass frees), so a
cell clears its caches in ``initial``: every unroll builds its own entries.

The cache is never copied or pickled (``copy.deepcopy`` of a module gives it an empty one): its
entries are non-leaf tensors, which cannot be deep-copied.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, TypeVar

import torch

__all__ = ["DerivedCache"]

T = TypeVar("T")


class DerivedCache:
    """Named entries built from parameters, rebuilt whenever a parameter changed."""

    def __init__(self) -> None:
        self._entries: dict[str, tuple[Any, tuple[torch.Tensor, ...], Any]] = {}

    def get(self, name: str, params: Sequence[torch.Tensor], build: Callable[[], T]) -> T:
        """The entry ``name`` for ``params``, built by ``build()`` when missing or stale."""
        key = (torch.is_grad_enabled(), tuple((p._version, _pointer(p), p.dtype, p.device) for p in params))
        entry = self._entries.get(name)
        if entry is not None and entry[0] == key and all(a is b for a, b in zip(entry[1], params, strict=True)):
            return entry[2]
        value = build()
        self._entries[name] = (key, tuple(params), value)
        return value

    def clear(self) -> None:
        self._entries.clear()

    def __deepcopy__(self, memo: dict[int, Any]) -> DerivedCache:
        return DerivedCache()

    def __reduce__(self) -> tuple[type[DerivedCache], tuple[()]]:
        return (DerivedCache, ())


def _pointer(p: torch.Tensor) -> int | None:
    """The data pointer, or ``None`` for tensors without storage (inside ``torch.func.vmap``)."""
    try:
        return p.data_ptr()
    except RuntimeError:
        return None
