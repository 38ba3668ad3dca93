"""Area-preserving maps of the plane and the torus: Chirikov's standard map, the gingerbreadman map."""

from __future__ import annotations

import math
from typing import Any, ClassVar

import attrs
import torch
from chaoskit import SystemMetadata
from chaoskit.validators import finite

from ..metadata import load_metadata
from .base import MapSystem, matrix

__all__ = ["Chirikov", "Gingerbreadman"]

TWO_PI = 2.0 * math.pi


@attrs.frozen(kw_only=True)
class Chirikov(MapSystem):
    """Chirikov's standard map (the kicked rotor), on the torus:
    ``p' = p + k sin x``, ``x' = x + p'``, both taken modulo 2π into ``[0, 2π)``.

    Chirikov (1979, §4.1) writes it for an action ``I = p`` and a phase ``θ = x`` and notes
    that it is 2π-periodic in both, so the motion lives on a torus; chaoskit reduces both
    coordinates there (dysts reduces neither, so its ``x`` grows without bound). The variables
    keep dysts' order ``(p, x)``. To follow diffusion in ``p``, accumulate the unreduced
    increments ``k sin x`` yourself. The map is symplectic (Jacobian determinant 1): the
    exponents come in pairs ``±λ``. Default ``k = 0.971635``, the critical value at which the
    last KAM torus (golden mean winding number) breaks up.
    """

    k: float = attrs.field(default=0.971635, validator=finite)

    variables: ClassVar[tuple[str, ...]] = ("p", "x")
    metadata: ClassVar[SystemMetadata] = load_metadata("Chirikov")

    def _step(self, x: torch.Tensor) -> torch.Tensor:
        p, q = x.unbind(-1)
        p_next = p + self.k * torch.sin(q)
        return torch.stack(
            (torch.remainder(p_next, TWO_PI), torch.remainder(q + p_next, TWO_PI)), dim=-1
        )

    def _jacobian(self, t: Any, x: torch.Tensor) -> torch.Tensor:
        kc = self.k * torch.cos(x[..., 1])
        return matrix([[1, kc], [1, 1 + kc]], kc)


@attrs.frozen(kw_only=True)
class Gingerbreadman(MapSystem):
    """The gingerbreadman map ``x' = 1 − y + |x|``, ``y' = x`` (Devaney 1984).

    Piecewise linear and area-preserving (Jacobian determinant 1); chaotic orbits fill the
    "gingerbreadman" region around hexagonal islands of regular motion. The default initial
    state ``(0.51, 0.1)`` lies in a regular island (λ = 0); ``(−0.1, 0)`` starts in the chaotic
    region.
    """

    variables: ClassVar[tuple[str, ...]] = ("x", "y")
    metadata: ClassVar[SystemMetadata] = load_metadata("Gingerbreadman")

    def _step(self, x: torch.Tensor) -> torch.Tensor:
        u, v = x.unbind(-1)
        return torch.stack((1 - v + torch.abs(u), u), dim=-1)

    def _jacobian(self, t: Any, x: torch.Tensor) -> torch.Tensor:
        u = x[..., 0]
        return matrix([[torch.sign(u), -1], [1, 0]], u)
