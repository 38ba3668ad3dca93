"""Next-generation reservoir computing (NG-RC, Gauthier et al. 2021): a nonlinear vector
autoregression on delay taps, fit by ridge regression in closed form."""

from __future__ import annotations

import itertools
from collections.abc import Mapping
from typing import Any, ClassVar

import attrs
import numpy as np
import torch
import xarray as xr
from chaoskit import DataError, Dynamics, Model
from chaoskit.validators import boolean, integer, nonnegative

from .arrays import feature_values, output_dtype, standardization
from .ridge import NormalEquations

__all__ = ["NGRCDynamics", "NextGenerationRC", "ngrc_features"]

#: Largest number of feature-matrix elements built at once while fitting.
CHUNK_ELEMENTS = 1 << 22


def monomial_indices(linear: int, order: int) -> list[np.ndarray]:
    """Index tuples of the unique monomials of degree 2 … ``order`` in ``linear`` variables.

    One ``(count, degree)`` integer array per degree, in lexicographic order (``i ≤ j ≤ …``).
    """
    return [
        np.array(list(itertools.combinations_with_replacement(range(linear), q)), dtype=np.intp)
        for q in range(2, order + 1)
    ]


def ngrc_features(linear: np.ndarray, monomials: list[np.ndarray]) -> np.ndarray:
    """``[linear, monomials of linear]`` along the last axis (the constant is the intercept)."""
    parts = [linear]
    for idx in monomials:
        product = linear[..., idx[:, 0]]
        for r in range(1, idx.shape[1]):
            product = product * linear[..., idx[:, r]]
        parts.append(product)
    return np.concatenate(parts, axis=-1)


@attrs.define(frozen=True, kw_only=True, slots=False)
class NextGenerationRC(Model):
    """Next-generation reservoir computer: a nonlinear vector autoregression (NVAR).

    ::

        O_lin,t   = [x_t, x_{t−s}, …, x_{t−(k−1)s}]                     (k delay taps, stride s)
        O_total,t = [1, O_lin,t, unique monomials of O_lin,t of degree 2 … order]
        x_{t+1}   = x_t + W_out · O_total,t

    ``W_out`` is the ridge-regression solution on the training increments ``x_{t+1} − x_t``
    (Gauthier, Bollt, Griffith & Barbosa 2021, "Next generation reservoir computing"). The
    forecast runs the recursion in closed loop from the last ``(k−1)s + 1`` context points of
    each member. The defaults are the paper's Lorenz-63 setting (dt = 0.025, 400 training
    points): k = 2, s = 1, quadratic monomials, a constant, ridge 2.5e-6 — 28 features.

    Parameters
    ----------
    delays
        k, the number of delay taps (≥ 1).
    stride
        s, the steps between taps (≥ 1).
    order
        Highest degree of the monomials (≥ 1; 1: a linear VAR of the taps, 2: the paper's
        quadratic features, 3: degree-2 and degree-3 monomials).
    constant
        Include the constant feature (an unpenalised intercept).
    ridge
        L2 penalty on the feature weights (not the constant), absolute, as in the paper.
    training_noise
        Standard deviation of Gaussian noise added to the training *inputs*, in units of each
        variable's standard deviation; the targets are the clean next points (``x_{t+1} − x̃_t``),
        so the readout learns to pull perturbed states back (as the ESN's ``training_noise``).
        The default 1e-4 is needed on accurate data: fit to noise-free Lorenz-63 (DOP853 at
        rtol 1e-11) the paper's setting has a spurious unstable step eigenvalue (|λ| ≈ 3) and
        leaves the attractor within a few dozen steps, whereas the paper's own data (RK23 at
        scipy's default tolerances) carry integration errors that act as this noise
        (``benchmarks/ngrc_training_noise.py``, docs/models.md). 0 reproduces the paper's fit.
    standardize
        Fit on variables z-scored with the training mean and standard deviation (off by
        default: the paper fits raw Lorenz coordinates, and its ridge is set for them). Turn
        it on for data of very different scales.
    device, dtype, seed
        As for every :class:`chaoskit.Model`; the fit and the recursion run in float64 with
        numpy (the normal equations are accumulated in float64), ``dtype`` sets the precision
        of the returned forecast.
    """

    delays: int = attrs.field(default=2, validator=integer(1))
    stride: int = attrs.field(default=1, validator=integer(1))
    order: int = attrs.field(default=2, validator=integer(1))
    constant: bool = attrs.field(default=True, validator=boolean)
    ridge: float = attrs.field(default=2.5e-6, validator=nonnegative)
    training_noise: float = attrs.field(default=1e-4, validator=nonnegative)
    standardize: bool = attrs.field(default=False, validator=boolean)

    backend: ClassVar[str] = "numpy"

    @property
    def span(self) -> int:
        """``(k − 1)·s``: how far back the oldest tap reaches."""
        return (self.delays - 1) * self.stride

    @property
    def min_context(self) -> int:  # type: ignore[override]
        """The shortest context ``forecast`` accepts: ``(k − 1)·s + 1`` points."""
        return self.span + 1

    def feature_count(self, variables: int) -> int:
        """Features of ``O_total`` for ``variables`` inputs, the constant included if on."""
        linear = variables * self.delays
        monomials = sum(len(i) for i in monomial_indices(linear, self.order))
        return int(self.constant) + linear + monomials

    @property
    def weights(self) -> np.ndarray:
        """``W_out`` ``(variables, 1 + linear + monomials)``: the constant's column first (zero
        without ``constant``), in the units the model was fit in (z-scored with ``standardize``)."""
        self.fit_info  # noqa: B018 - raises when not fitted
        return self.__dict__["_weights"]

    # ------------------------------------------------------------------ Model implementation
    def _fit(self, train: xr.Dataset, *, valid: xr.Dataset | None, trainer: Any) -> None:
        values = feature_values(train, "train", type(self).__name__)
        members, times, variables = values.shape
        span = self.span
        if times < span + 2:
            raise DataError(
                f"train: members of {times} time points give no feature/target pair with "
                f"delays = {self.delays}, stride = {self.stride} (the taps reach back {span} steps); "
                f"use members of at least {span + 2} points, or fewer delays or a smaller stride"
            )
        mean, std = standardization(values, self.standardize)
        z = (values - mean) / std
        noisy = z
        if self.training_noise > 0:  # per variable, in units of its standard deviation
            rng = np.random.default_rng(None if self.seed is None else [self.seed, 2])
            scale = self.training_noise * values.std(axis=(0, 1)) / std
            noisy = z + scale * rng.standard_normal(z.shape)
        monomials = monomial_indices(variables * self.delays, self.order)
        width = self.feature_count(variables) - int(self.constant)
        solver = NormalEquations(width, variables, device=torch.device("cpu"))
        rows = max(1, CHUNK_ELEMENTS // (width + variables))
        for m in range(members):
            for start in range(span, times - 1, rows):
                stop = min(start + rows, times - 1)
                linear = np.concatenate(
                    [noisy[m, start - j * self.stride: stop - j * self.stride]
                     for j in range(self.delays)],
                    axis=1,
                )
                x = ngrc_features(linear, monomials)
                y = z[m, start + 1: stop + 1] - noisy[m, start:stop]
                solver.add(torch.from_numpy(x), torch.from_numpy(y))
        weights = solver.solve(self.ridge, intercept=self.constant).numpy()
        self._store(weights, mean, std)

    def _forecast(self, context: xr.Dataset, steps: int) -> np.ndarray:
        values = feature_values(context, "context", type(self).__name__)
        mean = self.__dict__["_mean"]
        if values.shape[2] != mean.shape[0]:
            raise DataError(
                f"context: {values.shape[2]} features (variables × grid points), but the model "
                f"was fit on {mean.shape[0]}; use data on the training grid"
            )
        dyn = self._dynamics()
        state = values[:, ::-1][:, : self.span + 1].reshape(values.shape[0], -1)  # newest first
        out = np.empty((values.shape[0], steps, values.shape[2]))
        for k in range(steps):
            state = dyn.step(state)
            out[:, k] = state[:, : values.shape[2]]
        shape = (values.shape[0], steps, *context["state"].shape[2:])
        return out.reshape(shape).astype(output_dtype(self.dtype, False))

    def _get_state(self) -> Mapping[str, np.ndarray]:
        return {k: self.__dict__[f"_{k}"] for k in ("weights", "mean", "std")}

    def _set_state(self, state: Mapping[str, np.ndarray]) -> None:
        if not {"weights", "mean", "std"} <= set(state):
            raise DataError(f"{type(self).__name__}: the saved state lacks 'weights', 'mean' or 'std'")
        weights = np.asarray(state["weights"], np.float64)
        mean, std = np.asarray(state["mean"], np.float64), np.asarray(state["std"], np.float64)
        variables = mean.size
        expected = (variables, 1 + self.feature_count(variables) - int(self.constant))
        if weights.shape != expected or std.shape != mean.shape:
            raise DataError(
                f"{type(self).__name__}: the saved weights {weights.shape} do not match delays = "
                f"{self.delays}, order = {self.order} and {variables} variables (expected {expected})"
            )
        self._store(weights, mean, std)

    def _dynamics(self) -> NGRCDynamics:
        weights, mean, std = (self.__dict__[k] for k in ("_weights", "_mean", "_std"))
        return NGRCDynamics(weights, mean, std, delays=self.delays, stride=self.stride,
                            order=self.order, dt=self.fit_info.dt)

    def _store(self, weights: np.ndarray, mean: np.ndarray, std: np.ndarray) -> None:
        self.__dict__["_weights"] = np.ascontiguousarray(weights, dtype=np.float64)
        self.__dict__["_mean"] = np.ascontiguousarray(mean, dtype=np.float64)
        self.__dict__["_std"] = np.ascontiguousarray(std, dtype=np.float64)


class NGRCDynamics(Dynamics):
    """The NG-RC recursion as a map on its delay state, a numpy :class:`chaoskit.Dynamics`.

    The state is ``s_t = [x_t, x_{t−1}, …, x_{t−(k−1)s}]`` in data units (newest first, every
    step of the span, dimension ``variables·((k−1)s + 1)``); one step puts
    ``x_t + W_out·O_total,t`` in front and drops the oldest point. The Jacobian is closed form
    (the monomials by the product rule). :meth:`lift` turns a system state ``x`` into the delay
    state of a history that stood still at ``x``; :meth:`observe` reads ``x_t`` back.
    """

    backend: ClassVar[str] = "numpy"

    def __init__(self, weights: np.ndarray, mean: np.ndarray, std: np.ndarray, *, delays: int,
                 stride: int, order: int, dt: float) -> None:
        variables = mean.shape[0]
        self.points = (delays - 1) * stride + 1
        super().__init__(variables * self.points, dt)
        self.variables, self.delays, self.stride = variables, delays, stride
        self.std = std
        self.intercept, self.coef = weights[:, 0], weights[:, 1:]
        self.monomials = monomial_indices(variables * delays, order)
        taps = np.arange(delays) * stride  # which points of the state the taps read
        self.tap_columns = (taps[:, None] * variables + np.arange(variables)[None, :]).ravel()
        self.tap_mean, self.tap_std = np.tile(mean, delays), np.tile(std, delays)

    def _linear(self, x: np.ndarray) -> np.ndarray:
        """The taps of the state ``(..., dimension)``, z-scored: ``(..., variables·k)``."""
        return (x[..., self.tap_columns] - self.tap_mean) / self.tap_std

    def _step(self, x: Any) -> np.ndarray:
        x = np.asarray(x, dtype=np.float64)
        increment = self.intercept + ngrc_features(self._linear(x), self.monomials) @ self.coef.T
        head = x[..., : self.variables] + self.std * increment
        return np.concatenate([head, x[..., : self.dimension - self.variables]], axis=-1)

    def _jacobian(self, x: Any) -> np.ndarray:
        x = np.asarray(x, dtype=np.float64)
        linear = self._linear(x)
        n = linear.shape[-1]
        d_features = [np.broadcast_to(np.eye(n), (*linear.shape[:-1], n, n))]
        for idx in self.monomials:  # ∂(l_i1 ⋯ l_iq)/∂l = Σ_p (Π_{r≠p} l_ir) e_ip
            block = np.zeros((*linear.shape[:-1], idx.shape[0], n))
            rows = np.arange(idx.shape[0])
            for p in range(idx.shape[1]):
                others = np.ones((*linear.shape[:-1], idx.shape[0]))
                for r in range(idx.shape[1]):
                    if r != p:
                        others = others * linear[..., idx[:, r]]
                block[..., rows, idx[:, p]] += others
            d_features.append(block)
        # ∂increment/∂taps in data units: W_out · ∂O/∂l · diag(1/σ) per tap
        d_taps = self.coef @ np.concatenate(d_features, axis=-2) / self.tap_std
        jac = np.zeros((*x.shape[:-1], self.dimension, self.dimension))
        jac[..., : self.variables, self.tap_columns] = self.std[:, None] * d_taps
        jac[..., : self.variables, : self.variables] += np.eye(self.variables)
        shift = np.arange(self.dimension - self.variables)
        jac[..., self.variables + shift, shift] = 1.0
        return jac

    def lift(self, x: Any) -> np.ndarray:
        x = np.asarray(x, dtype=np.float64)
        return np.concatenate([x] * self.points, axis=-1)

    def observe(self, state: Any) -> np.ndarray:
        return np.asarray(state)[..., : self.variables]
