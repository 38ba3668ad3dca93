"""Jerk flows ``x''' = F(x, x', x'')`` of the Arneodo–Coullet–Tresser and Genesio–Tesi type."""

from __future__ import annotations

from typing import Any, ClassVar

import attrs
import torch
from chaoskit import SystemMetadata
from chaoskit.validators import finite

from ..base import TorchSystem
from ..metadata import load_metadata
from ._rows import matrix

__all__ = ["Arneodo", "Coullet", "GenesioTesi"]


@attrs.frozen(kw_only=True)
class Arneodo(TorchSystem):
    """Arneodo–Coullet–Tresser (ACT) flow: ``ẋ = y``, ``ẏ = z``, ``ż = −ax − by − cz + dx³``.

    Arneodo, Coullet & Tresser (1980), Phys. Lett. A 79, 259 (a normal form of three-species
    Volterra equations near a triple-zero eigenvalue).
    """

    a: float = attrs.field(default=-5.5, validator=finite)
    b: float = attrs.field(default=4.5, validator=finite)
    c: float = attrs.field(default=1.0, validator=finite)
    d: float = attrs.field(default=-1.0, validator=finite)

    kind: ClassVar[str] = "flow"
    variables: ClassVar[tuple[str, ...]] = ("x", "y", "z")
    metadata: ClassVar[SystemMetadata] = load_metadata("Arneodo")

    def _rhs(self, t: Any, x: torch.Tensor) -> torch.Tensor:
        u, v, w = x.unbind(-1)
        jerk = -self.a * u - self.b * v - self.c * w + self.d * u**3
        return torch.stack((v, w, jerk), dim=-1)

    def _jacobian(self, t: Any, x: torch.Tensor) -> torch.Tensor:
        u = x[..., 0]
        return matrix(u, (
            (0.0, 1.0, 0.0),
            (0.0, 0.0, 1.0),
            (-self.a + 3 * self.d * u**2, -self.b, -self.c),
        ))


@attrs.frozen(kw_only=True)
class Coullet(Arneodo):
    """The ACT flow of :class:`Arneodo` at Coullet's parameters (a = −0.8, b = 1.1, c = 0.45)."""

    a: float = attrs.field(default=-0.8, validator=finite)
    b: float = attrs.field(default=1.1, validator=finite)
    c: float = attrs.field(default=0.45, validator=finite)
    d: float = attrs.field(default=-1.0, validator=finite)

    metadata: ClassVar[SystemMetadata] = load_metadata("Coullet")


@attrs.frozen(kw_only=True)
class GenesioTesi(TorchSystem):
    """Genesio–Tesi jerk system: ``ẋ = y``, ``ẏ = z``, ``ż = −cx − by − az + x²``.

    Genesio & Tesi (1992), Automatica 28, 531.
    """

    a: float = attrs.field(default=0.44, validator=finite)
    b: float = attrs.field(default=1.1, validator=finite)
    c: float = attrs.field(default=1.0, validator=finite)

    kind: ClassVar[str] = "flow"
    variables: ClassVar[tuple[str, ...]] = ("x", "y", "z")
    metadata: ClassVar[SystemMetadata] = load_metadata("GenesioTesi")

    def _rhs(self, t: Any, x: torch.Tensor) -> torch.Tensor:
        u, v, w = x.unbind(-1)
        return torch.stack((v, w, -self.c * u - self.b * v - self.a * w + u**2), dim=-1)

    def _jacobian(self, t: Any, x: torch.Tensor) -> torch.Tensor:
        u = x[..., 0]
        return matrix(u, ((0.0, 1.0, 0.0), (0.0, 0.0, 1.0), (-self.c + 2 * u, -self.b, -self.a)))
