"""The shallow PLRNN and its clipped variant (Hess et al. 2023)."""

from __future__ import annotations

from typing import ClassVar

import attrs
import torch
from chaoskit.validators import integer
from torch import nn
from torch.nn import functional as F

from .cache import DerivedCache
from .cell import DSRCell
from .fast_path import Mix, fusable
from .gtf_model import GTFModel
from .init import normalized_positive_definite, uniform_fan_in
from .observation import IdentityObservation
from .shallow_unroll import shallow_unroll

__all__ = ["ClippedShallowPLRNN", "ShallowPLRNN", "ShallowPLRNNCell"]


class ShallowPLRNNCell(DSRCell):
    """``z_{t+1} = A⊙z_t + W₁·φ(W₂·z_t) + h₁`` with a hidden layer of width L.

    - shallow PLRNN: ``φ(u) = relu(u + h₂)``;
    - clipped shallow PLRNN (``clipped=True``): ``φ(u) = relu(u + h₂) − relu(u)``, bounded by
      ``|h₂|`` elementwise, so ``|z_{t+1}| ≤ |A|⊙|z_t| + |W₁|·|h₂| + |h₁|`` and every orbit stays
      bounded when ``max|A| < 1``.

    Initialisation (reference code): ``A = diag(K)`` (normalized positive-definite ``K``),
    ``h₁ = 0``, ``W₁ ~ U(±1/√L)`` ``(M, L)``, ``W₂ ~ U(±1/√M)`` ``(L, M)``; ``h₂ = 0`` for the
    shallow PLRNN and ``h₂ ~ U(±1/√L)`` for the clipped one (a zero ``h₂`` would make the clipped
    nonlinearity vanish).

    Jacobian: ``J = diag(A) + W₁·diag(1[W₂z > −h₂] − clipped·1[W₂z > 0])·W₂``.
    """

    def __init__(
        self,
        latent_dim: int,
        observation: nn.Module,
        gen: torch.Generator,
        *,
        hidden_dim: int,
        clipped: bool,
    ) -> None:
        super().__init__(latent_dim, observation)
        self.hidden_dim = int(hidden_dim)
        self.clipped = bool(clipped)
        self.A = nn.Parameter(torch.diagonal(normalized_positive_definite(latent_dim, gen)).clone())
        self.W1 = nn.Parameter(uniform_fan_in((latent_dim, hidden_dim), hidden_dim, gen))
        self.W2 = nn.Parameter(uniform_fan_in((hidden_dim, latent_dim), latent_dim, gen))
        self.h1 = nn.Parameter(torch.zeros(latent_dim, dtype=torch.float64))
        h2 = uniform_fan_in((hidden_dim,), hidden_dim, gen) if clipped else torch.zeros(hidden_dim, dtype=torch.float64)
        self.h2 = nn.Parameter(h2)
        self.cache = DerivedCache()

    def step(self, z: torch.Tensor) -> torch.Tensor:
        # Few, fused operations (linear with bias, addcmul): a training step at these sizes is
        # bound by per-operation overhead, not arithmetic. The clipped layer is evaluated as one
        # relu layer of width 2L, W₁·[relu(W₂z + h₂) − relu(W₂z)] = [W₁, −W₁]·relu([W₂; W₂]z + [h₂; 0]),
        # with the stacked weights built once while the parameters are unchanged.
        if self.clipped:
            w2, b2, w1 = self.cache.get("stacked", (self.W1, self.W2, self.h2), self._stacked)
            hidden = torch.relu(F.linear(z, w2, b2))
        else:
            w1, hidden = self.W1, torch.relu(F.linear(z, self.W2, self.h2))
        return torch.addcmul(F.linear(hidden, w1, self.h1), self.A, z)

    def forced_states(self, x: torch.Tensor, mix: Mix) -> torch.Tensor | None:
        """The teacher-forcing strategies' fast path (:mod:`.shallow_unroll`); ``None`` where it does not apply."""
        plain = isinstance(self.observation, IdentityObservation) and self.observation.L is None
        if x.ndim != 3 or not fusable(x, self.latent_dim, plain):
            return None
        params = (self.A, self.W1, self.W2, self.h1, self.h2)
        return shallow_unroll(*(p.unsqueeze(0) for p in params), x.unsqueeze(0), mix, clipped=self.clipped)[0]

    def _stacked(self) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        return (
            torch.cat([self.W2, self.W2]),
            torch.cat([self.h2, torch.zeros_like(self.h2)]),
            torch.cat([self.W1, -self.W1], dim=1),
        )

    def jacobian(self, z: torch.Tensor) -> torch.Tensor:
        u = F.linear(z, self.W2)
        slope = (u > -self.h2).to(z.dtype)
        if self.clipped:
            slope = slope - (u > 0).to(z.dtype)
        rest = (self.W1 * slope.unsqueeze(-2)) @ self.W2
        return self._diag_plus(self.A, z, rest)

    def penalty(self) -> torch.Tensor:
        """``‖1 − A‖² + ‖W₁‖² + ‖W₂‖² + ‖h₁‖² + ‖h₂‖²``."""
        return (
            (1.0 - self.A).square().sum() + self.W1.square().sum() + self.W2.square().sum()
            + self.h1.square().sum() + self.h2.square().sum()
        )

@attrs.define(frozen=True, kw_only=True, slots=False)
class ShallowPLRNN(GTFModel):
    """Shallow PLRNN (Hess et al. 2023), trained with adaptive GTF.

    ``z_{t+1} = A⊙z_t + W₁·relu(W₂·z_t + h₂) + h₁`` (see :class:`ShallowPLRNNCell`).

    Parameters
    ----------
    latent_dim
        M (default 3: on Lorenz-63 the latent state is the standardized state itself).
    hidden_dim
        L, the width of the hidden layer (default 100).
    **kwargs
        The rest of :class:`~chaoskit_models.dsr.gtf_model.GTFModel`'s parameters.
    """

    latent_dim: int = attrs.field(default=3, validator=integer(1))
    hidden_dim: int = attrs.field(default=100, validator=integer(1))

    clipped: ClassVar[bool] = False

    def _make_cell(self, observation: nn.Module, gen: torch.Generator, data_range: tuple[float, float]) -> DSRCell:
        return ShallowPLRNNCell(self.latent_dim, observation, gen, hidden_dim=self.hidden_dim, clipped=self.clipped)


@attrs.define(frozen=True, kw_only=True, slots=False)
class ClippedShallowPLRNN(ShallowPLRNN):
    """Clipped shallow PLRNN (Hess et al. 2023), trained with adaptive GTF.

    ``z_{t+1} = A⊙z_t + W₁·[relu(W₂·z_t + h₂) − relu(W₂·z_t)] + h₁``: orbits stay bounded when
    ``max|A| < 1``. The paper's Lorenz-63 model: ``latent_dim = 3``, ``hidden_dim = 100``.
    Parameters as :class:`ShallowPLRNN`.
    """

    clipped: ClassVar[bool] = True
