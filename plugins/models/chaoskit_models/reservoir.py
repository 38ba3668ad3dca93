"""Random reservoir weights for echo state networks, drawn in float64 numpy from a seeded generator.

The weights are drawn with :func:`numpy.random.default_rng` so that a seed gives the same
reservoir on every device and in every dtype: the model casts these float64 arrays to its own
torch dtype and device afterwards. The order of the draws is fixed (sparsity pattern of ``W``,
values of ``W``, values of ``W_in``, sparsity pattern of ``W_in``, bias) and is part of the
reproducibility contract: changing it changes every seeded reservoir.
"""

from __future__ import annotations

import attrs
import numpy as np
import torch
from chaoskit import ChaoskitError, ParameterError

__all__ = [
    "ARPACK_EIGENVALUES",
    "DENSE_EIGEN_MAX_UNITS",
    "ReservoirWeights",
    "draw_reservoir",
    "spectral_radius",
]

#: Up to this many units the spectral radius comes from a dense eigenvalue computation
#: (LAPACK through torch, exact to rounding). Above it ARPACK (``scipy.sparse.linalg.eigs``)
#: computes the :data:`ARPACK_EIGENVALUES` largest-modulus eigenvalues and the largest is taken:
#: asking ARPACK for one eigenvalue was measured to miss the largest by up to 2% on random
#: reservoirs, whose top eigenvalues crowd the edge of a disk, while twenty agreed with the dense
#: computation to 2e-14 (relative) on every one of 10 seeds at 200-1,000 units. One thread,
#: connectivity 0.1: dense 13 / 29 / 70 / 410 ms at 200 / 300 / 500 / 1,000 units, ARPACK
#: 10 / 19 / 37 / 111 ms.
DENSE_EIGEN_MAX_UNITS = 256
ARPACK_EIGENVALUES = 20
_MAX_REDRAWS = 10


@attrs.frozen(kw_only=True, eq=False)
class ReservoirWeights:
    """The fixed (untrained) weights of a reservoir, in float64.

    Attributes
    ----------
    indptr, indices, data
        The recurrent matrix ``W`` (``units × units``) in CSR form: row ``i`` holds the values
        ``data[indptr[i]:indptr[i+1]]`` at the columns ``indices[indptr[i]:indptr[i+1]]``.
    w_in
        Input matrix ``W_in``, shape ``(units, inputs)``.
    bias
        Bias vector ``b``, shape ``(units,)``.
    """

    indptr: np.ndarray
    indices: np.ndarray
    data: np.ndarray
    w_in: np.ndarray
    bias: np.ndarray

    @property
    def units(self) -> int:
        """Number of reservoir units."""
        return int(self.bias.shape[0])

    def dense_w(self) -> np.ndarray:
        """``W`` as a dense ``(units, units)`` float64 array."""
        n = self.units
        dense = np.zeros((n, n))
        rows = np.repeat(np.arange(n), np.diff(self.indptr))
        dense[rows, self.indices] = self.data
        return dense


def draw_reservoir(
    units: int,
    inputs: int,
    *,
    spectral_radius: float,
    connectivity: float,
    input_connectivity: float,
    input_scaling: float,
    bias_scaling: float,
    seed: int | None,
) -> ReservoirWeights:
    """Draw a random reservoir.

    ``W`` has ``max(1, round(connectivity · units²))`` non-zero entries at uniformly random
    positions, with standard normal values, rescaled so that its spectral radius (largest
    eigenvalue modulus, computed in float64) equals ``spectral_radius``. ``W_in`` has
    ``max(1, round(input_connectivity · units · inputs))`` non-zero entries at uniformly random
    positions, uniform in ``[-input_scaling, input_scaling]``; the bias is dense and uniform in
    ``[-bias_scaling, bias_scaling]``.

    Parameters
    ----------
    units, inputs
        Reservoir size and input dimension.
    spectral_radius, connectivity, input_connectivity, input_scaling, bias_scaling
        See :class:`chaoskit_models.esn.EchoStateNetwork`.
    seed
        Seed of :func:`numpy.random.default_rng`; ``None`` draws a fresh reservoir.

    Raises
    ------
    ParameterError
        When ``connectivity`` is so low for ``units`` that every draw gave a nilpotent ``W``
        (spectral radius 0), which cannot be rescaled.
    """
    rng = np.random.default_rng(seed)
    n = int(units)
    nnz = max(1, round(connectivity * n * n))
    for _ in range(_MAX_REDRAWS):
        flat = np.sort(rng.choice(n * n, size=nnz, replace=False))
        rows, cols = np.divmod(flat, n)
        data = rng.standard_normal(nnz)
        indptr = np.concatenate([[0], np.cumsum(np.bincount(rows, minlength=n))]).astype(np.int64)
        indices = cols.astype(np.int64)
        radius = _radius(indptr, indices, data, n)
        if radius > 1e-12:
            break
    else:
        raise ParameterError(
            f"connectivity = {connectivity} leaves a {n}-unit reservoir with {nnz} "
            "connection(s) and a recurrent matrix whose spectral radius is 0 in every draw; "
            "raise connectivity or units"
        )
    data = data * (spectral_radius / radius)
    n_in = int(inputs)
    w_in = rng.uniform(-1.0, 1.0, size=n * n_in) * input_scaling
    kept = rng.choice(n * n_in, size=max(1, round(input_connectivity * n * n_in)), replace=False)
    mask = np.zeros(n * n_in, dtype=bool)
    mask[kept] = True
    w_in = np.where(mask, w_in, 0.0).reshape(n, n_in)
    bias = rng.uniform(-1.0, 1.0, size=n) * bias_scaling
    return ReservoirWeights(indptr=indptr, indices=indices, data=data, w_in=w_in, bias=bias)


def spectral_radius(weights: ReservoirWeights) -> float:
    """The spectral radius of the recurrent matrix ``W`` of ``weights`` (float64)."""
    return _radius(weights.indptr, weights.indices, weights.data, weights.units)


def _radius(indptr: np.ndarray, indices: np.ndarray, data: np.ndarray, n: int) -> float:
    if n <= DENSE_EIGEN_MAX_UNITS or n <= 4 * ARPACK_EIGENVALUES:
        return _dense_radius(indptr, indices, data, n)
    try:
        import scipy.sparse as sp
        import scipy.sparse.linalg as sla
    except ImportError:  # pragma: no cover - scipy is a dependency of chaoskit-models
        return _dense_radius(indptr, indices, data, n)
    matrix = sp.csr_matrix((data, indices, indptr), shape=(n, n))
    try:
        values = sla.eigs(
            matrix,
            k=ARPACK_EIGENVALUES,
            ncv=4 * ARPACK_EIGENVALUES,
            which="LM",
            v0=np.ones(n),
            tol=1e-10,
            return_eigenvectors=False,
        )
    except sla.ArpackError:  # includes ArpackNoConvergence: fall back to the dense computation
        return _dense_radius(indptr, indices, data, n)
    return float(np.abs(values).max())


def _dense_radius(indptr: np.ndarray, indices: np.ndarray, data: np.ndarray, n: int) -> float:
    dense = np.zeros((n, n))
    dense[np.repeat(np.arange(n), np.diff(indptr)), indices] = data
    # torch's LAPACK honours torch.set_num_threads; numpy's multithreaded BLAS was measured
    # 10-50x slower than one thread when the other core of a 2-core machine is busy.
    values = torch.linalg.eigvals(torch.from_numpy(dense)).numpy()
    if not np.all(np.isfinite(values)):
        raise ChaoskitError(
            "the eigenvalue computation of the reservoir matrix returned non-finite values"
        )
    return float(np.abs(values).max())
