"""The shallow PLRNN and its clipped variant (Hess et al. 2023)."""

from __future__ import annotations

from typing import ClassVar

import attrs
import torch
from chaoskit.validators import integer
from torch import nn

from .cache import DerivedCache
from .cell import DSRCell
from .fast_path import Mix, fusable
from .gtf_model import GTFModel
from .init import normalized_positive_definite, uniform_fan_in
from .members import add_diag, linear, per_member
from .observation import IdentityObservation
from .shallow_unroll import shallow_unroll

__all__ = [
    "ClippedShallowPLRNN", "ShallowPLRNN", "ShallowPLRNNCell", "shallow_jacobian", "shallow_step", "shallow_wide",
]


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
        # the hidden layer's weights (stacked to width 2L when clipped) are built once while the
        # parameters are unchanged, not at every step
        wide = self.cache.get("wide", (self.W1, self.W2, self.h2), self._wide)
        return shallow_step(self.A, *wide, self.h1, z)

    def _wide(self) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        return shallow_wide(self.W1, self.W2, self.h2, clipped=self.clipped)

    def forced_states(self, x: torch.Tensor, mix: Mix) -> torch.Tensor | None:
        """The teacher-forcing strategies' fast path (:mod:`.shallow_unroll`); ``None`` where it does not apply."""
        plain = isinstance(self.observation, IdentityObservation) and self.observation.L is None
        if x.ndim != 3 or not fusable(x, self.latent_dim, plain):
            return None
        params = (self.A, self.W1, self.W2, self.h1, self.h2)
        a, w1, w2, h1, h2 = (p.unsqueeze(0) for p in params)
        return shallow_unroll(a, w1, w2, h1, h2, x.unsqueeze(0), mix, clipped=self.clipped)[0]

    def jacobian(self, z: torch.Tensor) -> torch.Tensor:
        params = (self.A, self.W1, self.W2, self.h2)  # the ensemble form with one member
        a, w1, w2, h2 = (p.unsqueeze(0) for p in params)
        return shallow_jacobian(a, w1, w2, h2, z.unsqueeze(0), clipped=self.clipped)[0]

    def penalty(self) -> torch.Tensor:
        """``‖1 − A‖² + ‖W₁‖² + ‖W₂‖² + ‖h₁‖² + ‖h₂‖²``."""
        return (
            (1.0 - self.A).square().sum() + self.W1.square().sum() + self.W2.square().sum()
            + self.h1.square().sum() + self.h2.square().sum()
        )


def shallow_wide(w1: torch.Tensor, w2: torch.Tensor, h2: torch.Tensor, *,
                 clipped: bool) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """The hidden layer as one relu layer, ``(W₂ᵀ, b₂, W₁ᵀ)``, for one cell or per member (:mod:`.members`).

    Clipped: ``W₁·[relu(W₂z + h₂) − relu(W₂z)] = [W₁, −W₁]·relu([W₂; W₂]z + [h₂; 0])``, a layer of
    width 2L — a training step at these sizes is bound by per-operation overhead, and this is 4
    operations per step instead of 7–11. ``w1`` ``([E,] M, L)``, ``w2`` ``([E,] L, M)``, ``h2`` ``([E,] L)``.
    """
    if clipped:
        w1, w2 = torch.cat([w1, -w1], dim=-1), torch.cat([w2, w2], dim=-2)
        h2 = torch.cat([h2, torch.zeros_like(h2)], dim=-1)
    return w2.transpose(-1, -2), h2, w1.transpose(-1, -2)


def shallow_step(a: torch.Tensor, w2_t: torch.Tensor, b2: torch.Tensor, w1_t: torch.Tensor, h1: torch.Tensor,
                 z: torch.Tensor) -> torch.Tensor:
    """``A⊙z + W₁·relu(W₂z + b₂) + h₁`` with the layer of :func:`shallow_wide`, one cell or per member."""
    hidden = torch.relu(linear(z, w2_t, b2))
    return torch.addcmul(linear(hidden, w1_t, h1), per_member(a, z), z)


def shallow_jacobian(a: torch.Tensor, w1: torch.Tensor, w2: torch.Tensor, h2: torch.Tensor, z: torch.Tensor, *,
                     clipped: bool) -> torch.Tensor:
    """``diag(A) + W₁·diag(1[W₂z > −h₂] − clipped·1[W₂z > 0])·W₂`` per member, ``(E, ..., M, M)``.

    ``J = diag(A) + Σ_l slope_l · W₁[:, l] ⊗ W₂[l, :]``: an ``(M·M, L) × (L, K)`` product over the
    K states (K as the long output dim). The clipped slope ``1[u > −h₂] − 1[u > 0]`` is
    ``sign(h₂)·1[|u + h₂/2| < |h₂|/2]`` (equal up to the boundary points), the sign going into the
    outer products: 3 passes over the ``(L, K)`` slopes, not 6. Members are processed in chunks
    whose slopes fit in the cache (3× faster than all at once for 20 × 3,184 states).
    """
    members, m = w1.shape[0], z.shape[-1]
    zt, h2_ = z.reshape(members, -1, m).transpose(1, 2), h2.unsqueeze(2)
    outer = (w1.unsqueeze(2) * w2.transpose(1, 2).unsqueeze(1)).reshape(members, m * m, -1)
    if clipped:
        outer = outer * torch.sign(h2).unsqueeze(1)
    chunk = max(1, (1 << 18) // (zt.shape[2] * w2.shape[1]))  # slopes (chunk, L, K)
    parts = []
    for i in range(0, members, chunk):
        part = slice(i, i + chunk)
        if clipped:
            centred = torch.baddbmm(0.5 * h2_[part], w2[part], zt[part])  # u + h₂/2, (E', L, K)
            slope = (centred.abs_() < 0.5 * h2_[part].abs()).to(z.dtype)
        else:
            slope = (torch.baddbmm(h2_[part], w2[part], zt[part]) > 0).to(z.dtype)
        parts.append(torch.bmm(outer[part], slope))
    rest = torch.cat(parts).transpose(1, 2).reshape(*z.shape, m)
    return add_diag(a, z, rest)


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
