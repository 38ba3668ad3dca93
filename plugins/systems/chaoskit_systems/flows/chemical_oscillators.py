"""Chemical oscillators with mixed-mode oscillations: the isothermal autocatalator of Petrov,
Scott & Showalter and the Kawczyński–Strizhak model of the Belousov–Zhabotinsky reaction."""

from __future__ import annotations

from typing import Any, ClassVar

import attrs
import torch
from chaoskit import SystemMetadata
from chaoskit.validators import finite, positive

from ..base import TorchSystem
from ..metadata import load_metadata
from ._array_fields import matrix

__all__ = ["IsothermalChemical", "KawczynskiStrizhak"]


@attrs.frozen(kw_only=True)
class IsothermalChemical(TorchSystem):
    """Three-variable autocatalator: ``α̇ = μ(κ + γ) − αβ² − α``, ``σβ̇ = αβ² + α − β``,
    ``δγ̇ = β − γ`` (Petrov, Scott & Showalter 1992, J. Chem. Phys. 97, 6191)."""

    delta: float = attrs.field(default=1.0, validator=positive)
    kappa: float = attrs.field(default=2.5, validator=finite)
    mu: float = attrs.field(default=0.29786, validator=finite)
    sigma: float = attrs.field(default=0.013, validator=positive)

    kind: ClassVar[str] = "flow"
    variables: ClassVar[tuple[str, ...]] = ("alpha", "beta", "gamma")
    metadata: ClassVar[SystemMetadata] = load_metadata("IsothermalChemical")

    def _rhs(self, t: Any, x: torch.Tensor) -> torch.Tensor:
        al, be, ga = x.unbind(-1)
        reaction = al * be * be + al
        return torch.stack(
            (
                self.mu * (self.kappa + ga) - reaction,
                (reaction - be) / self.sigma,
                (be - ga) / self.delta,
            ),
            dim=-1,
        )

    def _jacobian(self, t: Any, x: torch.Tensor) -> torch.Tensor:
        al, be, _ga = x.unbind(-1)
        dal, dbe = be * be + 1.0, 2.0 * al * be
        return matrix(
            (
                (-dal, -dbe, self.mu),
                (dal / self.sigma, (dbe - 1.0) / self.sigma, 0.0),
                (0.0, 1.0 / self.delta, -1.0 / self.delta),
            ),
            al,
        )


@attrs.frozen(kw_only=True)
class KawczynskiStrizhak(TorchSystem):
    """Kawczyński–Strizhak model: ``ẋ = γ(y − x³ + 3μx)``, ``ẏ = −2μx − y − z + β``,
    ``ż = κ(x − z)`` (Strizhak & Kawczyński 1995, J. Phys. Chem. 99, 10830)."""

    beta: float = attrs.field(default=-0.4, validator=finite)
    gamma: float = attrs.field(default=0.49, validator=finite)
    kappa: float = attrs.field(default=0.2, validator=finite)
    mu: float = attrs.field(default=2.1, validator=finite)

    kind: ClassVar[str] = "flow"
    variables: ClassVar[tuple[str, ...]] = ("x", "y", "z")
    metadata: ClassVar[SystemMetadata] = load_metadata("KawczynskiStrizhak")

    def _rhs(self, t: Any, x: torch.Tensor) -> torch.Tensor:
        u, v, w = x.unbind(-1)
        return torch.stack(
            (
                self.gamma * (v - u**3 + 3.0 * self.mu * u),
                self.beta - 2.0 * self.mu * u - v - w,
                self.kappa * (u - w),
            ),
            dim=-1,
        )

    def _jacobian(self, t: Any, x: torch.Tensor) -> torch.Tensor:
        u, _v, _w = x.unbind(-1)
        return matrix(
            (
                (3.0 * self.gamma * (self.mu - u * u), self.gamma, 0.0),
                (-2.0 * self.mu, -1.0, -1.0),
                (self.kappa, 0.0, -self.kappa),
            ),
            u,
        )
