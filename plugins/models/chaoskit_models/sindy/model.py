"""SINDy: sparse identification of nonlinear dynamics (Brunton, Proctor & Kutz 2016)."""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any, ClassVar

import attrs
import numpy as np
import xarray as xr
from chaoskit import CapabilityError, DataError, Model, ParameterError, validate
from chaoskit.data import infer_dt
from chaoskit.validators import choice, integer, positive

from ..torch_utils import resolve
from .derivatives import (
    Differentiation,
    FiniteDifference,
    SuppliedDerivatives,
    as_differentiation,
    uniform_step,
)
from .dynamics import SINDyDynamics, VectorField
from .ensemble import Ensemble, as_ensemble
from .equations import equation_strings
from .library import Library, PolynomialLibrary, as_library
from .optimizers import STLSQ, Optimizer, as_optimizer
from .regression import Regression
from .terms import evaluate

__all__ = ["SINDy"]

INTEGRATORS = ("dopri5", "dop853", "rk4")


@attrs.define(frozen=True, kw_only=True, slots=False)
class SINDy(Model):
    """Sparse identification of nonlinear dynamics: ``ẋ = Ξ Θ(x)`` with a sparse ``Ξ``.

    The time derivatives ``ẋ`` of every training member are estimated (``differentiation``),
    the candidate terms ``Θ(x)`` evaluated (``library``), and the sparse coefficients ``Ξ``
    found by ``optimizer`` (optionally inside an ``ensemble``). ``forecast`` integrates the
    identified ODE from the last context point of each member with chaoskit-systems'
    batched integrators; ``dynamics()`` is its RK4 one-step map.

    Defaults are pysindy's: polynomial library of degree 2 with bias and interactions,
    second-order finite differences, STLSQ with threshold 0.1, ridge α = 0.05, 20 iterations
    and unbiasing, no column normalisation.

    Parameters
    ----------
    library
        A :class:`~.library.Library` (``PolynomialLibrary(degree=3) + FourierLibrary()``), a
        kind name (``"polynomial"``) or a config dict (``{"kind": "polynomial", "degree": 3}``).
    differentiation
        :class:`~.derivatives.FiniteDifference` (``order`` 2, 4, 6),
        :class:`~.derivatives.SmoothedFiniteDifference` (Savitzky–Golay window 11, order 3,
        then finite differences) or :class:`~.derivatives.SuppliedDerivatives` (a Dataset
        variable, or ``fit(train, derivatives=array)``); or their kind name / config.
    optimizer
        :class:`~.optimizers.STLSQ` or :class:`~.optimizers.SR3`, or a kind name / config.
    ensemble
        ``None`` or an :class:`~.ensemble.Ensemble` (bagging over samples and/or library
        terms; draws from ``numpy.random.default_rng(seed)``).
    integrator
        Forecast integrator of chaoskit-systems: ``"dopri5"`` (default), ``"dop853"`` or
        ``"rk4"`` (``rk4_substeps`` steps per sampling interval).
    rtol, atol
        Tolerances of the adaptive integrators (default: chaoskit-systems' for the dtype,
        1e-9 and 1e-12 in float64).
    rk4_substeps
        RK4 steps per sampling interval ``dt``, for ``integrator="rk4"`` and ``dynamics()``.
    device, dtype, seed
        As for every model: the forecast and ``dynamics()`` run in torch on ``device`` in
        ``dtype``; the fit is always float64 numpy/scipy on the CPU (see Notes).

    Notes
    -----
    The regression works on the Gram matrix ``ΘᵀΘ`` of the library (terms × terms), formed
    once in float64: for the sizes SINDy meets (10⁴–10⁶ samples, tens to hundreds of terms)
    the fit is a few milliseconds of BLAS work, faster on the CPU than a GPU launch, so
    ``device`` applies to forecasting only.

    Members are differentiated one by one, so no stencil reaches across two trajectories;
    their rows are then stacked into one regression. Spatial fields and complex data are not
    supported (SINDy here identifies ODEs).
    """

    library: Library = attrs.field(default=PolynomialLibrary(), converter=as_library)
    differentiation: Differentiation = attrs.field(
        default=FiniteDifference(), converter=as_differentiation
    )
    optimizer: Optimizer = attrs.field(default=STLSQ(), converter=as_optimizer)
    ensemble: Ensemble | None = attrs.field(default=None, converter=as_ensemble)
    integrator: str = attrs.field(default="dopri5", validator=choice(INTEGRATORS))
    rtol: float | None = attrs.field(default=None, validator=attrs.validators.optional(positive))
    atol: float | None = attrs.field(default=None, validator=attrs.validators.optional(positive))
    rk4_substeps: int = attrs.field(default=1, validator=integer(1))

    min_context: ClassVar[int] = 1
    backend: ClassVar[str] = "torch"

    # ------------------------------------------------------------------ public API
    def fit(
        self,
        train: xr.Dataset,
        *,
        valid: xr.Dataset | None = None,
        trainer: Any = None,
        derivatives: Any = None,
    ) -> SINDy:
        """Identify the equations from ``train``; ``valid`` and ``trainer`` are ignored.

        Parameters
        ----------
        derivatives
            Time derivatives of ``train``'s states, shaped like ``state`` (or ``(time,
            variable)`` for one member); needs ``differentiation="supplied"``.
        """
        validate(train, name="train", min_times=2)
        if derivatives is not None:
            if not isinstance(self.differentiation, SuppliedDerivatives):
                raise ParameterError(
                    "fit(..., derivatives=...) needs differentiation='supplied'; "
                    f"this model estimates them with {self.differentiation.kind!r}"
                )
            train = _attach(train, derivatives, self.differentiation.variable)
        elif not isinstance(self.differentiation, SuppliedDerivatives):
            uniform_step(train["time"].values, "finite differences")
        return super().fit(train, valid=valid, trainer=trainer)

    @property
    def feature_names(self) -> list[str]:
        """The library's terms written with the training variables."""
        return self.library.names(self.fit_info.variables)

    @property
    def coefficients(self) -> xr.DataArray:
        """``Ξ`` as a DataArray ``(variable, feature)``: ``ẋ_variable = Σ Ξ·feature``."""
        return self._array(self._fitted["coefficients"])

    @property
    def inclusion_probabilities(self) -> xr.DataArray | None:
        """With an ensemble: the fraction of sub-models using each term, ``(variable, feature)``."""
        inclusion = self._fitted["inclusion"]
        return None if inclusion.size == 0 else self._array(inclusion)

    @property
    def ensemble_coefficients(self) -> xr.DataArray | None:
        """With an ensemble: every sub-model's coefficients ``(model, variable, feature)``."""
        models = self._fitted["ensemble_models"]
        if models.size == 0:
            return None
        base = self.coefficients
        return xr.DataArray(
            models,
            dims=("model", *base.dims),
            coords={**base.coords, "model": np.arange(models.shape[0])},
        )

    def equations(self, precision: int = 3) -> list[str]:
        """The identified equations, e.g. ``"x' = -10.000 x + 10.000 y"``, one per variable."""
        return equation_strings(
            self._fitted["coefficients"], self.fit_info.variables, self.feature_names, precision
        )

    def vector_field(self, x: Any) -> np.ndarray:
        """``ẋ = Ξ Θ(x)`` at states ``x`` ``(..., variable)``, in float64 numpy."""
        states = np.asarray(x, dtype=float)
        d = len(self.fit_info.variables)
        if states.ndim < 1 or states.shape[-1] != d:
            raise DataError(
                f"vector_field: expected states of shape (..., {d}), got {states.shape}"
            )
        theta = self.library.transform(states)
        return theta @ self._fitted["coefficients"].T

    def hyperparameters(self) -> dict[str, Any]:
        """The hyperparameters as plain data: components as their config dicts."""
        out = super().hyperparameters()
        for name in ("library", "differentiation", "optimizer", "ensemble"):
            if out[name] is not None:
                out[name] = out[name].to_config()
        return out

    def save(self, path: str | os.PathLike[str]) -> Path:
        """As :meth:`chaoskit.Model.save`; refuses libraries with lambdas (unreadable later)."""
        self.fit_info  # noqa: B018 - NotFittedError first
        if not self.library.portable:
            raise CapabilityError(
                "SINDy.save: the library holds functions that are not importable by name "
                "(lambdas or nested functions); define them at module level to save the model"
            )
        return super().save(path)

    # ------------------------------------------------------------------ Model implementation
    def _fit(self, train: xr.Dataset, *, valid: xr.Dataset | None, trainer: Any) -> None:
        resolve(type(self).__name__, self.device, self.dtype)
        state = train["state"]
        if state.ndim != 3:
            raise CapabilityError(
                f"SINDy identifies ODEs of a few variables; the data have spatial dims "
                f"{tuple(state.dims[2:-1])}. Flatten them with ds.chaos.features() "
                "or reduce them first"
            )
        if np.iscomplexobj(state.values):
            raise CapabilityError(
                "SINDy takes real data; split complex fields into real and imaginary parts"
            )
        values = np.asarray(state.values, dtype=np.float64)
        n_vars = values.shape[-1]
        states, derivs = self.differentiation.compute(values, infer_dt(train), train)
        terms = self.library.terms(n_vars)
        if not terms:
            raise ParameterError(
                "SINDy.library has no terms for these data; add terms (e.g. degree ≥ 1)"
            )
        theta = evaluate(terms, states.reshape(-1, n_vars))
        targets = derivs.reshape(-1, n_vars)
        if len(terms) > theta.shape[0]:
            raise DataError(
                f"SINDy: the library has {len(terms)} terms but the training data give only "
                f"{theta.shape[0]} samples; use more data or a smaller library"
            )
        if not np.isfinite(theta).all():
            bad = int(np.argmax(~np.isfinite(theta).all(axis=0)))
            raise DataError(
                f"SINDy: library term {bad} "
                f"({self.library.names(train.chaos.variables)[bad]!r}) is "
                "not finite on the training data; rescale the data or change the library"
            )
        empty = np.zeros(0)
        if self.ensemble is None:
            coef = self.optimizer.fit(Regression(theta, targets))
            inclusion, models = empty, empty
        else:
            rng = np.random.default_rng(self.seed)
            result = self.ensemble.fit(self.optimizer, theta, targets, rng)
            coef, inclusion, models = result.coefficients, result.inclusion, result.models
        self.__dict__["_sindy"] = {
            "coefficients": coef,
            "inclusion": inclusion,
            "ensemble_models": models,
        }

    def _forecast(self, context: xr.Dataset, steps: int) -> Any:
        import torch

        integrate = _integrate()
        device, dtype = resolve(type(self).__name__, self.device, self.dtype)
        x0 = torch.as_tensor(
            np.asarray(context["state"].values[:, -1], dtype=np.float64), dtype=dtype, device=device
        )
        dt = self.fit_info.dt
        t_out = dt * np.arange(1, steps + 1, dtype=np.float64)
        options: dict[str, Any] = {}
        if self.integrator == "rk4":
            options["step"] = dt / self.rk4_substeps
        else:
            options.update(rtol=self.rtol, atol=self.atol)
        result = integrate(self._field(), x0, t_out, method=self.integrator, t0=0.0, **options)
        return result.state

    def _get_state(self) -> Mapping[str, np.ndarray]:
        return dict(self._fitted)

    def _set_state(self, state: Mapping[str, np.ndarray]) -> None:
        missing = [k for k in ("coefficients", "inclusion", "ensemble_models") if k not in state]
        if missing:
            raise DataError(f"SINDy: the saved state lacks {missing}")
        coef = np.asarray(state["coefficients"], dtype=np.float64)
        if coef.ndim != 2 or coef.shape[1] != self.library.n_terms(coef.shape[0]):
            raise DataError(
                f"SINDy: saved coefficients of shape {coef.shape} do not fit the library "
                f"({self.library.n_terms(coef.shape[0]) if coef.ndim == 2 else '?'} terms)"
            )
        self.__dict__["_sindy"] = {
            "coefficients": coef,
            "inclusion": np.asarray(state["inclusion"], dtype=np.float64),
            "ensemble_models": np.asarray(state["ensemble_models"], dtype=np.float64),
        }

    def _dynamics(self) -> SINDyDynamics:
        _integrate()  # the clear error when chaoskit-systems is missing
        return SINDyDynamics(self._field(), self.fit_info.dt, substeps=self.rk4_substeps)

    # ------------------------------------------------------------------ helpers
    @property
    def _fitted(self) -> dict[str, np.ndarray]:
        self.fit_info  # noqa: B018 - raises NotFittedError before fit
        return self.__dict__["_sindy"]

    def _field(self) -> VectorField:
        coef = self._fitted["coefficients"]
        return VectorField(self.library.terms(coef.shape[0]), coef)

    def _array(self, values: np.ndarray) -> xr.DataArray:
        return xr.DataArray(
            values,
            dims=("variable", "feature"),
            coords={"variable": list(self.fit_info.variables), "feature": self.feature_names},
        )


def _integrate() -> Any:
    try:
        from chaoskit_systems.integrators import integrate
    except ImportError:
        raise CapabilityError(
            "SINDy forecasts and dynamics integrate the identified equations with "
            "chaoskit-systems' "
            "integrators; install chaoskit-systems"
        ) from None
    return integrate


def _attach(train: xr.Dataset, derivatives: Any, name: str) -> xr.Dataset:
    """``train`` with the derivative array as the data variable ``name`` (shape checked)."""
    if hasattr(derivatives, "detach"):
        derivatives = derivatives.detach().cpu().numpy()
    if isinstance(derivatives, xr.DataArray):
        derivatives = derivatives.values
    arr = np.asarray(derivatives)
    state = train["state"]
    if arr.ndim == state.ndim - 1 and state.shape[0] == 1:
        arr = arr[None]
    if arr.shape != state.shape:
        raise DataError(
            f"derivatives must have the shape of the states {tuple(state.shape)} "
            f"{tuple(state.dims)} (or {tuple(state.shape[1:])} for one member), got {arr.shape}"
        )
    if arr.dtype.kind not in "fiu":
        raise DataError(f"derivatives must be real numbers, got dtype {arr.dtype}")
    return train.assign({name: (state.dims, arr.astype(np.float64))})
