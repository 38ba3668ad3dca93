"""Quadratic three-dimensional flows with multi-wing, multi-scroll or layered attractors:
Sakarya, Wang–Sun, Zhou–Chen and the three-scroll unified chaotic system TSUCS2."""

from __future__ import annotations

from typing import Any, ClassVar

import attrs
import torch
from chaoskit import SystemMetadata
from chaoskit.validators import finite

from ..base import TorchSystem
from ..metadata import load_metadata
from ._matrix_rows import matrix

__all__ = ["Sakarya", "Tsucs2", "WangSun", "ZhouChen"]

_XYZ = ("x", "y", "z")


@attrs.frozen(kw_only=True)
class Sakarya(TorchSystem):
    """Sakarya: ``ẋ = ax + hy + syz``, ``ẏ = −by − px + qxz``, ``ż = cz − rxy``.

    At the defaults ``ẋ = −x + y + yz``, ``ẏ = −x − y + 0.4xz``, ``ż = z − 0.3xy``: a four-wing
    attractor born from two merging bistable attractors. Li, C., Pehlivan, I., Sprott, J. C. &
    Akgul, A. (2015). A novel four-wing strange attractor born in bistability. IEICE
    Electronics Express 12(4).
    """

    a: float = attrs.field(default=-1.0, validator=finite)
    b: float = attrs.field(default=1.0, validator=finite)
    c: float = attrs.field(default=1.0, validator=finite)
    h: float = attrs.field(default=1.0, validator=finite)
    p: float = attrs.field(default=1.0, validator=finite)
    q: float = attrs.field(default=0.4, validator=finite)
    r: float = attrs.field(default=0.3, validator=finite)
    s: float = attrs.field(default=1.0, validator=finite)

    kind: ClassVar[str] = "flow"
    variables: ClassVar[tuple[str, ...]] = _XYZ
    metadata: ClassVar[SystemMetadata] = load_metadata("Sakarya")

    def _rhs(self, t: Any, x: torch.Tensor) -> torch.Tensor:
        u, v, w = x.unbind(-1)
        return torch.stack(
            (
                self.a * u + self.h * v + self.s * v * w,
                self.q * u * w - self.b * v - self.p * u,
                self.c * w - self.r * u * v,
            ),
            dim=-1,
        )

    def _jacobian(self, t: Any, x: torch.Tensor) -> torch.Tensor:
        u, v, w = x.unbind(-1)
        return matrix(
            u,
            (
                (self.a, self.h + self.s * w, self.s * v),
                (self.q * w - self.p, -self.b, self.q * u),
                (-self.r * v, -self.r * u, self.c),
            ),
        )


@attrs.frozen(kw_only=True)
class WangSun(TorchSystem):
    """Wang–Sun four-wing flow: ``ẋ = ax + qyz``, ``ẏ = bx + dy − xz``, ``ż = ez + fxy``.

    Wang, Z., Sun, Y., van Wyk, B. J., Qi, G. & van Wyk, M. A. (2009). A 3-D four-wing attractor
    and its analysis. Brazilian Journal of Physics 39.
    """

    a: float = attrs.field(default=0.2, validator=finite)
    b: float = attrs.field(default=-0.01, validator=finite)
    d: float = attrs.field(default=-0.4, validator=finite)
    e: float = attrs.field(default=-1.0, validator=finite)
    f: float = attrs.field(default=-1.0, validator=finite)
    q: float = attrs.field(default=1.0, validator=finite)

    kind: ClassVar[str] = "flow"
    variables: ClassVar[tuple[str, ...]] = _XYZ
    metadata: ClassVar[SystemMetadata] = load_metadata("WangSun")

    def _rhs(self, t: Any, x: torch.Tensor) -> torch.Tensor:
        u, v, w = x.unbind(-1)
        return torch.stack(
            (
                self.a * u + self.q * v * w,
                self.b * u + self.d * v - u * w,
                self.e * w + self.f * u * v,
            ),
            dim=-1,
        )

    def _jacobian(self, t: Any, x: torch.Tensor) -> torch.Tensor:
        u, v, w = x.unbind(-1)
        return matrix(
            u,
            (
                (self.a, self.q * w, self.q * v),
                (self.b - w, self.d, -u),
                (self.f * v, self.f * u, self.e),
            ),
        )


@attrs.frozen(kw_only=True)
class ZhouChen(TorchSystem):
    """Zhou–Chen: ``ẋ = ax + by + yz``, ``ẏ = cy − xz + dyz``, ``ż = ez − xy``.

    A smooth quadratic flow whose attractor has three layers. Zhou, T. & Chen, G. (2004).
    A simple smooth chaotic system with a 3-layer attractor. Int. J. Bifurcation and Chaos.
    """

    a: float = attrs.field(default=2.97, validator=finite)
    b: float = attrs.field(default=0.15, validator=finite)
    c: float = attrs.field(default=-3.0, validator=finite)
    d: float = attrs.field(default=1.0, validator=finite)
    e: float = attrs.field(default=-8.78, validator=finite)

    kind: ClassVar[str] = "flow"
    variables: ClassVar[tuple[str, ...]] = _XYZ
    metadata: ClassVar[SystemMetadata] = load_metadata("ZhouChen")

    def _rhs(self, t: Any, x: torch.Tensor) -> torch.Tensor:
        u, v, w = x.unbind(-1)
        return torch.stack(
            (
                self.a * u + self.b * v + v * w,
                self.c * v - u * w + self.d * v * w,
                self.e * w - u * v,
            ),
            dim=-1,
        )

    def _jacobian(self, t: Any, x: torch.Tensor) -> torch.Tensor:
        u, v, w = x.unbind(-1)
        return matrix(
            u,
            (
                (self.a, self.b + w, v),
                (-w, self.c + self.d * w, self.d * v - u),
                (-v, -u, self.e),
            ),
        )


@attrs.frozen(kw_only=True)
class Tsucs2(TorchSystem):
    """Three-scroll unified chaotic system: ``ẋ = a(y − x) + dxz``, ``ẏ = kx + fy − xz``,
    ``ż = cz + xy − εx²`` (TSUCS2 parameters: a = 40, c = 0.833, d = 0.5, ε = 0.65, f = 20,
    k = 0).

    The same equations as the Dequan Li attractor, at other parameters. Pan, L., Zhou, W. & Li,
    Y. (2013). Synchronization of three-scroll unified chaotic system (TSUCS) and its
    hyper-chaotic system using active pinning control.
    """

    a: float = attrs.field(default=40.0, validator=finite)
    c: float = attrs.field(default=0.833, validator=finite)
    d: float = attrs.field(default=0.5, validator=finite)
    eps: float = attrs.field(default=0.65, validator=finite)
    f: float = attrs.field(default=20.0, validator=finite)
    k: float = attrs.field(default=0.0, validator=finite)

    kind: ClassVar[str] = "flow"
    variables: ClassVar[tuple[str, ...]] = _XYZ
    metadata: ClassVar[SystemMetadata] = load_metadata("Tsucs2")

    def _rhs(self, t: Any, x: torch.Tensor) -> torch.Tensor:
        u, v, w = x.unbind(-1)
        return torch.stack(
            (
                self.a * (v - u) + self.d * u * w,
                self.k * u + self.f * v - u * w,
                self.c * w + u * v - self.eps * u * u,
            ),
            dim=-1,
        )

    def _jacobian(self, t: Any, x: torch.Tensor) -> torch.Tensor:
        u, v, w = x.unbind(-1)
        return matrix(
            u,
            (
                (self.d * w - self.a, self.a, self.d * u),
                (self.k - w, self.f, -u),
                (v - 2.0 * self.eps * u, u, self.c),
            ),
        )
