"""Three-variable chaotic flows with polynomial right-hand sides (dysts' Aizawa … Halvorsen).

Each class writes the equations of its reference in torch, batched over leading dims, with an
analytic Jacobian. Parameter names and defaults follow the dysts database (see ``data/
polynomial3d.json``); where dysts' form differs from the cited paper, the entry's
``sources.dysts.differences`` says how.
"""

from __future__ import annotations

from typing import Any, ClassVar

import attrs
import torch
from chaoskit import SystemMetadata
from chaoskit.validators import finite, positive

from ..base import TorchSystem
from ..metadata import load_metadata
from ._rows import matrix

__all__ = [
    "Aizawa", "Bouali", "Bouali2", "BurkeShaw", "Chen", "ChenLee", "Dadras", "DequanLi",
    "Finance", "GuckenheimerHolmes", "Halvorsen",
]

_XYZ = ("x", "y", "z")


@attrs.frozen(kw_only=True)
class Aizawa(TorchSystem):
    """Aizawa (Langford) torus attractor.

    ``ẋ = (z − b)x − dy``, ``ẏ = dx + (z − b)y``,
    ``ż = c + az − z³/3 − (x² + y²)(1 + ez) + fzx³`` (Aizawa & Uezu 1982; Langford 1984).
    """

    a: float = attrs.field(default=0.95, validator=finite)
    b: float = attrs.field(default=0.7, validator=finite)
    c: float = attrs.field(default=0.6, validator=finite)
    d: float = attrs.field(default=3.5, validator=finite)
    e: float = attrs.field(default=0.25, validator=finite)
    f: float = attrs.field(default=0.1, validator=finite)

    kind: ClassVar[str] = "flow"
    variables: ClassVar[tuple[str, ...]] = _XYZ
    metadata: ClassVar[SystemMetadata] = load_metadata("Aizawa")

    def _rhs(self, t: Any, x: torch.Tensor) -> torch.Tensor:
        u, v, w = x.unbind(-1)
        r2 = u**2 + v**2
        return torch.stack((
            (w - self.b) * u - self.d * v,
            self.d * u + (w - self.b) * v,
            self.c + self.a * w - w**3 / 3.0 - r2 * (1.0 + self.e * w) + self.f * w * u**3,
        ), dim=-1)

    def _jacobian(self, t: Any, x: torch.Tensor) -> torch.Tensor:
        u, v, w = x.unbind(-1)
        return matrix(u, (
            (w - self.b, -self.d, u),
            (self.d, w - self.b, v),
            (-2 * u * (1 + self.e * w) + 3 * self.f * w * u**2,
             -2 * v * (1 + self.e * w),
             self.a - w**2 - self.e * (u**2 + v**2) + self.f * u**3),
        ))


@attrs.frozen(kw_only=True)
class BurkeShaw(TorchSystem):
    """Burke–Shaw attractor in dysts' form: ``ẋ = −n(x + y)``, ``ẏ = y − nxz``, ``ż = nxy + e``.

    Shaw (1981), Z. Naturforsch. 36a, 80. Shaw's paper (and Sprott) damp ``y`` (``ẏ = −y − nxz``);
    dysts' parameters (e = 13) belong to the ``+y`` form kept here.
    """

    e: float = attrs.field(default=13.0, validator=finite)
    n: float = attrs.field(default=10.0, validator=finite)

    kind: ClassVar[str] = "flow"
    variables: ClassVar[tuple[str, ...]] = _XYZ
    metadata: ClassVar[SystemMetadata] = load_metadata("BurkeShaw")

    def _rhs(self, t: Any, x: torch.Tensor) -> torch.Tensor:
        u, v, w = x.unbind(-1)
        n = self.n
        return torch.stack((-n * (u + v), v - n * u * w, n * u * v + self.e), dim=-1)

    def _jacobian(self, t: Any, x: torch.Tensor) -> torch.Tensor:
        u, v, w = x.unbind(-1)
        n = self.n
        return matrix(u, ((-n, -n, 0.0), (-n * w, 1.0, -n * u), (n * v, n * u, 0.0)))


@attrs.frozen(kw_only=True)
class Chen(TorchSystem):
    """Chen system: ``ẋ = a(y − x)``, ``ẏ = (c − a)x − xz + cy``, ``ż = xy − bz``.

    Chen & Ueta (1999), Int. J. Bifurcation Chaos 9, 1465 (dysts cites Chen 1997).
    """

    a: float = attrs.field(default=35.0, validator=positive)
    b: float = attrs.field(default=3.0, validator=positive)
    c: float = attrs.field(default=28.0, validator=finite)

    kind: ClassVar[str] = "flow"
    variables: ClassVar[tuple[str, ...]] = _XYZ
    metadata: ClassVar[SystemMetadata] = load_metadata("Chen")

    def _rhs(self, t: Any, x: torch.Tensor) -> torch.Tensor:
        u, v, w = x.unbind(-1)
        a, b, c = self.a, self.b, self.c
        return torch.stack((a * (v - u), (c - a) * u - u * w + c * v, u * v - b * w), dim=-1)

    def _jacobian(self, t: Any, x: torch.Tensor) -> torch.Tensor:
        u, v, w = x.unbind(-1)
        a, b, c = self.a, self.b, self.c
        return matrix(u, ((-a, a, 0.0), (c - a - w, c, -u), (v, u, -b)))


@attrs.frozen(kw_only=True)
class ChenLee(TorchSystem):
    """Chen–Lee rigid body: ``ẋ = ax − yz``, ``ẏ = by + xz``, ``ż = cz + xy/3``.

    Chen & Lee (2004), Chaos Solitons Fractals 21, 957.
    """

    a: float = attrs.field(default=5.0, validator=finite)
    b: float = attrs.field(default=-10.0, validator=finite)
    c: float = attrs.field(default=-0.38, validator=finite)

    kind: ClassVar[str] = "flow"
    variables: ClassVar[tuple[str, ...]] = _XYZ
    metadata: ClassVar[SystemMetadata] = load_metadata("ChenLee")

    def _rhs(self, t: Any, x: torch.Tensor) -> torch.Tensor:
        u, v, w = x.unbind(-1)
        return torch.stack(
            (self.a * u - v * w, self.b * v + u * w, self.c * w + u * v / 3.0), dim=-1
        )

    def _jacobian(self, t: Any, x: torch.Tensor) -> torch.Tensor:
        u, v, w = x.unbind(-1)
        return matrix(u, ((self.a, -w, -v), (w, self.b, u), (v / 3.0, u / 3.0, self.c)))


@attrs.frozen(kw_only=True)
class Dadras(TorchSystem):
    """Dadras–Momeni system: ``ẋ = y − px + oyz``, ``ẏ = ry − xz + z``, ``ż = cxy − ez``.

    Dadras & Momeni (2009), Phys. Lett. A 373, 3637.
    """

    c: float = attrs.field(default=2.0, validator=finite)
    e: float = attrs.field(default=9.0, validator=finite)
    o: float = attrs.field(default=2.7, validator=finite)
    p: float = attrs.field(default=3.0, validator=finite)
    r: float = attrs.field(default=1.7, validator=finite)

    kind: ClassVar[str] = "flow"
    variables: ClassVar[tuple[str, ...]] = _XYZ
    metadata: ClassVar[SystemMetadata] = load_metadata("Dadras")

    def _rhs(self, t: Any, x: torch.Tensor) -> torch.Tensor:
        u, v, w = x.unbind(-1)
        return torch.stack((
            v - self.p * u + self.o * v * w,
            self.r * v - u * w + w,
            self.c * u * v - self.e * w,
        ), dim=-1)

    def _jacobian(self, t: Any, x: torch.Tensor) -> torch.Tensor:
        u, v, w = x.unbind(-1)
        return matrix(u, (
            (-self.p, 1.0 + self.o * w, self.o * v),
            (-w, self.r, 1.0 - u),
            (self.c * v, self.c * u, -self.e),
        ))


@attrs.frozen(kw_only=True)
class DequanLi(TorchSystem):
    """Dequan Li three-scroll attractor (TSUCS-2 family).

    ``ẋ = a(y − x) + dxz``, ``ẏ = kx + fy − xz``, ``ż = cz + xy − εx²`` (Li 2008, Phys. Lett. A
    372, 387).
    """

    a: float = attrs.field(default=40.0, validator=finite)
    c: float = attrs.field(default=1.833, validator=finite)
    d: float = attrs.field(default=0.16, validator=finite)
    eps: float = attrs.field(default=0.65, validator=finite)
    f: float = attrs.field(default=20.0, validator=finite)
    k: float = attrs.field(default=55.0, validator=finite)

    kind: ClassVar[str] = "flow"
    variables: ClassVar[tuple[str, ...]] = _XYZ
    metadata: ClassVar[SystemMetadata] = load_metadata("DequanLi")

    def _rhs(self, t: Any, x: torch.Tensor) -> torch.Tensor:
        u, v, w = x.unbind(-1)
        return torch.stack((
            self.a * (v - u) + self.d * u * w,
            self.k * u + self.f * v - u * w,
            self.c * w + u * v - self.eps * u**2,
        ), dim=-1)

    def _jacobian(self, t: Any, x: torch.Tensor) -> torch.Tensor:
        u, v, w = x.unbind(-1)
        return matrix(u, (
            (-self.a + self.d * w, self.a, self.d * u),
            (self.k - w, self.f, -u),
            (v - 2 * self.eps * u, u, self.c),
        ))


@attrs.frozen(kw_only=True)
class Finance(TorchSystem):
    """Finance system (interest rate, investment demand, price index), ``y`` shifted by ``1/b``.

    ``ẋ = (1/b − a)x + z + xy``, ``ẏ = −by − x²``, ``ż = −x − cz``. The paper's form
    (Cai & Huang 2007; Ma & Chen 2001) is ``ẋ = z + (Y − a)x``, ``Ẏ = 1 − bY − x²`` with
    ``Y = y + 1/b``; dysts' shifted coordinates are kept so its initial state applies.
    """

    a: float = attrs.field(default=0.001, validator=finite)
    b: float = attrs.field(default=0.2, validator=positive)
    c: float = attrs.field(default=1.1, validator=finite)

    kind: ClassVar[str] = "flow"
    variables: ClassVar[tuple[str, ...]] = _XYZ
    metadata: ClassVar[SystemMetadata] = load_metadata("Finance")

    def _rhs(self, t: Any, x: torch.Tensor) -> torch.Tensor:
        u, v, w = x.unbind(-1)
        return torch.stack((
            (1.0 / self.b - self.a) * u + w + u * v,
            -self.b * v - u**2,
            -u - self.c * w,
        ), dim=-1)

    def _jacobian(self, t: Any, x: torch.Tensor) -> torch.Tensor:
        u, v, _ = x.unbind(-1)
        return matrix(u, (
            (1.0 / self.b - self.a + v, u, 1.0),
            (-2 * u, -self.b, 0.0),
            (-1.0, 0.0, -self.c),
        ))


@attrs.frozen(kw_only=True)
class Halvorsen(TorchSystem):
    """Halvorsen's cyclically symmetric attractor.

    ``ẋ = −ax − b(y + z) − y²`` and its cyclic permutations ``x → y → z → x`` (Sprott 2010,
    *Elegant Chaos*).
    """

    a: float = attrs.field(default=1.4, validator=finite)
    b: float = attrs.field(default=4.0, validator=finite)

    kind: ClassVar[str] = "flow"
    variables: ClassVar[tuple[str, ...]] = _XYZ
    metadata: ClassVar[SystemMetadata] = load_metadata("Halvorsen")

    def _rhs(self, t: Any, x: torch.Tensor) -> torch.Tensor:
        u, v, w = x.unbind(-1)
        a, b = self.a, self.b
        return torch.stack((
            -a * u - b * (v + w) - v**2,
            -a * v - b * (w + u) - w**2,
            -a * w - b * (u + v) - u**2,
        ), dim=-1)

    def _jacobian(self, t: Any, x: torch.Tensor) -> torch.Tensor:
        u, v, w = x.unbind(-1)
        a, b = self.a, self.b
        return matrix(u, ((-a, -b - 2 * v, -b), (-b, -a, -b - 2 * w), (-b - 2 * u, -b, -a)))


@attrs.frozen(kw_only=True)
class Bouali2(TorchSystem):
    """Bouali's economic-cycle model (a van der Pol oscillator with a feedback loop).

    ``ẋ = ax(y₀ − y) − bz``, ``ẏ = −gy(1 − x²)``, ``ż = −m(1.5x − b_b xz) − cz``
    (Bouali 1999, Int. J. Bifurcation Chaos 9, 745; dysts' parametrization).
    """

    a: float = attrs.field(default=3.0, validator=finite)
    b: float = attrs.field(default=2.2, validator=finite)
    bb: float = attrs.field(default=0.0, validator=finite)
    c: float = attrs.field(default=0.0, validator=finite)
    g: float = attrs.field(default=1.0, validator=finite)
    m: float = attrs.field(default=-0.0026667, validator=finite)
    y0: float = attrs.field(default=1.0, validator=finite)

    kind: ClassVar[str] = "flow"
    variables: ClassVar[tuple[str, ...]] = _XYZ
    metadata: ClassVar[SystemMetadata] = load_metadata("Bouali2")

    def _rhs(self, t: Any, x: torch.Tensor) -> torch.Tensor:
        u, v, w = x.unbind(-1)
        return torch.stack((
            self.a * u * (self.y0 - v) - self.b * w,
            -self.g * v * (1.0 - u**2),
            -self.m * (1.5 * u - self.bb * u * w) - self.c * w,
        ), dim=-1)

    def _jacobian(self, t: Any, x: torch.Tensor) -> torch.Tensor:
        u, v, w = x.unbind(-1)
        return matrix(u, (
            (self.a * (self.y0 - v), -self.a * u, -self.b),
            (2 * self.g * u * v, -self.g * (1.0 - u**2), 0.0),
            (-self.m * (1.5 - self.bb * w), 0.0, self.m * self.bb * u - self.c),
        ))


@attrs.frozen(kw_only=True)
class Bouali(Bouali2):
    """Bouali's attractor: the equations of :class:`Bouali2` at other parameters.

    At the defaults: ``ẋ = x(4 − y) + 0.3z``, ``ẏ = −y(1 − x²)``, ``ż = −x(1.5 − z) − 0.05z``
    (Bouali 1999; the form popularized in Bouali 2012).
    """

    a: float = attrs.field(default=1.0, validator=finite)
    b: float = attrs.field(default=-0.3, validator=finite)
    bb: float = attrs.field(default=1.0, validator=finite)
    c: float = attrs.field(default=0.05, validator=finite)
    g: float = attrs.field(default=1.0, validator=finite)
    m: float = attrs.field(default=1.0, validator=finite)
    y0: float = attrs.field(default=4.0, validator=finite)

    metadata: ClassVar[SystemMetadata] = load_metadata("Bouali")


@attrs.frozen(kw_only=True)
class GuckenheimerHolmes(TorchSystem):
    """Guckenheimer–Holmes oscillator (a torus-breakdown normal form).

    ``ẋ = ax − by + czx + dz(x² + y²)``, ``ẏ = ay + bx + czy``,
    ``ż = e − z² − f(x² + y²) − az³`` (Guckenheimer & Holmes 1983, §7.5).
    """

    a: float = attrs.field(default=0.4, validator=finite)
    b: float = attrs.field(default=20.25, validator=finite)
    c: float = attrs.field(default=3.0, validator=finite)
    d: float = attrs.field(default=1.6, validator=finite)
    e: float = attrs.field(default=1.7, validator=finite)
    f: float = attrs.field(default=0.44, validator=finite)

    kind: ClassVar[str] = "flow"
    variables: ClassVar[tuple[str, ...]] = _XYZ
    metadata: ClassVar[SystemMetadata] = load_metadata("GuckenheimerHolmes")

    def _rhs(self, t: Any, x: torch.Tensor) -> torch.Tensor:
        u, v, w = x.unbind(-1)
        r2 = u**2 + v**2
        return torch.stack((
            self.a * u - self.b * v + self.c * w * u + self.d * w * r2,
            self.a * v + self.b * u + self.c * w * v,
            self.e - w**2 - self.f * r2 - self.a * w**3,
        ), dim=-1)

    def _jacobian(self, t: Any, x: torch.Tensor) -> torch.Tensor:
        u, v, w = x.unbind(-1)
        return matrix(u, (
            (self.a + self.c * w + 2 * self.d * w * u, -self.b + 2 * self.d * w * v,
             self.c * u + self.d * (u**2 + v**2)),
            (self.b, self.a + self.c * w, self.c * v),
            (-2 * self.f * u, -2 * self.f * v, -2 * w - 3 * self.a * w**2),
        ))
