"""Private helper of the flow modules: assemble a batched Jacobian from its rows."""

from __future__ import annotations

from collections.abc import Sequence

import torch

__all__ = ["matrix"]


def matrix(like: torch.Tensor, rows: Sequence[Sequence[torch.Tensor | float]]) -> torch.Tensor:
    """``(..., n, m)`` tensor from rows of entries; numbers are broadcast to ``like``'s shape."""

    def entry(value: torch.Tensor | float) -> torch.Tensor:
        if isinstance(value, torch.Tensor):
            return value.expand_as(like)
        return torch.full_like(like, float(value))

    return torch.stack([torch.stack([entry(v) for v in row], dim=-1) for row in rows], dim=-2)


def bounded_perturbation(name: str, relative: float = 1e-2) -> float:
    """A ``TorchSystem.perturbation`` that scales member perturbations by the bounded components.

    The base class perturbs members by ``perturbation · max|x0|``; when ``x0`` holds a phase or
    clock (``unbounded_indices``, e.g. a forcing phase of 6381), that scale would throw the other
    components far off the attractor. This returns the factor for which the scale is
    ``relative · max|x0ᵢ|`` over the bounded components (``relative`` when all are unbounded).
    """
    from ..metadata import entry

    raw = entry(name)
    x0 = [abs(float(v)) for v in raw["initial_state"]]
    unbounded = set(raw.get("unbounded_indices", []))
    bounded = [v for i, v in enumerate(x0) if i not in unbounded]
    target = relative * (max(bounded) if bounded and max(bounded) > 0 else 1.0)
    largest = max(x0)
    return target / largest if largest > 0 else relative
