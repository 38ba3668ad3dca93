"""Koopman-operator models: exact DMD, Hankel DMD, HAVOK, EDMD and Residual DMD.

Registered models: ``"dmd"`` (:class:`DMD`), ``"hankel_dmd"`` (:class:`HankelDMD`), ``"havok"``
(:class:`HAVOK`), ``"edmd"`` (:class:`EDMD`) and ``"resdmd"`` (:class:`ResDMD`). The functional
layer underneath — :func:`exact_dmd`, :func:`delay_embed`, :func:`galerkin_matrices`,
:func:`residuals`, :func:`pseudospectrum`, :func:`spectral_measure` and the dictionaries —
works on plain arrays for users who bring their own snapshots or observables.
"""

from ._common import ConditioningWarning
from .dictionaries import Concat, Delays, Dictionary, Monomials, RadialBasis, RandomFourier
from .dmd import DMD, DMDResult, exact_dmd
from .edmd import EDMD
from .galerkin import Galerkin, galerkin_matrices, koopman_matrix, whiten
from .hankel import HankelDMD, delay_embed, hankel_matrix
from .havok import HAVOK
from .resdmd import ResDMD
from .spectra import pseudospectrum, residuals, spectral_measure, unitary_kernel
from .svd import optimal_threshold, truncated_svd, truncation_rank

__all__ = [
    "DMD",
    "EDMD",
    "HAVOK",
    "Concat",
    "ConditioningWarning",
    "DMDResult",
    "Delays",
    "Dictionary",
    "Galerkin",
    "HankelDMD",
    "Monomials",
    "RadialBasis",
    "RandomFourier",
    "ResDMD",
    "delay_embed",
    "exact_dmd",
    "galerkin_matrices",
    "hankel_matrix",
    "koopman_matrix",
    "optimal_threshold",
    "pseudospectrum",
    "residuals",
    "spectral_measure",
    "truncated_svd",
    "truncation_rank",
    "unitary_kernel",
    "whiten",
]
