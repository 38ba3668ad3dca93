"""Mechanical oscillators: a weakly forced stick-slip oscillator and the swinging Atwood's machine."""

from __future__ import annotations

from typing import Any, ClassVar

import attrs
import torch
from chaoskit import SystemMetadata
from chaoskit.validators import finite, positive

from ..base import TorchSystem
from ..metadata import load_metadata
from ._matrix_rows import matrix
from ._rows import constant_like

__all__ = ["StickSlipOscillator", "SwingingAtwood"]


@attrs.frozen(kw_only=True)
class StickSlipOscillator(TorchSystem):
    """A double-well oscillator on a moving belt with dry friction, weakly forced.

    ``ẋ = v``, ``v̇ = ax − bx³ + ε(γ cos θ − T(v − vs))``, ``θ̇ = w``, with the friction law
    ``T(u) = t0·sgn(u) − αu + βu³`` of the velocity ``u = v − vs`` relative to the belt.
    Awrejcewicz, J. & Holicke, M. M. (1999). Melnikov's method and stick-slip chaotic
    oscillations in very weakly forced mechanical systems. Int. J. Bifurcation and Chaos 9.
    The forcing phase ``θ`` grows without bound (unbounded index 2).

    dysts' code writes the linear friction term as ``−αv`` instead of ``−α(v − vs)``; the two
    differ by the constant ``εαvs`` (0.006 at the defaults) in ``v̇``. chaoskit uses the paper's
    law, a function of the relative velocity only.
    """

    a: float = attrs.field(default=1.0, validator=finite)
    alpha: float = attrs.field(default=0.3, validator=finite)
    b: float = attrs.field(default=1.0, validator=finite)
    beta: float = attrs.field(default=0.3, validator=finite)
    eps: float = attrs.field(default=0.05, validator=finite)
    gamma: float = attrs.field(default=1.0, validator=finite)
    t0: float = attrs.field(default=0.3, validator=finite)
    vs: float = attrs.field(default=0.4, validator=finite)
    w: float = attrs.field(default=2.0, validator=finite)

    kind: ClassVar[str] = "flow"
    variables: ClassVar[tuple[str, ...]] = ("x", "v", "theta")
    metadata: ClassVar[SystemMetadata] = load_metadata("StickSlipOscillator")

    def _rhs(self, t: Any, x: torch.Tensor) -> torch.Tensor:
        pos, vel, theta = x.unbind(-1)
        rel = vel - self.vs
        friction = self.t0 * torch.sign(rel) - self.alpha * rel + self.beta * rel**3
        accel = (self.a * pos - self.b * pos**3
                 + self.eps * (self.gamma * torch.cos(theta) - friction))
        return torch.stack((vel, accel, constant_like(theta, self.w)), dim=-1)

    def _jacobian(self, t: Any, x: torch.Tensor) -> torch.Tensor:
        """Analytic Jacobian; the jump of ``sgn`` at ``v = vs`` contributes nothing."""
        pos, vel, theta = x.unbind(-1)
        rel = vel - self.vs
        return matrix(
            pos,
            (
                (0.0, 1.0, 0.0),
                (self.a - 3.0 * self.b * pos * pos,
                 self.eps * (self.alpha - 3.0 * self.beta * rel * rel),
                 -self.eps * self.gamma * torch.sin(theta)),
                (0.0, 0.0, 0.0),
            ),
        )


@attrs.frozen(kw_only=True)
class SwingingAtwood(TorchSystem):
    """The swinging Atwood's machine in Hamiltonian form (g = 9.82, as in dysts).

    Mass ``m1`` swings on a rope of length ``r`` at angle ``θ``; mass ``m2`` hangs on the other
    end. ``ṙ = p_r/(m1 + m2)``, ``θ̇ = p_θ/(m1 r²)``,
    ``ṗ_r = p_θ²/(m1 r³) − m2 g + m1 g cos θ``, ``ṗ_θ = −m1 g r sin θ``. Tufillaro, N. B.,
    Abbott, T. A. & Griffiths, D. J. (1984). Swinging Atwood's machine. American Journal of
    Physics 52(10), 895–903. ``θ`` may wind without bound (unbounded index 1).
    """

    m1: float = attrs.field(default=1.0, validator=positive)
    m2: float = attrs.field(default=4.5, validator=positive)

    g: ClassVar[float] = 9.82
    kind: ClassVar[str] = "flow"
    variables: ClassVar[tuple[str, ...]] = ("r", "theta", "p_r", "p_theta")
    metadata: ClassVar[SystemMetadata] = load_metadata("SwingingAtwood")

    def _rhs(self, t: Any, x: torch.Tensor) -> torch.Tensor:
        r, theta, pr, pth = x.unbind(-1)
        m1, m2, g = self.m1, self.m2, self.g
        return torch.stack(
            (
                pr / (m1 + m2),
                pth / (m1 * r * r),
                pth * pth / (m1 * r**3) - m2 * g + m1 * g * torch.cos(theta),
                -m1 * g * r * torch.sin(theta),
            ),
            dim=-1,
        )

    def _jacobian(self, t: Any, x: torch.Tensor) -> torch.Tensor:
        r, theta, _pr, pth = x.unbind(-1)
        m1, m2, g = self.m1, self.m2, self.g
        return matrix(
            r,
            (
                (0.0, 0.0, 1.0 / (m1 + m2), 0.0),
                (-2.0 * pth / (m1 * r**3), 0.0, 0.0, 1.0 / (m1 * r * r)),
                (-3.0 * pth * pth / (m1 * r**4), -m1 * g * torch.sin(theta), 0.0,
                 2.0 * pth / (m1 * r**3)),
                (-m1 * g * torch.sin(theta), -m1 * g * r * torch.cos(theta), 0.0, 0.0),
            ),
        )
