"""Lorenz-type flows with the symmetry (x, y, z) → (−x, −y, z): Rucklidge's double-convection
model and the Shimizu–Morioka system."""

from __future__ import annotations

from typing import Any, ClassVar

import attrs
import torch
from chaoskit import SystemMetadata
from chaoskit.validators import finite

from ..base import TorchSystem
from ..metadata import load_metadata
from ._matrix_rows import matrix

__all__ = ["Rucklidge", "ShimizuMorioka"]


@attrs.frozen(kw_only=True)
class Rucklidge(TorchSystem):
    """Rucklidge: ``ẋ = −ax + by − yz``, ``ẏ = x``, ``ż = −z + y²`` (a = κ = 2, b = λ = 6.7).

    Two-dimensional convection in a horizontal layer with lateral constraints (or a vertical
    magnetic field). Rucklidge, A. M. (1992). Chaos in models of double convection. Journal of
    Fluid Mechanics 237, 209–229.
    """

    a: float = attrs.field(default=2.0, validator=finite)
    b: float = attrs.field(default=6.7, validator=finite)

    kind: ClassVar[str] = "flow"
    variables: ClassVar[tuple[str, ...]] = ("x", "y", "z")
    metadata: ClassVar[SystemMetadata] = load_metadata("Rucklidge")

    def _rhs(self, t: Any, x: torch.Tensor) -> torch.Tensor:
        u, v, w = x.unbind(-1)
        return torch.stack((self.b * v - self.a * u - v * w, u, v * v - w), dim=-1)

    def _jacobian(self, t: Any, x: torch.Tensor) -> torch.Tensor:
        u, v, w = x.unbind(-1)
        return matrix(u, ((-self.a, self.b - w, -v), (1.0, 0.0, 0.0), (0.0, 2.0 * v, -1.0)))


@attrs.frozen(kw_only=True)
class ShimizuMorioka(TorchSystem):
    """Shimizu–Morioka: ``ẋ = y``, ``ẏ = x(1 − z) − ay``, ``ż = −bz + x²`` (a = 0.85, b = 0.5).

    Shimizu, T. & Morioka, N. (1980). On the bifurcation of a symmetric limit cycle to an
    asymmetric one in a simple model. Physics Letters A 76(3–4), 201–204.
    """

    a: float = attrs.field(default=0.85, validator=finite)
    b: float = attrs.field(default=0.5, validator=finite)

    kind: ClassVar[str] = "flow"
    variables: ClassVar[tuple[str, ...]] = ("x", "y", "z")
    metadata: ClassVar[SystemMetadata] = load_metadata("ShimizuMorioka")

    def _rhs(self, t: Any, x: torch.Tensor) -> torch.Tensor:
        u, v, w = x.unbind(-1)
        return torch.stack((v, u * (1.0 - w) - self.a * v, u * u - self.b * w), dim=-1)

    def _jacobian(self, t: Any, x: torch.Tensor) -> torch.Tensor:
        u, _v, w = x.unbind(-1)
        return matrix(u, ((0.0, 1.0, 0.0), (1.0 - w, -self.a, -u), (2.0 * u, 0.0, -self.b)))
