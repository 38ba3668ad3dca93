"""Extended DMD (Williams, Kevrekidis & Rowley 2015) with chaoskit's dictionaries: ``"edmd"``."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

import attrs
import numpy as np
import torch
import xarray as xr
from chaoskit import DataError, Model, ParameterError
from chaoskit.validators import boolean, choice, integer, nonnegative, positive

from ..arrays import feature_values, output_dtype, standardization
from ._common import as_tensor, linalg_device, to_numpy
from .dictionaries import Concat, Delays, Dictionary, Monomials, RadialBasis, RandomFourier
from .galerkin import Galerkin, galerkin_matrices, whiten

__all__ = ["EDMD"]

DICTIONARIES = ("monomial", "rbf", "fourier", "linear")
_STATE_KEYS = ("mean", "std", "g", "a", "l", "koopman", "projection", "samples")


def _optional_positive(instance: Any, attribute: Any, value: Any) -> None:
    if value is not None:
        positive(instance, attribute, value)


@attrs.define(frozen=True, kw_only=True, slots=False)
class EDMD(Model):
    """Extended DMD: a finite-section (Galerkin) approximation of the Koopman operator.

    With the dictionary ``Ψ = [ψ_1 … ψ_N]`` evaluated on all ``M`` consecutive pairs of every
    member (rows of ``Ψ_X``, ``Ψ_Y``)::

        G = Ψ_XᵀΨ_X / M,   A = Ψ_XᵀΨ_Y / M,   K = G⁺A          (Ψ_Y ≈ Ψ_X K)

    Eigenpairs ``K v = λ v`` give eigenfunctions ``φ(x) = Ψ(x) v``; the state is projected on
    the dictionary, ``x ≈ Ψ(x) B`` (least squares, exact when the identity observables are in
    the dictionary), so the Koopman modes are ``ξ = V⁻¹B`` (``V`` in the span of ``G``) and ``x_k ≈ Σ_j λ_j^k φ_j(x_0) ξ_j``.
    ``forecast`` propagates ``ψ ← ψK`` from the last context point and returns ``x = ψB``.

    Parameters
    ----------
    dictionary
        ``"monomial"`` (all monomials up to ``degree``, constant included), ``"rbf"``
        (Gaussian radial basis functions), ``"fourier"`` (random Fourier features) or
        ``"linear"`` (``[1, x]``: DMD with a constant).
    degree
        Degree of the monomials.
    centers, center_init, width
        RBF: number of centres, ``"kmeans"`` or ``"random"`` data points, Gaussian width
        (default: twice the median distance from a centre to its nearest other centre).
    features, bandwidth
        Random Fourier features: number and length scale ``ℓ`` (``ω ~ N(0, I/ℓ²)``).
    delays, stride
        ``delays > 1`` applies the dictionary to delay vectors ``[x_{t−(d−1)s}, …, x_t]``.
    include_state
        Prepend ``[1, x]`` to dictionaries that lack them (RBF, Fourier), so the state lies in
        the span and forecasts can return it.
    standardize
        Apply the dictionary to z-scored data (training mean and standard deviation).
    ridge
        Tikhonov term ``ridge·‖G‖`` added to ``G`` (relative; 0 = none). A singular or
        ill-conditioned ``G`` triggers a :class:`~chaoskit_models.koopman.ConditioningWarning`
        and the pseudo-inverse.
    device, dtype, seed
        Dictionary values and Gram products in float64 with torch on ``device``; the small
        ``N × N`` algebra with numpy; ``dtype`` sets the forecast precision; ``seed`` draws
        the RBF centres and Fourier frequencies.

    Raises
    ------
    DataError
        In ``fit``, when the dictionary has more functions than there are snapshot pairs.
    """

    dictionary: str = attrs.field(default="monomial", validator=choice(DICTIONARIES))
    degree: int = attrs.field(default=2, validator=integer(1))
    centers: int = attrs.field(default=50, validator=integer(1))
    center_init: str = attrs.field(default="kmeans", validator=choice(("kmeans", "random")))
    width: float | None = attrs.field(default=None, validator=_optional_positive)
    features: int = attrs.field(default=100, validator=integer(1))
    bandwidth: float = attrs.field(default=1.0, validator=positive)
    delays: int = attrs.field(default=1, validator=integer(1))
    stride: int = attrs.field(default=1, validator=integer(1))
    include_state: bool = attrs.field(default=True, validator=boolean)
    standardize: bool = attrs.field(default=True, validator=boolean)
    ridge: float = attrs.field(default=0.0, validator=nonnegative)

    backend: ClassVar[str] = "torch"

    @property
    def min_context(self) -> int:  # type: ignore[override]
        """One delay window: ``(delays − 1)·stride + 1`` points (1 without delays)."""
        return (self.delays - 1) * self.stride + 1

    # ------------------------------------------------------------------ results
    @property
    def koopman_matrix(self) -> np.ndarray:
        """``K`` ``(N, N)`` with ``Ψ_Y ≈ Ψ_X K``."""
        return self._fitted["koopman"].copy()

    @property
    def galerkin(self) -> Galerkin:
        """The matrices ``G``, ``A``, ``L`` of the training data."""
        f = self._fitted
        return Galerkin(g=f["g"], a=f["a"], l=f["l"], samples=int(f["samples"]))

    @property
    def function_names(self) -> tuple[str, ...]:
        """Names of the dictionary functions (of the standardized variables when standardizing)."""
        return self._fitted_dictionary.names

    @property
    def eigenvalues(self) -> xr.DataArray:
        """Eigenvalues ``λ`` of ``K`` (dim ``mode``, by decreasing modulus) with continuous-time coords."""
        lam = self._eig["eigenvalues"]
        with np.errstate(divide="ignore"):
            omega = np.log(lam.astype(complex)) / self.fit_info.dt
        return xr.DataArray(
            lam,
            dims=("mode",),
            name="eigenvalue",
            coords={
                "mode": np.arange(lam.size),
                "growth_rate": ("mode", omega.real),
                "frequency": ("mode", omega.imag / (2 * np.pi)),
            },
            attrs={"dt": self.fit_info.dt},
        )

    @property
    def modes(self) -> xr.DataArray:
        """Koopman modes ``ξ = V⁻¹B`` ``(mode, variable)`` in the original units."""
        xi = self._eig["modes"] * self._fitted["std"]
        return xr.DataArray(
            xi,
            dims=("mode", "variable"),
            name="koopman_mode",
            coords={"mode": np.arange(xi.shape[0]), "variable": list(self.fit_info.variables)},
            attrs={"note": "x - mean = sum_j phi_j(x) * mode_j"},
        )

    def eigenfunctions(self, data: xr.Dataset) -> xr.DataArray:
        """``φ_j = Ψ v_j`` on every point of ``data`` ``(member, time, mode)`` (after the delay lag)."""
        self.check_compatible(data, self.fit_info, "data")
        psi = self._psi(data, "data")
        phi = psi.astype(complex) @ self._eig["vectors"]
        time = data["time"].values[self.min_context - 1 :]
        return xr.DataArray(
            phi,
            dims=("member", "time", "mode"),
            name="eigenfunction",
            coords={
                "member": data["member"].values,
                "time": time,
                "mode": np.arange(phi.shape[-1]),
            },
        )

    # ------------------------------------------------------------------ Model implementation
    def _fit(self, train: xr.Dataset, *, valid: xr.Dataset | None, trainer: Any) -> None:
        values = feature_values(train, "train", type(self).__name__)
        n = values.shape[-1]
        if values.shape[1] < self.min_context + 1:
            raise DataError(
                f"train: EDMD with delays = {self.delays} and stride = {self.stride} needs members "
                f"of at least {self.min_context + 1} points, got {values.shape[1]}"
            )
        mean, std = standardization(values, self.standardize)
        z = (values - mean) / std
        dictionary = self._make_dictionary()
        rng = np.random.default_rng(self.seed)
        dictionary.fit(z, self._variables(train), rng)
        self.__dict__["_dictionary"] = dictionary
        dev = linalg_device(type(self).__name__, self.device)
        psi = dictionary(as_tensor(z, dev))  # (member, time', N)
        big_n = psi.shape[-1]
        px, py = psi[:, :-1].reshape(-1, big_n), psi[:, 1:].reshape(-1, big_n)
        gal = galerkin_matrices(px, py, device=self.device)
        s = whiten(gal.g, ridge=self.ridge, owner=type(self).__name__)
        targets = as_tensor(z[:, dictionary.lag : -1].reshape(-1, n), dev)
        cross = to_numpy(px.conj().T @ targets) / px.shape[0]
        koopman, projection = s @ (s.conj().T @ gal.a), s @ (s.conj().T @ cross)
        self.__dict__["_edmd"] = {
            "mean": mean,
            "std": std,
            "g": gal.g,
            "a": gal.a,
            "l": gal.l,
            "koopman": koopman,
            "projection": projection,
            "samples": np.asarray(gal.samples),
        }
        self.__dict__.pop("_eigen", None)

    def _forecast(self, context: xr.Dataset, steps: int) -> np.ndarray:
        f = self._fitted
        dev = linalg_device(type(self).__name__, self.device)
        psi = as_tensor(self._psi(context, "context")[:, -1], dev)  # (member, N)
        out = self._propagate(psi, steps, dev)  # (member, steps, n) standardized
        values = out * f["std"] + f["mean"]
        return values.reshape(context.sizes["member"], steps, *context["state"].shape[2:]).astype(
            output_dtype(self.dtype, False)
        )

    def _propagate(self, psi: torch.Tensor, steps: int, dev: torch.device) -> np.ndarray:
        """Standardized states after ``1 … steps`` applications of ``K`` to ``psi`` ``(member, N)``."""
        f = self._fitted
        k, b = as_tensor(f["koopman"], dev), as_tensor(f["projection"], dev)
        out = torch.empty((psi.shape[0], steps, b.shape[1]), dtype=torch.float64, device=dev)
        for step in range(steps):
            psi = psi @ k
            out[:, step] = psi @ b
        return to_numpy(out)

    def _get_state(self) -> Mapping[str, np.ndarray]:
        f = self._fitted
        state = {k: np.asarray(f[k]) for k in _STATE_KEYS}
        state.update({f"dict_{k}": v for k, v in self._fitted_dictionary.state().items()})
        return state

    def _set_state(self, state: Mapping[str, np.ndarray]) -> None:
        missing = [k for k in _STATE_KEYS if k not in state]
        if missing:
            raise DataError(f"{type(self).__name__}: the saved state lacks {missing}")
        self.__dict__["_edmd"] = {k: np.asarray(state[k]) for k in _STATE_KEYS}
        # the variable names come with fit_info, which is restored after this call
        self.__dict__["_dictionary_state"] = {
            k[5:]: np.asarray(v) for k, v in state.items() if k.startswith("dict_")
        }
        self.__dict__.pop("_dictionary", None)
        self.__dict__.pop("_eigen", None)

    # ------------------------------------------------------------------ helpers
    @property
    def _fitted(self) -> dict[str, np.ndarray]:
        self.fit_info  # noqa: B018 - raises before fit
        return self.__dict__["_edmd"]

    @property
    def _fitted_dictionary(self) -> Dictionary:
        info = self.fit_info
        if "_dictionary" not in self.__dict__:  # loaded: rebuild with the variable names
            dictionary = self._make_dictionary()
            n = int(self._fitted["mean"].shape[0])
            names = info.variables if len(info.variables) == n else tuple(f"x{i}" for i in range(n))
            dictionary.load_state(self.__dict__["_dictionary_state"], names)
            self.__dict__["_dictionary"] = dictionary
        return self.__dict__["_dictionary"]

    @property
    def _eig(self) -> dict[str, np.ndarray]:
        """Eigenvalues (by decreasing modulus), eigenvectors ``V`` and modes ``ξ``.

        Computed in the whitened span (:func:`~chaoskit_models.koopman.galerkin.whiten`):
        ``SᴴAS ṽ = λṽ``, ``v = Sṽ`` (``K v = λ v``), ``ξ = Ṽ⁻¹S⁺B``; a singular ``G`` thus adds
        no spurious zero eigenvalues from its null space.
        """
        cached = self.__dict__.get("_eigen")
        if cached is None:
            f = self._fitted
            s = whiten(f["g"], ridge=self.ridge, warn=False)
            lam, small = np.linalg.eig(s.conj().T @ f["a"] @ s)
            order = np.lexsort((-lam.imag, -np.abs(lam)))
            lam, small = lam[order], small[:, order]
            coordinates = np.linalg.lstsq(s, f["projection"], rcond=None)[0]  # B = S·(SᴴC)
            modes = np.linalg.lstsq(small, coordinates.astype(complex), rcond=None)[0]
            cached = {"eigenvalues": lam, "vectors": s @ small, "modes": modes}
            self.__dict__["_eigen"] = cached
        return cached

    def _psi(self, data: xr.Dataset, what: str) -> np.ndarray:
        """Dictionary values ``(member, time', N)`` of ``data`` (standardized as in training)."""
        f = self._fitted
        values = feature_values(data, what, type(self).__name__)
        if values.shape[1] < self.min_context:
            raise DataError(
                f"{what}: EDMD needs at least {self.min_context} time points, got {values.shape[1]}"
            )
        dev = linalg_device(type(self).__name__, self.device)
        return to_numpy(self._fitted_dictionary(as_tensor((values - f["mean"]) / f["std"], dev)))

    def _variables(self, ds: xr.Dataset) -> tuple[str, ...]:
        if ds["state"].ndim == 3:
            return tuple(ds.chaos.variables)
        return tuple(f"x{i}" for i in range(int(np.prod(ds["state"].shape[2:]))))

    def _make_dictionary(self) -> Dictionary:
        if self.dictionary == "monomial":
            base: Dictionary = Monomials(self.degree)
        elif self.dictionary == "linear":
            base = Monomials(1)
        elif self.dictionary == "rbf":
            base = RadialBasis(self.centers, init=self.center_init, width=self.width)
        elif self.dictionary == "fourier":
            base = RandomFourier(self.features, bandwidth=self.bandwidth)
        else:  # pragma: no cover - the validator rejects it
            raise ParameterError(f"unknown dictionary {self.dictionary!r}")
        if self.include_state and self.dictionary in ("rbf", "fourier"):
            base = Concat([Monomials(1), base])
        return base if self.delays == 1 else Delays(self.delays, stride=self.stride, inner=base)
