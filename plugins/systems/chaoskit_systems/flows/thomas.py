"""Thomas' cyclically symmetric flow and its labyrinth-chaos limit (Thomas 1999)."""

from __future__ import annotations

from typing import Any, ClassVar

import attrs
import torch
from chaoskit import SystemMetadata
from chaoskit.validators import finite

from ..base import TorchSystem
from ..metadata import load_metadata
from ._matrix_rows import matrix

__all__ = ["Thomas", "ThomasLabyrinth"]


@attrs.frozen(kw_only=True)
class _CyclicSine(TorchSystem):
    """``ẋ = −ax + b sin y``, ``ẏ = −ay + b sin z``, ``ż = −az + b sin x``."""

    kind: ClassVar[str] = "flow"
    variables: ClassVar[tuple[str, ...]] = ("x", "y", "z")

    a: float
    b: float

    def _rhs(self, t: Any, x: torch.Tensor) -> torch.Tensor:
        u, v, w = x.unbind(-1)
        a, b = self.a, self.b
        return torch.stack(
            (b * torch.sin(v) - a * u, b * torch.sin(w) - a * v, b * torch.sin(u) - a * w), dim=-1
        )

    def _jacobian(self, t: Any, x: torch.Tensor) -> torch.Tensor:
        u, v, w = x.unbind(-1)
        a, b = self.a, self.b
        return matrix(
            u, ((-a, b * torch.cos(v), 0.0), (0.0, -a, b * torch.cos(w)), (b * torch.cos(u), 0.0, -a))
        )


@attrs.frozen(kw_only=True)
class Thomas(_CyclicSine):
    """Thomas' attractor: ``ẋ = −ax + b sin y`` and its cyclic permutations (a = 1.85, b = 10).

    Thomas, R. (1999). Deterministic chaos seen in terms of feedback circuits: analysis,
    synthesis, "labyrinth chaos". Int. J. Bifurcation and Chaos 9(10), 1889–1905. Thomas writes
    ``ẋ = sin y − βx``; dividing time by ``b`` maps this form onto his with β = a/b = 0.185.
    """

    a: float = attrs.field(default=1.85, validator=finite)
    b: float = attrs.field(default=10.0, validator=finite)

    metadata: ClassVar[SystemMetadata] = load_metadata("Thomas")


@attrs.frozen(kw_only=True)
class ThomasLabyrinth(_CyclicSine):
    """Thomas' flow near labyrinth chaos: ``ẋ = −ax + b sin y`` and cyclic (a = 0.5, b = 10).

    Same equations and reference as :class:`Thomas`, with weak friction (β = a/b = 0.05): orbits
    wander between the cells of the sine lattice like a random walk, confined to ``|x| ≤ b/a``.
    """

    a: float = attrs.field(default=0.5, validator=finite)
    b: float = attrs.field(default=10.0, validator=finite)

    metadata: ClassVar[SystemMetadata] = load_metadata("ThomasLabyrinth")
