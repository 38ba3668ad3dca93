"""Residual DMD (Colbrook & Townsend): EDMD with verified eigenpairs, registered as ``"resdmd"``."""

from __future__ import annotations

from typing import Any

import attrs
import numpy as np
import torch
import xarray as xr
from chaoskit import DataError, ParameterError
from chaoskit.validators import positive

from ._common import to_numpy
from .edmd import EDMD
from .spectra import pseudospectrum, residuals, spectral_measure

__all__ = ["ResDMD"]


@attrs.define(frozen=True, kw_only=True, slots=False)
class ResDMD(EDMD):
    """EDMD whose eigenpairs carry a residual, and which forecasts with the verified ones only.

    Besides ``G`` and ``A``, the fit keeps ``L = Ψ_YᵀΨ_Y/M``, from which each EDMD eigenpair
    ``(λ, g = Ψv)`` gets its relative residual ``res(λ, g) = ‖Kg − λg‖/‖g‖`` (see
    :func:`~chaoskit_models.koopman.spectra.residuals`). Pairs with ``res > residual_tolerance``
    are spectral pollution of the truncation and are discarded; for a normal Koopman operator
    every kept eigenvalue lies within its residual of the true spectrum.
    :meth:`pseudospectrum` and :meth:`spectral_measure` give the rest of the paper's toolbox.

    This is a registered model of its own (a subclass of :class:`EDMD` with the same
    dictionaries) rather than a method on EDMD, because it forecasts differently: ``x_k = Re
    Σ_{j verified} λ_j^k φ_j(x_0) ξ_j``.

    Parameters
    ----------
    residual_tolerance
        Largest residual of a verified eigenpair (relative; default 0.1).
    All others
        As for :class:`EDMD`.

    Notes
    -----
    The residuals are computed on the training snapshots, like the paper's first algorithm;
    with ``N`` close to ``M`` every residual shrinks towards 0 (the dictionary interpolates
    the data), so keep ``M ≫ N`` or fit ``G, A, L`` on a second data set.
    """

    residual_tolerance: float = attrs.field(default=0.1, validator=positive)

    @property
    def residuals(self) -> xr.DataArray:
        """The residual of every eigenpair (dim ``mode``, ordered as :attr:`eigenvalues`)."""
        eig = self._eig
        res = residuals(self.galerkin, eig["eigenvalues"], eig["vectors"])
        return xr.DataArray(
            res,
            dims=("mode",),
            name="residual",
            coords={"mode": np.arange(res.size), "eigenvalue": ("mode", eig["eigenvalues"])},
        )

    @property
    def eigenvalues(self) -> xr.DataArray:
        """EDMD eigenvalues with ``residual`` and ``verified`` (residual ≤ tolerance) coords."""
        lam = super().eigenvalues
        res = self.residuals.values
        return lam.assign_coords(
            residual=("mode", res), verified=("mode", res <= self.residual_tolerance)
        )

    @property
    def verified(self) -> np.ndarray:
        """Indices of the eigenpairs with residual ≤ ``residual_tolerance``."""
        return np.flatnonzero(self.residuals.values <= self.residual_tolerance)

    def pseudospectrum(self, real: Any, imag: Any) -> xr.DataArray:
        """Minimal residual ``τ(z)`` on the grid ``z = real + i·imag`` (dims ``imag``, ``real``).

        ``{τ < ε}`` is the data-driven ε-pseudospectrum of the Koopman operator.
        """
        re, im = (
            np.asarray(real, dtype=float).reshape(-1),
            np.asarray(imag, dtype=float).reshape(-1),
        )
        tau = pseudospectrum(self.galerkin, re[None, :] + 1j * im[:, None], device=self.device)
        return xr.DataArray(
            tau, dims=("imag", "real"), coords={"imag": im, "real": re}, name="pseudospectrum"
        )

    def spectral_measure(
        self, theta: Any, epsilon: float, *, observable: str | int = 0, order: int = 2
    ) -> xr.DataArray:
        """Smoothed spectral measure of a standardized state variable, for measure-preserving data.

        ``observable`` names a variable (or its index); its projection on the dictionary is the
        observable ``g`` (zero mean and unit variance when standardizing, so the measure has
        total mass ≈ 1 and no atom at 0 from the mean). Meaningful where the dynamics preserve
        the sampling measure (data on an attractor, Hamiltonian flows); ``θ`` in radians per
        step ``dt``. See :func:`~chaoskit_models.koopman.spectra.spectral_measure`.
        """
        names = list(self.fit_info.variables)
        if isinstance(observable, str):
            if observable not in names:
                raise DataError(f"spectral_measure: observable {observable!r} is not among {names}")
            index = names.index(observable)
        elif (
            isinstance(observable, (int, np.integer))
            and 0 <= observable < self._fitted["projection"].shape[1]
        ):
            index = int(observable)
        else:
            raise ParameterError(
                f"spectral_measure: observable must be a variable name or index, got {observable!r}"
            )
        f = self._fitted["projection"][:, index]
        theta = np.asarray(theta, dtype=float)
        nu = spectral_measure(self.galerkin, f, theta, epsilon, order=order)
        return xr.DataArray(
            nu,
            dims=("theta",),
            coords={"theta": theta.reshape(-1)},
            name="spectral_measure",
            attrs={
                "observable": names[index] if index < len(names) else index,
                "epsilon": epsilon,
                "order": order,
            },
        )

    def _propagate(self, psi: torch.Tensor, steps: int, dev: torch.device) -> np.ndarray:
        eig = self._eig
        keep = self.verified
        if keep.size == 0:
            raise DataError(
                f"{type(self).__name__}: no eigenpair has a residual below residual_tolerance = "
                f"{self.residual_tolerance} (smallest {self.residuals.values.min():.3g}); raise the "
                "tolerance or enrich the dictionary"
            )
        lam, vec, modes = eig["eigenvalues"][keep], eig["vectors"][:, keep], eig["modes"][keep]
        coeff = to_numpy(psi).astype(complex) @ vec  # φ_j(x_0), (member, r)
        powers = lam[None, :] ** np.arange(1, steps + 1)[:, None]  # (steps, r)
        return np.einsum("mr,sr,rv->msv", coeff, powers, modes).real
