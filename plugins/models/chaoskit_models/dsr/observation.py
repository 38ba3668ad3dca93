"""Observation models of the PLRNN family: how a latent state ``z`` (M) is seen as data ``x`` (N).

Both map ``(..., M) -> (..., N)`` and provide what teacher forcing needs: the latent state at the
first observation (:meth:`initial`) and the data-inferred latent state at a later one
(:meth:`infer`).

- :class:`IdentityObservation` (Hess et al. 2023; Brenner et al. 2024): ``x̂ = z[:N]``, the
  first N latent units are the read-out units. The initial state is ``z₀ = [x₀; L·x₀]`` with a
  learned ``L ∈ R^{(M−N)×N}`` (Glorot-uniform), and forcing replaces the first N units by the
  data.
- :class:`AffineObservation`: ``x̂ = B·z + b`` with ``B ∈ R^{N×M}`` (Kaiming-normal) and ``b = 0``
  at start, both learned. The initial state is ``z₀ = B⁺(x₀ − b)``; forcing moves ``z`` by the
  least-squares (minimum-norm) correction ``ẑ = z + B⁺(x − B·z − b)``, which observes ``x``
  exactly when ``B`` has full row rank and keeps the part of ``z`` that ``B`` does not see.
"""

from __future__ import annotations

import torch
from torch import nn

from .cache import DerivedCache
from .init import glorot_uniform, kaiming_normal

__all__ = ["OBSERVATIONS", "AffineObservation", "IdentityObservation", "make_observation"]

OBSERVATIONS = ("identity", "affine")


class IdentityObservation(nn.Module):
    """``x̂ = z[:N]``; initial state ``[x₀; L·x₀]`` with learned ``L`` (absent when M = N).

    Parameters
    ----------
    obs_dim, latent_dim
        N and M, with ``M ≥ N``.
    gen
        Generator for the Glorot-uniform draw of ``L``.
    """

    def __init__(self, obs_dim: int, latent_dim: int, gen: torch.Generator) -> None:
        super().__init__()
        if latent_dim < obs_dim:
            raise ValueError(f"identity observation needs latent_dim >= obs_dim, got {latent_dim} < {obs_dim}")
        self.obs_dim = obs_dim
        self.latent_dim = latent_dim
        hidden = latent_dim - obs_dim
        self.L = nn.Parameter(glorot_uniform(hidden, obs_dim, gen)) if hidden else None

    def initial(self, x0: torch.Tensor) -> torch.Tensor:
        """``[x₀; L·x₀]`` of shape ``(..., M)``."""
        if self.L is None:
            return x0
        return torch.cat([x0, x0 @ self.L.T], dim=-1)

    def observe(self, z: torch.Tensor) -> torch.Tensor:
        """The first N units."""
        return z[..., : self.obs_dim]

    def infer(self, z: torch.Tensor, x: torch.Tensor) -> torch.Tensor:
        """``z`` with its first N units replaced by ``x``."""
        if self.L is None:
            return x
        return torch.cat([x, z[..., self.obs_dim :]], dim=-1)

    def forcing_signal(self, x: torch.Tensor) -> torch.Tensor:
        """The latent state inferred from ``x`` alone, ``[x; 0]`` (the reference code's forcing signal)."""
        if self.L is None:
            return x
        return torch.cat([x, x.new_zeros(*x.shape[:-1], self.latent_dim - self.obs_dim)], dim=-1)


class AffineObservation(nn.Module):
    """``x̂ = B·z + b``; initial state ``B⁺(x₀ − b)``; forcing by the least-squares correction.

    The pseudo-inverse ``B⁺`` is computed once while ``B`` is unchanged (see
    :class:`~chaoskit_models.dsr.cache.DerivedCache`), not at every step.
    """

    def __init__(self, obs_dim: int, latent_dim: int, gen: torch.Generator) -> None:
        super().__init__()
        self.obs_dim = obs_dim
        self.latent_dim = latent_dim
        self.B = nn.Parameter(kaiming_normal(obs_dim, latent_dim, gen))
        self.b = nn.Parameter(torch.zeros(obs_dim, dtype=torch.float64))
        self.cache = DerivedCache()

    def pinv(self) -> torch.Tensor:
        """``B⁺`` ``(M, N)``, differentiable; cached while ``B`` is unchanged."""
        return self.cache.get("pinv", (self.B,), lambda: torch.linalg.pinv(self.B))

    def initial(self, x0: torch.Tensor) -> torch.Tensor:
        return (x0 - self.b) @ self.pinv().T

    def observe(self, z: torch.Tensor) -> torch.Tensor:
        return z @ self.B.T + self.b

    def infer(self, z: torch.Tensor, x: torch.Tensor) -> torch.Tensor:
        return z + (x - self.observe(z)) @ self.pinv().T

    def forcing_signal(self, x: torch.Tensor) -> torch.Tensor:
        """The latent state inferred from ``x`` alone, ``B⁺(x − b)`` (the reference code's forcing signal)."""
        return self.initial(x)


def make_observation(kind: str, obs_dim: int, latent_dim: int, gen: torch.Generator) -> nn.Module:
    """The observation model named ``kind`` (``"identity"`` or ``"affine"``)."""
    if kind == "identity":
        return IdentityObservation(obs_dim, latent_dim, gen)
    if kind == "affine":
        return AffineObservation(obs_dim, latent_dim, gen)
    raise ValueError(f"unknown observation {kind!r}; expected one of {OBSERVATIONS}")
