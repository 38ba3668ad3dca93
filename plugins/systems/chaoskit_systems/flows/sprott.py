"""Sprott's nineteen algebraically simple chaotic flows, cases A–S (Sprott 1994).

Sprott, J. C. (1994). Some simple chaotic flows. Physical Review E 50(2), R647–R650. Cases A–E
have six terms and two quadratic nonlinearities, cases F–S five terms and one; parameters,
where a case has any, keep the names ``a``, ``b`` of the dysts database.
"""

from __future__ import annotations

from typing import Any, ClassVar

import attrs
import torch
from chaoskit import SystemMetadata
from chaoskit.validators import finite

from ..base import TorchSystem
from ..metadata import load_metadata
from ._matrix_rows import matrix

__all__ = [
    "SprottA", "SprottB", "SprottC", "SprottD", "SprottE", "SprottF", "SprottG", "SprottH",
    "SprottI", "SprottJ", "SprottK", "SprottL", "SprottM", "SprottN", "SprottO", "SprottP",
    "SprottQ", "SprottR", "SprottS",
]

_XYZ = ("x", "y", "z")


def _stack(*components: torch.Tensor) -> torch.Tensor:
    return torch.stack(components, dim=-1)


@attrs.frozen(kw_only=True)
class SprottA(TorchSystem):
    """Sprott A: ``ẋ = y``, ``ẏ = −x + yz``, ``ż = 1 − y²`` (the Nosé–Hoover oscillator)."""

    kind: ClassVar[str] = "flow"
    variables: ClassVar[tuple[str, ...]] = _XYZ
    metadata: ClassVar[SystemMetadata] = load_metadata("SprottA")

    def _rhs(self, t: Any, x: torch.Tensor) -> torch.Tensor:
        u, v, w = x.unbind(-1)
        return _stack(v, v * w - u, 1.0 - v * v)

    def _jacobian(self, t: Any, x: torch.Tensor) -> torch.Tensor:
        u, v, w = x.unbind(-1)
        return matrix(u, ((0.0, 1.0, 0.0), (-1.0, w, v), (0.0, -2.0 * v, 0.0)))


@attrs.frozen(kw_only=True)
class SprottB(TorchSystem):
    """Sprott B: ``ẋ = yz``, ``ẏ = x − y``, ``ż = 1 − xy``."""

    kind: ClassVar[str] = "flow"
    variables: ClassVar[tuple[str, ...]] = _XYZ
    metadata: ClassVar[SystemMetadata] = load_metadata("SprottB")

    def _rhs(self, t: Any, x: torch.Tensor) -> torch.Tensor:
        u, v, w = x.unbind(-1)
        return _stack(v * w, u - v, 1.0 - u * v)

    def _jacobian(self, t: Any, x: torch.Tensor) -> torch.Tensor:
        u, v, w = x.unbind(-1)
        return matrix(u, ((0.0, w, v), (1.0, -1.0, 0.0), (-v, -u, 0.0)))


@attrs.frozen(kw_only=True)
class SprottC(TorchSystem):
    """Sprott C: ``ẋ = yz``, ``ẏ = x − y``, ``ż = 1 − x²``."""

    kind: ClassVar[str] = "flow"
    variables: ClassVar[tuple[str, ...]] = _XYZ
    metadata: ClassVar[SystemMetadata] = load_metadata("SprottC")

    def _rhs(self, t: Any, x: torch.Tensor) -> torch.Tensor:
        u, v, w = x.unbind(-1)
        return _stack(v * w, u - v, 1.0 - u * u)

    def _jacobian(self, t: Any, x: torch.Tensor) -> torch.Tensor:
        u, v, w = x.unbind(-1)
        return matrix(u, ((0.0, w, v), (1.0, -1.0, 0.0), (-2.0 * u, 0.0, 0.0)))


@attrs.frozen(kw_only=True)
class SprottD(TorchSystem):
    """Sprott D: ``ẋ = −y``, ``ẏ = x + z``, ``ż = xz + 3y²``."""

    kind: ClassVar[str] = "flow"
    variables: ClassVar[tuple[str, ...]] = _XYZ
    metadata: ClassVar[SystemMetadata] = load_metadata("SprottD")

    def _rhs(self, t: Any, x: torch.Tensor) -> torch.Tensor:
        u, v, w = x.unbind(-1)
        return _stack(-v, u + w, u * w + 3.0 * v * v)

    def _jacobian(self, t: Any, x: torch.Tensor) -> torch.Tensor:
        u, v, w = x.unbind(-1)
        return matrix(u, ((0.0, -1.0, 0.0), (1.0, 0.0, 1.0), (w, 6.0 * v, u)))


@attrs.frozen(kw_only=True)
class SprottE(TorchSystem):
    """Sprott E: ``ẋ = yz``, ``ẏ = x² − y``, ``ż = 1 − 4x``."""

    kind: ClassVar[str] = "flow"
    variables: ClassVar[tuple[str, ...]] = _XYZ
    metadata: ClassVar[SystemMetadata] = load_metadata("SprottE")

    def _rhs(self, t: Any, x: torch.Tensor) -> torch.Tensor:
        u, v, w = x.unbind(-1)
        return _stack(v * w, u * u - v, 1.0 - 4.0 * u)

    def _jacobian(self, t: Any, x: torch.Tensor) -> torch.Tensor:
        u, v, w = x.unbind(-1)
        return matrix(u, ((0.0, w, v), (2.0 * u, -1.0, 0.0), (-4.0, 0.0, 0.0)))


@attrs.frozen(kw_only=True)
class SprottF(TorchSystem):
    """Sprott F: ``ẋ = y + z``, ``ẏ = −x + ay``, ``ż = x² − z`` (a = 0.5)."""

    a: float = attrs.field(default=0.5, validator=finite)

    kind: ClassVar[str] = "flow"
    variables: ClassVar[tuple[str, ...]] = _XYZ
    metadata: ClassVar[SystemMetadata] = load_metadata("SprottF")

    def _rhs(self, t: Any, x: torch.Tensor) -> torch.Tensor:
        u, v, w = x.unbind(-1)
        return _stack(v + w, self.a * v - u, u * u - w)

    def _jacobian(self, t: Any, x: torch.Tensor) -> torch.Tensor:
        u, _v, _w = x.unbind(-1)
        return matrix(u, ((0.0, 1.0, 1.0), (-1.0, self.a, 0.0), (2.0 * u, 0.0, -1.0)))


@attrs.frozen(kw_only=True)
class SprottG(TorchSystem):
    """Sprott G: ``ẋ = ax + z``, ``ẏ = xz − y``, ``ż = −x + y`` (a = 0.4)."""

    a: float = attrs.field(default=0.4, validator=finite)

    kind: ClassVar[str] = "flow"
    variables: ClassVar[tuple[str, ...]] = _XYZ
    metadata: ClassVar[SystemMetadata] = load_metadata("SprottG")

    def _rhs(self, t: Any, x: torch.Tensor) -> torch.Tensor:
        u, v, w = x.unbind(-1)
        return _stack(self.a * u + w, u * w - v, v - u)

    def _jacobian(self, t: Any, x: torch.Tensor) -> torch.Tensor:
        u, _v, w = x.unbind(-1)
        return matrix(u, ((self.a, 0.0, 1.0), (w, -1.0, u), (-1.0, 1.0, 0.0)))


@attrs.frozen(kw_only=True)
class SprottH(TorchSystem):
    """Sprott H: ``ẋ = −y + z²``, ``ẏ = x + ay``, ``ż = x − z`` (a = 0.5)."""

    a: float = attrs.field(default=0.5, validator=finite)

    kind: ClassVar[str] = "flow"
    variables: ClassVar[tuple[str, ...]] = _XYZ
    metadata: ClassVar[SystemMetadata] = load_metadata("SprottH")

    def _rhs(self, t: Any, x: torch.Tensor) -> torch.Tensor:
        u, v, w = x.unbind(-1)
        return _stack(w * w - v, u + self.a * v, u - w)

    def _jacobian(self, t: Any, x: torch.Tensor) -> torch.Tensor:
        u, _v, w = x.unbind(-1)
        return matrix(u, ((0.0, -1.0, 2.0 * w), (1.0, self.a, 0.0), (1.0, 0.0, -1.0)))


@attrs.frozen(kw_only=True)
class SprottI(TorchSystem):
    """Sprott I: ``ẋ = −ay``, ``ẏ = x + z``, ``ż = x + y² − z`` (a = 0.2)."""

    a: float = attrs.field(default=0.2, validator=finite)

    kind: ClassVar[str] = "flow"
    variables: ClassVar[tuple[str, ...]] = _XYZ
    metadata: ClassVar[SystemMetadata] = load_metadata("SprottI")

    def _rhs(self, t: Any, x: torch.Tensor) -> torch.Tensor:
        u, v, w = x.unbind(-1)
        return _stack(-self.a * v, u + w, u + v * v - w)

    def _jacobian(self, t: Any, x: torch.Tensor) -> torch.Tensor:
        u, v, _w = x.unbind(-1)
        return matrix(u, ((0.0, -self.a, 0.0), (1.0, 0.0, 1.0), (1.0, 2.0 * v, -1.0)))


@attrs.frozen(kw_only=True)
class SprottJ(TorchSystem):
    """Sprott J: ``ẋ = 2z``, ``ẏ = −2y + z``, ``ż = −x + y + y²``."""

    kind: ClassVar[str] = "flow"
    variables: ClassVar[tuple[str, ...]] = _XYZ
    metadata: ClassVar[SystemMetadata] = load_metadata("SprottJ")

    def _rhs(self, t: Any, x: torch.Tensor) -> torch.Tensor:
        u, v, w = x.unbind(-1)
        return _stack(2.0 * w, w - 2.0 * v, v + v * v - u)

    def _jacobian(self, t: Any, x: torch.Tensor) -> torch.Tensor:
        u, v, _w = x.unbind(-1)
        return matrix(u, ((0.0, 0.0, 2.0), (0.0, -2.0, 1.0), (-1.0, 1.0 + 2.0 * v, 0.0)))


@attrs.frozen(kw_only=True)
class SprottK(TorchSystem):
    """Sprott K: ``ẋ = xy − z``, ``ẏ = x − y``, ``ż = x + az`` (a = 0.3)."""

    a: float = attrs.field(default=0.3, validator=finite)

    kind: ClassVar[str] = "flow"
    variables: ClassVar[tuple[str, ...]] = _XYZ
    metadata: ClassVar[SystemMetadata] = load_metadata("SprottK")

    def _rhs(self, t: Any, x: torch.Tensor) -> torch.Tensor:
        u, v, w = x.unbind(-1)
        return _stack(u * v - w, u - v, u + self.a * w)

    def _jacobian(self, t: Any, x: torch.Tensor) -> torch.Tensor:
        u, v, _w = x.unbind(-1)
        return matrix(u, ((v, u, -1.0), (1.0, -1.0, 0.0), (1.0, 0.0, self.a)))


@attrs.frozen(kw_only=True)
class SprottL(TorchSystem):
    """Sprott L: ``ẋ = y + bz``, ``ẏ = ax² − y``, ``ż = 1 − x`` (a = 0.9, b = 3.9)."""

    a: float = attrs.field(default=0.9, validator=finite)
    b: float = attrs.field(default=3.9, validator=finite)

    kind: ClassVar[str] = "flow"
    variables: ClassVar[tuple[str, ...]] = _XYZ
    metadata: ClassVar[SystemMetadata] = load_metadata("SprottL")

    def _rhs(self, t: Any, x: torch.Tensor) -> torch.Tensor:
        u, v, w = x.unbind(-1)
        return _stack(v + self.b * w, self.a * u * u - v, 1.0 - u)

    def _jacobian(self, t: Any, x: torch.Tensor) -> torch.Tensor:
        u, _v, _w = x.unbind(-1)
        return matrix(u, ((0.0, 1.0, self.b), (2.0 * self.a * u, -1.0, 0.0), (-1.0, 0.0, 0.0)))


@attrs.frozen(kw_only=True)
class SprottM(TorchSystem):
    """Sprott M: ``ẋ = −z``, ``ẏ = −x² − y``, ``ż = a(1 + x) + y`` (a = 1.7)."""

    a: float = attrs.field(default=1.7, validator=finite)

    kind: ClassVar[str] = "flow"
    variables: ClassVar[tuple[str, ...]] = _XYZ
    metadata: ClassVar[SystemMetadata] = load_metadata("SprottM")

    def _rhs(self, t: Any, x: torch.Tensor) -> torch.Tensor:
        u, v, w = x.unbind(-1)
        return _stack(-w, -u * u - v, self.a * (1.0 + u) + v)

    def _jacobian(self, t: Any, x: torch.Tensor) -> torch.Tensor:
        u, _v, _w = x.unbind(-1)
        return matrix(u, ((0.0, 0.0, -1.0), (-2.0 * u, -1.0, 0.0), (self.a, 1.0, 0.0)))


@attrs.frozen(kw_only=True)
class SprottN(TorchSystem):
    """Sprott N: ``ẋ = −2y``, ``ẏ = x + z²``, ``ż = 1 + y − 2z``."""

    kind: ClassVar[str] = "flow"
    variables: ClassVar[tuple[str, ...]] = _XYZ
    metadata: ClassVar[SystemMetadata] = load_metadata("SprottN")

    def _rhs(self, t: Any, x: torch.Tensor) -> torch.Tensor:
        u, v, w = x.unbind(-1)
        return _stack(-2.0 * v, u + w * w, 1.0 + v - 2.0 * w)

    def _jacobian(self, t: Any, x: torch.Tensor) -> torch.Tensor:
        u, _v, w = x.unbind(-1)
        return matrix(u, ((0.0, -2.0, 0.0), (1.0, 0.0, 2.0 * w), (0.0, 1.0, -2.0)))


@attrs.frozen(kw_only=True)
class SprottO(TorchSystem):
    """Sprott O: ``ẋ = y``, ``ẏ = x − z``, ``ż = x + xz + ay`` (a = 2.7)."""

    a: float = attrs.field(default=2.7, validator=finite)

    kind: ClassVar[str] = "flow"
    variables: ClassVar[tuple[str, ...]] = _XYZ
    metadata: ClassVar[SystemMetadata] = load_metadata("SprottO")

    def _rhs(self, t: Any, x: torch.Tensor) -> torch.Tensor:
        u, v, w = x.unbind(-1)
        return _stack(v, u - w, u + u * w + self.a * v)

    def _jacobian(self, t: Any, x: torch.Tensor) -> torch.Tensor:
        u, _v, w = x.unbind(-1)
        return matrix(u, ((0.0, 1.0, 0.0), (1.0, 0.0, -1.0), (1.0 + w, self.a, u)))


@attrs.frozen(kw_only=True)
class SprottP(TorchSystem):
    """Sprott P: ``ẋ = ay + z``, ``ẏ = −x + y²``, ``ż = x + y`` (a = 2.7)."""

    a: float = attrs.field(default=2.7, validator=finite)

    kind: ClassVar[str] = "flow"
    variables: ClassVar[tuple[str, ...]] = _XYZ
    metadata: ClassVar[SystemMetadata] = load_metadata("SprottP")

    def _rhs(self, t: Any, x: torch.Tensor) -> torch.Tensor:
        u, v, w = x.unbind(-1)
        return _stack(self.a * v + w, v * v - u, u + v)

    def _jacobian(self, t: Any, x: torch.Tensor) -> torch.Tensor:
        u, v, _w = x.unbind(-1)
        return matrix(u, ((0.0, self.a, 1.0), (-1.0, 2.0 * v, 0.0), (1.0, 1.0, 0.0)))


@attrs.frozen(kw_only=True)
class SprottQ(TorchSystem):
    """Sprott Q: ``ẋ = −z``, ``ẏ = x − y``, ``ż = ax + y² + bz`` (a = 3.1, b = 0.5)."""

    a: float = attrs.field(default=3.1, validator=finite)
    b: float = attrs.field(default=0.5, validator=finite)

    kind: ClassVar[str] = "flow"
    variables: ClassVar[tuple[str, ...]] = _XYZ
    metadata: ClassVar[SystemMetadata] = load_metadata("SprottQ")

    def _rhs(self, t: Any, x: torch.Tensor) -> torch.Tensor:
        u, v, w = x.unbind(-1)
        return _stack(-w, u - v, self.a * u + v * v + self.b * w)

    def _jacobian(self, t: Any, x: torch.Tensor) -> torch.Tensor:
        u, v, _w = x.unbind(-1)
        return matrix(u, ((0.0, 0.0, -1.0), (1.0, -1.0, 0.0), (self.a, 2.0 * v, self.b)))


@attrs.frozen(kw_only=True)
class SprottR(TorchSystem):
    """Sprott R: ``ẋ = a − y``, ``ẏ = b + z``, ``ż = xy − z`` (a = 0.9, b = 0.4)."""

    a: float = attrs.field(default=0.9, validator=finite)
    b: float = attrs.field(default=0.4, validator=finite)

    kind: ClassVar[str] = "flow"
    variables: ClassVar[tuple[str, ...]] = _XYZ
    metadata: ClassVar[SystemMetadata] = load_metadata("SprottR")

    def _rhs(self, t: Any, x: torch.Tensor) -> torch.Tensor:
        u, v, w = x.unbind(-1)
        return _stack(self.a - v, self.b + w, u * v - w)

    def _jacobian(self, t: Any, x: torch.Tensor) -> torch.Tensor:
        u, v, _w = x.unbind(-1)
        return matrix(u, ((0.0, -1.0, 0.0), (0.0, 0.0, 1.0), (v, u, -1.0)))


@attrs.frozen(kw_only=True)
class SprottS(TorchSystem):
    """Sprott S: ``ẋ = −x − 4y``, ``ẏ = x + z²``, ``ż = 1 + x``."""

    kind: ClassVar[str] = "flow"
    variables: ClassVar[tuple[str, ...]] = _XYZ
    metadata: ClassVar[SystemMetadata] = load_metadata("SprottS")

    def _rhs(self, t: Any, x: torch.Tensor) -> torch.Tensor:
        u, v, w = x.unbind(-1)
        return _stack(-u - 4.0 * v, u + w * w, 1.0 + u)

    def _jacobian(self, t: Any, x: torch.Tensor) -> torch.Tensor:
        u, _v, w = x.unbind(-1)
        return matrix(u, ((-1.0, -4.0, 0.0), (1.0, 0.0, 2.0 * w), (1.0, 0.0, 0.0)))
