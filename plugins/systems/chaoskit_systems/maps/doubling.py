"""Maps driven by the doubling map ``x → 2x mod 1``: the baker's map and the Kaplan–Yorke map.

Binary floating point cannot iterate the doubling map: each step shifts one bit out of the
mantissa, so every orbit reaches 0 after about 53 (float64) or 24 (float32) steps and stays
there. Like dysts, chaoskit iterates ``x → 2x mod m`` with a modulus ``m`` slightly below 1;
subtracting ``m`` feeds new bits in. The map on ``[0, m)`` is the doubling map in the rescaled
coordinate ``x / m``, so every invariant of the doubling map holds (its slope is exactly 2).

chaoskit's modulus is ``m = 16777213 · 2⁻²⁴ = 1 − 1.79·10⁻⁷``, exactly representable in float32
and float64, so both precisions iterate the same map: once the low bits have shifted out,
``x = j·2⁻²⁴`` and ``j → 2j mod 16777213``, whose cycles last 5,592,404 iterations (the order of
2 modulo the prime 16777213). dysts' ``0.99999995`` rounds to ``1 − 2⁻²⁴`` in float32, where the
orbit falls onto a 24-cycle after 55 iterations (``j → 2j mod (2²⁴ − 1)``).
"""

from __future__ import annotations

import math
from typing import Any, ClassVar

import attrs
import torch
from chaoskit import SystemMetadata
from chaoskit.validators import finite

from ..metadata import load_metadata
from .base import MapSystem, matrix

__all__ = ["MODULUS", "Baker", "KaplanYorke", "doubling"]

MODULUS = 16777213 * 2.0**-24
"""The modulus ``m`` of the doubling map (see the module docstring)."""


def doubling(x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """``(2x mod m, ⌊2x / m⌋)``: the doubled coordinate and the bit shifted out (0 or 1 on [0, m))."""
    doubled = torch.remainder(2 * x, MODULUS)
    return doubled, torch.round((2 * x - doubled) / MODULUS)


@attrs.frozen(kw_only=True)
class Baker(MapSystem):
    """The baker's map ``x' = 2x mod 1``, ``y' = (a y + ⌊2x⌋) / 2`` on the unit square.

    The classic (area-preserving) baker's transformation is ``a = 1``; ``a < 1`` makes it
    dissipative with a fractal attractor. The exponents are exactly ``ln 2`` and ``ln(a/2)``.
    ``x`` follows the doubling map modulo ``m`` (module docstring); dysts instead scales ``x``
    by ``2 − 10⁻¹⁰``, which is 2 in float32 (every orbit then reaches ``x = 0``).
    """

    a: float = attrs.field(default=1.0, validator=finite)

    variables: ClassVar[tuple[str, ...]] = ("x", "y")
    metadata: ClassVar[SystemMetadata] = load_metadata("Baker")

    def _step(self, x: torch.Tensor) -> torch.Tensor:
        u, v = x.unbind(-1)
        u_next, bit = doubling(u)
        return torch.stack((u_next, (self.a * v + bit) / 2), dim=-1)

    def _jacobian(self, t: Any, x: torch.Tensor) -> torch.Tensor:
        u = x[..., 0]
        return matrix([[2, 0], [0, self.a / 2]], u)


@attrs.frozen(kw_only=True)
class KaplanYorke(MapSystem):
    """The Kaplan–Yorke map ``x' = 2x mod 1``, ``y' = α y + cos(4πx)`` (Kaplan & Yorke 1979).

    The example of the Kaplan–Yorke conjecture: the exponents are exactly ``ln 2`` and
    ``ln α`` and the attractor's dimension ``1 + ln 2 / |ln α|`` (1.4307 at ``α = 0.2``).
    ``x`` follows the doubling map modulo ``m`` (module docstring).
    """

    alpha: float = attrs.field(default=0.2, validator=finite)

    variables: ClassVar[tuple[str, ...]] = ("x", "y")
    metadata: ClassVar[SystemMetadata] = load_metadata("KaplanYorke")

    def _step(self, x: torch.Tensor) -> torch.Tensor:
        u, v = x.unbind(-1)
        u_next, _ = doubling(u)
        return torch.stack((u_next, self.alpha * v + torch.cos(2 * math.tau * u)), dim=-1)

    def _jacobian(self, t: Any, x: torch.Tensor) -> torch.Tensor:
        u = x[..., 0]
        return matrix([[2, 0], [-2 * math.tau * torch.sin(2 * math.tau * u), self.alpha]], u)
