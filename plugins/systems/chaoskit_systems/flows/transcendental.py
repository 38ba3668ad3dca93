"""Flows with a transcendental or piecewise nonlinearity from chaotic-circuit design: the Yu–Wang
exponential and hyperbolic-cosine systems and the San-Um–Srisuchinwong two-scroll system."""

from __future__ import annotations

from typing import Any, ClassVar

import attrs
import torch
from chaoskit import SystemMetadata
from chaoskit.validators import finite

from ..base import TorchSystem
from ..metadata import load_metadata
from ._matrix_rows import matrix

__all__ = ["SanUmSrisuchinwong", "YuWang", "YuWang2"]

_XYZ = ("x", "y", "z")


@attrs.frozen(kw_only=True)
class YuWang(TorchSystem):
    """Yu–Wang: ``ẋ = a(y − x)``, ``ẏ = bx − cxz``, ``ż = exp(xy) − dz``.

    Yu, F. & Wang, C. (2012). A novel three dimension autonomous chaotic system with a quadratic
    exponential nonlinear term. Engineering, Technology & Applied Science Research 2(2).
    """

    a: float = attrs.field(default=10.0, validator=finite)
    b: float = attrs.field(default=40.0, validator=finite)
    c: float = attrs.field(default=2.0, validator=finite)
    d: float = attrs.field(default=2.5, validator=finite)

    kind: ClassVar[str] = "flow"
    variables: ClassVar[tuple[str, ...]] = _XYZ
    metadata: ClassVar[SystemMetadata] = load_metadata("YuWang")

    def _rhs(self, t: Any, x: torch.Tensor) -> torch.Tensor:
        u, v, w = x.unbind(-1)
        return torch.stack(
            (self.a * (v - u), self.b * u - self.c * u * w, torch.exp(u * v) - self.d * w), dim=-1
        )

    def _jacobian(self, t: Any, x: torch.Tensor) -> torch.Tensor:
        u, v, w = x.unbind(-1)
        e = torch.exp(u * v)
        return matrix(
            u, ((-self.a, self.a, 0.0), (self.b - self.c * w, 0.0, -self.c * u), (v * e, u * e, -self.d))
        )


@attrs.frozen(kw_only=True)
class YuWang2(TorchSystem):
    """Yu–Wang with a hyperbolic cosine: ``ẋ = a(y − x)``, ``ẏ = bx − cxz``, ``ż = cosh(xy) − dz``.

    The variant of :class:`YuWang` in the dysts database (b = 30); same reference.
    """

    a: float = attrs.field(default=10.0, validator=finite)
    b: float = attrs.field(default=30.0, validator=finite)
    c: float = attrs.field(default=2.0, validator=finite)
    d: float = attrs.field(default=2.5, validator=finite)

    kind: ClassVar[str] = "flow"
    variables: ClassVar[tuple[str, ...]] = _XYZ
    metadata: ClassVar[SystemMetadata] = load_metadata("YuWang2")

    def _rhs(self, t: Any, x: torch.Tensor) -> torch.Tensor:
        u, v, w = x.unbind(-1)
        return torch.stack(
            (self.a * (v - u), self.b * u - self.c * u * w, torch.cosh(u * v) - self.d * w),
            dim=-1,
        )

    def _jacobian(self, t: Any, x: torch.Tensor) -> torch.Tensor:
        u, v, w = x.unbind(-1)
        s = torch.sinh(u * v)
        return matrix(
            u, ((-self.a, self.a, 0.0), (self.b - self.c * w, 0.0, -self.c * u), (v * s, u * s, -self.d))
        )


@attrs.frozen(kw_only=True)
class SanUmSrisuchinwong(TorchSystem):
    """San-Um–Srisuchinwong: ``ẋ = y − x``, ``ẏ = −z tanh x``, ``ż = −a + xy + |y|`` (a = 2).

    A two-scroll attractor from piecewise nonlinearities (the Wimol–Banlue system). San-Um, W. &
    Srisuchinwong, B. (2012), Journal of Computers.
    """

    a: float = attrs.field(default=2.0, validator=finite)

    kind: ClassVar[str] = "flow"
    variables: ClassVar[tuple[str, ...]] = _XYZ
    metadata: ClassVar[SystemMetadata] = load_metadata("SanUmSrisuchinwong")

    def _rhs(self, t: Any, x: torch.Tensor) -> torch.Tensor:
        u, v, w = x.unbind(-1)
        return torch.stack((v - u, -w * torch.tanh(u), u * v + v.abs() - self.a), dim=-1)

    def _jacobian(self, t: Any, x: torch.Tensor) -> torch.Tensor:
        u, v, w = x.unbind(-1)
        th = torch.tanh(u)
        return matrix(
            u, ((-1.0, 1.0, 0.0), (-w * (1.0 - th * th), 0.0, -th), (v, u + torch.sign(v), 0.0))
        )
