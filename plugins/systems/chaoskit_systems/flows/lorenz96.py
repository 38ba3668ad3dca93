"""The Lorenz-96 model on a ring of any number of sites (Lorenz 1996)."""

from __future__ import annotations

from typing import Any, ClassVar

import attrs
import numpy as np
import torch
from chaoskit import SystemMetadata
from chaoskit.validators import finite, integer

from ..base import TorchSystem
from ..metadata import load_metadata
from ._array_fields import sized_variables

__all__ = ["Lorenz96"]


@attrs.frozen(kw_only=True)
class Lorenz96(TorchSystem):
    """Lorenz-96: ``ẋᵢ = (xᵢ₊₁ − xᵢ₋₂)·xᵢ₋₁ − xᵢ + F`` for ``i = 0 … n−1``, indices modulo ``n``
    (Lorenz 1996, Predictability: a problem partly solved, ECMWF Seminar on Predictability).

    Parameters
    ----------
    n
        Number of sites (≥ 4), default 4, the length of dysts' initial state.
    f
        Forcing F, default 20 (dysts' value; F = 8 is the classic choice for n = 40).

    Default initial states: for ``n = 4`` member 0 starts at the metadata's (dysts') initial
    state; for any other ``n`` it starts at the unstable equilibrium ``xᵢ = F`` with ``x₀``
    raised by ``0.01·max(1, |F|)`` (Lorenz's own start), so give a transient of a few tens of time
    units to reach the attractor. Members ``k ≥ 1`` add the base class's seeded Gaussian
    perturbation of scale ``1e-2·max|x₀|``.
    """

    n: int = attrs.field(default=4, validator=integer(4))
    f: float = attrs.field(default=20.0, validator=finite)

    kind: ClassVar[str] = "flow"
    metadata: ClassVar[SystemMetadata] = load_metadata("Lorenz96")
    # largest RK4 substep (trajectory(method='rk4'), dynamics): the fast time scale (~1/F) is far
    # below period/200
    max_step: ClassVar[float | None] = 0.003

    @sized_variables
    def variables(self) -> tuple[str, ...]:
        """``("x0", …, "x{n-1}")``."""
        return tuple(f"x{i}" for i in range(self.n))

    def _rhs(self, t: Any, x: torch.Tensor) -> torch.Tensor:
        ahead = torch.roll(x, -1, dims=-1)  # x_{i+1}
        behind = torch.roll(x, 1, dims=-1)  # x_{i-1}
        behind2 = torch.roll(x, 2, dims=-1)  # x_{i-2}
        return (ahead - behind2) * behind - x + self.f

    def _jacobian(self, t: Any, x: torch.Tensor) -> torch.Tensor:
        eye = torch.eye(self.n, dtype=x.dtype, device=x.device)
        ahead, behind = torch.roll(x, -1, dims=-1), torch.roll(x, 1, dims=-1)
        behind2 = torch.roll(x, 2, dims=-1)
        # row i has entries at columns i+1 (x_{i-1}), i-2 (-x_{i-1}),
        # i-1 (x_{i+1} - x_{i-2}) and i (-1)
        shift = {k: torch.roll(eye, k, dims=-1) for k in (1, -2, -1)}  # shift[k][i, i+k] = 1
        return (
            behind[..., :, None] * (shift[1] - shift[-2])
            + (ahead - behind2)[..., :, None] * shift[-1]
            - eye
        )

    def _initial_states(self, members: int, seed: int | None) -> tuple[np.ndarray, float]:
        if self.n == len(self.metadata.initial_state):
            return super()._initial_states(members, seed)
        x0 = np.full(self.n, float(self.f))
        x0[0] += 0.01 * max(1.0, abs(float(self.f)))
        scale = self.perturbation * (float(np.max(np.abs(x0))) or 1.0)
        states = np.repeat(x0[None, :], members, axis=0)
        if members > 1:
            rng = np.random.default_rng(seed)
            states[1:] += scale * rng.standard_normal((members - 1, self.n))
        return states, scale
