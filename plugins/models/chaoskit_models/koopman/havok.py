"""HAVOK: chaos as an intermittently forced linear system (Brunton et al. 2017)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

import attrs
import numpy as np
import scipy.linalg
import xarray as xr
from chaoskit import DataError, Model, ParameterError
from chaoskit.validators import choice, integer

from ..arrays import feature_values, output_dtype
from ..sindy.derivatives import finite_difference
from ._common import as_tensor, linalg_device, to_numpy
from .hankel import delay_embed
from .svd import Rank, rank_validator, truncated_svd

__all__ = ["HAVOK", "forced_steppers"]

_STATE_KEYS = ("basis", "singular_values", "scale", "a", "b", "readout")


def forced_steppers(
    a: np.ndarray, b: np.ndarray, dt: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Exact one-step matrices of ``dv/dt = A v + B u`` for piecewise-linear ``u``.

    ``v_{k+1} = Φ v_k + Γ₀ u_k + Γ₁ (u_{k+1} − u_k)`` with ``Φ = e^{A dt}``; ``Γ₀`` alone is the
    zero-order hold (constant ``u``). From one matrix exponential of the augmented system.
    """
    n = a.shape[0]
    aug = np.zeros((n + 2, n + 2))
    aug[:n, :n] = a * dt
    aug[:n, n] = b * dt
    aug[n, n + 1] = 1.0
    e = scipy.linalg.expm(aug)
    return e[:n, :n], e[:n, n], e[:n, n + 1]


def _variable(instance: Any, attribute: Any, value: Any) -> None:
    if value is not None and not (isinstance(value, str) and value):
        raise ParameterError(
            f"{type(instance).__name__}.{attribute.name} must be a variable name or None (the first), got {value!r}"
        )


@attrs.define(frozen=True, kw_only=True, slots=False)
class HAVOK(Model):
    """Hankel alternative view of Koopman: a linear model forced by its last delay coordinate.

    A scalar series ``x`` (``variable``) is stacked into the Hankel matrix ``H`` of ``delays``
    rows (``H[i, k] = x_{k+i}``) and decomposed, ``H = UΣVᵀ``. Truncated at ``rank = r``, each
    window ``h_k`` has delay coordinates ``v_k = √N·Σ_r⁻¹U_rᵀh_k`` (unit RMS over the ``N``
    training windows; the paper's ``V`` is ``v/√N``). The derivatives of ``v`` by fourth-order
    central differences, as in the paper, are regressed (least squares) on ``v``::

        dv_{1:r−1}/dt = A v_{1:r−1} + B v_r

    ``v_r`` is the intermittent forcing: its bursts mark the strongly nonlinear events, on
    Lorenz-63 the lobe switches, which they precede. :meth:`forcing` returns it for any data.

    Forecasting needs the forcing, which the model does not predict. ``forecast`` runs the
    linear model from the last context window with ``v_r`` extrapolated as zero
    (``forecast_forcing="zero"``, the unforced linear dynamics) or held at its last value (``"hold"``);
    this is faithful for a short time and never reproduces a lobe switch. Every variable is
    read out from ``v_1 … v_r`` by a least-squares linear map fitted on the training data (the
    newest sample of each window), so multi-variable data forecast all variables.
    :meth:`simulate` drives the model with a measured forcing instead (the paper's test).

    Parameters
    ----------
    variable
        The measured scalar (default: the first variable).
    delays
        Rows ``q`` of the Hankel matrix (paper: 100 at ``dt = 0.001`` on Lorenz-63, a window of
        0.1 time units).
    rank
        ``r`` (at least 2), or a rule of :mod:`.svd`. The forcing ``v_r`` must lie above the
        noise floor of the data: its singular value ``σ_r/σ_1`` should exceed ~1e-9
        (:attr:`singular_values`). The paper took ``r = 15`` of 100 delays at ``dt = 0.001``;
        on Lorenz-63 integrated in float64 (tolerances 1e-10 to 1e-12) with a window of 0.1
        time units, ``σ_15/σ_1`` is at the round-off floor (~4e-13) and ``σ_11/σ_1 ≈ 1e-9``,
        hence the default 11. The optimal hard threshold (``None``) keeps every singular value
        above the noise floor, so its ``v_r`` is noise on noise-free data; it suits noisy data.
    forecast_forcing
        ``"zero"`` or ``"hold"``: the forcing during ``forecast``.
    device, dtype, seed
        The SVD runs in float64 with torch on ``device``; the small regressions with numpy;
        ``dtype`` sets the forecast precision; ``seed`` is unused.
    """

    variable: str | None = attrs.field(default=None, validator=_variable)
    delays: int = attrs.field(default=100, validator=integer(3))
    rank: Rank = attrs.field(default=11, validator=rank_validator)
    forecast_forcing: str = attrs.field(default="zero", validator=choice(("zero", "hold")))

    backend: ClassVar[str] = "torch"

    @property
    def min_context(self) -> int:  # type: ignore[override]
        """One Hankel window: ``delays`` points."""
        return self.delays

    # ------------------------------------------------------------------ results
    @property
    def linear_model(self) -> tuple[np.ndarray, np.ndarray]:
        """``(A, B)``: ``(r−1, r−1)`` and ``(r−1,)`` of ``dv/dt = A v + B v_r``."""
        s = self._state
        return s["a"].copy(), s["b"].copy()

    @property
    def singular_values(self) -> np.ndarray:
        """The ``r`` kept singular values of the training Hankel matrix."""
        return self._state["singular_values"].copy()

    def delay_coordinates(self, data: xr.Dataset) -> xr.DataArray:
        """``v_1 … v_r`` of every window of ``data`` ``(member, time, mode)``.

        ``time`` is that of the newest sample of each window.
        """
        self.fit_info  # noqa: B018
        self.check_compatible(data, self.fit_info, "data")
        v = self._project(self._series(data))
        time = data["time"].values[self.delays - 1 :]
        return xr.DataArray(
            v,
            dims=("member", "time", "mode"),
            name="delay_coordinates",
            coords={
                "member": data["member"].values,
                "time": time,
                "mode": np.arange(1, v.shape[-1] + 1),
            },
            attrs={"variable": self._variable_name(), "delays": self.delays},
        )

    def forcing(self, data: xr.Dataset) -> xr.DataArray:
        """The forcing ``v_r(t)`` of ``data`` ``(member, time)``, time of each window's newest sample."""
        v = self.delay_coordinates(data)
        out = v.isel(mode=-1, drop=True).rename("forcing")
        out.attrs.update(
            rank=int(v.sizes["mode"]),
            description="HAVOK forcing v_r (unit RMS on the training data)",
        )
        return out

    def simulate(self, data: xr.Dataset) -> xr.DataArray:
        """``v_1 … v_{r−1}`` of the linear model driven by ``data``'s measured forcing.

        Starts from the measured ``v`` of the first window of each member; the forcing is
        interpolated linearly between samples (exact first-order hold).
        """
        v = self.delay_coordinates(data)
        a, b = self._state["a"], self._state["b"]
        phi, g0, g1 = forced_steppers(a, b, self.fit_info.dt)
        vals = v.values
        u = vals[..., -1]
        out = np.empty(vals.shape[:-1] + (a.shape[0],))
        out[:, 0] = vals[:, 0, :-1]
        for k in range(vals.shape[1] - 1):
            out[:, k + 1] = (
                out[:, k] @ phi.T + np.outer(u[:, k], g0) + np.outer(u[:, k + 1] - u[:, k], g1)
            )
        return xr.DataArray(
            out, dims=v.dims, coords={**v.coords, "mode": v["mode"].values[:-1]}, name="simulated"
        )

    # ------------------------------------------------------------------ Model implementation
    def _fit(self, train: xr.Dataset, *, valid: xr.Dataset | None, trainer: Any) -> None:
        self.__dict__["_var"] = self._variable_index(train)
        values = feature_values(train, "train", type(self).__name__)
        windows = delay_embed(values[..., self.__dict__["_var"], None], self.delays)  # (m, T', q)
        members, n_win, q = windows.shape
        if n_win < 5:
            raise DataError(
                f"train: HAVOK with {self.delays} delays needs at least {self.delays + 4} points per "
                f"member (5 windows for the fourth-order derivative), got {values.shape[1]}"
            )
        dev = linalg_device(type(self).__name__, self.device)
        u, s, _ = truncated_svd(as_tensor(windows.reshape(-1, q).T, dev), self.rank)
        r = int(s.shape[0])
        if r < 2:
            raise DataError(
                f"train: the Hankel matrix kept rank {r}; HAVOK needs r >= 2 (a linear part and a "
                "forcing); pass an explicit rank"
            )
        scale = float(np.sqrt(members * n_win))
        state = {"basis": to_numpy(u), "singular_values": to_numpy(s), "scale": np.asarray(scale)}
        self.__dict__["_havok_state"] = state
        v = self._project(values[..., self.__dict__["_var"]])
        # fourth-order central differences, as the paper; the one-sided ends are dropped
        dv = finite_difference(v, train.chaos.dt, order=4, axis=1)[:, 2:-2, : r - 1]
        dv = dv.reshape(-1, r - 1)
        xi = np.linalg.lstsq(v[:, 2:-2].reshape(-1, r), dv, rcond=None)[0]  # (r, r−1)
        design = np.concatenate([v.reshape(-1, r), np.ones((members * n_win, 1))], axis=1)
        readout = np.linalg.lstsq(
            design, values[:, q - 1 :].reshape(members * n_win, -1), rcond=None
        )[0]
        state.update(a=np.ascontiguousarray(xi[: r - 1].T), b=xi[r - 1].copy(), readout=readout)

    def _forecast(self, context: xr.Dataset, steps: int) -> np.ndarray:
        s = self._state
        v0 = self._project(self._series(context)[:, -self.delays :])[:, -1]  # (member, r)
        phi, g0, _ = forced_steppers(s["a"], s["b"], self.fit_info.dt)
        u = np.zeros(v0.shape[0]) if self.forecast_forcing == "zero" else v0[:, -1]
        v = v0[:, :-1]
        out = np.empty((v0.shape[0], steps, s["readout"].shape[1]))
        for k in range(steps):
            v = v @ phi.T + np.outer(u, g0)
            out[:, k] = (
                np.concatenate([v, u[:, None], np.ones((v.shape[0], 1))], axis=1) @ s["readout"]
            )
        shape = (v0.shape[0], steps, *context["state"].shape[2:])
        return out.reshape(shape).astype(output_dtype(self.dtype, False))

    def _get_state(self) -> Mapping[str, np.ndarray]:
        return {**self._state, "variable_index": np.asarray(self.__dict__["_var"])}

    def _set_state(self, state: Mapping[str, np.ndarray]) -> None:
        missing = [k for k in (*_STATE_KEYS, "variable_index") if k not in state]
        if missing:
            raise DataError(f"{type(self).__name__}: the saved state lacks {missing}")
        self.__dict__["_havok_state"] = {k: np.asarray(state[k]) for k in _STATE_KEYS}
        self.__dict__["_var"] = int(state["variable_index"])

    # ------------------------------------------------------------------ helpers
    @property
    def _state(self) -> dict[str, np.ndarray]:
        self.fit_info  # noqa: B018 - raises before fit
        return self.__dict__["_havok_state"]

    def _variable_index(self, ds: xr.Dataset) -> int:
        names = list(ds.chaos.variables)
        if ds["state"].ndim != 3:
            raise DataError(
                f"train: HAVOK takes a scalar series of a variable, not a spatial field (dims {ds['state'].dims})"
            )
        if self.variable is None:
            return 0
        if self.variable not in names:
            raise DataError(
                f"train: HAVOK.variable = {self.variable!r} is not among the variables {names}"
            )
        return names.index(self.variable)

    def _variable_name(self) -> str:
        return self.fit_info.variables[self.__dict__["_var"]]

    def _series(self, data: xr.Dataset) -> np.ndarray:
        values = feature_values(data, "data", type(self).__name__)
        if values.shape[1] < self.delays:
            raise DataError(
                f"data: HAVOK needs at least delays = {self.delays} time points, got {values.shape[1]}"
            )
        return values[..., self.__dict__["_var"]]

    def _project(self, series: np.ndarray) -> np.ndarray:
        """Delay coordinates ``(member, windows, r)`` of scalar series ``(member, time)``."""
        s = self.__dict__["_havok_state"]
        windows = delay_embed(series[..., None], self.delays)
        return windows @ s["basis"] * (float(s["scale"]) / s["singular_values"])
