"""Ridge regression by accumulated normal equations, in float64, for closed-form readouts.

Readouts of reservoir computers (ESN, NG-RC) are linear in their features, so they are fit by
ridge regression. The feature matrix can be far larger than memory when there are many
members, so the normal equations are accumulated chunk by chunk and solved once.
"""

from __future__ import annotations

import itertools

import torch
from chaoskit import ChaoskitError, DataError

__all__ = ["NormalEquations"]

_GRAM_BLOCKS = 4
_GRAM_MIN_BLOCK = 128


class NormalEquations:
    """Accumulate ``XᵀX`` and ``XᵀY`` of ``X = [1, features]`` and solve the ridge problem.

    The solution minimises ``‖Y − X Wᵀ‖² + ridge·‖W[:, 1:]‖²``: the intercept (first column of
    ``W``) is not penalised, and ``ridge`` is absolute (it is not scaled by the number of
    samples, as in reservoirpy and scikit-learn).

    Parameters
    ----------
    features, targets
        Numbers of feature columns (without the intercept) and of target columns.
    device
        Where the sums are accumulated (always in float64).
    """

    def __init__(self, features: int, targets: int, *, device: torch.device) -> None:
        size = features + 1
        # only the upper block triangle of XᵀX is accumulated (the product is symmetric): with
        # four column blocks that is 5/8 of the multiply-adds, measured 1.3x faster at 500
        # features; ``solve`` mirrors it. The intercept column is added in closed form.
        self.gram = torch.zeros(size, size, dtype=torch.float64, device=device)
        self.cross = torch.zeros(size, targets, dtype=torch.float64, device=device)
        blocks = max(1, min(_GRAM_BLOCKS, features // _GRAM_MIN_BLOCK))
        self._edges = [round(i * features / blocks) for i in range(blocks + 1)]
        self.samples = 0

    def add(self, x: torch.Tensor, y: torch.Tensor) -> None:
        """Add samples: ``x`` of shape ``(n, features)``, ``y`` of shape ``(n, targets)``."""
        x, y = x.to(torch.float64).contiguous(), y.to(torch.float64)
        gram, edges = self.gram[1:, 1:], self._edges
        for lo, hi in itertools.pairwise(edges):
            gram[lo:hi, lo:].addmm_(x[:, lo:hi].T, x[:, lo:])
        self.gram[0, 0] += x.shape[0]
        self.gram[0, 1:] += x.sum(dim=0)
        self.cross[0] += y.sum(dim=0)
        self.cross[1:].addmm_(x.T, y)
        self.samples += int(x.shape[0])

    def solve(self, ridge: float, *, intercept: bool = True) -> torch.Tensor:
        """The weights ``W`` of shape ``(targets, 1 + features)``, float64, on the CPU.

        Without ``intercept`` the problem is solved without the constant column (its weights,
        ``W[:, 0]``, are zero).

        Solved by Cholesky; where the regularised Gram matrix is not numerically positive
        definite (``ridge = 0`` with collinear features), by least squares (SVD-based ``gelsd``).

        Raises
        ------
        DataError
            When no sample was added, or the solution is not finite.
        """
        if self.samples == 0:
            raise DataError(
                "ridge regression: no training samples (is the washout longer than the data?)"
            )
        upper = self.gram.cpu()
        gram = torch.triu(upper) + torch.triu(upper, diagonal=1).T
        cross = self.cross.cpu()
        penalty = torch.full((gram.shape[0],), float(ridge), dtype=torch.float64)
        penalty[0] = 0.0
        first = 0 if intercept else 1  # without the intercept: the system of the features alone
        system = (gram + torch.diag(penalty))[first:, first:]
        factor, info = torch.linalg.cholesky_ex(system)
        if int(info) == 0:
            solved = torch.cholesky_solve(cross[first:], factor)
        else:
            solved = torch.linalg.lstsq(system, cross[first:], driver="gelsd").solution
        weights = torch.zeros_like(cross)
        weights[first:] = solved
        if not torch.isfinite(weights).all():
            raise ChaoskitError(
                "ridge regression gave non-finite weights; the features are degenerate "
                "(raise ridge, or check the training data for constant or duplicated variables)"
            )
        return weights.T.contiguous()
