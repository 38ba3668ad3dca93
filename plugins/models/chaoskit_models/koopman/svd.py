"""Rank truncation of a singular value decomposition.

Three rules choose how many singular triplets to keep:

- ``None`` (the default of every model here): the optimal hard threshold of Gavish & Donoho
  (2014) for an unknown noise level, ``τ = ω(β)·median(σ)`` with the approximation
  ``ω(β) ≈ 0.56β³ − 0.95β² + 1.82β + 1.43`` and ``β = min(m, n)/max(m, n)``;
- an ``int`` ``k ≥ 1``: exactly ``k``;
- a ``float`` in ``(0, 1)``: the smallest rank whose singular values carry that fraction of
  the energy ``Σσ²``;
- ``"full"``: every numerically non-zero singular value.

Whatever the rule, singular values below the numerical rank (``σ ≤ σ₁·max(m, n)·ε``) are never
kept: they are round-off, and dividing by them is what makes DMD blow up.
"""

from __future__ import annotations

import numbers
from typing import Any, Literal

import numpy as np
import torch
from chaoskit import DataError, ParameterError

__all__ = ["Rank", "optimal_threshold", "rank_validator", "truncated_svd", "truncation_rank"]

#: A rank rule: ``None`` (optimal hard threshold), ``int``, energy ``float`` or ``"full"``.
Rank = int | float | Literal["full"] | None


def omega(beta: float) -> float:
    """Gavish–Donoho's ``ω(β)`` for an unknown noise level (their cubic approximation)."""
    return 0.56 * beta**3 - 0.95 * beta**2 + 1.82 * beta + 1.43


def optimal_threshold(singular_values: np.ndarray, shape: tuple[int, int]) -> float:
    """The optimal hard threshold ``ω(β)·median(σ)`` of a matrix of ``shape``.

    Parameters
    ----------
    singular_values
        All ``min(shape)`` singular values of the matrix (the median needs all of them).
    shape
        ``(m, n)`` of the matrix.
    """
    m, n = shape
    beta = min(m, n) / max(m, n)
    return omega(beta) * float(np.median(np.asarray(singular_values, dtype=float)))


def numerical_rank(singular_values: np.ndarray, shape: tuple[int, int]) -> int:
    """The number of singular values above ``σ₁·max(shape)·ε`` (float64 round-off)."""
    s = np.asarray(singular_values, dtype=float)
    if s.size == 0 or s[0] <= 0:
        return 0
    return int(np.sum(s > s[0] * max(shape) * np.finfo(np.float64).eps))


def truncation_rank(singular_values: np.ndarray, shape: tuple[int, int], rank: Rank) -> int:
    """How many singular triplets ``rank`` keeps (see the module docstring).

    Raises
    ------
    ParameterError
        An explicit rank larger than ``min(shape)``.
    DataError
        An explicit rank larger than the numerical rank of the data, or data of rank 0.
    """
    s = np.asarray(singular_values, dtype=float)
    available = numerical_rank(s, shape)
    if available == 0:
        raise DataError(f"the {shape[0]}×{shape[1]} snapshot matrix is zero; nothing to decompose")
    if rank is None:
        k = int(np.sum(s > optimal_threshold(s, shape)))
    elif isinstance(rank, str):
        k = available
    elif isinstance(rank, numbers.Integral):
        k = int(rank)
        if k > min(shape):
            raise ParameterError(
                f"rank = {k} exceeds what the data allow: the snapshot matrix is "
                f"{shape[0]}×{shape[1]}, so its rank is at most {min(shape)}; "
                "use a smaller rank, more snapshots, or rank=None (optimal hard threshold)"
            )
        if k > available:
            raise DataError(
                f"rank = {k} exceeds the numerical rank {available} of the "
                f"{shape[0]}×{shape[1]} snapshot matrix (the other singular values are round-off); "
                f"use rank <= {available} or rank=None"
            )
    else:
        energy = np.cumsum(s**2) / np.sum(s**2)
        k = int(np.searchsorted(energy, float(rank) * (1 - 1e-12)) + 1)
    return max(1, min(k, available))


def truncated_svd(
    matrix: torch.Tensor, rank: Rank
) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """Economy SVD of ``matrix`` ``(m, n)`` truncated by ``rank``: ``(U_k, σ_k, V_kᴴ)``.

    Computed with ``torch.linalg.svd`` on the tensor's device and dtype (use float64 or
    complex128); ``σ`` is real.
    """
    u, s, vh = torch.linalg.svd(matrix, full_matrices=False)
    k = truncation_rank(s.cpu().numpy(), tuple(matrix.shape), rank)  # type: ignore[arg-type]
    return u[:, :k], s[:k], vh[:k]


def rank_validator(instance: Any, attribute: Any, value: Any) -> None:
    """attrs validator of a :data:`Rank` field."""
    where = f"{type(instance).__name__}.{attribute.name}"
    if value is None or value == "full" and isinstance(value, str):
        return
    if isinstance(value, (bool, np.bool_)):
        raise ParameterError(
            f"{where} must be None, 'full', an int >= 1 or a float in (0, 1), got {value!r}"
        )
    if isinstance(value, numbers.Integral):
        if value < 1:
            raise ParameterError(f"{where} must be >= 1 when an integer, got {value}")
        return
    if isinstance(value, numbers.Real) and 0.0 < float(value) < 1.0:
        return
    raise ParameterError(
        f"{where} must be None (optimal hard threshold), 'full', an int >= 1 (that rank) or a "
        f"float in (0, 1) (energy fraction), got {value!r}"
    )
