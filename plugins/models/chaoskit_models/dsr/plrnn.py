"""The piecewise-linear RNN (Durstewitz 2017; Koppe et al. 2019)."""

from __future__ import annotations

import attrs
import torch
from chaoskit.validators import integer
from torch import nn

from .cell import DSRCell
from .fast_path import Mix
from .gtf_model import GTFModel
from .init import plrnn_a_w_h
from .members import add_diag, linear, per_member
from .observation import IdentityObservation
from .plrnn_unroll import pwl_forced_states

__all__ = ["PLRNN", "PLRNNCell", "plrnn_jacobian", "plrnn_step"]


class PLRNNCell(DSRCell):
    """``z_{t+1} = A⊙z_t + W·relu(z_t) + h`` with ``A`` diagonal and ``W`` off-diagonal.

    ``W`` is stored as a full matrix and used through a fixed off-diagonal mask, so its
    diagonal never acts and gets no gradient. Initialisation: ``A = diag(K)``,
    ``W = offdiag(K)``, ``h = 0`` with ``K`` from
    :func:`~chaoskit_models.dsr.init.normalized_positive_definite`.

    Jacobian: ``J = diag(A) + W·diag(1[z > 0])``.
    """

    offdiag: torch.Tensor  # a buffer (register_buffer)

    def __init__(self, latent_dim: int, observation: nn.Module, gen: torch.Generator) -> None:
        super().__init__(latent_dim, observation)
        a, w, h = plrnn_a_w_h(latent_dim, gen)
        self.A = nn.Parameter(a)
        self.W = nn.Parameter(w)
        self.h = nn.Parameter(h)
        self.register_buffer("offdiag", 1.0 - torch.eye(latent_dim, dtype=torch.float64), persistent=False)

    def connectivity(self) -> torch.Tensor:
        """The effective off-diagonal ``W``."""
        return self.W * self.offdiag

    def step(self, z: torch.Tensor) -> torch.Tensor:
        return plrnn_step(self.A, self.connectivity().T, self.h, z)

    def forced_states(self, x: torch.Tensor, mix: Mix) -> torch.Tensor | None:
        """The teacher-forcing strategies' fast path (:mod:`.plrnn_unroll`); ``None`` where it does not apply."""
        return pwl_forced_states(self, x, mix, (self.A, self.connectivity(), self.h), linear_units=0,
                                 identity=isinstance(self.observation, IdentityObservation), ensemble=False)

    def jacobian(self, z: torch.Tensor) -> torch.Tensor:
        return plrnn_jacobian(self.A, self.connectivity(), z)

    def penalty(self) -> torch.Tensor:
        """``‖1 − A‖² + ‖W‖² + ‖h‖²``."""
        return (1.0 - self.A).square().sum() + self.connectivity().square().sum() + self.h.square().sum()


def plrnn_step(a: torch.Tensor, w_t: torch.Tensor, h: torch.Tensor, z: torch.Tensor) -> torch.Tensor:
    """``A⊙z + W·relu(z) + h`` with ``w_t = Wᵀ``, for one cell or per member (:mod:`.members`)."""
    return torch.addcmul(linear(torch.relu(z), w_t, h), per_member(a, z), z)


def plrnn_jacobian(a: torch.Tensor, w: torch.Tensor, z: torch.Tensor) -> torch.Tensor:
    """``diag(A) + W·diag(1[z > 0])``, ``(..., M, M)``, for one cell or per member."""
    return add_diag(a, z, per_member(w, z, matrix=True) * (z > 0).to(z.dtype).unsqueeze(-2))


@attrs.define(frozen=True, kw_only=True, slots=False)
class PLRNN(GTFModel):
    """Piecewise-linear RNN (Durstewitz 2017; Koppe et al. 2019), trained with adaptive GTF.

    ``z_{t+1} = A⊙z_t + W·relu(z_t) + h`` (see :class:`PLRNNCell`). All parameters of
    :class:`~chaoskit_models.dsr.gtf_model.GTFModel`; ``latent_dim`` defaults to 20.
    """

    latent_dim: int = attrs.field(default=20, validator=integer(1))

    def _make_cell(self, observation: nn.Module, gen: torch.Generator, data_range: tuple[float, float]) -> DSRCell:
        return PLRNNCell(self.latent_dim, observation, gen)
