"""Planar maps known for the pictures of their strange attractors: de Jong, Svensson, Bedhead,
Pickover (Clifford), Gumowski–Mira, Hopalong (Martin) and Zeraoulia–Sprott."""

from __future__ import annotations

from typing import Any, ClassVar

import attrs
import torch
from chaoskit import SystemMetadata
from chaoskit.validators import finite

from ..metadata import load_metadata
from .base import MapSystem, matrix

__all__ = [
    "Bedhead", "DeJong", "GumowskiMira", "Hopalong", "Pickover", "Svensson", "ZeraouliaSprott",
]


@attrs.frozen(kw_only=True)
class DeJong(MapSystem):
    """Peter de Jong's map ``x' = sin(a y) − cos(b x)``, ``y' = sin(c x) − cos(d y)``."""

    a: float = attrs.field(default=1.641, validator=finite)
    b: float = attrs.field(default=1.902, validator=finite)
    c: float = attrs.field(default=0.316, validator=finite)
    d: float = attrs.field(default=1.525, validator=finite)

    variables: ClassVar[tuple[str, ...]] = ("x", "y")
    metadata: ClassVar[SystemMetadata] = load_metadata("DeJong")

    def _step(self, x: torch.Tensor) -> torch.Tensor:
        u, v = x.unbind(-1)
        return torch.stack(
            (torch.sin(self.a * v) - torch.cos(self.b * u),
             torch.sin(self.c * u) - torch.cos(self.d * v)),
            dim=-1,
        )

    def _jacobian(self, t: Any, x: torch.Tensor) -> torch.Tensor:
        u, v = x.unbind(-1)
        a, b, c, d = self.a, self.b, self.c, self.d
        return matrix(
            [[b * torch.sin(b * u), a * torch.cos(a * v)],
             [c * torch.cos(c * u), d * torch.sin(d * v)]],
            u,
        )


@attrs.frozen(kw_only=True)
class Svensson(MapSystem):
    """Johnny Svensson's map ``x' = d sin(a x) − sin(b y)``, ``y' = c cos(a x) + cos(b y)``."""

    a: float = attrs.field(default=1.5, validator=finite)
    b: float = attrs.field(default=-1.8, validator=finite)
    c: float = attrs.field(default=1.6, validator=finite)
    d: float = attrs.field(default=0.9, validator=finite)

    variables: ClassVar[tuple[str, ...]] = ("x", "y")
    metadata: ClassVar[SystemMetadata] = load_metadata("Svensson")

    def _step(self, x: torch.Tensor) -> torch.Tensor:
        u, v = x.unbind(-1)
        return torch.stack(
            (self.d * torch.sin(self.a * u) - torch.sin(self.b * v),
             self.c * torch.cos(self.a * u) + torch.cos(self.b * v)),
            dim=-1,
        )

    def _jacobian(self, t: Any, x: torch.Tensor) -> torch.Tensor:
        u, v = x.unbind(-1)
        a, b, c, d = self.a, self.b, self.c, self.d
        return matrix(
            [[a * d * torch.cos(a * u), -b * torch.cos(b * v)],
             [-a * c * torch.sin(a * u), -b * torch.sin(b * v)]],
            u,
        )


@attrs.frozen(kw_only=True)
class Bedhead(MapSystem):
    """Ivan Emrich's "Bedhead" map ``x' = sin(x y / b) y + cos(a x − y)``,
    ``y' = x + sin(y) / b``."""

    a: float = attrs.field(default=-0.67, validator=finite)
    b: float = attrs.field(default=0.83, validator=finite)

    variables: ClassVar[tuple[str, ...]] = ("x", "y")
    metadata: ClassVar[SystemMetadata] = load_metadata("Bedhead")

    def _step(self, x: torch.Tensor) -> torch.Tensor:
        u, v = x.unbind(-1)
        return torch.stack(
            (torch.sin(u * v / self.b) * v + torch.cos(self.a * u - v), u + torch.sin(v) / self.b),
            dim=-1,
        )

    def _jacobian(self, t: Any, x: torch.Tensor) -> torch.Tensor:
        u, v = x.unbind(-1)
        a, b = self.a, self.b
        c, s = torch.cos(u * v / b), torch.sin(a * u - v)
        return matrix(
            [[v * v * c / b - a * s, torch.sin(u * v / b) + u * v * c / b + s],
             [1, torch.cos(v) / b]],
            u,
        )


@attrs.frozen(kw_only=True)
class Pickover(MapSystem):
    """Clifford Pickover's map (the "Clifford attractor")
    ``x' = sin(a y) + c cos(a x)``, ``y' = sin(b x) + d cos(b y)`` (Pickover 1990)."""

    a: float = attrs.field(default=-1.4, validator=finite)
    b: float = attrs.field(default=1.6, validator=finite)
    c: float = attrs.field(default=1.0, validator=finite)
    d: float = attrs.field(default=0.7, validator=finite)

    variables: ClassVar[tuple[str, ...]] = ("x", "y")
    metadata: ClassVar[SystemMetadata] = load_metadata("Pickover")

    def _step(self, x: torch.Tensor) -> torch.Tensor:
        u, v = x.unbind(-1)
        return torch.stack(
            (torch.sin(self.a * v) + self.c * torch.cos(self.a * u),
             torch.sin(self.b * u) + self.d * torch.cos(self.b * v)),
            dim=-1,
        )

    def _jacobian(self, t: Any, x: torch.Tensor) -> torch.Tensor:
        u, v = x.unbind(-1)
        a, b, c, d = self.a, self.b, self.c, self.d
        return matrix(
            [[-a * c * torch.sin(a * u), a * torch.cos(a * v)],
             [b * torch.cos(b * u), -b * d * torch.sin(b * v)]],
            u,
        )


@attrs.frozen(kw_only=True)
class GumowskiMira(MapSystem):
    """The Gumowski–Mira recurrence ``x' = b y + G(x)``, ``y' = G(x') − x`` with
    ``G(x) = a x + 2 (1 − a) x² / (1 + x²)`` (Gumowski & Mira 1980).

    The Jacobian determinant is ``b``, so the exponents sum to ``ln|b|``. At dysts' figures
    ``a = −1.1``, ``b = −0.2`` the orbit from the default initial state settles on a stable
    periodic orbit; the ornamental pictures of this map use ``b`` close to 1.
    """

    a: float = attrs.field(default=-1.1, validator=finite)
    b: float = attrs.field(default=-0.2, validator=finite)

    variables: ClassVar[tuple[str, ...]] = ("x", "y")
    metadata: ClassVar[SystemMetadata] = load_metadata("GumowskiMira")

    def _g(self, x: torch.Tensor) -> torch.Tensor:
        return self.a * x + 2 * (1 - self.a) * x * x / (1 + x * x)

    def _dg(self, x: torch.Tensor) -> torch.Tensor:
        return self.a + 4 * (1 - self.a) * x / (1 + x * x) ** 2

    def _step(self, x: torch.Tensor) -> torch.Tensor:
        u, v = x.unbind(-1)
        u_next = self.b * v + self._g(u)
        return torch.stack((u_next, self._g(u_next) - u), dim=-1)

    def _jacobian(self, t: Any, x: torch.Tensor) -> torch.Tensor:
        u, v = x.unbind(-1)
        g_u, g_next = self._dg(u), self._dg(self.b * v + self._g(u))
        return matrix([[g_u, self.b], [g_next * g_u - 1, g_next * self.b]], u)


@attrs.frozen(kw_only=True)
class Hopalong(MapSystem):
    """Barry Martin's "Hopalong" map in dysts' shifted form:
    ``x' = y − 1 − sign(x − 1) sqrt(|b x − 1 − c|)``, ``y' = a − x − 1``.

    In ``X = x − 1``, ``Y = y − 2`` this is Martin's map (Dewdney 1986)
    ``X' = Y − sign(X) sqrt(|b X − C|)``, ``Y' = A − X`` with ``A = a − 4``,
    ``C = c + 1 − b`` (``A = −0.9``, ``b = 2.5``, ``C = 2.7`` at the defaults). Area-preserving
    (Jacobian determinant 1); the derivative is infinite where ``b x = 1 + c``.
    """

    a: float = attrs.field(default=3.1, validator=finite)
    b: float = attrs.field(default=2.5, validator=finite)
    c: float = attrs.field(default=4.2, validator=finite)

    variables: ClassVar[tuple[str, ...]] = ("x", "y")
    metadata: ClassVar[SystemMetadata] = load_metadata("Hopalong")

    def _step(self, x: torch.Tensor) -> torch.Tensor:
        u, v = x.unbind(-1)
        root = torch.sqrt(torch.abs(self.b * u - 1 - self.c))
        return torch.stack((v - 1 - torch.sign(u - 1) * root, self.a - u - 1), dim=-1)

    def _jacobian(self, t: Any, x: torch.Tensor) -> torch.Tensor:
        u = x[..., 0]
        w = self.b * u - 1 - self.c
        d = -torch.sign(u - 1) * torch.sign(w) * self.b / (2 * torch.sqrt(torch.abs(w)))
        return matrix([[d, 1], [-1, 0]], u)


@attrs.frozen(kw_only=True)
class ZeraouliaSprott(MapSystem):
    """The Zeraoulia–Sprott rational map ``x' = −a x / (1 + y²)``, ``y' = x + b y``.

    dysts lists it with DeJong's parameters (``a = 1.641``, ``b = 1.902``), from which every
    orbit escapes (``|b| > 1``); the defaults here, ``a = 4.5``, ``b = 0.5``, give a bounded
    chaotic attractor (λ1 ≈ 0.25 per iteration) from dysts' initial state. The denominator
    never vanishes, so the map is C∞ everywhere.
    """

    a: float = attrs.field(default=4.5, validator=finite)
    b: float = attrs.field(default=0.5, validator=finite)

    variables: ClassVar[tuple[str, ...]] = ("x", "y")
    metadata: ClassVar[SystemMetadata] = load_metadata("ZeraouliaSprott")

    def _step(self, x: torch.Tensor) -> torch.Tensor:
        u, v = x.unbind(-1)
        return torch.stack((-self.a * u / (1 + v * v), u + self.b * v), dim=-1)

    def _jacobian(self, t: Any, x: torch.Tensor) -> torch.Tensor:
        u, v = x.unbind(-1)
        q = 1 + v * v
        return matrix([[-self.a / q, 2 * self.a * u * v / (q * q)], [1, self.b]], u)
