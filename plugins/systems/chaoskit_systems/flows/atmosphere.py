"""Low-order atmospheric circulation models: the Hadley cell (Lorenz-84) and regime transitions."""

from __future__ import annotations

import math
from typing import Any, ClassVar

import attrs
import torch
from chaoskit import SystemMetadata
from chaoskit.validators import finite, positive

from ..base import TorchSystem
from ..metadata import load_metadata
from ._rows import matrix

__all__ = ["AtmosphericRegime", "Hadley"]


@attrs.frozen(kw_only=True)
class Hadley(TorchSystem):
    """Hadley circulation (Lorenz-84): westerly wind ``x`` and a travelling eddy ``(y, z)``.

    ``ẋ = −y² − z² − a(x − f)``, ``ẏ = xy − bxz − y + g``, ``ż = bxy + xz − z``
    (Lorenz 1984, Tellus 36A, 98; dysts cites Hadley 1735 for the circulation itself).
    """

    a: float = attrs.field(default=0.2, validator=positive)
    b: float = attrs.field(default=4.0, validator=finite)
    f: float = attrs.field(default=9.0, validator=finite)
    g: float = attrs.field(default=1.0, validator=finite)

    kind: ClassVar[str] = "flow"
    variables: ClassVar[tuple[str, ...]] = ("x", "y", "z")
    metadata: ClassVar[SystemMetadata] = load_metadata("Hadley")

    def _rhs(self, t: Any, x: torch.Tensor) -> torch.Tensor:
        u, v, w = x.unbind(-1)
        return torch.stack((
            -(v**2) - w**2 - self.a * (u - self.f),
            u * v - self.b * u * w - v + self.g,
            self.b * u * v + u * w - w,
        ), dim=-1)

    def _jacobian(self, t: Any, x: torch.Tensor) -> torch.Tensor:
        u, v, w = x.unbind(-1)
        return matrix(u, (
            (-self.a, -2 * v, -2 * w),
            (v - self.b * w, u - 1.0, -self.b * u),
            (self.b * v + w, self.b * u, u - 1.0),
        ))


@attrs.frozen(kw_only=True)
class AtmosphericRegime(TorchSystem):
    """Coupled oscillators with widely spaced frequencies and an energy-preserving nonlinearity.

    ``ẋ = μ₁x + σxy``, ``ẏ = μ₂y + ωz + αyz + βz² − σx²``, ``ż = μ₂z − ωy − αy² − βyz``
    (Tuwankotta 2006, a model of atmospheric regime transitions).
    """

    alpha: float = attrs.field(default=-2.0, validator=finite)
    beta: float = attrs.field(default=-5.0, validator=finite)
    mu1: float = attrs.field(default=0.05, validator=finite)
    mu2: float = attrs.field(default=-0.01, validator=finite)
    omega: float = attrs.field(default=3.0, validator=finite)
    sigma: float = attrs.field(default=1.1, validator=finite)

    kind: ClassVar[str] = "flow"
    variables: ClassVar[tuple[str, ...]] = ("x", "y", "z")
    metadata: ClassVar[SystemMetadata] = load_metadata("AtmosphericRegime")

    def default_max_step(self) -> float:
        """RK4 step: period/200, but at most 1/100 of the fast oscillation ``2π/ω``.

        dysts' period (89.6) is the slow regime cycle; the ``ω = 3`` rotation is 40 times faster.
        """
        fast = 2 * math.pi / abs(self.omega) / 100 if self.omega else math.inf
        return min(super().default_max_step(), fast)

    def _rhs(self, t: Any, x: torch.Tensor) -> torch.Tensor:
        u, v, w = x.unbind(-1)
        return torch.stack((
            self.mu1 * u + self.sigma * u * v,
            self.mu2 * v + self.omega * w + self.alpha * v * w + self.beta * w**2
            - self.sigma * u**2,
            self.mu2 * w - self.omega * v - self.alpha * v**2 - self.beta * v * w,
        ), dim=-1)

    def _jacobian(self, t: Any, x: torch.Tensor) -> torch.Tensor:
        u, v, w = x.unbind(-1)
        return matrix(u, (
            (self.mu1 + self.sigma * v, self.sigma * u, 0.0),
            (-2 * self.sigma * u, self.mu2 + self.alpha * w,
             self.omega + self.alpha * v + 2 * self.beta * w),
            (0.0, -self.omega - 2 * self.alpha * v - self.beta * w, self.mu2 - self.beta * v),
        ))
