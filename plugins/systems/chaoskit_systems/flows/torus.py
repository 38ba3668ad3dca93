"""A quasi-periodic curve on a torus, written as a time-dependent flow."""

from __future__ import annotations

from typing import Any, ClassVar

import attrs
import torch
from chaoskit import SystemMetadata
from chaoskit.validators import finite

from ..base import TorchSystem
from ..metadata import load_metadata

__all__ = ["Torus"]


@attrs.frozen(kw_only=True)
class Torus(TorchSystem):
    """The velocity of the torus knot ``((r + a cos nt) cos t, (r + a cos nt) sin t, a sin nt)``.

    ``ẋ = −an sin(nt) cos t − (r + a cos nt) sin t``,
    ``ẏ = −an sin(nt) sin t + (r + a cos nt) cos t``, ``ż = an cos(nt)``.
    The field depends on time only, so every orbit is that curve shifted by a constant and all
    Lyapunov exponents are exactly 0. For irrational ``n`` the curve winds quasi-periodically;
    the default n = 15.3 = 153/10 closes it after 10 turns (period 20π). See e.g. Strogatz, S. H. (1994). Nonlinear Dynamics and Chaos, §8.6. The time origin is
    the integration's physical time (``transient + time``).
    """

    a: float = attrs.field(default=0.5, validator=finite)
    n: float = attrs.field(default=15.3, validator=finite)
    r: float = attrs.field(default=1.0, validator=finite)

    kind: ClassVar[str] = "flow"
    variables: ClassVar[tuple[str, ...]] = ("x", "y", "z")
    metadata: ClassVar[SystemMetadata] = load_metadata("Torus")

    def _rhs(self, t: Any, x: torch.Tensor) -> torch.Tensor:
        time = torch.zeros_like(x[..., 0]) + torch.as_tensor(t, dtype=x.dtype, device=x.device)
        a, n = self.a, self.n
        radius = self.r + a * torch.cos(n * time)
        wobble = -a * n * torch.sin(n * time)
        cos_t, sin_t = torch.cos(time), torch.sin(time)
        return torch.stack(
            (wobble * cos_t - radius * sin_t, wobble * sin_t + radius * cos_t,
             a * n * torch.cos(n * time)),
            dim=-1,
        )

    def _jacobian(self, t: Any, x: torch.Tensor) -> torch.Tensor:
        return torch.zeros((*x.shape, x.shape[-1]), dtype=x.dtype, device=x.device)
