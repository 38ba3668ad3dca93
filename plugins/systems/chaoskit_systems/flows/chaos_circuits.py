"""Chaotic electronic circuits: Sprott's diode jerk circuit, the multi-scroll Chua circuit, the
Pehlivan–Wei quadratic system and the Abooee et al. laser-like circuit."""

from __future__ import annotations

from typing import Any, ClassVar

import attrs
import torch
from chaoskit import ParameterError, SystemMetadata
from chaoskit.validators import finite, positive

from ..base import TorchSystem
from ..metadata import load_metadata
from ._array_fields import ArrayParameterSystem, finite_array, float_array, matrix

__all__ = ["JerkCircuit", "Laser", "MultiChua", "PehlivanWei"]


@attrs.frozen(kw_only=True)
class JerkCircuit(TorchSystem):
    """Jerk circuit with a diode nonlinearity: ``ẋ = y``, ``ẏ = z``,
    ``ż = −z − x − ε(exp(y/y₀) − 1)`` (Sprott 2011, IEEE Trans. Circuits Syst. II 58, 240)."""

    eps: float = attrs.field(default=1e-9, validator=positive)
    y0: float = attrs.field(default=0.026, validator=positive)

    kind: ClassVar[str] = "flow"
    variables: ClassVar[tuple[str, ...]] = ("x", "y", "z")
    metadata: ClassVar[SystemMetadata] = load_metadata("JerkCircuit")
    # largest RK4 substep (trajectory(method='rk4'), dynamics): the diode's exponential makes the
    # spikes fast
    max_step: ClassVar[float | None] = 0.003

    def _rhs(self, t: Any, x: torch.Tensor) -> torch.Tensor:
        u, v, w = x.unbind(-1)
        return torch.stack((v, w, -w - u - self.eps * torch.expm1(v / self.y0)), dim=-1)

    def _jacobian(self, t: Any, x: torch.Tensor) -> torch.Tensor:
        u, v, _w = x.unbind(-1)
        return matrix(
            (
                (0.0, 1.0, 0.0),
                (0.0, 0.0, 1.0),
                (-1.0, -self.eps / self.y0 * torch.exp(v / self.y0), -1.0),
            ),
            u,
        )


_CHUA_C = (0.0, 1.0, 2.15, 3.6, 8.2, 13.0)
_CHUA_M = (-1.0 / 7.0, 2.0 / 7.0, -4.0 / 7.0, 2.0 / 7.0, -4.0 / 7.0, 2.0 / 7.0)  # dysts: 8 digits


@attrs.frozen(kw_only=True)
class MultiChua(ArrayParameterSystem):
    """Multi-scroll Chua circuit: ``ẋ = a(y − h(x))``, ``ẏ = x − y + z``, ``ż = −by`` with the
    piecewise-linear ``h(x) = m_q x + ½ Σ_{i=1}^{q} (m_{i−1} − m_i)(|x + c_i| − |x − c_i|)``,
    ``q = len(m) − 1`` (Yalçın, Suykens & Vandewalle 2005, Cellular Neural Networks,
    Multi-Scroll Chaos and Synchronization, World Scientific).

    ``c`` holds the breakpoints (``c[0]`` unused) and ``m`` the slopes, equal lengths.
    """

    a: float = attrs.field(default=9.0, validator=finite)
    b: float = attrs.field(default=14.286, validator=finite)
    c: tuple[float, ...] = attrs.field(
        default=_CHUA_C, converter=float_array, validator=finite_array(1)
    )
    m: tuple[float, ...] = attrs.field(
        default=_CHUA_M, converter=float_array, validator=finite_array(1)
    )

    kind: ClassVar[str] = "flow"
    variables: ClassVar[tuple[str, ...]] = ("x", "y", "z")
    metadata: ClassVar[SystemMetadata] = load_metadata("MultiChua")
    # largest RK4 substep (trajectory(method='rk4'), dynamics): the kinks of the piecewise-linear
    # characteristic cost RK4 its order
    max_step: ClassVar[float | None] = 0.002

    def __attrs_post_init__(self) -> None:
        if len(self.c) != len(self.m) or len(self.m) < 2:
            raise ParameterError(
                f"MultiChua.c and MultiChua.m must have the same length (≥ 2), got {len(self.c)} "
                f"breakpoints and {len(self.m)} slopes"
            )

    def diode(self, x: torch.Tensor) -> torch.Tensor:
        """The piecewise-linear characteristic ``h(x)``, elementwise."""
        m, c = self._tensor(self.m, x), self._tensor(self.c, x)
        xs = x[..., None]
        corners = 0.5 * (m[:-1] - m[1:]) * ((xs + c[1:]).abs() - (xs - c[1:]).abs())
        return m[-1] * x + corners.sum(-1)

    def _rhs(self, t: Any, x: torch.Tensor) -> torch.Tensor:
        u, v, w = x.unbind(-1)
        return torch.stack((self.a * (v - self.diode(u)), u - v + w, -self.b * v), dim=-1)


@attrs.frozen(kw_only=True)
class PehlivanWei(TorchSystem):
    """Pehlivan–Wei system: ``ẋ = y − yz``, ``ẏ = y + yz − 2x``, ``ż = 2 − xy − y²``
    (Pehlivan & Wei 2012, Turk. J. Elec. Eng. Comput. Sci.); no parameters."""

    kind: ClassVar[str] = "flow"
    variables: ClassVar[tuple[str, ...]] = ("x", "y", "z")
    metadata: ClassVar[SystemMetadata] = load_metadata("PehlivanWei")

    def _rhs(self, t: Any, x: torch.Tensor) -> torch.Tensor:
        u, v, w = x.unbind(-1)
        return torch.stack((v - v * w, v + v * w - 2.0 * u, 2.0 - u * v - v * v), dim=-1)

    def _jacobian(self, t: Any, x: torch.Tensor) -> torch.Tensor:
        u, v, w = x.unbind(-1)
        return matrix(((0.0, 1.0 - w, -v), (-2.0, 1.0 + w, v), (-v, -u - 2.0 * v, 0.0)), u)


@attrs.frozen(kw_only=True)
class Laser(TorchSystem):
    """Abooee et al.'s laser-like system: ``ẋ = a(y − x) + byz²``, ``ẏ = cx + dxz²``,
    ``ż = hz + kx²`` (Abooee, Yaghini-Bonabi & Jahed-Motlagh 2013, Commun. Nonlinear Sci.
    Numer. Simul.)."""

    a: float = attrs.field(default=10.0, validator=finite)
    b: float = attrs.field(default=1.0, validator=finite)
    c: float = attrs.field(default=5.0, validator=finite)
    d: float = attrs.field(default=-1.0, validator=finite)
    h: float = attrs.field(default=-5.0, validator=finite)
    k: float = attrs.field(default=-6.0, validator=finite)

    kind: ClassVar[str] = "flow"
    variables: ClassVar[tuple[str, ...]] = ("x", "y", "z")
    metadata: ClassVar[SystemMetadata] = load_metadata("Laser")

    def _rhs(self, t: Any, x: torch.Tensor) -> torch.Tensor:
        u, v, w = x.unbind(-1)
        w2 = w * w
        return torch.stack(
            (
                self.a * (v - u) + self.b * v * w2,
                self.c * u + self.d * u * w2,
                self.h * w + self.k * u * u,
            ),
            dim=-1,
        )

    def _jacobian(self, t: Any, x: torch.Tensor) -> torch.Tensor:
        u, v, w = x.unbind(-1)
        w2 = w * w
        return matrix(
            (
                (-self.a, self.a + self.b * w2, 2.0 * self.b * v * w),
                (self.c + self.d * w2, 0.0, 2.0 * self.d * u * w),
                (2.0 * self.k * u, 0.0, self.h),
            ),
            u,
        )
