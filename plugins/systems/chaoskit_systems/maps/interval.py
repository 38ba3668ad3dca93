"""One-dimensional maps of an interval: logistic, Ricker, tent, Gauss and Chebyshev maps."""

from __future__ import annotations

from typing import Any, ClassVar

import attrs
import torch
from chaoskit import SystemMetadata
from chaoskit.validators import finite

from ..metadata import load_metadata
from .base import MapSystem

__all__ = ["Chebyshev", "Gauss", "Logistic", "Ricker", "Tent"]


def _derivative(d: torch.Tensor) -> torch.Tensor:
    """A 1-D map's derivative ``(...)`` as its Jacobian ``(..., 1, 1)``."""
    return d[..., None, None]


@attrs.frozen(kw_only=True)
class Logistic(MapSystem):
    """The logistic map ``x' = r x (1 − x)`` (May 1976) on ``[0, 1]`` for ``0 ≤ r ≤ 4``.

    Parameters
    ----------
    r
        Growth rate, default 3.9 (chaotic, λ ≈ 0.496). At ``r = 4`` the map is conjugate to the
        tent map and λ = ln 2 exactly; long single orbits in floating point can then collapse
        onto the fixed point 0, so estimate invariants from many short orbits.
    """

    r: float = attrs.field(default=3.9, validator=finite)

    variables: ClassVar[tuple[str, ...]] = ("x",)
    metadata: ClassVar[SystemMetadata] = load_metadata("Logistic")

    def _step(self, x: torch.Tensor) -> torch.Tensor:
        return self.r * x * (1 - x)

    def _jacobian(self, t: Any, x: torch.Tensor) -> torch.Tensor:
        return _derivative(self.r * (1 - 2 * x[..., 0]))


@attrs.frozen(kw_only=True)
class Ricker(MapSystem):
    """The Ricker stock–recruitment map ``x' = x exp(a − x)`` (Ricker 1954).

    This is Ricker's ``x' = x exp(r (1 − x / K))`` with ``r = K = a``; default ``a = 3.3``
    (chaotic). Positive states stay positive.
    """

    a: float = attrs.field(default=3.3, validator=finite)

    variables: ClassVar[tuple[str, ...]] = ("x",)
    metadata: ClassVar[SystemMetadata] = load_metadata("Ricker")

    def _step(self, x: torch.Tensor) -> torch.Tensor:
        return x * torch.exp(self.a - x)

    def _jacobian(self, t: Any, x: torch.Tensor) -> torch.Tensor:
        u = x[..., 0]
        return _derivative((1 - u) * torch.exp(self.a - u))


@attrs.frozen(kw_only=True)
class Tent(MapSystem):
    """The tent map ``x' = μ (1 − 2 |x − ½|)`` on ``[0, 1]``.

    In the usual form ``x' = m · min(x, 1 − x)`` this is ``m = 2μ``; the slope is ``±2μ``
    everywhere, so every orbit that avoids the kink has λ = ln(2μ) (ln 1.9 at the default
    ``μ = 0.95``). At ``μ = 1`` binary floating point collapses every orbit onto 0 within
    about 50 (float64) or 25 (float32) iterations.
    """

    mu: float = attrs.field(default=0.95, validator=finite)

    variables: ClassVar[tuple[str, ...]] = ("x",)
    metadata: ClassVar[SystemMetadata] = load_metadata("Tent")

    def _step(self, x: torch.Tensor) -> torch.Tensor:
        return self.mu * (1 - 2 * torch.abs(x - 0.5))

    def _jacobian(self, t: Any, x: torch.Tensor) -> torch.Tensor:
        return _derivative(-2 * self.mu * torch.sign(x[..., 0] - 0.5))


@attrs.frozen(kw_only=True)
class Gauss(MapSystem):
    """The Gauss (Gaussian, "mouse") map ``x' = exp(−a x²) + b``.

    Default ``a = 4.9``, ``b = −0.5`` (chaotic, λ ≈ 0.18).
    """

    a: float = attrs.field(default=4.9, validator=finite)
    b: float = attrs.field(default=-0.5, validator=finite)

    variables: ClassVar[tuple[str, ...]] = ("x",)
    metadata: ClassVar[SystemMetadata] = load_metadata("Gauss")

    def _step(self, x: torch.Tensor) -> torch.Tensor:
        return torch.exp(-self.a * x * x) + self.b

    def _jacobian(self, t: Any, x: torch.Tensor) -> torch.Tensor:
        u = x[..., 0]
        return _derivative(-2 * self.a * u * torch.exp(-self.a * u * u))


@attrs.frozen(kw_only=True)
class Chebyshev(MapSystem):
    """The Chebyshev map ``x' = cos(a · arccos x)`` on ``[−1, 1]`` (Geisel & Fairén 1984).

    For an integer ``a ≥ 2`` this is the Chebyshev polynomial ``T_a``, conjugate by
    ``x = cos θ`` to ``θ' = a θ`` on the circle: λ = ln a exactly (ln 6 at the default).
    States outside ``[−1, 1]`` give NaN (the member stops). The derivative
    ``a sin(a arccos x) / sqrt(1 − x²)`` is infinite at ``x = ±1``.
    """

    a: float = attrs.field(default=6.0, validator=finite)

    variables: ClassVar[tuple[str, ...]] = ("x",)
    metadata: ClassVar[SystemMetadata] = load_metadata("Chebyshev")

    def _step(self, x: torch.Tensor) -> torch.Tensor:
        return torch.cos(self.a * torch.arccos(x))

    def _jacobian(self, t: Any, x: torch.Tensor) -> torch.Tensor:
        u = x[..., 0]
        return _derivative(self.a * torch.sin(self.a * torch.arccos(u)) / torch.sqrt(1 - u * u))
