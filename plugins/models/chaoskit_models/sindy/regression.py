"""The least-squares problem ``ẋ ≈ Θ ξ`` behind every SINDy optimizer, solved from its Gram matrix.

``Θ`` has many rows (samples) and few columns (library terms). The Gram matrix ``G = ΘᵀWΘ``
and ``B = ΘᵀWẊ`` (``W``: sample weights, the counts of a bootstrap sample when bagging) are
formed once, in float64; every ridge or least-squares solve on a subset of the columns is then
a Cholesky factorisation of a small matrix. The columns are equilibrated (scaled to unit norm)
before factorising, which leaves the solution unchanged and keeps the normal equations well
conditioned when the terms have very different scales (``1`` against ``z³``). Where the
matrix is singular (collinear terms without ridge), the solve falls back to ``numpy.linalg.lstsq``
on the rows themselves; where those are rank-deficient too, the minimum-norm solution is used
and a :class:`~chaoskit_models.conditioning.ConditioningWarning` says so (once per problem).
"""

from __future__ import annotations

import warnings

import numpy as np
import scipy.linalg

from ..conditioning import ConditioningWarning

__all__ = ["Regression"]


class Regression:
    """``min ‖√W (y_i − Θ ξ)‖² + α‖ξ‖²`` for each target ``i`` and any subset of columns.

    Parameters
    ----------
    theta
        Library matrix ``(samples, terms)``, float64.
    targets
        Derivatives ``(samples, variables)``, float64.
    weights
        Optional non-negative sample weights ``(samples,)``.
    columns
        Optional subset of the columns of ``theta`` to use (library ensembling).
    """

    def __init__(
        self,
        theta: np.ndarray,
        targets: np.ndarray,
        weights: np.ndarray | None = None,
        columns: np.ndarray | None = None,
    ) -> None:
        self.theta = theta if columns is None else theta[:, columns]
        self.targets = targets
        self.weights = weights
        weighted = self.theta if weights is None else self.theta * weights[:, None]
        self.gram = weighted.T @ self.theta
        self.cross = weighted.T @ targets
        norms = np.sqrt(np.clip(np.diag(self.gram), 0.0, None))
        self.norms = np.where(norms > 0, norms, 1.0)
        self.warned = False  # the rank-deficiency warning is given once per problem

    @property
    def n_terms(self) -> int:
        return int(self.gram.shape[0])

    @property
    def n_targets(self) -> int:
        return int(self.cross.shape[1])

    def solve(
        self, target: int, support: np.ndarray, alpha: float = 0.0, scale: np.ndarray | None = None
    ) -> np.ndarray:
        """Ridge coefficients on the columns ``support`` (bool mask or indices) for one target.

        ``alpha`` penalises ``‖ξ / scale‖²`` (``scale`` defaults to ones): with column
        normalisation the penalty acts on the coefficients of the normalised columns.
        """
        idx = np.flatnonzero(support) if np.asarray(support).dtype == bool else np.asarray(support)
        if idx.size == 0:
            return np.zeros(0)
        d = self.norms[idx]
        g = self.gram[np.ix_(idx, idx)] / np.outer(d, d)
        b = self.cross[idx, target] / d
        if alpha > 0:
            s = np.ones(idx.size) if scale is None else scale[idx]
            g = g + np.diag(alpha / (d * s) ** 2)
        try:
            factor = scipy.linalg.cho_factor(g, lower=False, check_finite=False)
            diag = np.abs(np.diag(factor[0]))
            # cond(G) ≥ (max/min of the Cholesky diagonal)²: beyond ~1e12, use the rows instead
            if diag.min() > 1e-6 * diag.max():
                v = scipy.linalg.cho_solve(factor, b, check_finite=False)
                if np.all(np.isfinite(v)):
                    return v / d
        except (np.linalg.LinAlgError, scipy.linalg.LinAlgError):
            pass
        return self._lstsq(target, idx, alpha, scale)

    def _lstsq(
        self, target: int, idx: np.ndarray, alpha: float, scale: np.ndarray | None
    ) -> np.ndarray:
        a = self.theta[:, idx]
        y = self.targets[:, target]
        if self.weights is not None:
            root = np.sqrt(self.weights)
            a, y = a * root[:, None], y * root
        if alpha > 0:
            s = np.ones(idx.size) if scale is None else scale[idx]
            a = np.vstack([a, np.diag(np.sqrt(alpha) / s)])
            y = np.concatenate([y, np.zeros(idx.size)])
        solution, _, rank, _ = np.linalg.lstsq(a, y, rcond=None)
        if rank < idx.size and not self.warned:
            self.warned = True
            warnings.warn(
                f"SINDy: {idx.size} library terms are linearly dependent on the training data "
                f"(numerical rank {rank}), so their coefficients are not unique; the minimum-norm "
                "least-squares solution is used. Add ridge (the optimizer's alpha > 0) or drop "
                "dependent terms (e.g. 1, s² and c² when s² + c² = 1)",
                ConditioningWarning, stacklevel=2,
            )
        return solution

    def lstsq_all(self) -> np.ndarray:
        """Unregularised least squares on all columns, ``(targets, terms)``."""
        full = np.arange(self.n_terms)
        return np.stack([self.solve(i, full) for i in range(self.n_targets)])
