"""Three later flows of J. C. Sprott: the simplest dissipative jerk, a nearly 3-D attractor, and
a system whose chaos coexists with invariant tori."""

from __future__ import annotations

from typing import Any, ClassVar

import attrs
import torch
from chaoskit import SystemMetadata
from chaoskit.validators import finite

from ..base import TorchSystem
from ..metadata import load_metadata
from ._matrix_rows import matrix

__all__ = ["SprottJerk", "SprottMore", "SprottTorus"]

_XYZ = ("x", "y", "z")


@attrs.frozen(kw_only=True)
class SprottJerk(TorchSystem):
    """The simplest dissipative chaotic jerk ``x‴ = −μẍ + ẋ² − x``.

    As a flow: ``ẋ = y``, ``ẏ = z``, ``ż = −x + y² − μz`` (μ = 2.017). Sprott, J. C. (1997).
    Simplest dissipative chaotic flow. Physics Letters A 228, 271–274.
    """

    mu: float = attrs.field(default=2.017, validator=finite)

    kind: ClassVar[str] = "flow"
    variables: ClassVar[tuple[str, ...]] = _XYZ
    metadata: ClassVar[SystemMetadata] = load_metadata("SprottJerk")

    def _rhs(self, t: Any, x: torch.Tensor) -> torch.Tensor:
        u, v, w = x.unbind(-1)
        return torch.stack((v, w, v * v - u - self.mu * w), dim=-1)

    def _jacobian(self, t: Any, x: torch.Tensor) -> torch.Tensor:
        u, v, _w = x.unbind(-1)
        return matrix(u, ((0.0, 1.0, 0.0), (0.0, 0.0, 1.0), (-1.0, 2.0 * v, -self.mu)))


@attrs.frozen(kw_only=True)
class SprottMore(TorchSystem):
    """``ẋ = y``, ``ẏ = −x − sgn(z)·y``, ``ż = y² − exp(−x²)``.

    A damping that switches sign with ``z``; its attractor is nearly three-dimensional. Sprott,
    J. C. (2020). Do we need more chaos examples? Chaos Theory and Applications 2(2), 1–3.
    The vector field is discontinuous on the plane ``z = 0`` (the Jacobian ignores the jump).
    """

    kind: ClassVar[str] = "flow"
    variables: ClassVar[tuple[str, ...]] = _XYZ
    metadata: ClassVar[SystemMetadata] = load_metadata("SprottMore")

    def _rhs(self, t: Any, x: torch.Tensor) -> torch.Tensor:
        u, v, w = x.unbind(-1)
        return torch.stack((v, -u - torch.sign(w) * v, v * v - torch.exp(-u * u)), dim=-1)

    def _jacobian(self, t: Any, x: torch.Tensor) -> torch.Tensor:
        u, v, w = x.unbind(-1)
        return matrix(
            u, ((0.0, 1.0, 0.0), (-1.0, -torch.sign(w), 0.0),
                (2.0 * u * torch.exp(-u * u), 2.0 * v, 0.0)),
        )


@attrs.frozen(kw_only=True)
class SprottTorus(TorchSystem):
    """``ẋ = y + 2xy + xz``, ``ẏ = 1 − 2x² + yz``, ``ż = x − x² − y²``.

    Depending on the initial condition the orbit lies on an invariant torus or on a strange
    attractor. Sprott, J. C. (2014). A dynamical system with a strange attractor and invariant
    tori. Physics Letters A 378, 1361–1363.
    """

    kind: ClassVar[str] = "flow"
    variables: ClassVar[tuple[str, ...]] = _XYZ
    metadata: ClassVar[SystemMetadata] = load_metadata("SprottTorus")

    def _rhs(self, t: Any, x: torch.Tensor) -> torch.Tensor:
        u, v, w = x.unbind(-1)
        return torch.stack(
            (v + 2.0 * u * v + u * w, 1.0 - 2.0 * u * u + v * w, u - u * u - v * v), dim=-1
        )

    def _jacobian(self, t: Any, x: torch.Tensor) -> torch.Tensor:
        u, v, w = x.unbind(-1)
        return matrix(
            u, ((2.0 * v + w, 1.0 + 2.0 * u, u), (-4.0 * u, w, v), (1.0 - 2.0 * u, -2.0 * v, 0.0))
        )
