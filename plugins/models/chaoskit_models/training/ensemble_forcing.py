"""Teacher forcing of an ensemble: one unroll of stacked cells, the forcing state per member.

The strategies of :mod:`~chaoskit_models.training.forcing` run the same unroll functions
(:func:`free_unroll`, :func:`sparse_unroll`, :func:`gtf_unroll`) on an ensemble view of stacked
cells and windows ``(E, B, T, N)``. Generalized teacher forcing keeps α per member: the mixing
weight is a tensor ``(E, 1, 1)``, and every ``update_every`` batches the estimate α* comes from
each member's own Jacobians, all members' spectral norms computed in one batched call (in
closed form for M ≤ 3, :func:`spectral_norms`); each member's α is annealed by the same rule as
in a single fit.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import torch
from chaoskit import CapabilityError, ParameterError

from .forcing import (
    GeneralizedForcing,
    alpha_of_growth,
    anneal,
    free_unroll,
    growth,
    gtf_unroll,
    sparse_unroll,
)
from .protocol import EnsembleRuntime, ForcingRuntime, LatentCell, TrainingProblem

__all__ = ["FreeEnsemble", "GeneralizedEnsemble", "MemberForcing", "SparseEnsemble", "spectral_norms"]


def _check_windows(x: torch.Tensor, runtime: EnsembleRuntime) -> None:
    if x.ndim != 4 or x.shape[2] < 2 or x.shape[0] != len(runtime.active):
        raise ParameterError(
            f"ensemble teacher forcing needs windows (member, batch, time >= 2, features) for the "
            f"{len(runtime.active)} active members, got shape {tuple(x.shape)}"
        )


def spectral_norms(jac: torch.Tensor) -> torch.Tensor:
    """Spectral norms ``‖J‖₂`` of float64 matrices ``(..., M, M)``: closed forms for M ≤ 3.

    ``torch.linalg.matrix_norm(ord=2)`` runs one small SVD per matrix, which dominates the α
    estimate of an ensemble (E × B × T matrices). For M ≤ 3 the largest eigenvalue of ``JᵀJ``
    has a closed form: M = 2 from the trace and determinant, M = 3 by the trigonometric
    solution of the characteristic cubic (Smith 1961). Both agree with the SVD to ~1e-15
    relative (a few 1e-9 when the two largest singular values nearly coincide); larger M
    falls back to ``matrix_norm``.
    """
    m = jac.shape[-1]
    if m == 1:
        return jac[..., 0, 0].abs()
    if m == 2:
        fro2 = jac.square().sum(dim=(-2, -1))
        det = jac[..., 0, 0] * jac[..., 1, 1] - jac[..., 0, 1] * jac[..., 1, 0]
        return torch.sqrt(0.5 * (fro2 + torch.sqrt((fro2 * fro2 - 4.0 * det * det).clamp_min(0.0))))
    if m != 3:
        return torch.linalg.matrix_norm(jac, ord=2)
    s = jac.mT @ jac  # symmetric positive semi-definite
    a, b, c = s[..., 0, 0], s[..., 1, 1], s[..., 2, 2]
    d, e, f = s[..., 0, 1], s[..., 0, 2], s[..., 1, 2]
    q = (a + b + c) / 3.0
    off = d * d + e * e + f * f
    p = torch.sqrt(((a - q).square() + (b - q).square() + (c - q).square() + 2.0 * off) / 6.0)
    safe = torch.where(p > 0, p, torch.ones_like(p))
    ba, bb, bc = (a - q) / safe, (b - q) / safe, (c - q) / safe
    bd, be, bf = d / safe, e / safe, f / safe
    det = ba * (bb * bc - bf * bf) - bd * (bd * bc - bf * be) + be * (bd * bf - bb * be)
    phi = torch.acos((0.5 * det).clamp(-1.0, 1.0)) / 3.0
    top = q + 2.0 * p * torch.cos(phi)
    return torch.sqrt(top.clamp_min(0.0))


class FreeEnsemble(EnsembleRuntime):
    """Free running for every member."""

    def unroll(self, cell: LatentCell, x: torch.Tensor) -> torch.Tensor:
        _check_windows(x, self)
        return free_unroll(cell, x)


class SparseEnsemble(EnsembleRuntime):
    """Sparse teacher forcing with the same interval τ for every member."""

    def __init__(self, interval: int, members: int) -> None:
        super().__init__(members)
        self.interval = interval

    def unroll(self, cell: LatentCell, x: torch.Tensor) -> torch.Tensor:
        _check_windows(x, self)
        return sparse_unroll(cell, x, self.interval)

    @property
    def alpha(self) -> float:
        return 1.0 / self.interval


class GeneralizedEnsemble(EnsembleRuntime):
    """Generalized teacher forcing with one α (constant or adaptive) per member."""

    def __init__(self, config: GeneralizedForcing, members: int) -> None:
        super().__init__(members)
        self.config = config
        start = config.alpha_start if config.adaptive else float(config.alpha)
        self.values = [float(start)] * self.members
        self.estimates = [math.nan] * self.members
        self.batches = 0
        self._pending: tuple[LatentCell, torch.Tensor, list[int]] | None = None

    @property
    def alphas(self) -> list[float]:
        self._settle()
        return list(self.values)

    @property
    def alpha(self) -> float:
        self._settle()
        return max(self.values[i] for i in self.active) if self.active else 0.0

    def unroll(self, cell: LatentCell, x: torch.Tensor) -> torch.Tensor:
        _check_windows(x, self)
        self._settle()
        collect = False
        if self.training:
            self.batches += 1
            collect = self.config.adaptive and self.batches % self.config.update_every == 0
        values = [self.values[i] for i in self.active]
        weight = torch.tensor(values, dtype=x.dtype, device=x.device).view(-1, *([1] * (x.ndim - 2)))
        preds, inferred = gtf_unroll(cell, x, weight, force=any(v > 0.0 for v in values), collect=collect)
        if inferred is not None:
            # The new α applies from the next batch on, so the estimate can wait until it is
            # needed: after this batch's backward pass has freed the graph (a third faster than
            # amid the graph's memory). The view holds this batch's parameters.
            self._pending = (cell, inferred, list(self.active))
        return preds

    def _settle(self) -> None:
        """Apply the pending α estimate (of the last collecting batch), if any."""
        if self._pending is None:
            return
        cell, inferred, active = self._pending
        self._pending = None
        g = growth(cell, inferred, spectral_norms).tolist()  # one G per member of that batch
        for i, g_i in zip(active, g, strict=True):
            self.estimates[i] = alpha_of_growth(float(g_i))
            self.values[i] = anneal(self.values[i], self.estimates[i], self.config.gamma)

    def state_dict(self) -> dict[str, Any]:
        self._settle()
        return {"alpha": list(self.values), "estimate": list(self.estimates), "batches": int(self.batches)}

    def load_state_dict(self, state: Mapping[str, Any]) -> None:
        self.values = [float(v) for v in state["alpha"]]
        self.estimates = [float(v) for v in state["estimate"]]
        self.batches = int(state["batches"])


class MemberForcing(ForcingRuntime):
    """What a member's loss closure sees as its forcing: its slice of the ensemble's unroll.

    The ensemble loop calls :meth:`loss` with the member's windows and predictions; the model's
    loss closure then calls :meth:`unroll`, which returns those predictions (it must be called
    exactly once, with the member's module and windows).
    """

    def __init__(self, runtime: EnsembleRuntime, index: int) -> None:
        self.runtime, self.index = runtime, index
        self.expected: tuple[Any, Any, Any] | None = None

    def unroll(self, cell: LatentCell, x: torch.Tensor) -> torch.Tensor:
        if self.expected is None or cell is not self.expected[0] or x is not self.expected[1]:
            raise CapabilityError(
                "this model's loss unrolls its cell other than once over the training windows, so its "
                "members cannot share one batched unroll; fit the models separately"
            )
        preds = self.expected[2]
        self.expected = None
        return preds

    def loss(self, problem: TrainingProblem, windows: torch.Tensor, preds: torch.Tensor) -> torch.Tensor:
        """The member's loss on ``windows`` given its predictions ``preds``."""
        self.expected = (problem.module, windows, preds)
        value = problem.loss(problem.module, windows, self)
        if self.expected is not None:
            self.expected = None
            raise CapabilityError(
                "this model's loss does not unroll its cell through the teacher forcing, so it cannot "
                "be trained as an ensemble; fit the models separately"
            )
        return value

    @property
    def alpha(self) -> float:
        return self.runtime.alphas[self.index]
