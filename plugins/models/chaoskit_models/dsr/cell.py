"""The base of every latent cell of the PLRNN family (a :class:`~chaoskit_models.training.protocol.LatentCell`)."""

from __future__ import annotations

import abc
from collections.abc import Sequence
from typing import Any, cast

import torch
from torch import nn

from ..training.protocol import LatentCell
from .cache import DerivedCache

__all__ = ["DSRCell", "Observed"]


class Observed:
    """``initial``, ``observe``, ``infer`` and ``forcing_signal`` of a cell, from its ``observation``.

    Shared by the cells (:class:`DSRCell`) and their stacked ensemble views (:mod:`.stacked`).
    """

    observation: Any

    def initial(self, x0: torch.Tensor) -> torch.Tensor:
        """The latent state ``(..., M)`` at the first observation ``x0`` ``(..., N)``."""
        return self.observation.initial(x0)

    def observe(self, z: torch.Tensor) -> torch.Tensor:
        """The observation ``(..., N)`` of latent states ``(..., M)``."""
        return self.observation.observe(z)

    def infer(self, z: torch.Tensor, x: torch.Tensor) -> torch.Tensor:
        """The data-inferred latent state at observation ``x`` given the model's ``z``."""
        return self.observation.infer(z, x)

    def forcing_signal(self, x: torch.Tensor) -> torch.Tensor:
        """The latent state inferred from observations ``x`` alone (where α* is estimated)."""
        return self.observation.forcing_signal(x)


class DSRCell(Observed, nn.Module, abc.ABC):
    """A latent map ``z_{t+1} = F(z_t)`` with an observation model (the LatentCell protocol).

    Subclasses define :meth:`step`, its closed-form :meth:`jacobian` and the L2 :meth:`penalty`
    of the published regularisation; ``initial``, ``observe`` and ``infer`` delegate to the
    observation model (see :mod:`chaoskit_models.dsr.observation`). Each cell module states its
    map and Jacobian once, as functions of parameters that the cell calls with its own and the
    ensemble view (:mod:`.stacked`) with all members' stacked along a leading dim
    (:mod:`.members`). All methods are batched over leading dims, and ``step`` uses no in-place operation on tensors it did not
    create, so it works under ``torch.func`` transforms. A cell may also offer the forcing
    strategies a fused unroll (``forced_states``, :mod:`.fast_path`).

    Parameters
    ----------
    latent_dim
        M, the number of latent units.
    observation
        An observation module with ``obs_dim`` N.
    """

    def __init__(self, latent_dim: int, observation: nn.Module) -> None:
        super().__init__()
        self.latent_dim = int(latent_dim)
        # an observation module (.observation) has an int obs_dim; nn.Module's stub cannot know
        self.obs_dim = int(cast(int, observation.obs_dim))
        self.observation = observation

    # ------------------------------------------------------------------ LatentCell protocol
    def initial(self, x0: torch.Tensor) -> torch.Tensor:
        """The latent state ``(..., M)`` at the first observation ``x0`` ``(..., N)``.

        Starts an unroll: the derived-tensor caches of the cell and its observation model are
        cleared, so that each unroll's autograd graph holds its own (see
        :mod:`~chaoskit_models.dsr.cache`).
        """
        for module in self.modules():
            cache = getattr(module, "cache", None)
            if isinstance(cache, DerivedCache):
                cache.clear()
        return super().initial(x0)

    @abc.abstractmethod
    def step(self, z: torch.Tensor) -> torch.Tensor:
        """One step of the latent map, ``(..., M) -> (..., M)``."""

    @abc.abstractmethod
    def jacobian(self, z: torch.Tensor) -> torch.Tensor:
        """``∂F/∂z`` in closed form, ``(..., M, M)``."""

    @abc.abstractmethod
    def penalty(self) -> torch.Tensor:
        """The published L2 regulariser of the latent model (a scalar, before the factor λ)."""

    def forward(self, z: torch.Tensor) -> torch.Tensor:
        return self.step(z)

    def stack_members(self, cells: Sequence[nn.Module]) -> LatentCell:
        """``cells`` (this class and configuration) as one ensemble cell; see :mod:`.stacked`."""
        from .stacked import stack_cells

        return stack_cells(cells)
