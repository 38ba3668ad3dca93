"""Four-dimensional hyperchaotic flows (two positive Lyapunov exponents), most of them a
Lorenz-, Lü-, Chen- or Rössler-type system with a fourth feedback variable ``w``."""

from __future__ import annotations

from typing import Any, ClassVar

import attrs
import torch
from chaoskit import SystemMetadata
from chaoskit.validators import finite

from ..base import TorchSystem
from ..metadata import load_metadata
from ._array_fields import matrix

__all__ = [
    "HyperBao",
    "HyperCai",
    "HyperJha",
    "HyperLorenz",
    "HyperLu",
    "HyperPang",
    "HyperQi",
    "HyperRossler",
    "HyperWang",
    "HyperXu",
    "HyperYan",
    "HyperYangChen",
    "Qi",
]

_XYZW: tuple[str, ...] = ("x", "y", "z", "w")


def _field(default: float) -> Any:
    return attrs.field(default=default, validator=finite)


@attrs.frozen(kw_only=True)
class HyperBao(TorchSystem):
    """Bao & Liu's hyperchaotic Lü system: ``ẋ = a(y − x) + w``, ``ẏ = cy − xz``,
    ``ż = xy − bz``, ``ẇ = ex + dyz`` (Bao & Liu 2008, Chin. Phys. Lett. 25, 2396)."""

    a: float = _field(36.0)
    b: float = _field(3.0)
    c: float = _field(20.0)
    d: float = _field(0.1)
    e: float = _field(21.0)

    kind: ClassVar[str] = "flow"
    variables: ClassVar[tuple[str, ...]] = _XYZW
    metadata: ClassVar[SystemMetadata] = load_metadata("HyperBao")

    def _rhs(self, t: Any, x: torch.Tensor) -> torch.Tensor:
        u, v, s, w = x.unbind(-1)
        return torch.stack(
            (
                self.a * (v - u) + w,
                self.c * v - u * s,
                u * v - self.b * s,
                self.e * u + self.d * v * s,
            ),
            dim=-1,
        )

    def _jacobian(self, t: Any, x: torch.Tensor) -> torch.Tensor:
        u, v, s, _w = x.unbind(-1)
        return matrix(
            (
                (-self.a, self.a, 0.0, 1.0),
                (-s, self.c, -u, 0.0),
                (v, u, -self.b, 0.0),
                (self.e, self.d * s, self.d * v, 0.0),
            ),
            u,
        )


@attrs.frozen(kw_only=True)
class HyperCai(TorchSystem):
    """Hyperchaotic variant of Cai's finance-type system: ``ẋ = a(y − x)``,
    ``ẏ = bx + cy − xz + w``, ``ż = −dz + y²``, ``ẇ = −ex`` (Cai & Huang 2007)."""

    a: float = _field(27.5)
    b: float = _field(3.0)
    c: float = _field(19.3)
    d: float = _field(2.9)
    e: float = _field(3.3)

    kind: ClassVar[str] = "flow"
    variables: ClassVar[tuple[str, ...]] = _XYZW
    metadata: ClassVar[SystemMetadata] = load_metadata("HyperCai")

    def _rhs(self, t: Any, x: torch.Tensor) -> torch.Tensor:
        u, v, s, w = x.unbind(-1)
        return torch.stack(
            (
                self.a * (v - u),
                self.b * u + self.c * v - u * s + w,
                v * v - self.d * s,
                -self.e * u,
            ),
            dim=-1,
        )

    def _jacobian(self, t: Any, x: torch.Tensor) -> torch.Tensor:
        u, v, s, _w = x.unbind(-1)
        return matrix(
            (
                (-self.a, self.a, 0.0, 0.0),
                (self.b - s, self.c, -u, 1.0),
                (0.0, 2.0 * v, -self.d, 0.0),
                (-self.e, 0.0, 0.0, 0.0),
            ),
            u,
        )


@attrs.frozen(kw_only=True)
class HyperJha(TorchSystem):
    """Hyperchaotic Lorenz-type system: ``ẋ = a(y − x) + w``, ``ẏ = bx − y − xz``,
    ``ż = xy − cz``, ``ẇ = dw − xz`` (Meier 2003, after Jha); ``c`` is Lorenz's 8/3."""

    a: float = _field(10.0)
    b: float = _field(28.0)
    c: float = _field(8.0 / 3.0)
    d: float = _field(1.3)

    kind: ClassVar[str] = "flow"
    variables: ClassVar[tuple[str, ...]] = _XYZW
    metadata: ClassVar[SystemMetadata] = load_metadata("HyperJha")

    def _rhs(self, t: Any, x: torch.Tensor) -> torch.Tensor:
        u, v, s, w = x.unbind(-1)
        return torch.stack(
            (self.a * (v - u) + w, self.b * u - v - u * s, u * v - self.c * s, self.d * w - u * s),
            dim=-1,
        )

    def _jacobian(self, t: Any, x: torch.Tensor) -> torch.Tensor:
        u, v, s, _w = x.unbind(-1)
        return matrix(
            (
                (-self.a, self.a, 0.0, 1.0),
                (self.b - s, -1.0, -u, 0.0),
                (v, u, -self.c, 0.0),
                (-s, 0.0, -u, self.d),
            ),
            u,
        )


@attrs.frozen(kw_only=True)
class HyperLorenz(TorchSystem):
    """Hyperchaotic Lorenz system: ``ẋ = a(y − x) + w``, ``ẏ = cx − y − xz``,
    ``ż = xy − bz``, ``ẇ = dw − xz`` (Meier 2003); ``b`` is Lorenz's 8/3."""

    a: float = _field(10.0)
    b: float = _field(8.0 / 3.0)
    c: float = _field(28.0)
    d: float = _field(1.1)

    kind: ClassVar[str] = "flow"
    variables: ClassVar[tuple[str, ...]] = _XYZW
    metadata: ClassVar[SystemMetadata] = load_metadata("HyperLorenz")

    def _rhs(self, t: Any, x: torch.Tensor) -> torch.Tensor:
        u, v, s, w = x.unbind(-1)
        return torch.stack(
            (self.a * (v - u) + w, self.c * u - v - u * s, u * v - self.b * s, self.d * w - u * s),
            dim=-1,
        )

    def _jacobian(self, t: Any, x: torch.Tensor) -> torch.Tensor:
        u, v, s, _w = x.unbind(-1)
        return matrix(
            (
                (-self.a, self.a, 0.0, 1.0),
                (self.c - s, -1.0, -u, 0.0),
                (v, u, -self.b, 0.0),
                (-s, 0.0, -u, self.d),
            ),
            u,
        )


@attrs.frozen(kw_only=True)
class HyperLu(TorchSystem):
    """Hyperchaotic Lü system by state feedback: ``ẋ = a(y − x) + w``, ``ẏ = cy − xz``,
    ``ż = xy − bz``, ``ẇ = xz + dw`` (Chen, Lu, Lü & Yu 2006, Physica A 364, 103)."""

    a: float = _field(36.0)
    b: float = _field(3.0)
    c: float = _field(20.0)
    d: float = _field(1.3)

    kind: ClassVar[str] = "flow"
    variables: ClassVar[tuple[str, ...]] = _XYZW
    metadata: ClassVar[SystemMetadata] = load_metadata("HyperLu")

    def _rhs(self, t: Any, x: torch.Tensor) -> torch.Tensor:
        u, v, s, w = x.unbind(-1)
        return torch.stack(
            (self.a * (v - u) + w, self.c * v - u * s, u * v - self.b * s, u * s + self.d * w),
            dim=-1,
        )

    def _jacobian(self, t: Any, x: torch.Tensor) -> torch.Tensor:
        u, v, s, _w = x.unbind(-1)
        return matrix(
            (
                (-self.a, self.a, 0.0, 1.0),
                (-s, self.c, -u, 0.0),
                (v, u, -self.b, 0.0),
                (s, 0.0, u, self.d),
            ),
            u,
        )


@attrs.frozen(kw_only=True)
class HyperPang(TorchSystem):
    """Pang & Liu's hyperchaotic Lü system: ``ẋ = a(y − x)``, ``ẏ = cy − xz + w``,
    ``ż = xy − bz``, ``ẇ = −d(x + y)`` (Pang & Liu 2011, J. Comput. Appl. Math. 235, 2775)."""

    a: float = _field(36.0)
    b: float = _field(3.0)
    c: float = _field(20.0)
    d: float = _field(2.0)

    kind: ClassVar[str] = "flow"
    variables: ClassVar[tuple[str, ...]] = _XYZW
    metadata: ClassVar[SystemMetadata] = load_metadata("HyperPang")

    def _rhs(self, t: Any, x: torch.Tensor) -> torch.Tensor:
        u, v, s, w = x.unbind(-1)
        return torch.stack(
            (self.a * (v - u), self.c * v - u * s + w, u * v - self.b * s, -self.d * (u + v)),
            dim=-1,
        )

    def _jacobian(self, t: Any, x: torch.Tensor) -> torch.Tensor:
        u, v, s, _w = x.unbind(-1)
        return matrix(
            (
                (-self.a, self.a, 0.0, 0.0),
                (-s, self.c, -u, 1.0),
                (v, u, -self.b, 0.0),
                (-self.d, -self.d, 0.0, 0.0),
            ),
            u,
        )


@attrs.frozen(kw_only=True)
class HyperQi(TorchSystem):
    """Qi's hyperchaotic system: ``ẋ = a(y − x) + yz``, ``ẏ = b(x + y) − xz``,
    ``ż = xy − cz − ew``, ``ẇ = xy − dw + fz`` (Qi, van Wyk, van Wyk & Chen 2008, Phys. Lett. A)."""

    a: float = _field(50.0)
    b: float = _field(24.0)
    c: float = _field(13.0)
    d: float = _field(8.0)
    e: float = _field(33.0)
    f: float = _field(30.0)

    kind: ClassVar[str] = "flow"
    variables: ClassVar[tuple[str, ...]] = _XYZW
    metadata: ClassVar[SystemMetadata] = load_metadata("HyperQi")

    def _rhs(self, t: Any, x: torch.Tensor) -> torch.Tensor:
        u, v, s, w = x.unbind(-1)
        return torch.stack(
            (
                self.a * (v - u) + v * s,
                self.b * (u + v) - u * s,
                u * v - self.c * s - self.e * w,
                u * v - self.d * w + self.f * s,
            ),
            dim=-1,
        )

    def _jacobian(self, t: Any, x: torch.Tensor) -> torch.Tensor:
        u, v, s, _w = x.unbind(-1)
        return matrix(
            (
                (-self.a, self.a + s, v, 0.0),
                (self.b - s, self.b, -u, 0.0),
                (v, u, -self.c, -self.e),
                (v, u, self.f, -self.d),
            ),
            u,
        )


@attrs.frozen(kw_only=True)
class HyperRossler(TorchSystem):
    """Rössler's hyperchaos: ``ẋ = −y − z``, ``ẏ = x + ay + w``, ``ż = b + xz``,
    ``ẇ = −cz + dw`` (Rössler 1979, Phys. Lett. A 71, 155)."""

    a: float = _field(0.25)
    b: float = _field(3.0)
    c: float = _field(0.5)
    d: float = _field(0.05)

    kind: ClassVar[str] = "flow"
    variables: ClassVar[tuple[str, ...]] = _XYZW
    metadata: ClassVar[SystemMetadata] = load_metadata("HyperRossler")

    def _rhs(self, t: Any, x: torch.Tensor) -> torch.Tensor:
        u, v, s, w = x.unbind(-1)
        return torch.stack(
            (-v - s, u + self.a * v + w, self.b + u * s, self.d * w - self.c * s), dim=-1
        )

    def _jacobian(self, t: Any, x: torch.Tensor) -> torch.Tensor:
        u, _v, s, _w = x.unbind(-1)
        return matrix(
            (
                (0.0, -1.0, -1.0, 0.0),
                (1.0, self.a, 0.0, 1.0),
                (s, 0.0, u, 0.0),
                (0.0, 0.0, -self.c, self.d),
            ),
            u,
        )


@attrs.frozen(kw_only=True)
class HyperWang(TorchSystem):
    """Hyperchaotic Wang system: ``ẋ = a(y − x)``, ``ẏ = bx − xz + w``, ``ż = ex² − cz``,
    ``ẇ = −dx`` (after Wang, Sun, van Wyk, Qi & van Wyk 2009, Braz. J. Phys. 39)."""

    a: float = _field(10.0)
    b: float = _field(40.0)
    c: float = _field(2.5)
    d: float = _field(10.6)
    e: float = _field(4.0)

    kind: ClassVar[str] = "flow"
    variables: ClassVar[tuple[str, ...]] = _XYZW
    metadata: ClassVar[SystemMetadata] = load_metadata("HyperWang")

    def _rhs(self, t: Any, x: torch.Tensor) -> torch.Tensor:
        u, v, s, w = x.unbind(-1)
        return torch.stack(
            (self.a * (v - u), self.b * u - u * s + w, self.e * u * u - self.c * s, -self.d * u),
            dim=-1,
        )

    def _jacobian(self, t: Any, x: torch.Tensor) -> torch.Tensor:
        u, _v, s, _w = x.unbind(-1)
        return matrix(
            (
                (-self.a, self.a, 0.0, 0.0),
                (self.b - s, 0.0, -u, 1.0),
                (2.0 * self.e * u, 0.0, -self.c, 0.0),
                (-self.d, 0.0, 0.0, 0.0),
            ),
            u,
        )


@attrs.frozen(kw_only=True)
class HyperXu(TorchSystem):
    """Hyperchaotic Xu system: ``ẋ = a(y − x) + w``, ``ẏ = bx + exz``, ``ż = −cz − xy``,
    ``ẇ = xz − dy`` (Letellier & Rössler 2007, Scholarpedia 2, 1936)."""

    a: float = _field(10.0)
    b: float = _field(40.0)
    c: float = _field(2.5)
    d: float = _field(2.0)
    e: float = _field(16.0)

    kind: ClassVar[str] = "flow"
    variables: ClassVar[tuple[str, ...]] = _XYZW
    metadata: ClassVar[SystemMetadata] = load_metadata("HyperXu")

    def _rhs(self, t: Any, x: torch.Tensor) -> torch.Tensor:
        u, v, s, w = x.unbind(-1)
        return torch.stack(
            (
                self.a * (v - u) + w,
                self.b * u + self.e * u * s,
                -self.c * s - u * v,
                u * s - self.d * v,
            ),
            dim=-1,
        )

    def _jacobian(self, t: Any, x: torch.Tensor) -> torch.Tensor:
        u, v, s, _w = x.unbind(-1)
        return matrix(
            (
                (-self.a, self.a, 0.0, 1.0),
                (self.b + self.e * s, 0.0, self.e * u, 0.0),
                (-v, -u, -self.c, 0.0),
                (s, -self.d, u, 0.0),
            ),
            u,
        )


@attrs.frozen(kw_only=True)
class HyperYan(TorchSystem):
    """Hyperchaotic Yan system (a Chen-type extension): ``ẋ = a(y − x)``,
    ``ẏ = (c − a)x − xz + cy``, ``ż = xy − yz + xz − bz − w``, ``ẇ = yz − xz − dw`` (Meier 2003)."""

    a: float = _field(37.0)
    b: float = _field(3.0)
    c: float = _field(26.0)
    d: float = _field(38.0)

    kind: ClassVar[str] = "flow"
    variables: ClassVar[tuple[str, ...]] = _XYZW
    metadata: ClassVar[SystemMetadata] = load_metadata("HyperYan")

    def _rhs(self, t: Any, x: torch.Tensor) -> torch.Tensor:
        u, v, s, w = x.unbind(-1)
        return torch.stack(
            (
                self.a * (v - u),
                (self.c - self.a) * u - u * s + self.c * v,
                u * v - v * s + u * s - self.b * s - w,
                v * s - u * s - self.d * w,
            ),
            dim=-1,
        )

    def _jacobian(self, t: Any, x: torch.Tensor) -> torch.Tensor:
        u, v, s, _w = x.unbind(-1)
        return matrix(
            (
                (-self.a, self.a, 0.0, 0.0),
                (self.c - self.a - s, self.c, -u, 0.0),
                (v + s, u - s, u - v - self.b, -1.0),
                (-s, s, v - u, -self.d),
            ),
            u,
        )


@attrs.frozen(kw_only=True)
class HyperYangChen(TorchSystem):
    """Hyperchaotic Yang–Chen system: ``ẋ = a(y − x)``, ``ẏ = cx − xz + w``,
    ``ż = xy − bz``, ``ẇ = −dx`` (Meier 2003)."""

    a: float = _field(30.0)
    b: float = _field(3.0)
    c: float = _field(35.0)
    d: float = _field(8.0)

    kind: ClassVar[str] = "flow"
    variables: ClassVar[tuple[str, ...]] = _XYZW
    metadata: ClassVar[SystemMetadata] = load_metadata("HyperYangChen")

    def _rhs(self, t: Any, x: torch.Tensor) -> torch.Tensor:
        u, v, s, w = x.unbind(-1)
        return torch.stack(
            (self.a * (v - u), self.c * u - u * s + w, u * v - self.b * s, -self.d * u), dim=-1
        )

    def _jacobian(self, t: Any, x: torch.Tensor) -> torch.Tensor:
        u, v, s, _w = x.unbind(-1)
        return matrix(
            (
                (-self.a, self.a, 0.0, 0.0),
                (self.c - s, 0.0, -u, 1.0),
                (v, u, -self.b, 0.0),
                (-self.d, 0.0, 0.0, 0.0),
            ),
            u,
        )


@attrs.frozen(kw_only=True)
class Qi(TorchSystem):
    """Qi's four-wing hyperchaotic system with cubic couplings: ``ẋ = a(y − x) + yzw``,
    ``ẏ = b(x + y) − xzw``, ``ż = xyw − cz``, ``ẇ = xyz − dw``
    (Qi, van Wyk, van Wyk & Chen 2008)."""

    a: float = _field(45.0)
    b: float = _field(10.0)
    c: float = _field(1.0)
    d: float = _field(10.0)

    kind: ClassVar[str] = "flow"
    variables: ClassVar[tuple[str, ...]] = _XYZW
    metadata: ClassVar[SystemMetadata] = load_metadata("Qi")

    def _rhs(self, t: Any, x: torch.Tensor) -> torch.Tensor:
        u, v, s, w = x.unbind(-1)
        return torch.stack(
            (
                self.a * (v - u) + v * s * w,
                self.b * (u + v) - u * s * w,
                u * v * w - self.c * s,
                u * v * s - self.d * w,
            ),
            dim=-1,
        )

    def _jacobian(self, t: Any, x: torch.Tensor) -> torch.Tensor:
        u, v, s, w = x.unbind(-1)
        return matrix(
            (
                (-self.a, self.a + s * w, v * w, v * s),
                (self.b - s * w, self.b, -u * w, -u * s),
                (v * w, u * w, -self.c, u * v),
                (v * s, u * s, u * v, -self.d),
            ),
            u,
        )
