"""Chaotic food chains and predator–prey models with Holling type II responses."""

from __future__ import annotations

from typing import Any, ClassVar

import attrs
import torch
from chaoskit import SystemMetadata
from chaoskit.validators import finite, nonnegative

from ..base import TorchSystem
from ..metadata import load_metadata

__all__ = ["Blasius", "CoevolvingPredatorPrey", "HastingsPowell"]


@attrs.frozen(kw_only=True)
class HastingsPowell(TorchSystem):
    """Hastings–Powell three-species food chain ("teacup" attractor; Ecology 72, 896, 1991).

    ``ẋ = x(1 − x) − f₁(x)y``, ``ẏ = f₁(x)y − f₂(y)z − d₁y``, ``ż = f₂(y)z − d₂z`` with
    ``fᵢ(u) = aᵢu/(1 + bᵢu)``.
    """

    a1: float = attrs.field(default=5.0, validator=finite)
    a2: float = attrs.field(default=0.1, validator=finite)
    b1: float = attrs.field(default=3.0, validator=nonnegative)
    b2: float = attrs.field(default=2.0, validator=nonnegative)
    d1: float = attrs.field(default=0.4, validator=finite)
    d2: float = attrs.field(default=0.01, validator=finite)

    kind: ClassVar[str] = "flow"
    variables: ClassVar[tuple[str, ...]] = ("x", "y", "z")
    metadata: ClassVar[SystemMetadata] = load_metadata("HastingsPowell")
    # members k >= 1 start 1e-3*max|x0| = 0.01 away: the base class's 1e-2 (0.1) can push the
    # predator y = 0.175 below zero, where the trajectory runs into the pole at y = -1/b2
    perturbation: ClassVar[float] = 1e-3

    def _rhs(self, t: Any, x: torch.Tensor) -> torch.Tensor:
        u, v, w = x.unbind(-1)
        eat1 = self.a1 * u / (1 + self.b1 * u) * v
        eat2 = self.a2 * v / (1 + self.b2 * v) * w
        return torch.stack(
            (u * (1 - u) - eat1, eat1 - eat2 - self.d1 * v, eat2 - self.d2 * w), dim=-1
        )


@attrs.frozen(kw_only=True)
class Blasius(TorchSystem):
    """Blasius–Huppert–Stone vegetation–herbivore–predator chain (Nature 399, 354, 1999).

    ``ẋ = ax − α₁xy/(1 + k₁x)``, ``ẏ = −by + α₁xy/(1 + k₁x) − α₂yz/(1 + k₂y)``,
    ``ż = −c(z − z_s) + α₂yz/(1 + k₂y)`` (``z_s`` is the predators' immigration level).
    """

    a: float = attrs.field(default=1.0, validator=finite)
    alpha1: float = attrs.field(default=0.2, validator=finite)
    alpha2: float = attrs.field(default=1.0, validator=finite)
    b: float = attrs.field(default=1.0, validator=finite)
    c: float = attrs.field(default=10.0, validator=finite)
    k1: float = attrs.field(default=0.05, validator=nonnegative)
    k2: float = attrs.field(default=0.0, validator=nonnegative)
    zs: float = attrs.field(default=0.006, validator=finite)

    kind: ClassVar[str] = "flow"
    variables: ClassVar[tuple[str, ...]] = ("x", "y", "z")
    metadata: ClassVar[SystemMetadata] = load_metadata("Blasius")

    def _rhs(self, t: Any, x: torch.Tensor) -> torch.Tensor:
        u, v, w = x.unbind(-1)
        graze = self.alpha1 * u * v / (1 + self.k1 * u)
        prey = self.alpha2 * v * w / (1 + self.k2 * v)
        return torch.stack((
            self.a * u - graze,
            -self.b * v + graze - prey,
            -self.c * (w - self.zs) + prey,
        ), dim=-1)


@attrs.frozen(kw_only=True)
class CoevolvingPredatorPrey(TorchSystem):
    """Predator–prey dynamics with a co-evolving prey trait (Gilpin & Feldman 2017, PLOS Comp. Biol.).

    Prey ``x``, predators ``y``, mean prey trait ``α`` (dysts' form; ``δ`` scales the trait's
    cost landscape):
    ``ẋ = x[a₁α(1 − k₁x(δα − α))/(1 + b₁α) − a₃y/(1 + b₂x)
    − d₁(1 − k₂((δα)² − α²) + k₄((δα)⁴ − α⁴))]``,
    ``ẏ = y[a₂x/(1 + b₂x) − d₂]``,
    ``α̇ = v[−a₁k₁xαδ/(1 + b₁α) − d₁(4k₄α³δ⁴ − 2k₂αδ²)]`` (``vv`` is the rate ``v``).
    """

    a1: float = attrs.field(default=2.5, validator=finite)
    a2: float = attrs.field(default=0.05, validator=finite)
    a3: float = attrs.field(default=0.4, validator=finite)
    b1: float = attrs.field(default=6.0, validator=finite)
    b2: float = attrs.field(default=1.333, validator=finite)
    d1: float = attrs.field(default=0.16, validator=finite)
    d2: float = attrs.field(default=0.004, validator=finite)
    delta: float = attrs.field(default=1.0, validator=finite)
    k1: float = attrs.field(default=6.0, validator=finite)
    k2: float = attrs.field(default=9.0, validator=finite)
    k4: float = attrs.field(default=9.0, validator=finite)
    vv: float = attrs.field(default=0.33333, validator=finite)

    kind: ClassVar[str] = "flow"
    variables: ClassVar[tuple[str, ...]] = ("x", "y", "alpha")
    metadata: ClassVar[SystemMetadata] = load_metadata("CoevolvingPredatorPrey")

    def _rhs(self, t: Any, x: torch.Tensor) -> torch.Tensor:
        u, v, al = x.unbind(-1)
        dl = self.delta * al
        growth = self.a1 * al * (1 - self.k1 * u * (dl - al)) / (1 + self.b1 * al)
        cost = self.d1 * (1 - self.k2 * (dl**2 - al**2) + self.k4 * (dl**4 - al**4))
        du = u * (growth - self.a3 * v / (1 + self.b2 * u) - cost)
        dv = v * (self.a2 * u / (1 + self.b2 * u) - self.d2)
        dal = self.vv * (
            -self.a1 * self.k1 * u * al * self.delta / (1 + self.b1 * al)
            - self.d1 * (4 * self.k4 * al**3 * self.delta**4 - 2 * self.k2 * al * self.delta**2)
        )
        return torch.stack((du, dv, dal), dim=-1)
