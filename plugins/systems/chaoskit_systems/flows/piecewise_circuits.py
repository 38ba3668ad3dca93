"""Electronic oscillators with piecewise-smooth nonlinearities: Chua, Colpitts, Anishchenko–Astakhov.

The kinks (``|x ± 1|``, ``max(0, ·)``) are written with ``abs`` and ``relu`` so that autograd gives
the one-sided Jacobian away from the switching surfaces.
"""

from __future__ import annotations

from typing import Any, ClassVar

import attrs
import torch
from chaoskit import SystemMetadata
from chaoskit.validators import finite, positive

from ..base import TorchSystem
from ..metadata import load_metadata

__all__ = ["AnishchenkoAstakhov", "Chua", "Colpitts"]


@attrs.frozen(kw_only=True)
class Chua(TorchSystem):
    """Chua's circuit (double scroll): ``ẋ = α(y − x − h(x))``, ``ẏ = x − y + z``, ``ż = −βy``.

    ``h(x) = m₁x + ½(m₀ − m₁)(|x + 1| − |x − 1|)`` is the piecewise-linear Chua diode
    (Chua 1969; Matsumoto 1984, IEEE Trans. Circuits Syst. 31, 1055). Slopes m₀ = −8/7,
    m₁ = −5/7 (dysts stores them rounded).
    """

    alpha: float = attrs.field(default=15.6, validator=finite)
    beta: float = attrs.field(default=28.0, validator=finite)
    m0: float = attrs.field(default=-8.0 / 7.0, validator=finite)
    m1: float = attrs.field(default=-5.0 / 7.0, validator=finite)

    kind: ClassVar[str] = "flow"
    variables: ClassVar[tuple[str, ...]] = ("x", "y", "z")
    metadata: ClassVar[SystemMetadata] = load_metadata("Chua")

    def _rhs(self, t: Any, x: torch.Tensor) -> torch.Tensor:
        u, v, w = x.unbind(-1)
        diode = self.m1 * u + 0.5 * (self.m0 - self.m1) * (torch.abs(u + 1) - torch.abs(u - 1))
        return torch.stack((self.alpha * (v - u - diode), u - v + w, -self.beta * v), dim=-1)


@attrs.frozen(kw_only=True)
class Colpitts(TorchSystem):
    """Colpitts oscillator with a piecewise-linear transistor (dimensionless, dysts' form).

    ``ẋ = y − a·F(z)``, ``ẏ = c − x − by − z``, ``ż = y − dz`` with
    ``F(z) = max(0, (e − 1) − z)`` the collector current (Kennedy 1994, IEEE Trans. Circuits
    Syst. I 41, 771; Li, Zhou & Yang 2007, Chaos Solitons Fractals).
    """

    a: float = attrs.field(default=30.0, validator=finite)
    b: float = attrs.field(default=0.8, validator=finite)
    c: float = attrs.field(default=20.0, validator=finite)
    d: float = attrs.field(default=0.08, validator=finite)
    e: float = attrs.field(default=10.0, validator=finite)

    kind: ClassVar[str] = "flow"
    variables: ClassVar[tuple[str, ...]] = ("x", "y", "z")
    metadata: ClassVar[SystemMetadata] = load_metadata("Colpitts")

    def _rhs(self, t: Any, x: torch.Tensor) -> torch.Tensor:
        u, v, w = x.unbind(-1)
        current = torch.relu((self.e - 1.0) - w)
        return torch.stack(
            (v - self.a * current, self.c - u - self.b * v - w, v - self.d * w), dim=-1
        )


@attrs.frozen(kw_only=True)
class AnishchenkoAstakhov(TorchSystem):
    """Anishchenko–Astakhov generator with inertial nonlinearity.

    ``ẋ = μx + y − xz``, ``ẏ = −x``, ``ż = −ηz + η·H(x)·x²`` with ``H`` the Heaviside step
    (Anishchenko et al. 2007, *Nonlinear Dynamics of Chaotic and Stochastic Systems*).
    """

    eta: float = attrs.field(default=0.5, validator=positive)
    mu: float = attrs.field(default=1.2, validator=finite)

    kind: ClassVar[str] = "flow"
    variables: ClassVar[tuple[str, ...]] = ("x", "y", "z")
    metadata: ClassVar[SystemMetadata] = load_metadata("AnishchenkoAstakhov")

    def _rhs(self, t: Any, x: torch.Tensor) -> torch.Tensor:
        u, v, w = x.unbind(-1)
        return torch.stack((
            self.mu * u + v - u * w,
            -u,
            self.eta * (torch.relu(u) * u - w),
        ), dim=-1)
