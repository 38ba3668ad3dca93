"""The Rössler attractor (Rössler 1976)."""

from __future__ import annotations

from typing import Any, ClassVar

import attrs
import torch
from chaoskit import SystemMetadata
from chaoskit.validators import finite

from ..base import TorchSystem
from ..metadata import load_metadata
from ._matrix_rows import matrix

__all__ = ["Rossler"]


@attrs.frozen(kw_only=True)
class Rossler(TorchSystem):
    """Rössler: ``ẋ = −y − z``, ``ẏ = x + ay``, ``ż = b + z(x − c)``.

    Rössler, O. E. (1976). An equation for continuous chaos. Physics Letters A 57(5), 397–398.
    The defaults a = b = 0.2, c = 5.7 give the spiral (phase-coherent) attractor.

    Parameters
    ----------
    a
        Growth rate of the ``x``–``y`` oscillation, default 0.2.
    b
        Constant feed of ``z``, default 0.2.
    c
        Threshold of ``x`` above which ``z`` grows, default 5.7.
    """

    a: float = attrs.field(default=0.2, validator=finite)
    b: float = attrs.field(default=0.2, validator=finite)
    c: float = attrs.field(default=5.7, validator=finite)

    kind: ClassVar[str] = "flow"
    variables: ClassVar[tuple[str, ...]] = ("x", "y", "z")
    metadata: ClassVar[SystemMetadata] = load_metadata("Rossler")

    def _rhs(self, t: Any, x: torch.Tensor) -> torch.Tensor:
        u, v, w = x.unbind(-1)
        return torch.stack((-v - w, u + self.a * v, self.b + w * (u - self.c)), dim=-1)

    def _jacobian(self, t: Any, x: torch.Tensor) -> torch.Tensor:
        u, _v, w = x.unbind(-1)
        return matrix(u, ((0.0, -1.0, -1.0), (1.0, self.a, 0.0), (w, 0.0, u - self.c)))
