"""Aref's blinking-vortex flow, sampled once per period: an area-preserving stirring map."""

from __future__ import annotations

import math
from typing import ClassVar

import attrs
import torch
from chaoskit import ParameterError, SystemMetadata
from chaoskit.validators import finite, positive

from ..metadata import load_metadata
from .base import MapSystem

__all__ = ["BlinkingVortexMap", "solve_kepler"]

TWO_PI = 2.0 * math.pi
_NEWTON = 8  # Newton iterations of Kepler's equation (e ≤ 0.95 converges in 6 from Danby's start)


def solve_kepler(m: torch.Tensor, e: torch.Tensor) -> torch.Tensor:
    """The solution ``q`` of ``q − e sin q = m`` for ``0 ≤ e < 1``, with ``q ≡ m`` modulo 2π.

    Newton's method from Danby's start ``m + 0.85 e sign(sin m)`` on ``m`` reduced to
    ``[0, 2π)``: ``_NEWTON`` iterations, converged to rounding for ``e ≤ 0.95``. The iterations
    are differentiated as they are (unrolled); since Newton's iterates converge quadratically,
    so do their derivatives, to the implicit ``∂q/∂m = 1 / (1 − e cos q)`` and
    ``∂q/∂e = sin q / (1 − e cos q)``. (Detaching the loop and differentiating one last step
    is exact too, but mixes plain and dual tensors, which forward-mode AD handles ~20× slower.)
    """
    turns = torch.floor(m / TWO_PI)
    m0 = m - TWO_PI * turns
    q = m0 + 0.85 * e * torch.sign(torch.sin(m0))
    for _ in range(_NEWTON):
        q = q - (q - e * torch.sin(q) - m0) / (1 - e * torch.cos(q))
    return q + TWO_PI * turns


@attrs.frozen(kw_only=True)
class BlinkingVortexMap(MapSystem):
    """Aref's blinking vortex (Aref 1984): a passive tracer in a disc of radius ``a`` stirred by
    a point vortex of circulation ``Γ`` that sits at ``(b, 0)`` for a time ``t``, then at
    ``(−b, 0)`` for a time ``t``; one iteration is one full period ``2t``.

    The state is the tracer's polar position ``(r, θ)`` (dysts' variables), ``θ`` in
    ``(−π, π]``. The wall is enforced by the image vortex ``−Γ`` at ``a²/b``, so each
    half-period moves the tracer exactly along a circle of Apollonius with foci ``b`` and
    ``a²/b``. On the circle through ``z`` with ``λ = |z − b| / |z − a²/b|``, centre
    ``η = (b − λ² a²/b) / (1 − λ²)`` and radius ``ρ = λ (a²/b − b) / (1 − λ²)``, the central
    angle ``q`` advances by Kepler's equation
    ``q − e sin q = q₀ − e sin q₀ + 2π t / T``, ``e = 2λ / (1 + λ²)``, with the period
    ``T = 4π² ρ² (1 + λ²) / (Γ (1 − λ²))`` (solved by :func:`solve_kepler`). The second
    half-period is the first one conjugated by the rotation by π, so the map is
    ``(R_π ∘ H)²`` where ``H`` is the motion around the vortex at ``+b``.

    dysts' implementation alternates the vortex between calls (state kept in the object) and
    solves the same equation with ``fsolve`` for both positions; for the vortex at ``−b`` the
    sign of the ``e sin q`` term is then wrong. chaoskit's map is autonomous (a full period
    per step) and differentiable. The flow is area-preserving, so in the polar variables the
    exponents still sum to 0 on average (the Jacobian determinant is ``r / r'``).
    """

    a: float = attrs.field(default=1.0, validator=positive)
    gamma: float = attrs.field(default=1.0, validator=finite)
    b: float = attrs.field(default=0.5, validator=positive)
    t: float = attrs.field(default=1.5, validator=positive)

    variables: ClassVar[tuple[str, ...]] = ("r", "theta")
    metadata: ClassVar[SystemMetadata] = load_metadata("BlinkingVortexMap")

    def __attrs_post_init__(self) -> None:
        if not self.b < self.a:
            raise ParameterError(
                f"BlinkingVortexMap.b (the vortex's distance from the centre) must be < a (the "
                f"radius of the disc), got b={self.b!r}, a={self.a!r}"
            )

    def _half_period(self, x: torch.Tensor, y: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """The tracer at ``(x, y)`` after a time ``t`` around the vortex at ``(b, 0)``."""
        b, image = self.b, self.a * self.a / self.b
        lam2 = ((x - b) ** 2 + y * y) / ((x - image) ** 2 + y * y)
        lam = torch.sqrt(lam2)
        centre = (b - lam2 * image) / (1 - lam2)
        radius = lam * (image - b) / (1 - lam2)
        e = 2 * lam / (1 + lam2)
        q0 = torch.atan2(y, x - centre)
        period = TWO_PI**2 * radius * radius * (1 + lam2) / (self.gamma * (1 - lam2))
        q = solve_kepler(q0 - e * torch.sin(q0) + TWO_PI * self.t / period, e)
        return centre + radius * torch.cos(q), radius * torch.sin(q)

    def _step(self, x: torch.Tensor) -> torch.Tensor:
        r, theta = x.unbind(-1)
        u, v = r * torch.cos(theta), r * torch.sin(theta)
        for _ in range(2):  # (R_π ∘ H)²: around the vortex at +b, then around the one at −b
            u, v = self._half_period(u, v)
            u, v = -u, -v
        return torch.stack((torch.sqrt(u * u + v * v), torch.atan2(v, u)), dim=-1)
