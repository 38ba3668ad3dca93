"""The almost-linear RNN (AL-RNN, Brenner et al. 2024): only P of M units are piecewise linear."""

from __future__ import annotations

from typing import Any, ClassVar

import attrs
import torch
import xarray as xr
from chaoskit import ParameterError
from chaoskit.validators import integer, nonnegative, positive
from torch import nn

from ..training.forcing import SparseForcing
from ..training.protocol import TeacherForcing
from .cell import DSRCell
from .fast_path import Mix
from .init import normalized_positive_definite
from .members import add_diag, linear, per_member
from .model import DSRModel
from .observation import IdentityObservation
from .plrnn_unroll import pwl_forced_states
from .symbolic import MAX_PWL_UNITS, symbolic_encoding

__all__ = ["ALRNN", "ALRNNCell", "alrnn_jacobian", "alrnn_step"]


class ALRNNCell(DSRCell):
    """``z_{t+1} = A⊙z_t + W·Φ(z_t) + h``, ``Φ(z) = [z_1 … z_{M−P}, relu(z_{M−P+1}) … relu(z_M)]``.

    The first ``M − P`` units are linear, the last ``P`` rectified, so the map is linear inside
    each of at most ``2^P`` subregions (sign patterns of the last P units). With the identity
    observation the first N units are read out.

    Initialisation (authors' code): ``A = diag(K)`` (normalized positive-definite ``K``),
    ``W ~ N(0, 0.01²)`` (full, diagonal included), ``h = 0``.

    Jacobian: ``J = diag(A) + W·diag(d)``, ``d_i = 1`` for linear units, ``1[z_i > 0]`` for the
    rectified ones.
    """

    def __init__(self, latent_dim: int, observation: nn.Module, gen: torch.Generator, *, pwl_units: int) -> None:
        super().__init__(latent_dim, observation)
        if not 0 <= pwl_units <= latent_dim:
            raise ValueError(f"pwl_units must lie in [0, latent_dim = {latent_dim}], got {pwl_units}")
        self.pwl_units = int(pwl_units)
        self.A = nn.Parameter(torch.diagonal(normalized_positive_definite(latent_dim, gen)).clone())
        self.W = nn.Parameter(0.01 * torch.randn(latent_dim, latent_dim, generator=gen, dtype=torch.float64))
        self.h = nn.Parameter(torch.zeros(latent_dim, dtype=torch.float64))
        # the split index, not a mask buffer: the module's state is its parameters only, so
        # checkpoints, saved files and resumed runs see exactly the trained tensors
        self.n_linear = latent_dim - self.pwl_units

    def step(self, z: torch.Tensor) -> torch.Tensor:
        return alrnn_step(self.A, self.W.T, self.h, z, linear_units=self.n_linear)

    def forced_states(self, x: torch.Tensor, mix: Mix) -> torch.Tensor | None:
        """The teacher-forcing strategies' fast path (:mod:`.plrnn_unroll`); ``None`` where it does not apply."""
        return pwl_forced_states(self, x, mix, (self.A, self.W, self.h), linear_units=self.n_linear,
                                 identity=isinstance(self.observation, IdentityObservation), ensemble=False)

    def jacobian(self, z: torch.Tensor) -> torch.Tensor:
        return alrnn_jacobian(self.A, self.W, z, linear_units=self.n_linear)

    def penalty(self) -> torch.Tensor:
        """``‖1 − A‖² + ‖W‖² + ‖h‖²``."""
        return (1.0 - self.A).square().sum() + self.W.square().sum() + self.h.square().sum()

    def region(self, z: torch.Tensor) -> torch.Tensor:
        """The sign pattern ``1[z > 0]`` of the P rectified units, ``(..., P)`` booleans."""
        return z[..., self.n_linear :] > 0


def alrnn_step(a: torch.Tensor, w_t: torch.Tensor, h: torch.Tensor, z: torch.Tensor, *,
               linear_units: int) -> torch.Tensor:
    """``A⊙z + W·Φ(z) + h`` (``w_t = Wᵀ``, ``Φ`` relu from unit ``linear_units`` on), one cell or per member."""
    k = linear_units
    phi = torch.cat([z[..., :k], torch.relu(z[..., k:])], dim=-1)
    return torch.addcmul(linear(phi, w_t, h), per_member(a, z), z)


def alrnn_jacobian(a: torch.Tensor, w: torch.Tensor, z: torch.Tensor, *, linear_units: int) -> torch.Tensor:
    """``diag(A) + W·diag(d)``, ``d`` 1 on the linear units and ``1[z > 0]`` on the others; one cell or per member."""
    k = linear_units
    slope = torch.cat([torch.ones_like(z[..., :k]), (z[..., k:] > 0).to(z.dtype)], dim=-1)
    return add_diag(a, z, per_member(w, z, matrix=True) * slope.unsqueeze(-2))


def _pwl_units(instance: Any, attribute: Any, value: Any) -> None:
    integer(0)(instance, attribute, value)
    if value > instance.latent_dim:
        raise ParameterError(
            f"{type(instance).__name__}.pwl_units = {value} exceeds latent_dim = {instance.latent_dim}: "
            "at most all M units can be piecewise linear; lower pwl_units or raise latent_dim"
        )
    if value > MAX_PWL_UNITS:
        raise ParameterError(
            f"{type(instance).__name__}.pwl_units = {value}: at most {MAX_PWL_UNITS} rectified units "
            "can be encoded symbolically"
        )


@attrs.define(frozen=True, kw_only=True, slots=False)
class ALRNN(DSRModel):
    """Almost-linear RNN (Brenner et al. 2024), trained with sparse teacher forcing.

    ``z_{t+1} = A⊙z_t + W·Φ(z_t) + h`` with relu on only the last P units (see
    :class:`ALRNNCell`), so the learned map is linear inside each of at most ``2^P`` subregions;
    :meth:`symbolic` encodes a generated trajectory by the subregions it visits.

    Parameters
    ----------
    latent_dim
        M (default 20, the paper's Lorenz-63 setting).
    pwl_units
        P, the number of piecewise-linear units, ``0 ≤ P ≤ M`` (default 2).
    forcing_interval
        τ of the default trainer's sparse teacher forcing (default 16).
    regularization, noise, lr, lr_end, epochs
        The published Lorenz-63 set-up (Brenner et al. 2024, ``settings/lorenz63.json`` of their
        code) is the default: no latent regularization, training noise 0.05, RAdam 1e-3 → 1e-5
        over 2,000 epochs of 50 batches (100,000 steps, 20-25 CPU minutes for M = 20; shorter
        runs end on a fixed point or a cycle, see ``docs/models/dsr.md``).
    **kwargs
        The rest of :class:`~chaoskit_models.dsr.model.DSRModel`'s parameters.
    """

    latent_dim: int = attrs.field(default=20, validator=integer(1))
    pwl_units: int = attrs.field(default=2, validator=_pwl_units)
    forcing_interval: int = attrs.field(default=16, validator=integer(1))
    regularization: float = attrs.field(default=0.0, validator=nonnegative)
    noise: float = attrs.field(default=0.05, validator=nonnegative)
    lr: float = attrs.field(default=1e-3, validator=positive)
    lr_end: float = attrs.field(default=1e-5, validator=positive)
    epochs: int = attrs.field(default=2000, validator=integer(1))

    # τ sets only the default trainer's forcing (fit_ensemble compares the resolved trainers)
    ensemble_free: ClassVar[frozenset[str]] = DSRModel.ensemble_free | {"forcing_interval"}

    def _make_cell(self, observation: nn.Module, gen: torch.Generator, data_range: tuple[float, float]) -> DSRCell:
        return ALRNNCell(self.latent_dim, observation, gen, pwl_units=self.pwl_units)

    def default_forcing(self) -> TeacherForcing:
        return SparseForcing(interval=self.forcing_interval)

    def symbolic(self, context: xr.Dataset, steps: int) -> xr.Dataset:
        """The symbolic encoding of the ``steps`` closed-loop states after ``context``.

        See :func:`~chaoskit_models.dsr.symbolic.symbolic_encoding` for the returned Dataset
        (symbol sequence, visited subregions, occupancy, transition graph).
        """
        latent = self.latent_trajectory(context, steps)
        return symbolic_encoding(latent.values, self.pwl_units, time=latent["time"].values)
