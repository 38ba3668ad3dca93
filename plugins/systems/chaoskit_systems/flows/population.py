"""Population dynamics in continuous time: the Lotka–Volterra predator–prey equations."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, ClassVar

import attrs
import numpy as np
import torch
from chaoskit import SystemMetadata
from chaoskit.validators import positive

from ..base import TorchSystem
from ..metadata import load_metadata

__all__ = ["LotkaVolterra"]


@attrs.frozen(kw_only=True)
class LotkaVolterra(TorchSystem):
    """The Lotka–Volterra predator–prey equations (Lotka 1925; Volterra 1926):
    ``ẋ = α x − β x y``, ``ẏ = δ x y − γ y`` for prey ``x`` and predators ``y``.

    Parameters
    ----------
    alpha
        Growth rate of the prey without predators (> 0), default 1.
    beta
        Predation rate (> 0), default 0.1.
    gamma
        Death rate of the predators without prey (> 0), default 1.5.
    delta
        Predator growth per prey eaten (> 0), default 0.75.

    Not chaotic: the system is conservative. ``V = δ x − γ ln x + β y − α ln y`` is constant
    along every orbit in the positive quadrant (it is a Hamiltonian in ``ln x``, ``ln y``), so
    every orbit other than the equilibrium ``(γ/δ, α/β)`` is a closed cycle around it, whose
    period grows with its amplitude (``2π / sqrt(αγ)`` for small cycles). The default initial
    state ``(10, 5)`` lies on a cycle of period 8.0348.
    """

    alpha: float = attrs.field(default=1.0, validator=positive)
    beta: float = attrs.field(default=0.1, validator=positive)
    gamma: float = attrs.field(default=1.5, validator=positive)
    delta: float = attrs.field(default=0.75, validator=positive)

    kind: ClassVar[str] = "flow"
    variables: ClassVar[tuple[str, ...]] = ("x", "y")
    metadata: ClassVar[SystemMetadata] = load_metadata("LotkaVolterra")

    def _rhs(self, t: Any, x: torch.Tensor) -> torch.Tensor:
        u, v = x.unbind(-1)
        return torch.stack(
            (self.alpha * u - self.beta * u * v, self.delta * u * v - self.gamma * v), dim=-1
        )

    def _jacobian(self, t: Any, x: torch.Tensor) -> torch.Tensor:
        u, v = x.unbind(-1)
        rows = (
            torch.stack((self.alpha - self.beta * v, -self.beta * u), dim=-1),
            torch.stack((self.delta * v, self.delta * u - self.gamma), dim=-1),
        )
        return torch.stack(rows, dim=-2)

    def conserved_quantities(self) -> Mapping[str, Callable[[Any], Any]]:
        """``{"first_integral": V}`` (see :meth:`conserved_quantity`)."""
        return {"first_integral": self.conserved_quantity}

    def conserved_quantity(self, x: Any) -> Any:
        """``V = δ x − γ ln x + β y − α ln y`` for states ``(..., 2)`` (numpy or torch)."""
        log = torch.log if isinstance(x, torch.Tensor) else np.log
        u, v = x[..., 0], x[..., 1]
        return self.delta * u - self.gamma * log(u) + self.beta * v - self.alpha * log(v)
