"""Residual DMD: residuals of eigenpairs, pseudospectra and spectral measures (Colbrook & Townsend).

Everything here works on the Galerkin matrices of :mod:`.galerkin`, ``G = Ψ_XᴴWΨ_X``,
``A = Ψ_XᴴWΨ_Y``, ``L = Ψ_YᴴWΨ_Y``, which approximate ``⟨ψ_j, ψ_i⟩``, ``⟨Kψ_j, ψ_i⟩`` and
``⟨Kψ_j, Kψ_i⟩``. For ``g = Ψv``, ``‖Kg − λg‖² ≈ vᴴ(L − λAᴴ − λ̄A + |λ|²G)v`` — ``L`` is what
makes the residual computable without leaving the dictionary's span.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import scipy.linalg
import torch
from chaoskit import DataError, ParameterError

from ._common import linalg_device, to_numpy
from .galerkin import SINGULAR_RCOND, Galerkin, whiten

__all__ = ["pseudospectrum", "residuals", "spectral_measure", "unitary_kernel"]

#: Bytes of batched ``N × N`` matrices formed at once by :func:`pseudospectrum`.
CHUNK_BYTES = 1 << 27


def residuals(galerkin: Galerkin, eigenvalues: Any, vectors: Any) -> np.ndarray:
    """``res(λ_j, g_j) = √(v_jᴴ(L − λ_jAᴴ − λ̄_jA + |λ_j|²G)v_j / v_jᴴGv_j)`` for each column ``v_j``.

    The relative residual of the candidate eigenpair ``(λ_j, g_j = Ψv_j)``; for a normal
    Koopman operator, ``dist(λ_j, Sp(K)) ≤ res`` (up to quadrature error). Computed from the
    squared form, so residuals below ~1e-7 are at its round-off level.
    """
    lam = np.asarray(eigenvalues, dtype=complex)
    v = np.asarray(vectors, dtype=complex)
    g, a, l_ = (np.asarray(m, dtype=complex) for m in (galerkin.g, galerkin.a, galerkin.l))
    gv = g @ v
    quad = l_ @ v - lam * (a.conj().T @ v) - lam.conj() * (a @ v) + np.abs(lam) ** 2 * gv
    num = np.einsum("ij,ij->j", v.conj(), quad).real
    den = np.einsum("ij,ij->j", v.conj(), gv).real
    return np.sqrt(np.maximum(num, 0.0) / np.where(den > 0, den, np.inf))


def pseudospectrum(galerkin: Galerkin, z: Any, *, device: str = "cpu") -> np.ndarray:
    """The smallest residual ``τ(z) = min_g ‖Kg − zg‖/‖g‖`` over the dictionary's span.

    ``τ(z)² `` is the smallest eigenvalue of ``S(L − zAᴴ − z̄A + |z|²G)S`` with
    ``S = G^{-1/2}`` (directions with eigenvalues of ``G`` below ``SINGULAR_RCOND·‖G‖``
    dropped). ``{z : τ(z) < ε}`` approximates the ε-pseudospectrum from inside, with no
    spectral pollution. Batched ``eigvalsh`` over ``z`` with torch on ``device``.

    Returns an array of ``z``'s shape.
    """
    z = np.asarray(z, dtype=complex)
    g = np.asarray(galerkin.g, dtype=complex)
    d, q = np.linalg.eigh((g + g.conj().T) / 2)
    keep = d > SINGULAR_RCOND * max(float(d[-1]), 0.0)
    if not keep.any():
        raise DataError("pseudospectrum: the Gram matrix G is zero")
    s = q[:, keep] / np.sqrt(d[keep])
    lt, at, gt = (
        s.conj().T @ np.asarray(m, dtype=complex) @ s for m in (galerkin.l, galerkin.a, g)
    )
    dev = linalg_device("pseudospectrum", device)
    lt_, at_, gt_ = (torch.as_tensor(m, dtype=torch.complex128, device=dev) for m in (lt, at, gt))
    lt_ = (lt_ + lt_.conj().T) / 2
    flat = z.reshape(-1)
    out = np.empty(flat.shape[0])
    k = lt.shape[0]
    chunk = max(1, CHUNK_BYTES // (16 * k * k))
    for start in range(0, flat.shape[0], chunk):
        zc = torch.as_tensor(flat[start : start + chunk], dtype=torch.complex128, device=dev)[
            :, None, None
        ]
        m = lt_ - zc * at_.conj().T - zc.conj() * at_ + (zc.abs() ** 2) * gt_
        m = (m + m.conj().transpose(-1, -2)) / 2
        smallest = torch.linalg.eigvalsh(m)[:, 0]
        out[start : start + chunk] = np.sqrt(np.maximum(to_numpy(smallest), 0.0))
    return out.reshape(z.shape)


def unitary_kernel(order: int, epsilon: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Poles and residues of the ``order``-th order rational smoothing kernel on the circle.

    Returns ``(δ, c, d)``: the resolvent is sampled at ``λ_j = e^{iθ}(1 + εδ_j)`` with
    ``δ_j = 1 + i(2j/(m+1) − 1)``, and ``c``, ``d`` solve the Vandermonde systems
    ``Σ_j c_j σ_j^k = Σ_j d_j δ_j^k = [k = 0]`` (``k < m``), ``σ_j = −δ̄_j/(1 + εδ̄_j)``, which
    make the kernel's first ``m`` moments those of a delta: the smoothing error is ``O(ε^m)``
    where the measure has a smooth density. Order 1 is the Poisson kernel.
    """
    m = int(order)
    delta = 1 + 1j * (2 * np.arange(1, m + 1) / (m + 1) - 1)
    sigma = -delta.conj() / (1 + epsilon * delta.conj())
    rhs = np.zeros(m, dtype=complex)
    rhs[0] = 1.0
    c = np.linalg.solve(np.vander(sigma, m, increasing=True).T, rhs)
    d = np.linalg.solve(np.vander(delta, m, increasing=True).T, rhs)
    return delta, c, d


def spectral_measure(
    galerkin: Galerkin, coefficients: Any, theta: Any, epsilon: float, *, order: int = 2
) -> np.ndarray:
    """Smoothed spectral measure ``ν_g^ε(θ)`` of ``g = Ψf`` for a measure-preserving system.

    For an isometric Koopman operator (measure-preserving dynamics), ``ν_g`` on ``[−π, π]`` has
    moments ``∫e^{inθ}dν_g = ⟨Kⁿg, g⟩``. Its convolution with the rational kernel of
    :func:`unitary_kernel` is a combination of resolvents at ``λ_j`` off the circle::

        ν_g^ε(θ) = −(1/2π) Σ_j Re[ c_j λ̄_j ⟨g, R(λ_j)g⟩ + d_j ⟨K R(λ_j)g, g⟩ ],
        R(λ)g ≈ Ψ (A − λG)⁻¹ G f

    (Colbrook & Townsend, CPAM 2024). Computed in the basis ``ΨS`` that is orthonormal on the
    data (:func:`~chaoskit_models.koopman.galerkin.whiten`, which drops the null space of a
    singular ``G``), with a Schur form of ``SᴴAS`` so that each ``θ`` costs triangular solves. Total mass ``≈ ‖g‖² = fᴴGf``. The dictionary must be rich enough for
    the resolvent at distance ``ε`` from the circle: shrink ``ε`` only as ``N`` grows.

    Parameters
    ----------
    coefficients
        ``f`` ``(N,)``: the observable in the dictionary.
    theta
        Angles in ``[−π, π]`` (radians per step).
    epsilon
        Smoothing, > 0.
    order
        Kernel order ``m`` in 1 … 6.
    """
    if not 1 <= int(order) <= 6:
        raise ParameterError(f"spectral_measure: order must be 1 … 6, got {order!r}")
    if not float(epsilon) > 0:
        raise ParameterError(f"spectral_measure: epsilon must be > 0, got {epsilon!r}")
    g = np.asarray(galerkin.g, dtype=complex)
    f = np.asarray(coefficients, dtype=complex).reshape(-1)
    if f.shape[0] != g.shape[0]:
        raise DataError(
            f"spectral_measure: {f.shape[0]} coefficients for a dictionary of {g.shape[0]} functions"
        )
    theta = np.asarray(theta, dtype=float)
    delta, c, d = unitary_kernel(int(order), float(epsilon))
    # in the whitened basis ΨS (orthonormal on the data): G = I, A ↦ SᴴAS, g = ΨS·(SᴴGf)
    s = whiten(g, warn=False)
    a = s.conj().T @ np.asarray(galerkin.a, dtype=complex) @ s
    fw = s.conj().T @ (g @ f)
    t, z = scipy.linalg.schur(a, output="complex")  # a = Z T Zᴴ
    rhs = z.conj().T @ fw  # (A − λI)⁻¹f = Z (T − λI)⁻¹ Zᴴ f
    v_a = z.conj().T @ (a.conj().T @ fw)
    eye = np.eye(t.shape[0])
    nu = np.zeros(theta.size)
    for i, th in enumerate(theta.reshape(-1)):
        for j in range(delta.size):
            lam = np.exp(1j * th) * (1 + epsilon * delta[j])
            y = scipy.linalg.solve_triangular(t - lam * eye, rhs)
            term = c[j] * lam.conjugate() * np.vdot(y, rhs) + d[j] * np.vdot(v_a, y)
            nu[i] -= np.real(term) / (2 * np.pi)
    return nu.reshape(theta.shape)
