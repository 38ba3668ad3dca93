"""Periodically forced oscillators, with the forcing phase carried as a state variable.

As in dysts, the forcing enters through a third variable ``phase`` with ``phase' = ω``, so the
flows are autonomous in three dimensions (``t`` is not used) and the default initial state gives
the phase. ``phase`` grows without bound (``unbounded_indices``); only ``sin``/``cos`` of it enter
the equations.
"""

from __future__ import annotations

from typing import Any, ClassVar

import attrs
import torch
from chaoskit import SystemMetadata
from chaoskit.validators import finite, nonnegative

from ..base import TorchSystem
from ..metadata import load_metadata
from ._rows import constant_like, matrix

__all__ = [
    "Duffing", "FluidTrampoline", "ForcedBrusselator", "ForcedFitzHughNagumo", "ForcedVanDerPol",
]


@attrs.frozen(kw_only=True)
class Duffing(TorchSystem):
    """Forced Duffing oscillator: ``ẍ + δẋ + βx + αx³ = γ cos(ωt)``.

    As a flow: ``ẋ = y``, ``ẏ = −δy − βx − αx³ + γ cos φ``, ``φ̇ = ω`` (Duffing 1918).
    """

    alpha: float = attrs.field(default=1.0, validator=finite)
    beta: float = attrs.field(default=-1.0, validator=finite)
    delta: float = attrs.field(default=0.1, validator=finite)
    gamma: float = attrs.field(default=0.35, validator=finite)
    omega: float = attrs.field(default=1.4, validator=finite)

    kind: ClassVar[str] = "flow"
    variables: ClassVar[tuple[str, ...]] = ("x", "y", "phase")
    metadata: ClassVar[SystemMetadata] = load_metadata("Duffing")

    def _rhs(self, t: Any, x: torch.Tensor) -> torch.Tensor:
        u, v, phase = x.unbind(-1)
        accel = -self.delta * v - self.beta * u - self.alpha * u**3 + self.gamma * torch.cos(phase)
        return torch.stack((v, accel, constant_like(u, self.omega)), dim=-1)

    def _jacobian(self, t: Any, x: torch.Tensor) -> torch.Tensor:
        u, _, phase = x.unbind(-1)
        return matrix(u, (
            (0.0, 1.0, 0.0),
            (-self.beta - 3 * self.alpha * u**2, -self.delta, -self.gamma * torch.sin(phase)),
            (0.0, 0.0, 0.0),
        ))


@attrs.frozen(kw_only=True)
class ForcedVanDerPol(TorchSystem):
    """Forced van der Pol oscillator: ``ẍ − μ(1 − x²)ẋ + x = a sin(ωt)``.

    As a flow: ``ẋ = y``, ``ẏ = μ(1 − x²)y − x + a sin φ``, ``φ̇ = w`` (van der Pol 1920).
    """

    a: float = attrs.field(default=1.2, validator=finite)
    mu: float = attrs.field(default=8.53, validator=finite)
    w: float = attrs.field(default=0.63, validator=finite)

    kind: ClassVar[str] = "flow"
    variables: ClassVar[tuple[str, ...]] = ("x", "y", "phase")
    metadata: ClassVar[SystemMetadata] = load_metadata("ForcedVanDerPol")

    def _rhs(self, t: Any, x: torch.Tensor) -> torch.Tensor:
        u, v, phase = x.unbind(-1)
        accel = self.mu * (1.0 - u**2) * v - u + self.a * torch.sin(phase)
        return torch.stack((v, accel, constant_like(u, self.w)), dim=-1)

    def _jacobian(self, t: Any, x: torch.Tensor) -> torch.Tensor:
        u, v, phase = x.unbind(-1)
        return matrix(u, (
            (0.0, 1.0, 0.0),
            (-2 * self.mu * u * v - 1.0, self.mu * (1.0 - u**2), self.a * torch.cos(phase)),
            (0.0, 0.0, 0.0),
        ))


@attrs.frozen(kw_only=True)
class ForcedBrusselator(TorchSystem):
    """Periodically forced Brusselator (Prigogine 1980).

    ``ẋ = a + x²y − (b + 1)x + f cos φ``, ``ẏ = bx − x²y``, ``φ̇ = w``.
    """

    a: float = attrs.field(default=0.4, validator=finite)
    b: float = attrs.field(default=1.2, validator=finite)
    f: float = attrs.field(default=0.05, validator=finite)
    w: float = attrs.field(default=0.81, validator=finite)

    kind: ClassVar[str] = "flow"
    variables: ClassVar[tuple[str, ...]] = ("x", "y", "phase")
    metadata: ClassVar[SystemMetadata] = load_metadata("ForcedBrusselator")

    def _rhs(self, t: Any, x: torch.Tensor) -> torch.Tensor:
        u, v, phase = x.unbind(-1)
        reaction = u**2 * v
        return torch.stack((
            self.a + reaction - (self.b + 1.0) * u + self.f * torch.cos(phase),
            self.b * u - reaction,
            constant_like(u, self.w),
        ), dim=-1)

    def _jacobian(self, t: Any, x: torch.Tensor) -> torch.Tensor:
        u, v, phase = x.unbind(-1)
        return matrix(u, (
            (2 * u * v - (self.b + 1.0), u**2, -self.f * torch.sin(phase)),
            (self.b - 2 * u * v, -(u**2), 0.0),
            (0.0, 0.0, 0.0),
        ))


@attrs.frozen(kw_only=True)
class ForcedFitzHughNagumo(TorchSystem):
    """FitzHugh–Nagumo neuron under a constant and a sinusoidal current (FitzHugh 1961).

    ``v̇ = v − v³/3 − w + I + f sin φ``, ``ẇ = γ(v + a − bw)``, ``φ̇ = ω``; ``I`` is ``curr``.
    """

    a: float = attrs.field(default=0.7, validator=finite)
    b: float = attrs.field(default=0.8, validator=finite)
    curr: float = attrs.field(default=0.965, validator=finite)
    f: float = attrs.field(default=0.4008225, validator=finite)
    gamma: float = attrs.field(default=0.08, validator=finite)
    omega: float = attrs.field(default=0.043650793650793655, validator=finite)

    kind: ClassVar[str] = "flow"
    variables: ClassVar[tuple[str, ...]] = ("v", "w", "phase")
    metadata: ClassVar[SystemMetadata] = load_metadata("ForcedFitzHughNagumo")

    def _rhs(self, t: Any, x: torch.Tensor) -> torch.Tensor:
        v, w, phase = x.unbind(-1)
        return torch.stack((
            v - v**3 / 3.0 - w + self.curr + self.f * torch.sin(phase),
            self.gamma * (v + self.a - self.b * w),
            constant_like(v, self.omega),
        ), dim=-1)

    def _jacobian(self, t: Any, x: torch.Tensor) -> torch.Tensor:
        v, _, phase = x.unbind(-1)
        return matrix(v, (
            (1.0 - v**2, -1.0, self.f * torch.cos(phase)),
            (self.gamma, -self.gamma * self.b, 0.0),
            (0.0, 0.0, 0.0),
        ))


@attrs.frozen(kw_only=True)
class FluidTrampoline(TorchSystem):
    """A droplet bouncing on a vibrating soap film (Gilet & Bush 2009, J. Fluid Mech. 625, 167).

    Dimensionless height ``x`` above the film's rest position and velocity ``y``:
    ``ẋ = y``, ``ẏ = −1 + γ cos φ − H(−x)(x + ψ y|y|)``, ``φ̇ = w``, where the film acts as a
    spring with quadratic drag only while the droplet touches it (``x < 0``; ``H`` is the
    Heaviside step). ``ẏ`` jumps by ``ψ y|y|`` when the droplet crosses ``x = 0``.
    """

    gamma: float = attrs.field(default=1.82, validator=finite)
    psi: float = attrs.field(default=0.01019, validator=nonnegative)
    w: float = attrs.field(default=1.21, validator=finite)

    kind: ClassVar[str] = "flow"
    variables: ClassVar[tuple[str, ...]] = ("x", "y", "phase")
    metadata: ClassVar[SystemMetadata] = load_metadata("FluidTrampoline")

    def _rhs(self, t: Any, x: torch.Tensor) -> torch.Tensor:
        u, v, phase = x.unbind(-1)
        film = torch.where(u < 0, u + self.psi * v * torch.abs(v), torch.zeros_like(u))
        return torch.stack(
            (v, -1.0 + self.gamma * torch.cos(phase) - film, constant_like(u, self.w)), dim=-1
        )
