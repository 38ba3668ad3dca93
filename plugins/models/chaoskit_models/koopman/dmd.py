"""Exact dynamic mode decomposition (Tu et al. 2014) and the registered ``"dmd"`` model."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

import attrs
import numpy as np
import torch
import xarray as xr
from chaoskit import DataError, Dynamics, Model
from chaoskit.validators import boolean

from ..arrays import feature_values, output_dtype
from ._common import as_tensor, linalg_device, snapshot_pairs, to_numpy
from .svd import Rank, rank_validator, truncated_svd

__all__ = ["DMD", "DMDResult", "LinearDynamics", "exact_dmd"]

_STATE_KEYS = ("basis", "operator", "eigenvalues", "modes", "amplitudes", "singular_values")


@attrs.frozen(eq=False)
class DMDResult:
    """What exact DMD computes from snapshot pairs ``Y ≈ 𝔸 X`` (``n`` features, rank ``r``).

    Attributes
    ----------
    eigenvalues
        ``λ`` ``(r,)``, complex: eigenvalues of the reduced operator (one step of ``dt``).
    modes
        ``Φ`` ``(n, r)``, complex, unit columns: exact modes ``Y V Σ⁻¹ W`` (or projected ``U W``).
    amplitudes
        ``b`` ``(r,)``: least-squares coefficients of the first snapshot on the modes.
    basis
        ``U`` ``(n, r)``: the leading left singular vectors of ``X`` (POD modes).
    operator
        ``Ã = Uᴴ Y V Σ⁻¹`` ``(r, r)``: the reduced linear map, ``z_{k+1} = Ã z_k`` with ``z = Uᴴ x``.
    singular_values
        The ``r`` kept singular values of ``X``.
    dt
        Time between the two snapshots of a pair.
    """

    eigenvalues: np.ndarray
    modes: np.ndarray
    amplitudes: np.ndarray
    basis: np.ndarray
    operator: np.ndarray
    singular_values: np.ndarray
    dt: float = 1.0

    @property
    def continuous_eigenvalues(self) -> np.ndarray:
        """``ω = log(λ)/dt``: growth rate (real part) and angular frequency (imaginary part)."""
        with np.errstate(divide="ignore"):
            return np.log(self.eigenvalues.astype(complex)) / self.dt

    @property
    def rank(self) -> int:
        return int(self.eigenvalues.shape[0])


def exact_dmd(
    x: Any, y: Any, rank: Rank = None, *, dt: float = 1.0, exact: bool = True, device: str = "cpu"
) -> DMDResult:
    """Exact DMD of snapshot matrices ``x`` and ``y`` of shape ``(features, pairs)``.

    ``X = UΣVᴴ`` truncated by ``rank`` (:mod:`~chaoskit_models.koopman.svd`), ``Ã = UᴴYVΣ⁻¹``,
    ``ÃW = WΛ``, modes ``Φ = YVΣ⁻¹W`` (``exact``) or ``UW``. All linear algebra in float64
    (complex128 for complex data) with torch on ``device``.

    Raises
    ------
    DataError
        Shapes that differ, or non-finite values.
    ParameterError
        A rank larger than the data allow.
    """
    x, y = np.asarray(x), np.asarray(y)
    if x.ndim != 2 or x.shape != y.shape:
        raise DataError(
            f"exact_dmd: x and y must be matrices of one shape (features, pairs), got {x.shape} and {y.shape}"
        )
    if not (np.isfinite(x).all() and np.isfinite(y).all()):
        raise DataError(
            "exact_dmd: the snapshots hold non-finite values; drop or repair them first"
        )
    dev = linalg_device("exact_dmd", device)
    xt, yt = as_tensor(x, dev), as_tensor(y, dev)
    if xt.is_complex() != yt.is_complex():
        xt, yt = xt.to(torch.complex128), yt.to(torch.complex128)
    u, s, vh = truncated_svd(xt, rank)
    yv = (yt @ vh.conj().T) / s.to(yt.dtype)  # Y V Σ⁻¹
    reduced = u.conj().T @ yv
    lam, w = torch.linalg.eig(reduced)
    modes = (yv.to(w.dtype) @ w) if exact else (u.to(w.dtype) @ w)
    norms = torch.linalg.vector_norm(modes, dim=0)
    modes = torch.where(norms > 0, modes / torch.where(norms > 0, norms, 1), modes)
    amplitudes = torch.linalg.lstsq(modes, xt[:, :1].to(modes.dtype)).solution[:, 0]
    return DMDResult(
        eigenvalues=to_numpy(lam),
        modes=to_numpy(modes),
        amplitudes=to_numpy(amplitudes),
        basis=to_numpy(u),
        operator=to_numpy(reduced),
        singular_values=to_numpy(s),
        dt=float(dt),
    )


class LinearDynamics(Dynamics):
    """The linear one-step map ``x ↦ M x`` of a fitted DMD (numpy backend, constant Jacobian)."""

    def __init__(self, matrix: np.ndarray, dt: float) -> None:
        super().__init__(matrix.shape[0], dt)
        self.matrix = np.asarray(matrix, dtype=float)

    def _step(self, x: Any) -> np.ndarray:
        return np.asarray(x, dtype=float) @ self.matrix.T

    def _jacobian(self, x: Any) -> np.ndarray:
        return np.broadcast_to(self.matrix, (*np.shape(x)[:-1], *self.matrix.shape)).copy()


@attrs.define(frozen=True, kw_only=True, slots=False)
class DMD(Model):
    """Exact dynamic mode decomposition: the best-fit linear map between consecutive states.

    Fit: every member contributes its consecutive pairs ``(x_k, x_{k+1})`` (spatial fields are
    flattened into one feature vector; complex fields stay complex) to ``X`` and ``Y``;
    :func:`exact_dmd` computes ``U``, ``Ã``, ``λ``, ``Φ``. Forecast: from the last context state
    ``x``, ``z = Uᴴx`` and ``z ← Ãz`` in closed loop, returned as ``x = Uz``.

    Parameters
    ----------
    rank
        Truncation of the SVD of ``X``: ``None`` (default) the Gavish–Donoho optimal hard
        threshold, an int, an energy fraction in ``(0, 1)`` or ``"full"``. The threshold is
        made for many features (fields); for a low-dimensional noise-free state such as
        Lorenz-63's three variables it keeps only the dominant direction: pass ``"full"``.
    exact
        Exact modes ``YVΣ⁻¹W`` (True) or projected modes ``UW``; forecasts do not depend on it.
    device, dtype, seed
        Linear algebra runs in float64 with torch on ``device``; ``dtype`` sets the precision
        of the returned forecast only; ``seed`` is unused (DMD is deterministic).
    """

    rank: Rank = attrs.field(default=None, validator=rank_validator)
    exact: bool = attrs.field(default=True, validator=boolean)

    min_context: ClassVar[int] = 1
    backend: ClassVar[str] = "torch"

    # ------------------------------------------------------------------ results
    @property
    def result(self) -> DMDResult:
        """The fitted :class:`DMDResult` (raises :class:`chaoskit.NotFittedError` before ``fit``)."""
        self.fit_info  # noqa: B018 - raises before fit
        return self.__dict__["_dmd"]

    @property
    def eigenvalues(self) -> xr.DataArray:
        """Discrete eigenvalues ``λ`` (dim ``mode``) with ``growth_rate`` and ``frequency`` coords."""
        r = self.result
        omega = r.continuous_eigenvalues
        return xr.DataArray(
            r.eigenvalues,
            dims=("mode",),
            name="eigenvalue",
            coords={
                "mode": np.arange(r.rank),
                "growth_rate": ("mode", omega.real),
                "frequency": ("mode", omega.imag / (2 * np.pi)),
                "amplitude": ("mode", np.abs(r.amplitudes)),
            },
            attrs={
                "dt": r.dt,
                "description": "DMD eigenvalues (one step of dt); omega = log(lambda)/dt",
            },
        )

    @property
    def modes(self) -> xr.DataArray:
        """The DMD modes ``Φ`` with the data's feature dims (``*space, variable``) and ``mode``."""
        info, r = self.fit_info, self.result
        dims, coords = self._feature_layout()
        shape = [len(c) for c in coords.values()]
        return xr.DataArray(
            r.modes.reshape(*shape, r.rank),
            dims=(*dims, "mode"),
            name="mode",
            coords={**coords, "mode": np.arange(r.rank)},
            attrs={"dt": info.dt},
        )

    # ------------------------------------------------------------------ Model implementation
    def _fit(self, train: xr.Dataset, *, valid: xr.Dataset | None, trainer: Any) -> None:
        values = self._embed(feature_values(train, "train", type(self).__name__, complex_ok=True))
        x, y = snapshot_pairs(values, "train", type(self).__name__)
        self.__dict__["_dmd"] = exact_dmd(
            x.T, y.T, self.rank, dt=train.chaos.dt, exact=self.exact, device=self.device
        )

    def _forecast(self, context: xr.Dataset, steps: int) -> np.ndarray:
        r = self.result
        values = self._embed(
            feature_values(context, "context", type(self).__name__, complex_ok=True)
        )
        dev = linalg_device(type(self).__name__, self.device)
        basis, operator = as_tensor(r.basis, dev), as_tensor(r.operator, dev)
        complex_ = basis.is_complex() or np.iscomplexobj(values)
        dtype = torch.complex128 if complex_ else torch.float64
        basis, operator = basis.to(dtype), operator.to(dtype)
        z = as_tensor(values[:, -1], dev).to(dtype) @ basis.conj()
        out = torch.empty((values.shape[0], steps, basis.shape[0]), dtype=dtype, device=dev)
        for k in range(steps):
            z = z @ operator.T
            out[:, k] = z @ basis.T
        states = self._observe(to_numpy(out))
        if not np.iscomplexobj(context["state"].values):
            states = states.real
        shape = (values.shape[0], steps, *context["state"].shape[2:])
        dtype_out = output_dtype(self.dtype, np.iscomplexobj(context["state"].values))
        return states.reshape(shape).astype(dtype_out)

    def _get_state(self) -> Mapping[str, np.ndarray]:
        r = self.result
        return {**{key: np.asarray(getattr(r, key)) for key in _STATE_KEYS}, "dt": np.asarray(r.dt)}

    def _set_state(self, state: Mapping[str, np.ndarray]) -> None:
        missing = [k for k in (*_STATE_KEYS, "dt") if k not in state]
        if missing:
            raise DataError(f"{type(self).__name__}: the saved state lacks {missing}")
        arrays = {k: np.asarray(state[k]) for k in _STATE_KEYS}
        self.__dict__["_dmd"] = DMDResult(**arrays, dt=float(state["dt"]))

    def _dynamics(self) -> Dynamics | None:
        r = self.result
        if np.iscomplexobj(r.basis) or np.iscomplexobj(r.operator):
            return None  # complex fields: chaoskit's dynamics are real
        return LinearDynamics(r.basis @ r.operator @ r.basis.T, self.fit_info.dt)

    # ------------------------------------------------------------------ hooks for Hankel DMD
    def _embed(self, values: np.ndarray) -> np.ndarray:
        """The DMD state ``(member, time', feature')`` of data ``(member, time, feature)``."""
        return values

    def _observe(self, states: np.ndarray) -> np.ndarray:
        """The data features of DMD states ``(..., feature')``."""
        return states

    def _feature_layout(self) -> tuple[tuple[str, ...], dict[str, np.ndarray]]:
        info = self.fit_info
        coords = {k: np.asarray(v) for k, v in info.space.items()}
        coords["variable"] = np.asarray(info.variables)
        return tuple(coords), coords
