"""Conservative oscillators: the Hénon–Heiles and nuclear quadrupole Hamiltonians, and the
Nosé–Hoover thermostatted oscillator (time-reversible, phase volume conserved on average)."""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from typing import Any, ClassVar

import attrs
import torch
from chaoskit import SystemMetadata
from chaoskit.validators import finite

from .._tensors import same_kind
from ..base import TorchSystem
from ..metadata import load_metadata
from ._array_fields import matrix

__all__ = ["HenonHeiles", "NoseHoover", "NuclearQuadrupole"]

_SQRT2 = math.sqrt(2.0)


@attrs.frozen(kw_only=True)
class HenonHeiles(TorchSystem):
    """Hénon–Heiles: ``H = (px² + py²)/2 + (x² + y²)/2 + λ(x²y − y³/3)``, so ``ẋ = px``,
    ``ẏ = py``, ``ṗx = −x − 2λxy``, ``ṗy = −y − λx² + λy²``
    (Hénon & Heiles 1964, Astron. J. 69, 73)."""

    lam: float = attrs.field(default=1.0, validator=finite)

    kind: ClassVar[str] = "flow"
    variables: ClassVar[tuple[str, ...]] = ("x", "y", "px", "py")
    metadata: ClassVar[SystemMetadata] = load_metadata("HenonHeiles")

    def energy(self, x: Any) -> Any:
        """The Hamiltonian ``H`` of states ``(..., 4)``, numpy or torch (conserved along orbits)."""
        return same_kind(x, self._energy)

    def conserved_quantities(self) -> Mapping[str, Callable[[Any], Any]]:
        """``{"energy": H}``."""
        return {"energy": self.energy}

    def _energy(self, x: torch.Tensor) -> torch.Tensor:
        q1, q2, p1, p2 = x.unbind(-1)
        return 0.5 * (p1 * p1 + p2 * p2 + q1 * q1 + q2 * q2) + self.lam * (
            q1 * q1 * q2 - q2**3 / 3.0
        )

    def _rhs(self, t: Any, x: torch.Tensor) -> torch.Tensor:
        q1, q2, p1, p2 = x.unbind(-1)
        lam = self.lam
        return torch.stack((p1, p2, -q1 - 2.0 * lam * q1 * q2, -q2 - lam * (q1 * q1 - q2 * q2)), -1)

    def _jacobian(self, t: Any, x: torch.Tensor) -> torch.Tensor:
        q1, q2, _p1, _p2 = x.unbind(-1)
        lam = self.lam
        return matrix(
            (
                (0.0, 0.0, 1.0, 0.0),
                (0.0, 0.0, 0.0, 1.0),
                (-1.0 - 2.0 * lam * q2, -2.0 * lam * q1, 0.0, 0.0),
                (-2.0 * lam * q1, 2.0 * lam * q2 - 1.0, 0.0, 0.0),
            ),
            q1,
        )


@attrs.frozen(kw_only=True)
class NuclearQuadrupole(TorchSystem):
    """Quadrupole boson Hamiltonian ``H = (a/2)(p₁² + p₂² + q₁² + q₂²) − (b/√2)(q₁³ − 3q₁q₂²)
    + (d/4)(q₁² + q₂²)²`` with ``q̇ᵢ = ∂H/∂pᵢ``, ``ṗᵢ = −∂H/∂qᵢ`` (Baran & Raduta 1998,
    Int. J. Mod. Phys. E)."""

    a: float = attrs.field(default=1.0, validator=finite)
    b: float = attrs.field(default=0.55, validator=finite)
    d: float = attrs.field(default=0.4, validator=finite)

    kind: ClassVar[str] = "flow"
    variables: ClassVar[tuple[str, ...]] = ("q1", "q2", "p1", "p2")
    metadata: ClassVar[SystemMetadata] = load_metadata("NuclearQuadrupole")

    def energy(self, x: Any) -> Any:
        """The Hamiltonian ``H`` of states ``(..., 4)``, numpy or torch (conserved along orbits)."""
        return same_kind(x, self._energy)

    def conserved_quantities(self) -> Mapping[str, Callable[[Any], Any]]:
        """``{"energy": H}``."""
        return {"energy": self.energy}

    def _energy(self, x: torch.Tensor) -> torch.Tensor:
        q1, q2, p1, p2 = x.unbind(-1)
        r2 = q1 * q1 + q2 * q2
        return (
            0.5 * self.a * (p1 * p1 + p2 * p2 + r2)
            - self.b / _SQRT2 * (q1**3 - 3.0 * q1 * q2 * q2)
            + 0.25 * self.d * r2 * r2
        )

    def _rhs(self, t: Any, x: torch.Tensor) -> torch.Tensor:
        q1, q2, p1, p2 = x.unbind(-1)
        a, b, d = self.a, self.b, self.d
        r2 = q1 * q1 + q2 * q2
        return torch.stack(
            (
                a * p1,
                a * p2,
                -a * q1 + 3.0 * b / _SQRT2 * (q1 * q1 - q2 * q2) - d * q1 * r2,
                -a * q2 - 3.0 * _SQRT2 * b * q1 * q2 - d * q2 * r2,
            ),
            dim=-1,
        )

    def _jacobian(self, t: Any, x: torch.Tensor) -> torch.Tensor:
        q1, q2, _p1, _p2 = x.unbind(-1)
        a, b, d = self.a, self.b, self.d
        k = 3.0 * _SQRT2 * b
        off = -k * q2 - 2.0 * d * q1 * q2
        return matrix(
            (
                (0.0, 0.0, a, 0.0),
                (0.0, 0.0, 0.0, a),
                (-a + k * q1 - d * (3.0 * q1 * q1 + q2 * q2), off, 0.0, 0.0),
                (off, -a - k * q1 - d * (q1 * q1 + 3.0 * q2 * q2), 0.0, 0.0),
            ),
            q1,
        )


@attrs.frozen(kw_only=True)
class NoseHoover(TorchSystem):
    """Nosé–Hoover oscillator (a harmonic oscillator with a thermostat variable ``z``):
    ``ẋ = y``, ``ẏ = −x + yz``, ``ż = a − y²`` (Nosé 1984; Hoover 1985, Phys. Rev. A 31, 1695)."""

    a: float = attrs.field(default=1.5, validator=finite)

    kind: ClassVar[str] = "flow"
    variables: ClassVar[tuple[str, ...]] = ("x", "y", "z")
    metadata: ClassVar[SystemMetadata] = load_metadata("NoseHoover")

    def _rhs(self, t: Any, x: torch.Tensor) -> torch.Tensor:
        u, v, w = x.unbind(-1)
        return torch.stack((v, v * w - u, self.a - v * v), dim=-1)

    def _jacobian(self, t: Any, x: torch.Tensor) -> torch.Tensor:
        u, v, w = x.unbind(-1)
        return matrix(((0.0, 1.0, 0.0), (-1.0, w, v), (0.0, -2.0 * v, 0.0)), u)
