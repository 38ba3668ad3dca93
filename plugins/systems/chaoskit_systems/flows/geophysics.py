"""Low-order models from geophysics: the Rikitake two-disk dynamo, Vallis' El Niño model and
the reduced WINDMI model of the solar-wind-driven magnetosphere."""

from __future__ import annotations

from typing import Any, ClassVar

import attrs
import torch
from chaoskit import SystemMetadata
from chaoskit.validators import finite, nonnegative

from ..base import TorchSystem
from ..metadata import load_metadata
from ._matrix_rows import matrix

__all__ = ["RikitakeDynamo", "VallisElNino", "WindmiReduced"]


@attrs.frozen(kw_only=True)
class RikitakeDynamo(TorchSystem):
    """Rikitake's coupled disk dynamos: ``ẋ = −μx + yz``, ``ẏ = −μy + (z − a)x``, ``ż = 1 − xy``.

    ``x`` and ``y`` are the currents of the two disks, ``z`` an angular velocity; μ is the
    resistive damping and ``a`` the difference of the angular velocities. Rikitake, T. (1958).
    Oscillations of a system of disk dynamos. Proc. Cambridge Philos. Soc. 54, 89–105.
    """

    a: float = attrs.field(default=1.0, validator=finite)
    mu: float = attrs.field(default=1.0, validator=finite)

    kind: ClassVar[str] = "flow"
    variables: ClassVar[tuple[str, ...]] = ("x", "y", "z")
    metadata: ClassVar[SystemMetadata] = load_metadata("RikitakeDynamo")

    def _rhs(self, t: Any, x: torch.Tensor) -> torch.Tensor:
        u, v, w = x.unbind(-1)
        return torch.stack(
            (v * w - self.mu * u, (w - self.a) * u - self.mu * v, 1.0 - u * v), dim=-1
        )

    def _jacobian(self, t: Any, x: torch.Tensor) -> torch.Tensor:
        u, v, w = x.unbind(-1)
        return matrix(u, ((-self.mu, w, v), (w - self.a, -self.mu, u), (-v, -u, 0.0)))


@attrs.frozen(kw_only=True)
class VallisElNino(TorchSystem):
    """Vallis' ENSO model: ``ẋ = by − c(x + p)``, ``ẏ = xz − y``, ``ż = −xy − z + 1``.

    ``x`` is the ocean current, ``y`` and ``z`` the east–west and mean temperature anomalies;
    ``p`` is a constant forcing (0 here). Vallis, G. K. (1988). Conceptual models of El Niño and
    the Southern Oscillation. J. Geophys. Res. 93(C11), 13979–13991.
    """

    b: float = attrs.field(default=102.0, validator=finite)
    c: float = attrs.field(default=3.0, validator=finite)
    p: float = attrs.field(default=0.0, validator=finite)

    kind: ClassVar[str] = "flow"
    variables: ClassVar[tuple[str, ...]] = ("x", "y", "z")
    metadata: ClassVar[SystemMetadata] = load_metadata("VallisElNino")

    def _rhs(self, t: Any, x: torch.Tensor) -> torch.Tensor:
        u, v, w = x.unbind(-1)
        return torch.stack(
            (self.b * v - self.c * (u + self.p), u * w - v, 1.0 - u * v - w), dim=-1
        )

    def _jacobian(self, t: Any, x: torch.Tensor) -> torch.Tensor:
        u, v, w = x.unbind(-1)
        return matrix(u, ((-self.c, self.b, 0.0), (w, -1.0, u), (-v, -u, -1.0)))


@attrs.frozen(kw_only=True)
class WindmiReduced(TorchSystem):
    """Reduced WINDMI substorm model, as the dysts database evaluates it.

    ``İ = a1(vsw − V)``, ``V̇ = b1·I − b2·p/2 − b3·V``,
    ``ṗ = vsw² − p^{5/4}·vsw^{1/2}·(1 + tanh(d1(I − 1)))/2``,
    with ``I`` the geotail current, ``V`` the voltage and ``p`` the plasma pressure. Smith,
    Thiffeault & Horton (2000), J. Geophys. Res. 105, 12983; Horton, Weigel & Sprott (2001),
    Phys. Plasmas 8, 2946.

    The papers' pressure term in ``V̇`` is ``b2·p^{1/2}``; dysts' code evaluates ``b2·p/2``
    (operator precedence), and its parameters, initial state and period belong to that form —
    with ``p^{1/2}`` these parameters give no chaos (``p`` settles near 5,200). chaoskit follows
    dysts so that its figures apply; see the entry's ``notes``.
    """

    a1: float = attrs.field(default=0.247, validator=finite)
    b1: float = attrs.field(default=10.8, validator=finite)
    b2: float = attrs.field(default=0.0752, validator=finite)
    b3: float = attrs.field(default=1.06, validator=finite)
    d1: float = attrs.field(default=2200.0, validator=finite)
    vsw: float = attrs.field(default=5.0, validator=nonnegative)

    kind: ClassVar[str] = "flow"
    variables: ClassVar[tuple[str, ...]] = ("i", "v", "p")
    metadata: ClassVar[SystemMetadata] = load_metadata("WindmiReduced")

    def _rhs(self, t: Any, x: torch.Tensor) -> torch.Tensor:
        i, v, p = x.unbind(-1)
        unloading = 0.5 * (1.0 + torch.tanh(self.d1 * (i - 1.0)))
        return torch.stack(
            (
                self.a1 * (self.vsw - v),
                self.b1 * i - 0.5 * self.b2 * p - self.b3 * v,
                self.vsw**2 - p.pow(1.25) * self.vsw**0.5 * unloading,
            ),
            dim=-1,
        )

    def _jacobian(self, t: Any, x: torch.Tensor) -> torch.Tensor:
        i, _v, p = x.unbind(-1)
        tanh = torch.tanh(self.d1 * (i - 1.0))
        root = self.vsw**0.5
        return matrix(
            i,
            (
                (0.0, -self.a1, 0.0),
                (self.b1, -self.b3, -0.5 * self.b2),
                (-0.5 * self.d1 * (1.0 - tanh * tanh) * p.pow(1.25) * root, 0.0,
                 -0.625 * p.pow(0.25) * root * (1.0 + tanh)),
            ),
        )
