"""The Lorenz-63 convection model (Lorenz 1963)."""

from __future__ import annotations

from typing import Any, ClassVar

import attrs
import torch
from chaoskit import SystemMetadata
from chaoskit.validators import finite, positive

from ..base import TorchSystem
from ..metadata import load_metadata

__all__ = ["Lorenz"]


@attrs.frozen(kw_only=True)
class Lorenz(TorchSystem):
    """Lorenz-63: ``ẋ = σ(y − x)``, ``ẏ = x(ρ − z) − y``, ``ż = xy − βz``.

    Parameters
    ----------
    sigma
        Prandtl number σ (> 0), default 10.
    rho
        Rayleigh number ratio ρ, default 28 (chaotic).
    beta
        Geometric factor β (> 0), default 8/3.

    The divergence of the flow is ``−(σ + 1 + β)`` everywhere, so the Lyapunov exponents sum
    to it (−13.667 at the defaults).
    """

    sigma: float = attrs.field(default=10.0, validator=positive)
    rho: float = attrs.field(default=28.0, validator=finite)
    beta: float = attrs.field(default=8.0 / 3.0, validator=positive)

    kind: ClassVar[str] = "flow"
    variables: ClassVar[tuple[str, ...]] = ("x", "y", "z")
    metadata: ClassVar[SystemMetadata] = load_metadata("Lorenz")

    def _rhs(self, t: Any, x: torch.Tensor) -> torch.Tensor:
        u, v, w = x.unbind(-1)
        return torch.stack(
            (self.sigma * (v - u), u * (self.rho - w) - v, u * v - self.beta * w), dim=-1
        )

    def _jacobian(self, t: Any, x: torch.Tensor) -> torch.Tensor:
        u, v, w = x.unbind(-1)
        zero, one = torch.zeros_like(u), torch.ones_like(u)
        rows = (
            torch.stack((-self.sigma * one, self.sigma * one, zero), dim=-1),
            torch.stack((self.rho - w, -one, -u), dim=-1),
            torch.stack((v, u, -self.beta * one), dim=-1),
        )
        return torch.stack(rows, dim=-2)
