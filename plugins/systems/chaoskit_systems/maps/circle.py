"""Maps with an angle on the circle ``[0, 1)``: the sine circle map and Zaslavskii's map."""

from __future__ import annotations

import math
from typing import Any, ClassVar

import attrs
import torch
from chaoskit import SystemMetadata
from chaoskit.validators import finite, positive

from ..metadata import load_metadata
from .base import MapSystem, matrix

__all__ = ["Circle", "Zaslavskii"]

TWO_PI = 2.0 * math.pi


@attrs.frozen(kw_only=True)
class Circle(MapSystem):
    """The sine circle map ``θ' = θ + Ω + (k / 2π) sin(2πθ)`` modulo 1, into ``[0, 1)``.

    ``θ`` is an angle in turns; chaoskit reduces it modulo 1 as the circle-map literature does
    (Arnold 1965; Jensen, Bak & Bohr 1984), dysts does not. The sign of the sine term follows
    dysts; the literature's ``− (k / 2π) sin 2πθ`` is the same map in the coordinate
    ``θ + ½``. For ``k > 1`` the map is not invertible and can be chaotic (default ``k = 5.7``,
    ``Ω = 0.333``).
    """

    omega: float = attrs.field(default=0.333, validator=finite)
    k: float = attrs.field(default=5.7, validator=finite)

    variables: ClassVar[tuple[str, ...]] = ("theta",)
    metadata: ClassVar[SystemMetadata] = load_metadata("Circle")

    def _step(self, x: torch.Tensor) -> torch.Tensor:
        return torch.remainder(x + self.omega + self.k / TWO_PI * torch.sin(TWO_PI * x), 1.0)

    def _jacobian(self, t: Any, x: torch.Tensor) -> torch.Tensor:
        return (1 + self.k * torch.cos(TWO_PI * x[..., 0]))[..., None, None]


@attrs.frozen(kw_only=True)
class Zaslavskii(MapSystem):
    """Zaslavskii's map of a damped, periodically kicked rotator (Zaslavsky 1978):

    ``x' = x + ν (1 + μ y) + ε ν μ cos(2πx)`` modulo 1, ``y' = e^{−r} (y + ε cos(2πx))``,
    with ``μ = (1 − e^{−r}) / r``. ``x`` is a phase in turns, reduced into ``[0, 1)`` as in the
    paper. The Jacobian determinant is ``e^{−r}``, so the exponents sum to ``−r``.

    dysts lists this map (its code does not implement it); chaoskit uses dysts' figures
    ``ε = 5``, ``ν = 0.2``, ``r = 2``, at which the orbit from the default initial state is
    attracted to a stable periodic orbit (both exponents ≈ −1), not to a strange attractor.
    ``ε = 0.3``, ``ν = 400/3``, ``r = 3`` gives the well-known strange attractor.
    """

    eps: float = attrs.field(default=5.0, validator=finite)
    nu: float = attrs.field(default=0.2, validator=finite)
    r: float = attrs.field(default=2.0, validator=positive)

    variables: ClassVar[tuple[str, ...]] = ("x", "y")
    metadata: ClassVar[SystemMetadata] = load_metadata("Zaslavskii")

    @property
    def _mu(self) -> float:
        return -math.expm1(-self.r) / self.r

    def _step(self, x: torch.Tensor) -> torch.Tensor:
        u, v = x.unbind(-1)
        mu, kick = self._mu, torch.cos(TWO_PI * u)
        u_next = u + self.nu * (1 + mu * v) + self.eps * self.nu * mu * kick
        v_next = math.exp(-self.r) * (v + self.eps * kick)
        return torch.stack((torch.remainder(u_next, 1.0), v_next), dim=-1)

    def _jacobian(self, t: Any, x: torch.Tensor) -> torch.Tensor:
        u = x[..., 0]
        mu, damp = self._mu, math.exp(-self.r)
        ds = -TWO_PI * self.eps * torch.sin(TWO_PI * u)  # d(ε cos 2πx)/dx
        return matrix([[1 + self.nu * mu * ds, self.nu * mu], [damp * ds, damp]], u)
