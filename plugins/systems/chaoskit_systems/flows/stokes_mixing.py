"""Time-periodic two-dimensional Stokes flows that mix a passive tracer: a squirmer driving the
fluid inside a disc, a cavity driven by its walls, and Solomon & Gollub's oscillating cellular
flow. Each carries its clock (or forcing phase) as the third state variable, as dysts does, so
the flows are autonomous in three dimensions; that variable grows without bound."""

from __future__ import annotations

import math
from typing import Any, ClassVar

import attrs
import torch
from chaoskit import ParameterError, SystemMetadata
from chaoskit.validators import finite, positive

from ..base import TorchSystem
from ..metadata import load_metadata
from ._array_fields import ArrayParameterSystem, finite_array, float_array, matrix
from ._rows import constant_like

__all__ = ["InteriorSquirmer", "LidDrivenCavityFlow", "OscillatingFlow"]

STIFFNESS = 20.0
"""Sharpness of the switch between the two driving protocols (dysts' value)."""


def _switch(clock: torch.Tensor, tau: float) -> torch.Tensor:
    """``tanh(20 τ sin(2πt/τ))``: ≈ +1 in the first half of each period ``τ``, −1 after."""
    return torch.tanh(STIFFNESS * tau * torch.sin(2.0 * math.pi * clock / tau))


_HALF = (0.5, 0.5, 0.5, 0.5, 0.5)


@attrs.frozen(kw_only=True)
class InteriorSquirmer(ArrayParameterSystem):
    """A tracer ``(r, θ)`` in the unit disc, stirred by a squirming boundary (Blake 1971):
    ``ṙ = Σₙ n rⁿ⁻¹(r² − 1)(Gₙ cos nθ + Aₙ sin nθ)``,
    ``θ̇ = Σₙ rⁿ(2 + n(r² − 1)/r²)(Aₙ cos nθ − Gₙ sin nθ)``, ``ṫ = 1``, ``n = 1 … len(a)``,
    with the slip modes switched on alternately: ``Aₙ = aₙ w(t)``, ``Gₙ = gₙ(1 − w(t))``,
    ``w = (1 + tanh(20τ sin(2πt/τ)))/2`` (Blake 1971, Bull. Austral. Math. Soc. 5, 255).

    The flow is incompressible and has no normal velocity on ``r = 1``, where the tangential
    slip is ``2 Σₙ (Aₙ cos nθ − Gₙ sin nθ)``.
    """

    a: tuple[float, ...] = attrs.field(
        default=_HALF, converter=float_array, validator=finite_array(1)
    )
    g: tuple[float, ...] = attrs.field(
        default=_HALF, converter=float_array, validator=finite_array(1)
    )
    tau: float = attrs.field(default=3.0, validator=positive)

    kind: ClassVar[str] = "flow"
    variables: ClassVar[tuple[str, ...]] = ("r", "theta", "t")
    metadata: ClassVar[SystemMetadata] = load_metadata("InteriorSquirmer")
    # largest RK4 substep (trajectory(method='rk4'), dynamics): the protocol switches within ~0.01
    # time units
    max_step: ClassVar[float | None] = 0.004

    def __attrs_post_init__(self) -> None:
        if len(self.a) != len(self.g):
            raise ParameterError(
                f"InteriorSquirmer.a and InteriorSquirmer.g must list the same number of modes, "
                f"got {len(self.a)} and {len(self.g)}"
            )

    def _rhs(self, t: Any, x: torch.Tensor) -> torch.Tensor:
        r, theta, clock = x.unbind(-1)
        w = 0.5 * (1.0 + _switch(clock, self.tau))[..., None]
        amp_a = self._tensor(self.a, x) * w
        amp_g = self._tensor(self.g, x) * (1.0 - w)
        n = torch.arange(1, len(self.a) + 1, dtype=x.dtype, device=x.device)
        rr = r[..., None]
        cos, sin = torch.cos(n * theta[..., None]), torch.sin(n * theta[..., None])
        power = rr ** (n - 1.0)  # r^(n-1)
        dr = (n * power * (rr * rr - 1.0) * (amp_g * cos + amp_a * sin)).sum(-1)
        swirl = power * (2.0 * rr + n * (rr * rr - 1.0) / rr)  # r^n (2 + n(r² − 1)/r²)
        dtheta = (swirl * (amp_a * cos - amp_g * sin)).sum(-1)
        return torch.stack((dr, dtheta, torch.ones_like(clock)), dim=-1)


@attrs.frozen(kw_only=True)
class LidDrivenCavityFlow(TorchSystem):
    """Stokes flow in the cavity ``0 ≤ x ≤ a``, ``|y| ≤ b`` whose walls ``y = ±b`` slide with
    velocity ``±(U₁ sin(πx/a) + U₂ sin(2πx/a))``; the first mode reverses every half period
    ``τ/2``: ``U₁ = u₁ tanh(20τ sin(2πt/τ))``, ``U₂ = u₂`` (Grover, Ross, Stremler & Kumar 2012,
    Chaos 22, 043135). For mode ``m`` with ``k = mπ/a`` and ``D = 2mπb + a sinh(2kb)``:
    ``ẋ = Σ 2Uₘ sin(kx)/D·[cosh(kb)(mπy cosh(ky) + a sinh(ky)) − mπb sinh(kb) sinh(ky)]``,
    ``ẏ = Σ 2mπUₘ cos(kx)/D·[b sinh(kb) cosh(ky) − y cosh(kb) sinh(ky)]``, ``ṫ = 1``.
    """

    a: float = attrs.field(default=6.0, validator=positive)
    b: float = attrs.field(default=1.0, validator=positive)
    tau: float = attrs.field(default=1.1, validator=positive)
    u1: float = attrs.field(default=9.92786, validator=finite)
    u2: float = attrs.field(default=8.34932, validator=finite)

    kind: ClassVar[str] = "flow"
    variables: ClassVar[tuple[str, ...]] = ("x", "y", "t")
    metadata: ClassVar[SystemMetadata] = load_metadata("LidDrivenCavityFlow")
    # largest RK4 substep (trajectory(method='rk4'), dynamics): the protocol switches within ~0.01
    # time units
    max_step: ClassVar[float | None] = 0.0015

    def _mode(
        self, m: int, speed: Any, x: torch.Tensor, y: torch.Tensor
    ) -> tuple[torch.Tensor, ...]:
        a, b = self.a, self.b
        k = m * math.pi / a
        den = 2.0 * m * math.pi * b + a * math.sinh(2.0 * k * b)
        shb, chb = math.sinh(k * b), math.cosh(k * b)
        shy, chy = torch.sinh(k * y), torch.cosh(k * y)
        vx = (
            (2.0 * speed / den)
            * torch.sin(k * x)
            * (chb * (m * math.pi * y * chy + a * shy) - m * math.pi * b * shb * shy)
        )
        vy = (2.0 * m * math.pi * speed / den) * torch.cos(k * x) * (b * shb * chy - chb * y * shy)
        return vx, vy

    def _rhs(self, t: Any, x: torch.Tensor) -> torch.Tensor:
        px, py, clock = x.unbind(-1)
        vx1, vy1 = self._mode(1, self.u1 * _switch(clock, self.tau), px, py)
        vx2, vy2 = self._mode(2, self.u2, px, py)
        return torch.stack((vx1 + vx2, vy1 + vy2, torch.ones_like(clock)), dim=-1)


@attrs.frozen(kw_only=True)
class OscillatingFlow(TorchSystem):
    """Oscillating convection rolls (rescaled by the wavenumber ``k``): with
    ``f = x + b sin z``, ``ẋ = u cos(ky) sin(kf)``, ``ẏ = −u sin(ky) cos(kf)``, ``ż = ω``
    (Solomon & Gollub 1988, Phys. Rev. A 38, 6280). ``x`` drifts across rolls and the phase
    ``z`` grows without bound."""

    b: float = attrs.field(default=0.48, validator=finite)
    k: float = attrs.field(default=1.0, validator=finite)
    omega: float = attrs.field(default=0.49, validator=finite)
    u: float = attrs.field(default=0.72, validator=finite)

    kind: ClassVar[str] = "flow"
    variables: ClassVar[tuple[str, ...]] = ("x", "y", "z")
    metadata: ClassVar[SystemMetadata] = load_metadata("OscillatingFlow")

    def _rhs(self, t: Any, x: torch.Tensor) -> torch.Tensor:
        px, py, phase = x.unbind(-1)
        arg = self.k * (px + self.b * torch.sin(phase))
        ky = self.k * py
        return torch.stack(
            (
                self.u * torch.cos(ky) * torch.sin(arg),
                -self.u * torch.sin(ky) * torch.cos(arg),
                constant_like(phase, self.omega),
            ),
            dim=-1,
        )

    def _jacobian(self, t: Any, x: torch.Tensor) -> torch.Tensor:
        px, py, phase = x.unbind(-1)
        arg = self.k * (px + self.b * torch.sin(phase))
        ky = self.k * py
        uk = self.u * self.k
        cc, ss = torch.cos(ky) * torch.cos(arg), torch.sin(ky) * torch.sin(arg)
        tilt = self.b * torch.cos(phase)
        return matrix(
            (
                (uk * cc, -uk * ss, uk * tilt * cc),
                (uk * ss, -uk * cc, uk * tilt * ss),
                (0.0, 0.0, 0.0),
            ),
            px,
        )
