"""Conservative (Hamiltonian) flows of coupled rotors: the double pendulum and the Arnold web."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, ClassVar

import attrs
import torch
from chaoskit import SystemMetadata
from chaoskit.validators import finite, positive

from ..base import TorchSystem
from ..metadata import load_metadata
from ._rows import constant_like

__all__ = ["ArnoldWeb", "DoublePendulum"]


@attrs.frozen(kw_only=True)
class DoublePendulum(TorchSystem):
    """Planar double pendulum of point masses in Hamilton's form (angles and canonical momenta).

    ``H = [m₂l₂²p₁² + (m₁+m₂)l₁²p₂² − 2m₂l₁l₂p₁p₂ cos Δ] / [2m₂l₁²l₂²(m₁ + m₂ sin²Δ)]
    − (m₁+m₂)gl₁ cos θ₁ − m₂gl₂ cos θ₂`` with ``Δ = θ₁ − θ₂``; ``θ̇ᵢ = ∂H/∂pᵢ``,
    ``ṗᵢ = −∂H/∂θᵢ`` (e.g. Marion & Thornton, *Classical Dynamics*). The angles grow without
    bound when the pendulum flips (``unbounded_indices``); ``H`` is conserved.
    """

    g: float = attrs.field(default=9.81, validator=finite)
    l1: float = attrs.field(default=1.0, validator=positive)
    l2: float = attrs.field(default=1.0, validator=positive)
    m1: float = attrs.field(default=1.0, validator=positive)
    m2: float = attrs.field(default=1.0, validator=positive)

    kind: ClassVar[str] = "flow"
    variables: ClassVar[tuple[str, ...]] = ("theta1", "theta2", "p1", "p2")
    metadata: ClassVar[SystemMetadata] = load_metadata("DoublePendulum")

    def _rhs(self, t: Any, x: torch.Tensor) -> torch.Tensor:
        th1, th2, p1, p2 = x.unbind(-1)
        g, l1, l2, m1, m2 = self.g, self.l1, self.l2, self.m1, self.m2
        delta = th1 - th2
        cos_d, sin_d = torch.cos(delta), torch.sin(delta)
        den = m1 + m2 * sin_d**2
        dth1 = (l2 * p1 - l1 * p2 * cos_d) / (l1**2 * l2 * den)
        dth2 = (l1 * (m1 + m2) * p2 - l2 * m2 * p1 * cos_d) / (l1 * l2**2 * m2 * den)
        c1 = p1 * p2 * sin_d / (l1 * l2 * den)
        # ∂T/∂θ₁ = c1 − c2 (T the kinetic part of H); note the factor 2 on the cross term
        c2 = ((l2**2 * m2 * p1**2 + l1**2 * (m1 + m2) * p2**2 - 2 * l1 * l2 * m2 * p1 * p2 * cos_d)
              * sin_d * cos_d / (l1**2 * l2**2 * den**2))
        dp1 = -(m1 + m2) * g * l1 * torch.sin(th1) - c1 + c2
        dp2 = -m2 * g * l2 * torch.sin(th2) + c1 - c2
        return torch.stack((dth1, dth2, dp1, dp2), dim=-1)

    def conserved_quantities(self) -> Mapping[str, Callable[[Any], Any]]:
        """``{"energy": H}``."""
        return {"energy": self.energy}

    def energy(self, x: Any) -> Any:
        """The Hamiltonian ``H`` at states ``x`` ``(..., 4)`` (numpy or torch, like ``x``)."""
        xt = torch.as_tensor(x, dtype=torch.float64) if not isinstance(x, torch.Tensor) else x
        th1, th2, p1, p2 = xt.unbind(-1)
        g, l1, l2, m1, m2 = self.g, self.l1, self.l2, self.m1, self.m2
        delta = th1 - th2
        kinetic = ((m2 * l2**2 * p1**2 + (m1 + m2) * l1**2 * p2**2
                    - 2 * m2 * l1 * l2 * p1 * p2 * torch.cos(delta))
                   / (2 * m2 * l1**2 * l2**2 * (m1 + m2 * torch.sin(delta) ** 2)))
        out = kinetic - (m1 + m2) * g * l1 * torch.cos(th1) - m2 * g * l2 * torch.cos(th2)
        return out if isinstance(x, torch.Tensor) else out.numpy()


@attrs.frozen(kw_only=True)
class ArnoldWeb(TorchSystem):
    """Froeschlé–Guzzo–Lega quasi-integrable Hamiltonian, whose resonances form the Arnold web.

    ``H = (I₁² + I₂²)/2 + I₃ + μ/(4 + cos φ₁ + cos φ₂ + cos φ₃)`` with ``φ₃ = wt``:
    ``İᵢ = −μ sin φᵢ / D²`` (``D = 4 + Σ cos φⱼ``), ``φ̇ᵢ = Iᵢ`` (i = 1, 2), ``φ̇₃ = w``
    (Froeschlé, Guzzo & Lega 2000, Science 289, 2108). State ``(p1, p2, x1, x2, z)`` =
    ``(I₁, I₂, φ₁, φ₂, φ₃)`` as in dysts; the angles grow without bound.
    """

    mu: float = attrs.field(default=0.01, validator=finite)
    w: float = attrs.field(default=1.0, validator=finite)

    kind: ClassVar[str] = "flow"
    variables: ClassVar[tuple[str, ...]] = ("p1", "p2", "x1", "x2", "z")
    metadata: ClassVar[SystemMetadata] = load_metadata("ArnoldWeb")

    def _rhs(self, t: Any, x: torch.Tensor) -> torch.Tensor:
        p1, p2, x1, x2, z = x.unbind(-1)
        den2 = (4.0 + torch.cos(z) + torch.cos(x1) + torch.cos(x2)) ** 2
        return torch.stack((
            -self.mu * torch.sin(x1) / den2,
            -self.mu * torch.sin(x2) / den2,
            p1,
            p2,
            constant_like(p1, self.w),
        ), dim=-1)
