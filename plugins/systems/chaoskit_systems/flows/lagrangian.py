"""Velocity fields for Lagrangian transport: tracers advected by prescribed incompressible flows.

The time-periodic fields carry their clock as a state variable, as in dysts, so the flows are
autonomous (``t`` is not used) and trajectories start from the metadata's phase:

- :class:`DoubleGyre` and :class:`BickleyJet`: state ``(x, y, phase)`` with ``phase' = ω``; the
  velocity at physical time ``t`` is the field at ``phase = ω t`` (``DoubleGyre.velocity(t, xy)``
  evaluates it for tracer batches ``(..., 2)``, as FTLE computations need).
- :class:`BlinkingRotlet`, :class:`BlinkingVortex`: polar ``(r, theta, clock)`` with ``clock' = 1``.
- :class:`ArnoldBeltramiChildress`: steady 3-D flow on the 2π-periodic torus.
"""

from __future__ import annotations

import math
from typing import Any, ClassVar

import attrs
import numpy as np
import torch
from chaoskit import SystemMetadata
from chaoskit.validators import finite, positive

from ..base import TorchSystem
from ..metadata import load_metadata
from ._rows import constant_like, matrix

__all__ = ["ArnoldBeltramiChildress", "BickleyJet", "BlinkingRotlet", "BlinkingVortex", "DoubleGyre"]


@attrs.frozen(kw_only=True)
class DoubleGyre(TorchSystem):
    """Time-periodic double gyre on ``[0, 2] × [0, 1]`` (Shadden, Lekien & Marsden 2005).

    Stream function ``ψ = A sin(πf) sin(πy)`` with ``f = a x² + b x``, ``a = ε sin φ``,
    ``b = 1 − 2ε sin φ``: ``ẋ = −πA sin(πf) cos(πy)``, ``ẏ = πA cos(πf) sin(πy) ∂f/∂x``,
    ``φ̇ = ω``. ``alpha`` is the amplitude A. Defaults are dysts' (A = 0.1, ε = 0.1,
    ω = 2π/10); the FTLE literature's standard case is ε = 0.25 (``attrs.evolve(g, eps=0.25)``).
    """

    alpha: float = attrs.field(default=0.1, validator=finite)
    eps: float = attrs.field(default=0.1, validator=finite)
    omega: float = attrs.field(default=2 * math.pi / 10, validator=finite)

    kind: ClassVar[str] = "flow"
    variables: ClassVar[tuple[str, ...]] = ("x", "y", "phase")
    metadata: ClassVar[SystemMetadata] = load_metadata("DoubleGyre")

    def _rhs(self, t: Any, x: torch.Tensor) -> torch.Tensor:
        u, v, phase = x.unbind(-1)
        a = self.eps * torch.sin(phase)
        b = 1.0 - 2.0 * a
        f = a * u**2 + b * u
        amp = math.pi * self.alpha
        return torch.stack((
            -amp * torch.sin(math.pi * f) * torch.cos(math.pi * v),
            amp * torch.cos(math.pi * f) * torch.sin(math.pi * v) * (2.0 * a * u + b),
            constant_like(u, self.omega),
        ), dim=-1)

    def velocity(self, t: Any, xy: Any) -> Any:
        """The 2-D velocity ``(u, v)`` at physical time ``t`` for positions ``xy`` ``(..., 2)``.

        Evaluates the field at ``phase = ω t``; ``t`` is a number or an array broadcastable to
        ``xy.shape[:-1]``. Returns the kind given (numpy array or torch tensor).
        """
        if isinstance(xy, torch.Tensor):
            tt = torch.as_tensor(t, dtype=xy.dtype, device=xy.device)
            phase = (self.omega * tt).expand(xy.shape[:-1])
            return self._rhs(t, torch.cat((xy, phase.unsqueeze(-1)), dim=-1))[..., :2]
        points = np.asarray(xy, dtype=np.float64)
        phases = np.broadcast_to(self.omega * np.asarray(t, dtype=np.float64), points.shape[:-1])
        return self.rhs(t, np.concatenate((points, phases[..., None]), axis=-1))[..., :2]


@attrs.frozen(kw_only=True)
class BickleyJet(TorchSystem):
    """Bickley jet with three travelling Rossby waves (Rypina et al. 2007; Hadjighasem et al. 2016).

    ``ψ = −Uℓ tanh(y/ℓ) + Uℓ sech²(y/ℓ) Σₙ εₙ cos(kₙ(x − σₙφ))`` with ``ẋ = −∂ψ/∂y``,
    ``ẏ = ∂ψ/∂x``, ``φ̇ = ω``: ``ẋ = U sech²(y/ℓ)[1 + 2 tanh(y/ℓ) Σ εₙ cos(·)]``,
    ``ẏ = −Uℓ sech²(y/ℓ) Σ εₙkₙ sin(·)``. Units: Mm and s (U = 62.66 m/s, ℓ = 1.77 Mm,
    kₙ = 2n/r₀ with r₀ = 6.371 Mm, σₙ the phase speeds cₙ). dysts stores ``eps``, ``k`` and
    ``sigma`` as lists (here scalar fields ``eps1`` … ``sigma3``), orders its state
    ``(y, x, φ)`` and integrates the negative of this velocity field; see the metadata entry.
    """

    ell: float = attrs.field(default=1.77, validator=positive)
    eps1: float = attrs.field(default=0.0075, validator=finite)
    eps2: float = attrs.field(default=0.15, validator=finite)
    eps3: float = attrs.field(default=0.3, validator=finite)
    k1: float = attrs.field(default=2.0 / 6.371, validator=finite)
    k2: float = attrs.field(default=4.0 / 6.371, validator=finite)
    k3: float = attrs.field(default=6.0 / 6.371, validator=finite)
    omega: float = attrs.field(default=1.0, validator=finite)
    sigma1: float = attrs.field(default=9.05854e-06, validator=finite)
    sigma2: float = attrs.field(default=1.28453e-05, validator=finite)
    sigma3: float = attrs.field(default=2.88863e-05, validator=finite)
    u: float = attrs.field(default=6.266e-05, validator=finite)

    kind: ClassVar[str] = "flow"
    variables: ClassVar[tuple[str, ...]] = ("x", "y", "phase")
    metadata: ClassVar[SystemMetadata] = load_metadata("BickleyJet")

    def _rhs(self, t: Any, x: torch.Tensor) -> torch.Tensor:
        px, py, phase = x.unbind(-1)
        sech2 = 1.0 / torch.cosh(py / self.ell) ** 2
        waves = ((self.eps1, self.k1, self.sigma1), (self.eps2, self.k2, self.sigma2),
                 (self.eps3, self.k3, self.sigma3))
        cos_sum = torch.zeros_like(px)
        sin_sum = torch.zeros_like(px)
        for eps, k, speed in waves:
            arg = k * (px - speed * phase)
            cos_sum = cos_sum + eps * torch.cos(arg)
            sin_sum = sin_sum + eps * k * torch.sin(arg)
        return torch.stack((
            self.u * sech2 * (1.0 + 2.0 * torch.tanh(py / self.ell) * cos_sum),
            -self.u * self.ell * sech2 * sin_sum,
            constant_like(px, self.omega),
        ), dim=-1)


def _rotlet(r: torch.Tensor, theta: torch.Tensor, a: float, b: float, bc: float) -> tuple[torch.Tensor, torch.Tensor]:
    """Velocity ``(v_r, v_θ)`` of a unit rotlet (``bc = 1``) or point vortex (``bc = 0``) at ``(b, 0)``.

    Inside a no-slip circular wall of radius ``a`` (Meleshko & Aref 1996); the image terms in
    ``κ`` place the image singularity at ``a²/b``.
    """
    cos, sin = torch.cos(theta), torch.sin(theta)
    kappa = a**2 + (b * r / a) ** 2 - 2 * b * r * cos
    zeta = b**2 + r**2 - 2 * b * r * cos
    gamma = (1 - (r / a) ** 2) * (a**2 - (b * r / a) ** 2)
    iota = b**2 * r / a**2 - b * cos
    nu = a**2 + b**2 - 2 * (b * r / a) ** 2
    v_r = b * sin * (-bc * gamma / kappa**2 - 1 / kappa + 1 / zeta)
    v_theta = (bc * gamma * iota / kappa**2 + bc * r * nu / (a**2 * kappa) + iota / kappa
               - (r - b * cos) / zeta)
    return v_r, v_theta


@attrs.frozen(kw_only=True)
class BlinkingRotlet(TorchSystem):
    """Blinking rotlet mixer in a circular container (Meleshko & Aref 1996, Phys. Fluids 8, 3215).

    Two rotlets at ``(±b, 0)`` inside a disk of radius ``a`` take turns: the weight
    ``w(s) = ½ + ½ tanh(20τ sin(2πs/τ))`` switches between them with period ``τ``;
    ``ṙ = σ[w v_r(b) + (1 − w) v_r(−b)]``, ``θ̇ = σ[w v_θ(b) + (1 − w) v_θ(−b)]/r``, ``ṡ = 1``.
    ``bc = 1`` keeps the rotlet's wall terms (``bc = 0`` gives point vortices, see
    :class:`BlinkingVortex`). A negative ``r`` is the point ``(|r|, θ + π)`` (dysts' initial
    state has ``r < 0``; the equations are consistent under that map).
    """

    a: float = attrs.field(default=1.0, validator=positive)
    b: float = attrs.field(default=0.5298833894399929, validator=finite)
    bc: float = attrs.field(default=1.0, validator=finite)
    sigma: float = attrs.field(default=-1.0, validator=finite)
    tau: float = attrs.field(default=3.0, validator=positive)

    stiffness: ClassVar[float] = 20.0
    kind: ClassVar[str] = "flow"
    variables: ClassVar[tuple[str, ...]] = ("r", "theta", "clock")
    metadata: ClassVar[SystemMetadata] = load_metadata("BlinkingRotlet")

    def default_max_step(self) -> float:
        """RK4 step: period/200, but small enough to resolve the switch of the weight.

        Near a switch the weight changes over ``1/(2π·stiffness)`` time units (0.008).
        """
        return min(super().default_max_step(), 1 / (8 * math.pi * self.stiffness))

    def _rhs(self, t: Any, x: torch.Tensor) -> torch.Tensor:
        r, theta, clock = x.unbind(-1)
        w = 0.5 + 0.5 * torch.tanh(
            self.tau * self.stiffness * torch.sin(2 * math.pi * clock / self.tau)
        )
        vr1, vt1 = _rotlet(r, theta, self.a, self.b, self.bc)
        vr2, vt2 = _rotlet(r, theta, self.a, -self.b, self.bc)
        return torch.stack((
            self.sigma * (w * vr1 + (1 - w) * vr2),
            self.sigma * (w * vt1 + (1 - w) * vt2) / r,
            torch.ones_like(r),
        ), dim=-1)


@attrs.frozen(kw_only=True)
class BlinkingVortex(BlinkingRotlet):
    """Aref's blinking vortex (1984, J. Fluid Mech. 143, 1): :class:`BlinkingRotlet` with ``bc = 0``."""

    a: float = attrs.field(default=1.0, validator=positive)
    b: float = attrs.field(default=0.5, validator=finite)
    bc: float = attrs.field(default=0.0, validator=finite)
    sigma: float = attrs.field(default=-1.0, validator=finite)
    tau: float = attrs.field(default=3.0, validator=positive)

    metadata: ClassVar[SystemMetadata] = load_metadata("BlinkingVortex")


@attrs.frozen(kw_only=True)
class ArnoldBeltramiChildress(TorchSystem):
    """ABC flow, a steady Beltrami solution of Euler's equations (Arnold 1965; Dombre et al. 1986).

    ``ẋ = a sin z + c cos y``, ``ẏ = b sin x + a cos z``, ``ż = c sin y + b cos x``, with the
    classic chaotic choice a = √3, b = √2, c = 1 (dysts stores 1.73205 and 1.41421).
    """

    a: float = attrs.field(default=math.sqrt(3.0), validator=finite)
    b: float = attrs.field(default=math.sqrt(2.0), validator=finite)
    c: float = attrs.field(default=1.0, validator=finite)

    kind: ClassVar[str] = "flow"
    variables: ClassVar[tuple[str, ...]] = ("x", "y", "z")
    metadata: ClassVar[SystemMetadata] = load_metadata("ArnoldBeltramiChildress")

    def _rhs(self, t: Any, x: torch.Tensor) -> torch.Tensor:
        u, v, w = x.unbind(-1)
        a, b, c = self.a, self.b, self.c
        return torch.stack((
            a * torch.sin(w) + c * torch.cos(v),
            b * torch.sin(u) + a * torch.cos(w),
            c * torch.sin(v) + b * torch.cos(u),
        ), dim=-1)

    def _jacobian(self, t: Any, x: torch.Tensor) -> torch.Tensor:
        u, v, w = x.unbind(-1)
        a, b, c = self.a, self.b, self.c
        return matrix(u, (
            (0.0, -c * torch.sin(v), a * torch.cos(w)),
            (b * torch.cos(u), 0.0, -a * torch.sin(w)),
            (-b * torch.sin(u), c * torch.cos(v), 0.0),
        ))
