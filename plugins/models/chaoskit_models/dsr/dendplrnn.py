"""The dendritic PLRNN (Brenner et al. 2022): a PLRNN with a basis expansion of each unit."""

from __future__ import annotations

import attrs
import torch
from chaoskit.validators import boolean, integer
from torch import nn

from .cell import DSRCell
from .gtf_model import GTFModel
from .init import plrnn_a_w_h, uniform_fan_in
from .members import add_diag, linear, per_member

__all__ = ["DendPLRNN", "DendPLRNNCell", "dend_expansion", "dend_jacobian", "dend_step"]


class DendPLRNNCell(DSRCell):
    """``z_{t+1} = A⊙z_t + W·φ(z_t) + h``, ``φ(z) = Σ_b α_b·relu(z − H_b)`` (B bases).

    With ``clipped=True`` each basis becomes ``α_b·[relu(z − H_b) − relu(z)]``, which is bounded,
    so orbits stay bounded when ``max|A| < 1`` (the "clipped PLRNN" of Brenner et al. 2022).

    Initialisation: ``A, W, h`` as for the PLRNN; ``α ~ U(±1/√B)``; thresholds ``H ∈ R^{M×B}``
    uniform over the data range ``(low, high)`` when given (as the reference code does with the
    training data), standard normal otherwise.

    Jacobian: ``J = diag(A) + W·diag(Σ_b α_b·(1[z > H_b] − clipped·1[z > 0]))``.
    """

    offdiag: torch.Tensor  # a buffer (register_buffer)

    def __init__(
        self,
        latent_dim: int,
        observation: nn.Module,
        gen: torch.Generator,
        *,
        bases: int,
        clipped: bool = False,
        data_range: tuple[float, float] | None = None,
    ) -> None:
        super().__init__(latent_dim, observation)
        a, w, h = plrnn_a_w_h(latent_dim, gen)
        self.A = nn.Parameter(a)
        self.W = nn.Parameter(w)
        self.h = nn.Parameter(h)
        self.alpha = nn.Parameter(uniform_fan_in((bases,), bases, gen))
        if data_range is None:
            thresholds = torch.randn(latent_dim, bases, generator=gen, dtype=torch.float64)
        else:
            low, high = data_range
            thresholds = low + (high - low) * torch.rand(latent_dim, bases, generator=gen, dtype=torch.float64)
        self.H = nn.Parameter(thresholds)
        self.clipped = bool(clipped)
        self.register_buffer("offdiag", 1.0 - torch.eye(latent_dim, dtype=torch.float64), persistent=False)

    def connectivity(self) -> torch.Tensor:
        """The effective off-diagonal ``W``."""
        return self.W * self.offdiag

    def expansion(self, z: torch.Tensor) -> torch.Tensor:
        """``φ(z)`` ``(..., M)``."""
        return dend_expansion(self.H, self.alpha, z, clipped=self.clipped)

    def step(self, z: torch.Tensor) -> torch.Tensor:
        return dend_step(self.A, self.connectivity().T, self.h, self.H, self.alpha, z, clipped=self.clipped)

    def jacobian(self, z: torch.Tensor) -> torch.Tensor:
        return dend_jacobian(self.A, self.connectivity(), self.H, self.alpha, z, clipped=self.clipped)

    def penalty(self) -> torch.Tensor:
        """``‖1 − A‖² + ‖W‖² + ‖h‖² + ‖α‖²``."""
        return (
            (1.0 - self.A).square().sum() + self.connectivity().square().sum()
            + self.h.square().sum() + self.alpha.square().sum()
        )


def _basis_sum(basis: torch.Tensor, weights: torch.Tensor) -> torch.Tensor:
    """``Σ_b α_b·basis[..., b]``: one matrix-vector product, per member for ``weights`` ``(E, B)``."""
    if weights.ndim == 1:
        return basis @ weights
    members = weights.shape[0]
    return torch.bmm(basis.reshape(members, -1, basis.shape[-1]), weights.unsqueeze(2)).view(basis.shape[:-1])


def dend_expansion(thresholds: torch.Tensor, weights: torch.Tensor, z: torch.Tensor, *, clipped: bool) -> torch.Tensor:
    """``φ(z) = Σ_b α_b·relu(z − H_b)`` (clipped: ``− relu(z)`` per basis), one cell or per member.

    ``thresholds`` H ``(M, B)`` or ``(E, M, B)``, ``weights`` α ``(B,)`` or ``(E, B)`` (:mod:`.members`).
    """
    u = z.unsqueeze(-1)
    basis = torch.relu(u - per_member(thresholds, z, matrix=True))
    if clipped:
        basis = basis - torch.relu(u)
    return _basis_sum(basis, weights)


def dend_step(a: torch.Tensor, w_t: torch.Tensor, h: torch.Tensor, thresholds: torch.Tensor, weights: torch.Tensor,
              z: torch.Tensor, *, clipped: bool) -> torch.Tensor:
    """``A⊙z + W·φ(z) + h`` with ``w_t = Wᵀ``, one cell or per member."""
    phi = dend_expansion(thresholds, weights, z, clipped=clipped)
    return torch.addcmul(linear(phi, w_t, h), per_member(a, z), z)


def dend_jacobian(a: torch.Tensor, w: torch.Tensor, thresholds: torch.Tensor, weights: torch.Tensor, z: torch.Tensor,
                  *, clipped: bool) -> torch.Tensor:
    """``diag(A) + W·diag(Σ_b α_b·(1[z > H_b] − clipped·1[z > 0]))``, one cell or per member."""
    slope = _basis_sum((z.unsqueeze(-1) > per_member(thresholds, z, matrix=True)).to(z.dtype), weights)
    if clipped:
        slope = slope - (z > 0).to(z.dtype) * per_member(weights.sum(-1, keepdim=True), z)
    return add_diag(a, z, per_member(w, z, matrix=True) * slope.unsqueeze(-2))


@attrs.define(frozen=True, kw_only=True, slots=False)
class DendPLRNN(GTFModel):
    """Dendritic PLRNN (Brenner et al. 2022), trained with adaptive GTF.

    ``z_{t+1} = A⊙z_t + W·Σ_b α_b·relu(z_t − H_b) + h`` (see :class:`DendPLRNNCell`); the
    thresholds start uniform over the standardized training data's range.

    Parameters
    ----------
    latent_dim
        M (default 22, the paper's Lorenz-63 setting with ``bases = 20``).
    bases
        B, the number of basis functions per unit.
    clipped
        Use the clipped, bounded bases ``α_b·[relu(z − H_b) − relu(z)]``.
    **kwargs
        The rest of :class:`~chaoskit_models.dsr.gtf_model.GTFModel`'s parameters.
    """

    latent_dim: int = attrs.field(default=22, validator=integer(1))
    bases: int = attrs.field(default=20, validator=integer(1))
    clipped: bool = attrs.field(default=False, validator=boolean)

    def _make_cell(self, observation: nn.Module, gen: torch.Generator, data_range: tuple[float, float]) -> DSRCell:
        return DendPLRNNCell(
            self.latent_dim, observation, gen, bases=self.bases, clipped=self.clipped, data_range=data_range
        )
