"""Relatives of the Lorenz-63 model: three-dimensional quadratic flows (Lü, Chen, Qi, Liu–Chen,
Pan–Xu–Zhou, Newton–Leipnik, Lorenz-84, a Rayleigh–Bénard reduction), the Lorenz flow confined
to a ball, two coupled Lorenz oscillators and the four-dimensional Lorenz–Stenflo model."""

from __future__ import annotations

from typing import Any, ClassVar

import attrs
import torch
from chaoskit import ParameterError, SystemMetadata
from chaoskit.validators import finite, positive

from ..base import TorchSystem
from ..metadata import load_metadata
from ._array_fields import matrix
from .multiwing import Sakarya

__all__ = [
    "LiuChen",
    "Lorenz84",
    "LorenzBounded",
    "LorenzCoupled",
    "LorenzStenflo",
    "LuChen",
    "LuChenCheng",
    "NewtonLiepnik",
    "PanXuZhou",
    "QiChen",
    "RayleighBenard",
]

_XYZ: tuple[str, ...] = ("x", "y", "z")


def _field(default: float, validator: Any = finite) -> Any:
    return attrs.field(default=default, validator=validator)


@attrs.frozen(kw_only=True)
class LorenzBounded(TorchSystem):
    """The Lorenz flow confined to the ball of radius ``r``: ``ẋ = L(x)·(1 − |x|²/r²)`` with
    ``L = (σ(y − x), ρx − xz − y, xy − βz)`` (Sprott & Xiong 2015, Chaos).

    The sphere ``|x| = r`` consists of fixed points, so orbits starting inside stay inside.
    """

    beta: float = _field(8.0 / 3.0, positive)
    r: float = _field(64.0, positive)
    rho: float = _field(28.0)
    sigma: float = _field(10.0, positive)

    kind: ClassVar[str] = "flow"
    variables: ClassVar[tuple[str, ...]] = _XYZ
    metadata: ClassVar[SystemMetadata] = load_metadata("LorenzBounded")

    def _lorenz(self, x: torch.Tensor) -> torch.Tensor:
        u, v, w = x.unbind(-1)
        return torch.stack(
            (self.sigma * (v - u), u * (self.rho - w) - v, u * v - self.beta * w), -1
        )

    def _rhs(self, t: Any, x: torch.Tensor) -> torch.Tensor:
        factor = 1.0 - (x * x).sum(-1, keepdim=True) / self.r**2
        return self._lorenz(x) * factor

    def _jacobian(self, t: Any, x: torch.Tensor) -> torch.Tensor:
        u, v, w = x.unbind(-1)
        factor = 1.0 - (x * x).sum(-1) / self.r**2
        inner = matrix(
            ((-self.sigma, self.sigma, 0.0), (self.rho - w, -1.0, -u), (v, u, -self.beta)), u
        )
        outer = self._lorenz(x)[..., :, None] * x[..., None, :] * (2.0 / self.r**2)
        return inner * factor[..., None, None] - outer


@attrs.frozen(kw_only=True)
class LorenzCoupled(TorchSystem):
    """Two Lorenz oscillators, the first (``ρ₁``) driving the second (``ρ₂``) through ``x``:
    ``ẋ₁ = σ(y₁ − x₁)``, ``ẏ₁ = ρ₁x₁ − x₁z₁ − y₁``, ``ż₁ = x₁y₁ − βz₁``,
    ``ẋ₂ = σ(y₂ − x₂) + ε(x₁ − x₂)``, ``ẏ₂ = ρ₂x₂ − x₂z₂ − y₂``, ``ż₂ = x₂y₂ − βz₂``
    (Lorenz 1963 oscillators; β = 8/3)."""

    beta: float = _field(8.0 / 3.0, positive)
    eps: float = _field(2.85)
    rho1: float = _field(35.0)
    rho2: float = _field(1.15)
    sigma: float = _field(10.0, positive)

    kind: ClassVar[str] = "flow"
    variables: ClassVar[tuple[str, ...]] = ("x1", "y1", "z1", "x2", "y2", "z2")
    metadata: ClassVar[SystemMetadata] = load_metadata("LorenzCoupled")
    # largest RK4 substep (trajectory(method='rk4'), dynamics): the fast time scale is far below
    # period/200
    max_step: ClassVar[float | None] = 0.004

    def _rhs(self, t: Any, x: torch.Tensor) -> torch.Tensor:
        x1, y1, z1, x2, y2, z2 = x.unbind(-1)
        s, b = self.sigma, self.beta
        return torch.stack(
            (
                s * (y1 - x1),
                x1 * (self.rho1 - z1) - y1,
                x1 * y1 - b * z1,
                s * (y2 - x2) + self.eps * (x1 - x2),
                x2 * (self.rho2 - z2) - y2,
                x2 * y2 - b * z2,
            ),
            dim=-1,
        )

    def _jacobian(self, t: Any, x: torch.Tensor) -> torch.Tensor:
        x1, y1, z1, x2, y2, z2 = x.unbind(-1)
        s, b, e = self.sigma, self.beta, self.eps
        return matrix(
            (
                (-s, s, 0.0, 0.0, 0.0, 0.0),
                (self.rho1 - z1, -1.0, -x1, 0.0, 0.0, 0.0),
                (y1, x1, -b, 0.0, 0.0, 0.0),
                (e, 0.0, 0.0, -s - e, s, 0.0),
                (0.0, 0.0, 0.0, self.rho2 - z2, -1.0, -x2),
                (0.0, 0.0, 0.0, y2, x2, -b),
            ),
            x1,
        )


@attrs.frozen(kw_only=True)
class LorenzStenflo(TorchSystem):
    """Lorenz–Stenflo model of acoustic-gravity waves: ``ẋ = a(y − x) + dw``,
    ``ẏ = cx − xz − y``, ``ż = xy − bz``, ``ẇ = −x − aw`` (Stenflo 1996, Phys. Scr. 53, 83)."""

    a: float = _field(2.0)
    b: float = _field(0.7)
    c: float = _field(26.0)
    d: float = _field(1.5)

    kind: ClassVar[str] = "flow"
    variables: ClassVar[tuple[str, ...]] = ("x", "y", "z", "w")
    metadata: ClassVar[SystemMetadata] = load_metadata("LorenzStenflo")

    def _rhs(self, t: Any, x: torch.Tensor) -> torch.Tensor:
        u, v, s, w = x.unbind(-1)
        return torch.stack(
            (
                self.a * (v - u) + self.d * w,
                self.c * u - u * s - v,
                u * v - self.b * s,
                -u - self.a * w,
            ),
            dim=-1,
        )

    def _jacobian(self, t: Any, x: torch.Tensor) -> torch.Tensor:
        u, v, s, _w = x.unbind(-1)
        return matrix(
            (
                (-self.a, self.a, 0.0, self.d),
                (self.c - s, -1.0, -u, 0.0),
                (v, u, -self.b, 0.0),
                (-1.0, 0.0, 0.0, -self.a),
            ),
            u,
        )


@attrs.frozen(kw_only=True)
class LuChen(TorchSystem):
    """Lü–Chen system, between Lorenz and Chen: ``ẋ = a(y − x)``, ``ẏ = cy − xz``,
    ``ż = xy − bz`` (Lü & Chen 2002, Int. J. Bifurcat. Chaos 12, 659)."""

    a: float = _field(36.0)
    b: float = _field(3.0)
    c: float = _field(18.0)

    kind: ClassVar[str] = "flow"
    variables: ClassVar[tuple[str, ...]] = _XYZ
    metadata: ClassVar[SystemMetadata] = load_metadata("LuChen")
    # largest RK4 substep (trajectory(method='rk4'), dynamics): the fast time scale is far below
    # period/200
    max_step: ClassVar[float | None] = 0.003

    def _rhs(self, t: Any, x: torch.Tensor) -> torch.Tensor:
        u, v, w = x.unbind(-1)
        return torch.stack((self.a * (v - u), self.c * v - u * w, u * v - self.b * w), dim=-1)

    def _jacobian(self, t: Any, x: torch.Tensor) -> torch.Tensor:
        u, v, w = x.unbind(-1)
        return matrix(((-self.a, self.a, 0.0), (-w, self.c, -u), (v, u, -self.b)), u)


def _sum_nonzero(instance: Any, attribute: Any, value: Any) -> None:
    finite(instance, attribute, value)
    if instance.a + value == 0:
        raise ParameterError(
            f"{type(instance).__name__}.{attribute.name} must differ from -a (the flow divides "
            f"by a + b), got a = {instance.a!r}, b = {value!r}"
        )


@attrs.frozen(kw_only=True)
class LuChenCheng(TorchSystem):
    """Lü–Chen–Cheng multi-scroll system: ``ẋ = −ab/(a + b)·x − yz + c``, ``ẏ = ay + xz``,
    ``ż = bz + xy`` (Lü, Chen & Cheng 2004, Int. J. Bifurcat. Chaos 14, 1507)."""

    a: float = _field(-10.0)
    b: float = _field(-4.0, _sum_nonzero)
    c: float = _field(18.1)

    kind: ClassVar[str] = "flow"
    variables: ClassVar[tuple[str, ...]] = _XYZ
    metadata: ClassVar[SystemMetadata] = load_metadata("LuChenCheng")

    def _rhs(self, t: Any, x: torch.Tensor) -> torch.Tensor:
        u, v, w = x.unbind(-1)
        k = self.a * self.b / (self.a + self.b)
        return torch.stack((self.c - k * u - v * w, self.a * v + u * w, self.b * w + u * v), dim=-1)

    def _jacobian(self, t: Any, x: torch.Tensor) -> torch.Tensor:
        u, v, w = x.unbind(-1)
        k = self.a * self.b / (self.a + self.b)
        return matrix(((-k, -w, -v), (w, self.a, u), (v, u, self.b)), u)


@attrs.frozen(kw_only=True)
class PanXuZhou(TorchSystem):
    """Pan–Xu–Zhou attractor in the form of the Dequan Li family: ``ẋ = a(y − x) + dxz``,
    ``ẏ = kx + fy − xz``, ``ż = cz + xy − εx²`` with ``d = f = ε = 0`` and ``c = −8/3``, i.e.
    ``ẋ = a(y − x)``, ``ẏ = kx − xz``, ``ż = xy − (8/3)z``
    (Zhou et al. 2008, Phys. Lett. A 372, 5773)."""

    a: float = _field(10.0)
    c: float = _field(-8.0 / 3.0)
    d: float = _field(0.0)
    eps: float = _field(0.0)
    f: float = _field(0.0)
    k: float = _field(16.0)

    kind: ClassVar[str] = "flow"
    variables: ClassVar[tuple[str, ...]] = _XYZ
    metadata: ClassVar[SystemMetadata] = load_metadata("PanXuZhou")

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
            (
                (self.d * w - self.a, self.a, self.d * u),
                (self.k - w, self.f, -u),
                (v - 2.0 * self.eps * u, u, self.c),
            ),
            u,
        )


@attrs.frozen(kw_only=True)
class QiChen(TorchSystem):
    """Qi–Chen double-wing system: ``ẋ = a(y − x) + yz``, ``ẏ = cx + y − xz``,
    ``ż = xy − bz`` (Qi et al. 2008, Chaos Solitons Fractals)."""

    a: float = _field(38.0)
    b: float = _field(2.666)
    c: float = _field(80.0)

    kind: ClassVar[str] = "flow"
    variables: ClassVar[tuple[str, ...]] = _XYZ
    metadata: ClassVar[SystemMetadata] = load_metadata("QiChen")

    def _rhs(self, t: Any, x: torch.Tensor) -> torch.Tensor:
        u, v, w = x.unbind(-1)
        return torch.stack(
            (self.a * (v - u) + v * w, self.c * u + v - u * w, u * v - self.b * w), dim=-1
        )

    def _jacobian(self, t: Any, x: torch.Tensor) -> torch.Tensor:
        u, v, w = x.unbind(-1)
        return matrix(((-self.a, self.a + w, v), (self.c - w, 1.0, -u), (v, u, -self.b)), u)


@attrs.frozen(kw_only=True)
class LiuChen(Sakarya):
    """Liu–Chen system in the Sakarya form (the equations of :class:`Sakarya`, other defaults;
    Liu & Chen 2004, Int. J. Bifurcat. Chaos 14, 1395): at the defaults ``ẋ = 0.4x + yz``,
    ``ẏ = −12y − xz``, ``ż = −5z − xy``."""

    a: float = _field(0.4)
    b: float = _field(12.0)
    c: float = _field(-5.0)
    h: float = _field(0.0)
    p: float = _field(0.0)
    q: float = _field(-1.0)
    r: float = _field(1.0)
    s: float = _field(1.0)

    metadata: ClassVar[SystemMetadata] = load_metadata("LiuChen")
    # largest RK4 substep (trajectory(method='rk4'), dynamics): slow passages near the invariant
    # x-axis end in fast bursts
    max_step: ClassVar[float | None] = 0.005


@attrs.frozen(kw_only=True)
class RayleighBenard(TorchSystem):
    """Three-mode Rayleigh–Bénard convection model: ``ẋ = a(y − x)``, ``ẏ = ry − xz``,
    ``ż = xy − bz`` (after Yanagita & Kaneko 1995, Physica D 82, 288)."""

    a: float = _field(30.0)
    b: float = _field(5.0)
    r: float = _field(18.0)

    kind: ClassVar[str] = "flow"
    variables: ClassVar[tuple[str, ...]] = _XYZ
    metadata: ClassVar[SystemMetadata] = load_metadata("RayleighBenard")

    def _rhs(self, t: Any, x: torch.Tensor) -> torch.Tensor:
        u, v, w = x.unbind(-1)
        return torch.stack((self.a * (v - u), self.r * v - u * w, u * v - self.b * w), dim=-1)

    def _jacobian(self, t: Any, x: torch.Tensor) -> torch.Tensor:
        u, v, w = x.unbind(-1)
        return matrix(((-self.a, self.a, 0.0), (-w, self.r, -u), (v, u, -self.b)), u)


@attrs.frozen(kw_only=True)
class Lorenz84(TorchSystem):
    """Lorenz-84 model of the Hadley circulation: ``ẋ = −y² − z² − ax + af``,
    ``ẏ = xy − bxz − y + g``, ``ż = bxy + xz − z`` (Lorenz 1984, Tellus A 36, 98)."""

    a: float = _field(1.32)
    b: float = _field(7.91)
    f: float = _field(4.83)
    g: float = _field(4.194)

    kind: ClassVar[str] = "flow"
    variables: ClassVar[tuple[str, ...]] = _XYZ
    metadata: ClassVar[SystemMetadata] = load_metadata("Lorenz84")
    # largest RK4 substep (trajectory(method='rk4'), dynamics): the fast rotation (frequency ~ b·x)
    # is much shorter than the period
    max_step: ClassVar[float | None] = 0.004

    def _rhs(self, t: Any, x: torch.Tensor) -> torch.Tensor:
        u, v, w = x.unbind(-1)
        return torch.stack(
            (
                self.a * (self.f - u) - v * v - w * w,
                u * v - self.b * u * w - v + self.g,
                self.b * u * v + u * w - w,
            ),
            dim=-1,
        )

    def _jacobian(self, t: Any, x: torch.Tensor) -> torch.Tensor:
        u, v, w = x.unbind(-1)
        return matrix(
            (
                (-self.a, -2.0 * v, -2.0 * w),
                (v - self.b * w, u - 1.0, -self.b * u),
                (self.b * v + w, self.b * u, u - 1.0),
            ),
            u,
        )


@attrs.frozen(kw_only=True)
class NewtonLiepnik(TorchSystem):
    """Leipnik–Newton rigid body with linear feedback: ``ẋ = −ax + y + 10yz``,
    ``ẏ = −x − 0.4y + 5xz``, ``ż = bz − 5xy`` (Leipnik & Newton 1981, Phys. Lett. A 86, 63)."""

    a: float = _field(0.4)
    b: float = _field(0.175)

    kind: ClassVar[str] = "flow"
    variables: ClassVar[tuple[str, ...]] = _XYZ
    metadata: ClassVar[SystemMetadata] = load_metadata("NewtonLiepnik")

    def _rhs(self, t: Any, x: torch.Tensor) -> torch.Tensor:
        u, v, w = x.unbind(-1)
        return torch.stack(
            (v - self.a * u + 10.0 * v * w, 5.0 * u * w - u - 0.4 * v, self.b * w - 5.0 * u * v),
            dim=-1,
        )

    def _jacobian(self, t: Any, x: torch.Tensor) -> torch.Tensor:
        u, v, w = x.unbind(-1)
        return matrix(
            (
                (-self.a, 1.0 + 10.0 * w, 10.0 * v),
                (5.0 * w - 1.0, -0.4, 5.0 * u),
                (-5.0 * v, -5.0 * u, self.b),
            ),
            u,
        )
