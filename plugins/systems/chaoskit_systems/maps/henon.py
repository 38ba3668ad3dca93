"""Hénon-type smooth maps of the plane: Hénon, Holmes' Duffing map, Maynard Smith, Tinkerbell,
Bogdanov and Ikeda maps."""

from __future__ import annotations

from typing import Any, ClassVar

import attrs
import torch
from chaoskit import SystemMetadata
from chaoskit.validators import finite

from ..metadata import load_metadata
from .base import MapSystem, matrix

__all__ = ["Bogdanov", "DuffingMap", "Henon", "Ikeda", "MaynardSmith", "Tinkerbell"]


@attrs.frozen(kw_only=True)
class Henon(MapSystem):
    """The Hénon map ``x' = 1 − a x² + y``, ``y' = b x`` (Hénon 1976).

    The Jacobian determinant is ``−b`` everywhere, so the Lyapunov exponents sum to ``ln|b|``
    (ln 0.3 at the defaults ``a = 1.4``, ``b = 0.3``: spectrum 0.41922, −1.62319).
    """

    a: float = attrs.field(default=1.4, validator=finite)
    b: float = attrs.field(default=0.3, validator=finite)

    variables: ClassVar[tuple[str, ...]] = ("x", "y")
    metadata: ClassVar[SystemMetadata] = load_metadata("Henon")

    def _step(self, x: torch.Tensor) -> torch.Tensor:
        u, v = x.unbind(-1)
        return torch.stack((1 - self.a * u * u + v, self.b * u), dim=-1)

    def _jacobian(self, t: Any, x: torch.Tensor) -> torch.Tensor:
        u = x[..., 0]
        return matrix([[-2 * self.a * u, 1], [self.b, 0]], u)


@attrs.frozen(kw_only=True)
class DuffingMap(MapSystem):
    """Holmes' Duffing map ``x' = y``, ``y' = −b x + a y − y³`` (Holmes 1979).

    A discrete analogue of the forced Duffing oscillator. Registered as ``duffing_map``
    (``duffing`` is the flow); dysts calls it ``Duffing`` among its maps. The Jacobian
    determinant is ``b``, so the exponents sum to ``ln|b|``.
    """

    a: float = attrs.field(default=2.75, validator=finite)
    b: float = attrs.field(default=0.2, validator=finite)

    variables: ClassVar[tuple[str, ...]] = ("x", "y")
    metadata: ClassVar[SystemMetadata] = load_metadata("DuffingMap")

    def _step(self, x: torch.Tensor) -> torch.Tensor:
        u, v = x.unbind(-1)
        return torch.stack((v, -self.b * u + self.a * v - v * v * v), dim=-1)

    def _jacobian(self, t: Any, x: torch.Tensor) -> torch.Tensor:
        v = x[..., 1]
        return matrix([[0, 1], [-self.b, self.a - 3 * v * v]], v)


@attrs.frozen(kw_only=True)
class MaynardSmith(MapSystem):
    """Maynard Smith's delayed-regulation population map ``x' = y``, ``y' = a y + b − x²``
    (Maynard Smith 1968): the second-order recurrence ``y_{n+1} = a y_n + b − y_{n−1}²``."""

    a: float = attrs.field(default=0.87, validator=finite)
    b: float = attrs.field(default=0.75, validator=finite)

    variables: ClassVar[tuple[str, ...]] = ("x", "y")
    metadata: ClassVar[SystemMetadata] = load_metadata("MaynardSmith")

    def _step(self, x: torch.Tensor) -> torch.Tensor:
        u, v = x.unbind(-1)
        return torch.stack((v, self.a * v + self.b - u * u), dim=-1)

    def _jacobian(self, t: Any, x: torch.Tensor) -> torch.Tensor:
        u = x[..., 0]
        return matrix([[0, 1], [-2 * u, self.a]], u)


@attrs.frozen(kw_only=True)
class Tinkerbell(MapSystem):
    """The Tinkerbell map ``x' = x² − y² + a x + b y``, ``y' = 2 x y + c x + d y``
    (Nusse & Yorke 1994)."""

    a: float = attrs.field(default=0.9, validator=finite)
    b: float = attrs.field(default=-0.6013, validator=finite)
    c: float = attrs.field(default=2.0, validator=finite)
    d: float = attrs.field(default=0.5, validator=finite)

    variables: ClassVar[tuple[str, ...]] = ("x", "y")
    metadata: ClassVar[SystemMetadata] = load_metadata("Tinkerbell")

    def _step(self, x: torch.Tensor) -> torch.Tensor:
        u, v = x.unbind(-1)
        return torch.stack(
            (u * u - v * v + self.a * u + self.b * v, 2 * u * v + self.c * u + self.d * v), dim=-1
        )

    def _jacobian(self, t: Any, x: torch.Tensor) -> torch.Tensor:
        u, v = x.unbind(-1)
        return matrix([[2 * u + self.a, -2 * v + self.b], [2 * v + self.c, 2 * u + self.d]], u)


@attrs.frozen(kw_only=True)
class Bogdanov(MapSystem):
    """The Bogdanov map ``y' = (1 + ε) y + k x (x − 1) + μ x y``, ``x' = x + y'``
    (Arrowsmith, Cartwright, Lansbury & Place 1993), an Euler discretisation of the
    Bogdanov–Takens normal form.

    The Jacobian determinant is ``1 + ε + μ x``: at the defaults ``ε = μ = 0`` the map is
    area-preserving, and the orbit from the default initial state lies on an invariant curve
    (quasi-periodic, λ ≈ 0), not on a chaotic set.
    """

    eps: float = attrs.field(default=0.0, validator=finite)
    k: float = attrs.field(default=1.2, validator=finite)
    mu: float = attrs.field(default=0.0, validator=finite)

    variables: ClassVar[tuple[str, ...]] = ("x", "y")
    metadata: ClassVar[SystemMetadata] = load_metadata("Bogdanov")

    def _step(self, x: torch.Tensor) -> torch.Tensor:
        u, v = x.unbind(-1)
        v_next = (1 + self.eps) * v + self.k * u * (u - 1) + self.mu * u * v
        return torch.stack((u + v_next, v_next), dim=-1)

    def _jacobian(self, t: Any, x: torch.Tensor) -> torch.Tensor:
        u, v = x.unbind(-1)
        dx = self.k * (2 * u - 1) + self.mu * v
        dy = 1 + self.eps + self.mu * u
        return matrix([[1 + dx, dy], [dx, dy]], u)


@attrs.frozen(kw_only=True)
class Ikeda(MapSystem):
    """The Ikeda map of a ring cavity (Ikeda 1979), in the real form of Hammel, Jones &
    Moloney (1985): with ``t = 0.4 − 6 / (1 + x² + y²)``,
    ``x' = 1 + u (x cos t − y sin t)``, ``y' = u (x sin t + y cos t)``.

    That is ``z' = 1 + u z exp(i t)`` for ``z = x + i y``; the Jacobian determinant is ``u²``,
    so the exponents sum to ``2 ln u``.
    """

    u: float = attrs.field(default=0.9, validator=finite)

    variables: ClassVar[tuple[str, ...]] = ("x", "y")
    metadata: ClassVar[SystemMetadata] = load_metadata("Ikeda")

    def _step(self, x: torch.Tensor) -> torch.Tensor:
        p, q = x.unbind(-1)
        t = 0.4 - 6 / (1 + p * p + q * q)
        c, s = torch.cos(t), torch.sin(t)
        return torch.stack((1 + self.u * (p * c - q * s), self.u * (p * s + q * c)), dim=-1)

    def _jacobian(self, t: Any, x: torch.Tensor) -> torch.Tensor:
        p, q = x.unbind(-1)
        r2 = 1 + p * p + q * q
        angle = 0.4 - 6 / r2
        c, s = torch.cos(angle), torch.sin(angle)
        dp, dq = 12 * p / (r2 * r2), 12 * q / (r2 * r2)  # ∂angle/∂x, ∂angle/∂y
        rx, ry = p * c - q * s, p * s + q * c  # the rotated state
        u = self.u
        return matrix(
            [[u * (c - ry * dp), u * (-s - ry * dq)], [u * (s + rx * dp), u * (c + rx * dq)]], p
        )
