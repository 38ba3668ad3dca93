"""Small numpy implementations of the four interfaces, used by the core tests only.

They depend on nothing but the core, so the core tests run while the first-party plugins are
being written (or are broken).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

import attrs
import numpy as np
import xarray as xr

import chaoskit
from chaoskit.validators import choice, finite, integer, positive, probability

# --------------------------------------------------------------------------- datasets


def dataset(
    members: int = 2,
    n: int = 20,
    dt: float = 0.1,
    variables: tuple[str, ...] = ("x", "y"),
    *,
    t0: float = 0.0,
    seed: int = 0,
    attrs_: Mapping[str, Any] | None = None,
) -> xr.Dataset:
    """A smooth, finite, conventional trajectory set with a ``dt`` attribute."""
    rng = np.random.default_rng(seed)
    time = t0 + dt * np.arange(n)
    phase = rng.uniform(0, 2 * np.pi, size=(members, 1, len(variables)))
    state = np.sin(time[None, :, None] + phase)
    return chaoskit.make_dataset(
        state, time=time, variables=variables, attrs={"dt": dt, **(attrs_ or {})}
    )


def field_dataset(members: int = 2, n: int = 12, nx: int = 5, dt: float = 0.5) -> xr.Dataset:
    """A PDE-like trajectory set with one spatial dim ``x`` and two variables ``u``, ``v``."""
    time = dt * np.arange(n)
    grid = np.linspace(0.0, 1.0, nx)
    state = np.arange(members * n * nx * 2, dtype=float).reshape(members, n, nx, 2)
    return chaoskit.make_dataset(
        state, time=time, variables=("u", "v"), space={"x": grid}, attrs={"dt": dt}
    )


# --------------------------------------------------------------------------- systems


def rotation(a: float, w: float, t: Any) -> np.ndarray:
    """``expm(t A)`` for ``A = [[a, w], [-w, a]]``: shape ``(*t.shape, 2, 2)``."""
    t = np.asarray(t, dtype=float)
    c, s, g = np.cos(w * t), np.sin(w * t), np.exp(a * t)
    return g[..., None, None] * np.stack([np.stack([c, s], -1), np.stack([-s, c], -1)], -2)


class MatrixDynamics(chaoskit.Dynamics):
    """The exact one-step map ``x -> M x`` of a linear system."""

    def __init__(self, matrix: np.ndarray, dt: float) -> None:
        super().__init__(matrix.shape[0], dt)
        self.matrix = np.asarray(matrix, dtype=float)

    def _step(self, x: Any) -> Any:
        return np.asarray(x) @ self.matrix.T


LINEAR_META = chaoskit.SystemMetadata(
    name="linear",
    description="a growing linear spiral x' = A x",
    dt=0.1,
    period=2 * np.pi,
    initial_state=(1.0, 0.0),
    references={"max_lyapunov": chaoskit.ReferenceValue(value=0.05, method="exact: Re(eig A)")},
)


@attrs.define(frozen=True, kw_only=True)
class LinearFlow(chaoskit.System):
    """x' = A x with A = [[a, w], [-w, a]]; exact trajectories via the matrix exponential."""

    kind: ClassVar[str] = "flow"
    variables: ClassVar[tuple[str, ...]] = ("x", "y")
    metadata: ClassVar[chaoskit.SystemMetadata] = LINEAR_META
    methods: ClassVar[tuple[str, ...]] = ("expm", "expm-fast")

    a: float = attrs.field(default=0.05, validator=finite)
    w: float = attrs.field(default=1.0, validator=positive)

    @property
    def matrix(self) -> np.ndarray:
        return np.array([[self.a, self.w], [-self.w, self.a]])

    def _rhs(self, t: Any, x: Any) -> Any:
        return np.asarray(x) @ self.matrix.T

    def _trajectory(self, request: chaoskit.TrajectoryRequest) -> chaoskit.Simulation:
        if request.initial_state is None:
            rng = np.random.default_rng(request.seed)
            x0 = np.tile(np.asarray(self.metadata.initial_state), (request.members, 1))
            x0[1:] += 1e-3 * rng.standard_normal(x0[1:].shape)
        else:
            x0 = request.initial_state
        time = request.dt * np.arange(request.n)
        prop = rotation(self.a, self.w, time + request.transient)  # (n, 2, 2)
        state = np.einsum("tij,mj->mti", prop, x0).astype(request.dtype)
        return chaoskit.Simulation(time=time, state=state, info={"method": request.method or self.methods[0]})

    def _dynamics(self, dt: float) -> chaoskit.Dynamics:
        return MatrixDynamics(rotation(self.a, self.w, dt), dt)


@attrs.define(frozen=True, kw_only=True)
class NoPeriodFlow(LinearFlow):
    """The same flow with metadata that knows no period and no Lyapunov exponent."""

    metadata: ClassVar[chaoskit.SystemMetadata] = attrs.evolve(
        LINEAR_META, name="noperiod", period=None, references={}
    )


@attrs.define(frozen=True, kw_only=True)
class NoisyFlow(LinearFlow):
    """A flow that claims support for dynamical noise (ignored: only validation is tested)."""

    supports_noise: ClassVar[bool] = True
    metadata: ClassVar[chaoskit.SystemMetadata] = attrs.evolve(LINEAR_META, name="noisy")


@attrs.define(frozen=True, kw_only=True)
class ScaleMap(chaoskit.System):
    """The map x -> r * x (componentwise), for map-specific checks."""

    kind: ClassVar[str] = "map"
    variables: ClassVar[tuple[str, ...]] = ("x", "y", "z")
    metadata: ClassVar[chaoskit.SystemMetadata] = chaoskit.SystemMetadata(
        name="scale", dt=1.0, initial_state=(1.0, 2.0, 3.0)
    )

    r: float = attrs.field(default=0.5, validator=probability)
    order: int = attrs.field(default=1, validator=integer(1))
    mode: str = attrs.field(default="plain", validator=choice(["plain", "fancy"]))

    def _step(self, x: Any) -> Any:
        return self.r * np.asarray(x)

    def _trajectory(self, request: chaoskit.TrajectoryRequest) -> chaoskit.Simulation:
        x0 = (
            np.tile(self.metadata.initial_state, (request.members, 1))
            if request.initial_state is None
            else request.initial_state
        )
        k = np.arange(request.n, dtype=float)
        state = x0[:, None, :] * self.r ** k[None, :, None]
        return chaoskit.Simulation(time=k, state=state)


# --------------------------------------------------------------------------- models


@attrs.define(frozen=True, kw_only=True, slots=False)
class DriftModel(chaoskit.Model):
    """Persistence plus the mean drift per step learned from the training data."""

    damping: float = attrs.field(default=1.0, validator=positive)

    def _fit(self, train: xr.Dataset, *, valid: xr.Dataset | None, trainer: Any) -> None:
        values = train["state"].values
        self.__dict__["drift"] = np.diff(values, axis=1).mean(axis=(0, 1))

    def _forecast(self, context: xr.Dataset, steps: int) -> Any:
        last = context["state"].values[:, -1]  # (member, *space, variable)
        k = np.arange(1, steps + 1, dtype=float)
        k = k.reshape(1, steps, *([1] * (last.ndim - 1)))
        return last[:, None] + self.damping * k * self.__dict__["drift"]

    def _get_state(self) -> Mapping[str, Any]:
        return {"drift": self.__dict__["drift"]}

    def _set_state(self, state: Mapping[str, np.ndarray]) -> None:
        self.__dict__["drift"] = np.asarray(state["drift"])


@attrs.define(frozen=True, kw_only=True, slots=False)
class OtherModel(DriftModel):
    """Another class, to check that ``load`` refuses a directory saved by a different class."""


@attrs.define(frozen=True, kw_only=True, slots=False)
class BrokenShapeModel(DriftModel):
    """Returns one step too few: the base class must catch it and name the model."""

    def _forecast(self, context: xr.Dataset, steps: int) -> Any:
        return super()._forecast(context, steps)[:, :-1]


# --------------------------------------------------------------------------- metrics


@attrs.define(frozen=True, kw_only=True)
class AbsError(chaoskit.Metric):
    """Mean absolute error per member."""

    name: ClassVar[str] = "abs_error"
    direction: ClassVar[str] = "lower"
    kind: ClassVar[str] = "short_term"
    units: ClassVar[str] = "state"
    definition: ClassVar[str] = "mean over time and variables of |forecast - truth|"

    def _compute(self, truth: xr.Dataset, forecast: xr.Dataset, *, context: xr.Dataset | None) -> Any:
        diff = np.abs(forecast["state"].values - truth["state"].values)
        return diff.reshape(diff.shape[0], -1).mean(axis=1)


@attrs.define(frozen=True, kw_only=True)
class MeanLevel(chaoskit.Invariant):
    """Per member and variable, the time mean of the state (an 'invariant' with an extra dim)."""

    name: ClassVar[str] = "mean_level"
    units: ClassVar[str] = "state"

    def _estimate(self, data: Any) -> xr.DataArray:
        return data["state"].mean("time")


@attrs.define(frozen=True, kw_only=True)
class DynamicsDimension(chaoskit.Invariant):
    """An invariant that accepts a Dynamics: returns its dimension for one member."""

    name: ClassVar[str] = "dyn_dimension"
    accepts_dynamics: ClassVar[bool] = True

    def _estimate(self, data: Any) -> xr.DataArray:
        if isinstance(data, chaoskit.Dynamics):
            return xr.DataArray([float(data.dimension)], dims=("member",))
        return xr.DataArray(np.full(data.sizes["member"], float(data.sizes["variable"])), dims=("member",))


# --------------------------------------------------------------------------- trainers


@attrs.define(frozen=True, kw_only=True)
class FitTrainer(chaoskit.Trainer):
    """Calls the model's own fit and returns a one-epoch history."""

    epochs: int = attrs.field(default=1, validator=integer(1))

    def _fit(self, model: Any, train: xr.Dataset, *, valid: xr.Dataset | None) -> chaoskit.TrainResult:
        model.fit(train, valid=valid)
        history = xr.Dataset({"loss": ("epoch", np.zeros(self.epochs))})
        return chaoskit.TrainResult(history=history, best_epoch=self.epochs - 1)
