"""An age-structured predator–prey map: a density-dependent Leslie-matrix prey population under
Nicholson–Bailey predation."""

from __future__ import annotations

from typing import Any, ClassVar

import attrs
import torch
from chaoskit import SystemMetadata
from chaoskit.validators import nonnegative, positive, probability

from ..metadata import load_metadata
from .base import MapSystem, matrix

__all__ = ["LesliePredatorPrey"]


@attrs.frozen(kw_only=True)
class LesliePredatorPrey(MapSystem):
    """Prey in two age classes (juveniles ``j``, adults ``n``) and predators ``p``, one
    iteration per breeding season:

    - ``j' = (f₁ j + f₂ n) exp(−(j + n))``: births through the Leslie matrix's fecundity row
      (Leslie 1945), with Ricker-type density dependence of fecundity on the total prey
      (densities in units of the prey's carrying scale), as in the nonlinear Leslie models of
      Guckenheimer, Oster & Ipaktchi (1977);
    - ``n' = (s₁ j + s₂ n) exp(−a p)``: the survival row of the Leslie matrix, times the
      probability ``exp(−a p)`` of escaping predators that search at random (Nicholson &
      Bailey 1935);
    - ``p' = c (j + n) (1 − exp(−a p))``: each prey caught yields ``c`` predators in the next
      season, and predators live one season, as in Beddington, Free & Lawton (1975).

    Without age structure (``j`` only, ``f₁`` fecundity, no survival row) this is the
    Beddington–Free–Lawton predator–prey map with Ricker prey; the Leslie matrix
    ``[[f₁, f₂], [s₁, s₂]]`` is the age-structured prey. The combination is chaoskit's; the
    defaults (``f₁ = 2``, ``f₂ = 40``, ``s₁ = 0.8``, ``s₂ = 0.3``, ``a = 1``, ``c = 0.3``) were
    chosen by a parameter scan for coexistence on a chaotic attractor (λ₁ ≈ 0.18).

    Positive states stay positive, and orbits are bounded when ``s₂ < 1``: after one
    iteration ``j ≤ F/e`` with ``F = max(f₁, f₂)`` (as ``N e^{−N} ≤ 1/e``); then
    ``n' ≤ s₁F/e + s₂ n``, so ``n`` falls below ``s₁F / (e (1 − s₂))`` geometrically; and
    ``p' ≤ c (j + n)``. Only the product ``a·c`` matters, up to the scale of ``p``.
    """

    f1: float = attrs.field(default=2.0, validator=nonnegative)
    f2: float = attrs.field(default=40.0, validator=nonnegative)
    s1: float = attrs.field(default=0.8, validator=probability)
    s2: float = attrs.field(default=0.3, validator=probability)
    a: float = attrs.field(default=1.0, validator=positive)
    c: float = attrs.field(default=0.3, validator=positive)

    variables: ClassVar[tuple[str, ...]] = ("juveniles", "adults", "predators")
    metadata: ClassVar[SystemMetadata] = load_metadata("LesliePredatorPrey")

    def _step(self, x: torch.Tensor) -> torch.Tensor:
        j, n, p = x.unbind(-1)
        prey = j + n
        escape = torch.exp(-self.a * p)
        return torch.stack(
            (
                (self.f1 * j + self.f2 * n) * torch.exp(-prey),
                (self.s1 * j + self.s2 * n) * escape,
                self.c * prey * (1 - escape),
            ),
            dim=-1,
        )

    def _jacobian(self, t: Any, x: torch.Tensor) -> torch.Tensor:
        j, n, p = x.unbind(-1)
        crowd = torch.exp(-(j + n))
        births = (self.f1 * j + self.f2 * n) * crowd
        escape = torch.exp(-self.a * p)
        survivors = self.s1 * j + self.s2 * n
        caught = self.c * (1 - escape)
        return matrix(
            [
                [self.f1 * crowd - births, self.f2 * crowd - births, 0],
                [self.s1 * escape, self.s2 * escape, -self.a * survivors * escape],
                [caught, caught, self.c * self.a * (j + n) * escape],
            ],
            j,
        )
