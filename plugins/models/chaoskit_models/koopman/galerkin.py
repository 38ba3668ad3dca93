"""The EDMD matrices ``G``, ``A``, ``L`` from dictionary snapshots, and the Koopman matrix ``K``."""

from __future__ import annotations

import warnings
from typing import Any

import attrs
import numpy as np
import torch
from chaoskit import DataError

from ._common import ConditioningWarning, as_tensor, linalg_device, to_numpy

__all__ = ["Galerkin", "galerkin_matrices", "koopman_matrix", "whiten"]

#: Relative eigenvalue of ``G`` below which it counts as singular (pseudo-inverse, warning).
SINGULAR_RCOND = 1e-12
#: Condition number of ``G`` above which a warning says the solve loses digits.
ILL_CONDITIONED = 1e10


@attrs.frozen(eq=False)
class Galerkin:
    """``G = Ψ_XᴴWΨ_X``, ``A = Ψ_XᴴWΨ_Y``, ``L = Ψ_YᴴWΨ_Y`` (``W``: weights summing to 1).

    With uniform weights ``1/M`` these are the brief's ``G = Ψ_XᵀΨ_X/M`` etc.: quadrature
    approximations of ``⟨ψ_j, ψ_i⟩``, ``⟨Kψ_j, ψ_i⟩`` and ``⟨Kψ_j, Kψ_i⟩`` in ``L²(μ)``.
    """

    g: np.ndarray
    a: np.ndarray
    l: np.ndarray  # the paper's name
    samples: int


def galerkin_matrices(
    psi_x: Any, psi_y: Any, *, weights: Any = None, device: str = "cpu"
) -> Galerkin:
    """The Galerkin matrices of snapshots ``psi_x``, ``psi_y`` ``(M, N)`` (``Ψ_Y = Ψ(F(x_m))``).

    Parameters
    ----------
    psi_x, psi_y
        Dictionary values at the ``M`` points and at their images, real or complex.
    weights
        Quadrature weights ``(M,)`` (default ``1/M``); normalised to sum to 1.
    device
        Where torch forms the products (float64 or complex128).

    Raises
    ------
    DataError
        Shapes that differ, fewer snapshots than functions (``M < N``: the matrices are then
        singular and every residual vanishes), or non-finite values.
    """
    dev = linalg_device("galerkin_matrices", device)
    px = psi_x if isinstance(psi_x, torch.Tensor) else as_tensor(np.asarray(psi_x), dev)
    py = psi_y if isinstance(psi_y, torch.Tensor) else as_tensor(np.asarray(psi_y), dev)
    if px.ndim != 2 or px.shape != py.shape:
        raise DataError(
            f"EDMD: Ψ_X and Ψ_Y must be matrices of one shape (M, N), got {tuple(px.shape)} and {tuple(py.shape)}"
        )
    m, n = px.shape
    if m < n:
        raise DataError(
            f"EDMD: the dictionary has {n} functions but there are only {m} snapshot pairs; "
            "G would be singular and the fit meaningless. Use a smaller dictionary "
            "(lower degree, fewer centres or features) or more data"
        )
    if not (torch.isfinite(px).all() and torch.isfinite(py).all()):
        raise DataError(
            "EDMD: the dictionary values are not finite (overflowing monomials?); standardize the data or lower the degree"
        )
    dtype = torch.complex128 if (px.is_complex() or py.is_complex()) else torch.float64
    px, py = px.to(dtype), py.to(dtype)
    if weights is None:
        w = torch.full((m, 1), 1.0 / m, dtype=torch.float64, device=px.device)
    else:
        w = torch.as_tensor(np.asarray(weights, dtype=np.float64), device=px.device).reshape(m, 1)
        if (w < 0).any() or not torch.isfinite(w).all() or float(w.sum()) <= 0:
            raise DataError(
                "EDMD: quadrature weights must be finite, non-negative and not all zero"
            )
        w = w / w.sum()
    wx = px * w
    return Galerkin(
        g=to_numpy(wx.conj().T @ px),
        a=to_numpy(wx.conj().T @ py),
        l=to_numpy((py * w).conj().T @ py),
        samples=int(m),
    )


def koopman_matrix(
    g: np.ndarray, a: np.ndarray, *, ridge: float = 0.0, owner: str = "EDMD"
) -> np.ndarray:
    """``K = (G + ridge·‖G‖ I)⁺ A = SSᴴA``: the EDMD matrix, ``Ψ_Y ≈ Ψ_X K``. See :func:`whiten`."""
    s = whiten(g, ridge=ridge, owner=owner)
    return s @ (s.conj().T @ a)


def whiten(
    g: np.ndarray, *, ridge: float = 0.0, owner: str = "EDMD", warn: bool = True
) -> np.ndarray:
    """``S`` ``(N, k)`` with ``SSᴴ = (G + ridge·‖G‖ I)⁺`` and ``SᴴGS = I`` (without ridge).

    From an eigendecomposition of the Hermitian ``G``: ``S = Q_k D_k^{-1/2}`` over the
    eigenvalues above ``SINGULAR_RCOND·‖G‖`` (after adding ``ridge·‖G‖``). ``ΨS`` is an
    orthonormal basis of the dictionary's span on the data; ``K`` maps it into itself through
    ``SᴴAS``, so EDMD's eigenpairs are computed there, free of the null space of ``G``.
    Dropping eigenvalues (a singular ``G``) warns with :class:`ConditioningWarning`, as does a
    condition number above ``ILL_CONDITIONED``.

    Raises
    ------
    DataError
        When ``G`` is zero (the dictionary vanishes on the data).
    """
    g = (g + g.conj().T) / 2
    d, q = np.linalg.eigh(g)
    top = float(d[-1]) if d.size else 0.0
    if top <= 0:
        raise DataError(f"{owner}: the Gram matrix G is zero; the dictionary vanishes on the data")
    shifted = d + ridge * top
    keep = shifted > SINGULAR_RCOND * top
    if warn and not keep.all():
        warnings.warn(
            f"{owner}: the Gram matrix G ({len(d)} functions) is singular to working precision "
            f"(numerical rank {int(keep.sum())}): some dictionary functions are linearly dependent "
            "on the data. EDMD works in the span of the others (pseudo-inverse, minimum-norm K); "
            "drop the dependent functions or set ridge > 0",
            ConditioningWarning,
            stacklevel=3,
        )
    elif warn and top / shifted[0] > ILL_CONDITIONED:
        warnings.warn(
            f"{owner}: the Gram matrix G is ill-conditioned (condition number {top / shifted[0]:.1e}); "
            "K may have lost digits. Standardize the data, lower the degree, or set ridge > 0",
            ConditioningWarning,
            stacklevel=3,
        )
    return q[:, keep] / np.sqrt(shifted[keep])
