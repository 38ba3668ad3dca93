"""Ensemble SINDy (Fasel et al. 2022): bagging over samples and over library terms.

Each of ``n_models`` sub-models is fit by the model's optimizer on a bootstrap sample of the
rows of ``Θ`` (``bagging``; drawn with replacement by default, implemented exactly as sample
weights equal to the draw counts) and/or on the library without ``n_candidates_to_drop``
randomly chosen terms (``library_ensemble``; dropped terms count as zero). The coefficients
are aggregated by the median (pysindy's default, "bragging") or the mean, and the inclusion
probability of every term is the fraction of sub-models in which it is non-zero.
"""

from __future__ import annotations

from typing import Any, ClassVar

import attrs
import numpy as np
from chaoskit import ParameterError
from chaoskit.validators import boolean, choice, integer

from .config import component, to_config
from .optimizers import Optimizer
from .regression import Regression

__all__ = ["Ensemble", "EnsembleFit", "as_ensemble"]


@attrs.frozen
class EnsembleFit:
    """The aggregated coefficients, every sub-model's, and the inclusion probabilities."""

    coefficients: np.ndarray  # (variables, terms)
    models: np.ndarray  # (n_models, variables, terms)
    inclusion: np.ndarray  # (variables, terms), in [0, 1]


def _something_to_bag(instance: Ensemble, attribute: Any, value: bool) -> None:
    boolean(instance, attribute, value)
    if not (instance.bagging or value):
        raise ParameterError("Ensemble needs bagging or library_ensemble (or both) to be True")


@attrs.frozen(kw_only=True)
class Ensemble:
    """Bagging and library bagging around any SINDy optimizer (pysindy's ``EnsembleOptimizer``).

    Parameters
    ----------
    n_models
        Number of sub-models; default 20.
    bagging
        Resample the rows (samples); default ``True``.
    library_ensemble
        Drop ``n_candidates_to_drop`` random terms in every sub-model; default ``False``.
    n_subset
        Rows per sub-model; default: all of them with replacement, 60 % without.
    replace
        Draw rows with replacement (bootstrap); default ``True``.
    n_candidates_to_drop
        Terms dropped per sub-model when ``library_ensemble``; default 1.
    aggregate
        ``"median"`` (default) or ``"mean"`` of the sub-models' coefficients.
    """

    kind: ClassVar[str] = "ensemble"
    n_models: int = attrs.field(default=20, validator=integer(1))
    bagging: bool = attrs.field(default=True, validator=boolean)
    library_ensemble: bool = attrs.field(default=False, validator=_something_to_bag)
    n_subset: int | None = attrs.field(default=None, validator=integer(1, optional=True))
    replace: bool = attrs.field(default=True, validator=boolean)
    n_candidates_to_drop: int = attrs.field(default=1, validator=integer(1))
    aggregate: str = attrs.field(default="median", validator=choice(("median", "mean")))

    def to_config(self) -> dict[str, Any]:
        return to_config(self)

    def fit(
        self, optimizer: Optimizer, theta: np.ndarray, targets: np.ndarray, rng: np.random.Generator
    ) -> EnsembleFit:
        """Fit ``n_models`` sub-models of ``targets ≈ theta Ξᵀ`` and aggregate them."""
        n, n_terms = theta.shape
        subset = self.n_subset or (n if self.replace else max(1, int(0.6 * n)))
        if self.bagging and not self.replace and subset > n:
            raise ParameterError(
                f"Ensemble.n_subset = {subset} exceeds the {n} samples; without replacement "
                "use at most that many, or set replace=True"
            )
        if self.library_ensemble and self.n_candidates_to_drop >= n_terms:
            raise ParameterError(
                f"Ensemble.n_candidates_to_drop = {self.n_candidates_to_drop} would leave no term "
                f"of the {n_terms}-term library; drop fewer"
            )
        models = np.zeros((self.n_models, targets.shape[1], n_terms))
        for m in range(self.n_models):
            weights = None
            if self.bagging:
                if self.replace:
                    weights = np.bincount(rng.integers(0, n, size=subset), minlength=n).astype(
                        float
                    )
                else:
                    weights = np.zeros(n)
                    weights[rng.choice(n, size=subset, replace=False)] = 1.0
            columns = np.arange(n_terms)
            if self.library_ensemble:
                columns = np.sort(
                    rng.choice(n_terms, size=n_terms - self.n_candidates_to_drop, replace=False)
                )
            problem = Regression(
                theta, targets, weights, columns if self.library_ensemble else None
            )
            models[m][:, columns] = optimizer.fit(problem)
        agg = np.median(models, axis=0) if self.aggregate == "median" else models.mean(axis=0)
        return EnsembleFit(coefficients=agg, models=models, inclusion=(models != 0).mean(axis=0))


def as_ensemble(value: Any) -> Ensemble | None:
    """``None``, or an :class:`Ensemble` from an instance, ``"ensemble"`` or a config dict."""
    if value is None:
        return None
    return component(value, {"ensemble": Ensemble}, "ensemble")
