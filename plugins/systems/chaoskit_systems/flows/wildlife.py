"""Wildlife population models: fish, disease and birds in the Salton Sea, and the seasonally
forced vole–weasel food web of Turchin and Hanski."""

from __future__ import annotations

import math
from typing import Any, ClassVar

import attrs
import torch
from chaoskit import SystemMetadata
from chaoskit.validators import finite, positive

from ..base import TorchSystem
from ..metadata import load_metadata
from ._matrix_rows import matrix

__all__ = ["SaltonSea", "TurchinHanski"]


@attrs.frozen(kw_only=True)
class SaltonSea(TorchSystem):
    """Eco-epidemiology of the Salton Sea: susceptible fish ``x``, infected fish ``y``, birds ``z``.

    ``ẋ = rx(1 − (x + y)/k) − λxy``, ``ẏ = λxy − myz/(y + a) − μy``, ``ż = θyz/(y + a) − dz``:
    logistic fish growth, infection at rate λ, birds that prey on infected fish with a
    saturating (Holling II) response. Upadhyay, R. K., Bairagi, N., Kundu, K. & Chattopadhyay, J.
    (2007). Chaos in eco-epidemiological problem of the Salton Sea and its possible control.
    Applied Mathematics and Computation.
    """

    a: float = attrs.field(default=15.0, validator=positive)
    d: float = attrs.field(default=8.3, validator=finite)
    k: float = attrs.field(default=400.0, validator=positive)
    lam: float = attrs.field(default=0.06, validator=finite)
    m: float = attrs.field(default=15.5, validator=finite)
    mu: float = attrs.field(default=3.4, validator=finite)
    r: float = attrs.field(default=22.0, validator=finite)
    th: float = attrs.field(default=10.0, validator=finite)

    kind: ClassVar[str] = "flow"
    variables: ClassVar[tuple[str, ...]] = ("x", "y", "z")
    metadata: ClassVar[SystemMetadata] = load_metadata("SaltonSea")

    def _rhs(self, t: Any, x: torch.Tensor) -> torch.Tensor:
        s, i, p = x.unbind(-1)
        infection = self.lam * s * i
        predation = i * p / (i + self.a)
        return torch.stack(
            (
                self.r * s * (1.0 - (s + i) / self.k) - infection,
                infection - self.m * predation - self.mu * i,
                self.th * predation - self.d * p,
            ),
            dim=-1,
        )

    def _jacobian(self, t: Any, x: torch.Tensor) -> torch.Tensor:
        s, i, p = x.unbind(-1)
        r, k, lam, a = self.r, self.k, self.lam, self.a
        holling = i / (i + a)
        slope = a / (i + a) ** 2  # d/di of i / (i + a)
        return matrix(
            s,
            (
                (r * (1.0 - (2.0 * s + i) / k) - lam * i, -r * s / k - lam * s, 0.0),
                (lam * i, lam * s - self.m * p * slope - self.mu, -self.m * holling),
                (0.0, self.th * p * slope, self.th * holling - self.d),
            ),
        )


@attrs.frozen(kw_only=True)
class TurchinHanski(TorchSystem):
    """Vole–weasel model with seasonal forcing, the season carried as a phase ``θ = 2πt``.

    ``ṅ = r(1 − e sin θ)n − rn² − gn²/(n² + h²) − anp/(n + d)``,
    ``ṗ = s(1 − e sin θ)p − sp²/n``, ``θ̇ = 2π``:
    logistic voles ``n`` eaten by generalist predators (type III) and weasels ``p`` (type II),
    weasels limited by the vole density, both with a seasonal growth rate. Turchin, P. &
    Hanski, I. (1997). An empirically based model for latitudinal gradient in vole population
    dynamics. American Naturalist 149, 842–874. ``θ`` grows without bound (unbounded index 2).
    """

    a: float = attrs.field(default=8.0, validator=finite)
    d: float = attrs.field(default=0.04, validator=positive)
    e: float = attrs.field(default=0.5, validator=finite)
    g: float = attrs.field(default=0.1, validator=finite)
    h: float = attrs.field(default=0.8, validator=finite)
    r: float = attrs.field(default=8.12, validator=finite)
    s: float = attrs.field(default=1.25, validator=finite)

    kind: ClassVar[str] = "flow"
    variables: ClassVar[tuple[str, ...]] = ("n", "p", "theta")
    metadata: ClassVar[SystemMetadata] = load_metadata("TurchinHanski")

    def _rhs(self, t: Any, x: torch.Tensor) -> torch.Tensor:
        n, p, theta = x.unbind(-1)
        season = 1.0 - self.e * torch.sin(theta)
        nn = n * n
        dn = (self.r * season * n - self.r * nn - self.g * nn / (nn + self.h**2)
              - self.a * n * p / (n + self.d))
        dp = self.s * season * p - self.s * p * p / n
        return torch.stack((dn, dp, torch.full_like(theta, 2.0 * math.pi)), dim=-1)

    def _jacobian(self, t: Any, x: torch.Tensor) -> torch.Tensor:
        n, p, theta = x.unbind(-1)
        season = 1.0 - self.e * torch.sin(theta)
        dseason = -self.e * torch.cos(theta)
        h2 = self.h**2
        return matrix(
            n,
            (
                (self.r * season - 2.0 * self.r * n - 2.0 * self.g * h2 * n / (n * n + h2) ** 2
                 - self.a * self.d * p / (n + self.d) ** 2,
                 -self.a * n / (n + self.d), self.r * dseason * n),
                (self.s * p * p / (n * n), self.s * season - 2.0 * self.s * p / n,
                 self.s * dseason * p),
                (0.0, 0.0, 0.0),
            ),
        )
