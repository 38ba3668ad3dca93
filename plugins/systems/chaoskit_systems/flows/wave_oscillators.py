"""Self-excited oscillators from astrophysics and plasma physics: the Moore–Spiegel thermally
excited oscillator and the Rabinovich–Fabrikant model of modulated waves."""

from __future__ import annotations

from typing import Any, ClassVar

import attrs
import torch
from chaoskit import SystemMetadata
from chaoskit.validators import finite

from ..base import TorchSystem
from ..metadata import load_metadata
from ._array_fields import matrix

__all__ = ["MooreSpiegel", "RabinovichFabrikant"]


@attrs.frozen(kw_only=True)
class MooreSpiegel(TorchSystem):
    """Moore–Spiegel oscillator: ``ẋ = y``, ``ẏ = az``, ``ż = −z + εy − x²y − bx``
    (Moore & Spiegel 1966, Astrophys. J. 143, 871)."""

    a: float = attrs.field(default=10.0, validator=finite)
    b: float = attrs.field(default=4.0, validator=finite)
    eps: float = attrs.field(default=9.0, validator=finite)

    kind: ClassVar[str] = "flow"
    variables: ClassVar[tuple[str, ...]] = ("x", "y", "z")
    metadata: ClassVar[SystemMetadata] = load_metadata("MooreSpiegel")

    def _rhs(self, t: Any, x: torch.Tensor) -> torch.Tensor:
        u, v, w = x.unbind(-1)
        return torch.stack((v, self.a * w, (self.eps - u * u) * v - w - self.b * u), dim=-1)

    def _jacobian(self, t: Any, x: torch.Tensor) -> torch.Tensor:
        u, v, _w = x.unbind(-1)
        return matrix(
            ((0.0, 1.0, 0.0), (0.0, 0.0, self.a), (-2.0 * u * v - self.b, self.eps - u * u, -1.0)),
            u,
        )


@attrs.frozen(kw_only=True)
class RabinovichFabrikant(TorchSystem):
    """Rabinovich–Fabrikant equations: ``ẋ = y(z − 1 + x²) + γx``, ``ẏ = x(3z + 1 − x²) + γy``,
    ``ż = −2z(α + xy)`` with ``α = a``, ``γ = g``
    (Rabinovich & Fabrikant 1979, Sov. Phys. JETP 50, 311)."""

    a: float = attrs.field(default=1.1, validator=finite)
    g: float = attrs.field(default=0.87, validator=finite)

    kind: ClassVar[str] = "flow"
    variables: ClassVar[tuple[str, ...]] = ("x", "y", "z")
    metadata: ClassVar[SystemMetadata] = load_metadata("RabinovichFabrikant")

    def _rhs(self, t: Any, x: torch.Tensor) -> torch.Tensor:
        u, v, w = x.unbind(-1)
        u2 = u * u
        return torch.stack(
            (
                v * (w - 1.0 + u2) + self.g * u,
                u * (3.0 * w + 1.0 - u2) + self.g * v,
                -2.0 * w * (self.a + u * v),
            ),
            dim=-1,
        )

    def _jacobian(self, t: Any, x: torch.Tensor) -> torch.Tensor:
        u, v, w = x.unbind(-1)
        u2 = u * u
        return matrix(
            (
                (2.0 * u * v + self.g, w - 1.0 + u2, v),
                (3.0 * w + 1.0 - 3.0 * u2, self.g, 3.0 * u),
                (-2.0 * v * w, -2.0 * u * w, -2.0 * (self.a + u * v)),
            ),
            u,
        )
