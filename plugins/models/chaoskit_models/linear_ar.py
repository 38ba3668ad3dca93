"""Linear autoregression over delays: the least-squares baseline of the forecasting benchmarks."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

import attrs
import numpy as np
import xarray as xr
from chaoskit import DataError, Dynamics, Model
from chaoskit.validators import boolean, integer, nonnegative

from .arrays import feature_values, output_dtype, standardization
from .qr_ridge import StackedQR

__all__ = ["CompanionDynamics", "LinearAutoregression"]

#: Largest number of design-matrix elements built at once while fitting.
CHUNK_ELEMENTS = 1 << 22


@attrs.define(frozen=True, kw_only=True, slots=False)
class LinearAutoregression(Model):
    """Vector linear autoregression on ``lags`` delays, fit by (ridge) least squares.

    ::

        x̂_{t+1} = c + A_1 x_t + A_2 x_{t−1} + … + A_p x_{t−p+1},     p = lags

    with one intercept ``c`` and ``p`` full coupling matrices ``A_j`` over all features (the
    variables, and every grid point of a spatial field, flattened into one vector). The
    forecast runs the recursion in closed loop from the last ``p`` context points of each
    member. This is the "LinearRegression" baseline of Gilpin (2023) in its multivariate form.

    Parameters
    ----------
    lags
        Number of delays ``p`` (≥ 1); also the shortest context ``forecast`` accepts.
    ridge
        L2 penalty on the coefficients (not on the intercept), absolute, on the standardized
        features when ``standardize`` is on. 0 (the default) is ordinary least squares, with
        the minimum-norm solution when the delays are exactly collinear.
    standardize
        Fit on features z-scored with the training mean and standard deviation (the
        coefficients are mapped back to the original units, so forecasts are in the original
        units). Without ridge the fitted model is the same either way; with ridge the penalty
        then treats all features alike.
    device, dtype, seed
        As for every :class:`chaoskit.Model`; the fit and the recursion run in float64 with
        numpy, and ``dtype`` sets the precision of the returned forecast.

    Notes
    -----
    Delay coordinates of a smooth flow are nearly collinear (condition numbers of 10¹⁰ for
    five lags of Lorenz-63 at ``dt = 0.01``), so the least-squares problem is solved by an
    accumulated QR factorisation (:class:`~chaoskit_models.qr_ridge.StackedQR`), never by the
    normal equations. Every training member contributes its ``time − lags`` input/target pairs;
    the members are not concatenated. ``dynamics()`` is the companion-form linear map on the
    delay state ``[x_t, x_{t−1}, …, x_{t−p+1}]`` (:class:`CompanionDynamics`).
    """

    lags: int = attrs.field(default=5, validator=integer(1))
    ridge: float = attrs.field(default=0.0, validator=nonnegative)
    standardize: bool = attrs.field(default=True, validator=boolean)

    backend: ClassVar[str] = "numpy"

    @property
    def min_context(self) -> int:  # type: ignore[override]
        """The shortest context ``forecast`` accepts: ``lags`` points."""
        return self.lags

    @property
    def coefficients(self) -> tuple[np.ndarray, np.ndarray]:
        """``(c, A)``: intercept ``(features,)``, ``A = [A_1 … A_p]`` ``(features, features·p)``.

        In the original units, features flattened as in the data (spatial dims, then variable).
        """
        self.fit_info  # noqa: B018 - raises when not fitted
        return self.__dict__["_intercept"], self.__dict__["_coef"]

    # ------------------------------------------------------------------ Model implementation
    def _fit(self, train: xr.Dataset, *, valid: xr.Dataset | None, trainer: Any) -> None:
        values = feature_values(train, "train", type(self).__name__)
        members, times, features = values.shape
        p = self.lags
        if times <= p:
            raise DataError(
                f"train: members of {times} time points give no input/target pair with lags = {p}; "
                f"use members of at least {p + 1} points or fewer lags"
            )
        mean, std = standardization(values, self.standardize)
        z = (values - mean) / std
        solver = StackedQR(features * p, features)
        rows = max(1, CHUNK_ELEMENTS // (features * (p + 1)))
        for m in range(members):
            for start in range(p - 1, times - 1, rows):
                stop = min(start + rows, times - 1)  # targets z[start+1 : stop+1]
                solver.add(_delays(z[m], start, stop, p), z[m, start + 1 : stop + 1])
        weights = solver.solve(self.ridge)
        coef = weights[:, 1:].reshape(features, p, features) * (
            std[:, None, None] / std[None, None, :]
        )
        intercept = mean + std * weights[:, 0] - coef.sum(axis=1) @ mean
        self._store(intercept, coef.reshape(features, p * features))

    def _forecast(self, context: xr.Dataset, steps: int) -> np.ndarray:
        values = feature_values(context, "context", type(self).__name__)
        intercept, coef = self.__dict__["_intercept"], self.__dict__["_coef"]
        if values.shape[2] != intercept.shape[0]:
            raise DataError(
                f"context: {values.shape[2]} features (variables × grid points), but the model "
                f"was fit on {intercept.shape[0]}; use data on the training grid"
            )
        p = self.lags
        state = values[:, ::-1][:, :p].reshape(values.shape[0], -1)  # [x_t, x_{t-1}, …]
        out = np.empty((values.shape[0], steps, values.shape[2]))
        features = values.shape[2]
        for k in range(steps):
            nxt = intercept + state @ coef.T
            out[:, k] = nxt
            state = np.concatenate([nxt, state[:, : (p - 1) * features]], axis=1)
        shape = (values.shape[0], steps, *context["state"].shape[2:])
        return out.reshape(shape).astype(output_dtype(self.dtype, False))

    def _get_state(self) -> Mapping[str, np.ndarray]:
        return {"intercept": self.__dict__["_intercept"], "coef": self.__dict__["_coef"]}

    def _set_state(self, state: Mapping[str, np.ndarray]) -> None:
        if not {"intercept", "coef"} <= set(state):
            raise DataError(f"{type(self).__name__}: the saved state lacks 'intercept' or 'coef'")
        intercept = np.asarray(state["intercept"], np.float64)
        coef = np.asarray(state["coef"], np.float64)
        if intercept.ndim != 1 or coef.shape != (intercept.size, intercept.size * self.lags):
            raise DataError(
                f"{type(self).__name__}: the saved coefficients {coef.shape} do not match "
                f"lags = {self.lags} and {intercept.size} features"
            )
        self._store(intercept, coef)

    def _dynamics(self) -> Dynamics:
        intercept, coef = self.__dict__["_intercept"], self.__dict__["_coef"]
        return CompanionDynamics(intercept, coef, dt=self.fit_info.dt)

    def _store(self, intercept: np.ndarray, coef: np.ndarray) -> None:
        self.__dict__["_intercept"] = np.ascontiguousarray(intercept, dtype=np.float64)
        self.__dict__["_coef"] = np.ascontiguousarray(coef, dtype=np.float64)


def _delays(z: np.ndarray, start: int, stop: int, p: int) -> np.ndarray:
    """Rows ``[z_t, z_{t−1}, …, z_{t−p+1}]`` for ``t = start … stop − 1`` of ``z`` ``(time, F)``."""
    return np.concatenate([z[start - j : stop - j] for j in range(p)], axis=1)


class CompanionDynamics(Dynamics):
    """The companion form of a linear autoregression, a numpy :class:`chaoskit.Dynamics`.

    The state is the delay vector ``s_t = [x_t, x_{t−1}, …, x_{t−p+1}]`` (dimension
    ``features·p``); one step maps it to ``[c + A s_t, x_t, …, x_{t−p+2}]``. The Jacobian is
    the constant companion matrix. :meth:`lift` turns a system state ``x`` into the delay state
    of a history that stood still at ``x``; :meth:`observe` reads ``x_t`` back.
    """

    backend: ClassVar[str] = "numpy"

    def __init__(self, intercept: np.ndarray, coef: np.ndarray, *, dt: float) -> None:
        features = intercept.shape[0]
        lags = coef.shape[1] // features
        super().__init__(features * lags, dt)
        self.features, self.lags = features, lags
        self.intercept, self.coef = intercept, coef
        companion = np.zeros((self.dimension, self.dimension))
        companion[:features] = coef
        companion[features:, : self.dimension - features] = np.eye(self.dimension - features)
        self.companion = companion

    def _step(self, x: Any) -> np.ndarray:
        x = np.asarray(x, dtype=np.float64)
        head = self.intercept + x @ self.coef.T
        return np.concatenate([head, x[..., : self.dimension - self.features]], axis=-1)

    def _jacobian(self, x: Any) -> np.ndarray:
        x = np.asarray(x)
        return np.broadcast_to(
            self.companion, (*x.shape[:-1], self.dimension, self.dimension)
        ).copy()

    def lift(self, x: Any) -> np.ndarray:
        x = np.asarray(x, dtype=np.float64)
        return np.concatenate([x] * self.lags, axis=-1)

    def observe(self, state: Any) -> np.ndarray:
        return np.asarray(state)[..., : self.features]
