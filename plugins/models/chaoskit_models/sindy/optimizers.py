"""Sparse regression for SINDy: sequentially thresholded least squares (STLSQ) and SR3.

Both follow pysindy's semantics and defaults (pysindy 2.1), in float64 on the Gram matrix of
the library (see :mod:`.regression`), and return coefficients ``(variables, terms)``.
"""

from __future__ import annotations

import abc
import warnings
from typing import Any, ClassVar

import attrs
import numpy as np
import scipy.linalg
from chaoskit.validators import boolean, choice, integer, nonnegative, positive

from .config import component, to_config
from .regression import Regression

__all__ = ["OPTIMIZERS", "SR3", "STLSQ", "Optimizer", "SINDyConvergenceWarning", "as_optimizer"]


class SINDyConvergenceWarning(UserWarning):
    """A sparse regression stopped at ``max_iter`` before its support or iterate settled."""


class Optimizer(abc.ABC):
    """A sparse regression ``Ẋ ≈ Θ Ξᵀ``: ``fit(problem)`` returns ``Ξ`` ``(variables, terms)``."""

    kind: ClassVar[str] = ""

    @abc.abstractmethod
    def fit(self, problem: Regression) -> np.ndarray:
        """The sparse coefficients of ``problem`` ``(targets, terms)``."""

    def to_config(self) -> dict[str, Any]:
        return to_config(self)


def _unbiased(problem: Regression, coef: np.ndarray) -> np.ndarray:
    """Least squares without regularisation on each target's support (pysindy's ``unbias``)."""
    out = np.zeros_like(coef)
    for i in range(problem.n_targets):
        support = np.abs(coef[i]) > 1e-14
        if support.any():
            out[i, support] = problem.solve(i, support)
    return out


@attrs.frozen(kw_only=True)
class STLSQ(Optimizer):
    """Sequentially thresholded least squares (Brunton, Proctor & Kutz 2016), pysindy's default.

    Each iteration solves, per variable, the ridge problem ``min ‖ẋ_i − Θ_S ξ‖² + α‖ξ‖²`` on
    the current support ``S`` and drops the terms with ``|ξ_j| < threshold``; it stops when the
    support no longer changes (warning after ``max_iter`` iterations). With ``unbias`` the
    final coefficients are refit by plain least squares on the support.

    Parameters
    ----------
    threshold
        Smallest coefficient magnitude kept (≥ 0); default 0.1 as pysindy.
    alpha
        Ridge penalty (≥ 0), absolute (not scaled by the number of samples); default 0.05.
    max_iter
        Iterations at most; default 20.
    unbias
        Refit the support without the ridge; default ``True``.
    normalize_columns
        Scale every library column to unit L2 norm first, so ``threshold`` and ``alpha`` apply to
        the coefficients of the normalised columns (pysindy's option; default ``False``).
    """

    kind: ClassVar[str] = "stlsq"
    threshold: float = attrs.field(default=0.1, validator=nonnegative)
    alpha: float = attrs.field(default=0.05, validator=nonnegative)
    max_iter: int = attrs.field(default=20, validator=integer(1))
    unbias: bool = attrs.field(default=True, validator=boolean)
    normalize_columns: bool = attrs.field(default=False, validator=boolean)

    def fit(self, problem: Regression) -> np.ndarray:
        n_targets, n_terms = problem.n_targets, problem.n_terms
        unit = problem.norms if self.normalize_columns else np.ones(n_terms)
        scale = 1.0 / unit if self.normalize_columns else None
        support = np.ones((n_targets, n_terms), dtype=bool)
        coef = np.zeros((n_targets, n_terms))
        emptied = False
        for _ in range(self.max_iter):
            coef = np.zeros((n_targets, n_terms))
            keep = np.zeros_like(support)
            for i in range(n_targets):
                if not support[i].any():
                    emptied = True
                    continue
                coef[i, support[i]] = problem.solve(i, support[i], self.alpha, scale)
                keep[i] = support[i] & (np.abs(coef[i] * unit) >= self.threshold)
                coef[i, ~keep[i]] = 0.0
            settled = bool(np.array_equal(keep, support))
            support = keep
            if settled or not support.any():
                emptied = emptied or not support.any()
                break
        else:
            warnings.warn(
                f"STLSQ did not settle on a support within max_iter = {self.max_iter} iterations; "
                "raise max_iter or the threshold",
                SINDyConvergenceWarning,
                stacklevel=3,
            )
        if emptied:
            warnings.warn(
                f"STLSQ: threshold = {self.threshold} removed every term of at least one equation; "
                "lower the threshold",
                SINDyConvergenceWarning,
                stacklevel=3,
            )
        return _unbiased(problem, coef) if self.unbias else coef


@attrs.frozen(kw_only=True)
class SR3(Optimizer):
    """Sparse relaxed regularized regression (Zheng et al. 2019; Champion et al. 2020).

    Minimises ``½‖Ẋ − Θ W‖² + λ R(U) + ‖W − U‖² / (2ν)`` by alternating the exact ``W`` update
    ``(ΘᵀΘ + I/ν) W = ΘᵀẊ + U/ν`` and the proximal ``U`` update, starting from least squares;
    the returned coefficients are the sparse ``U``. Stops when ``‖U_k − U_{k−1}‖_F / ν < tol``.

    The strength is given as the proximal ``threshold`` (as for STLSQ) rather than pysindy's
    ``reg_weight_lam`` λ: for ``"l0"`` the prox keeps entries with ``|w| > threshold``
    (λ = threshold² / (2ν)); for ``"l1"`` it soft-thresholds by ``threshold`` (λ = threshold / ν).

    Parameters
    ----------
    threshold
        Proximal threshold (≥ 0); default 0.1.
    nu
        Relaxation ν (> 0); default 1 as pysindy.
    regularizer
        ``"l0"`` (hard threshold, pysindy's default) or ``"l1"`` (soft threshold).
    max_iter, tol
        Iteration limit (default 30) and tolerance (default 1e-5), as pysindy.
    unbias
        Refit the support by least squares (default ``False``, as pysindy's SR3).
    normalize_columns
        As for :class:`STLSQ`.
    """

    kind: ClassVar[str] = "sr3"
    threshold: float = attrs.field(default=0.1, validator=nonnegative)
    nu: float = attrs.field(default=1.0, validator=positive)
    regularizer: str = attrs.field(default="l0", validator=choice(("l0", "l1")))
    max_iter: int = attrs.field(default=30, validator=integer(1))
    tol: float = attrs.field(default=1e-5, validator=positive)
    unbias: bool = attrs.field(default=False, validator=boolean)
    normalize_columns: bool = attrs.field(default=False, validator=boolean)

    def fit(self, problem: Regression) -> np.ndarray:
        d = problem.norms
        # work with equilibrated columns: v = d·w; normalised columns threshold v itself
        gram = problem.gram / np.outer(d, d)
        cross = problem.cross / d[:, None]
        unit = np.ones_like(d) if self.normalize_columns else d
        if self.normalize_columns:
            system = gram + np.eye(d.size) / self.nu
        else:
            system = gram + np.diag(1.0 / (self.nu * d * d))
        factor = scipy.linalg.cho_factor(system, check_finite=False)
        u = (problem.lstsq_all() * d).T  # (terms, targets), equilibrated
        for _ in range(self.max_iter):
            rhs = cross + (u / unit[:, None] ** 2 if not self.normalize_columns else u) / self.nu
            w = scipy.linalg.cho_solve(factor, rhs, check_finite=False)
            u_new = self._prox(w / unit[:, None]) * unit[:, None]
            change = np.linalg.norm((u_new - u) / unit[:, None]) / self.nu
            u = u_new
            if change < self.tol:
                break
        else:
            warnings.warn(
                f"SR3 did not converge within max_iter = {self.max_iter} iterations "
                f"(tol = {self.tol}); "
                "raise max_iter",
                SINDyConvergenceWarning,
                stacklevel=3,
            )
        coef = (u / d[:, None]).T
        return _unbiased(problem, coef) if self.unbias else coef

    def _prox(self, w: np.ndarray) -> np.ndarray:
        if self.regularizer == "l0":
            return w * (np.abs(w) > self.threshold)
        return np.sign(w) * np.maximum(np.abs(w) - self.threshold, 0.0)


OPTIMIZERS: dict[str, type] = {cls.kind: cls for cls in (STLSQ, SR3)}


def as_optimizer(value: Any) -> Optimizer:
    """An :class:`Optimizer` from an instance, a kind name or a config dict."""
    return component(value, OPTIMIZERS, "optimizer")
