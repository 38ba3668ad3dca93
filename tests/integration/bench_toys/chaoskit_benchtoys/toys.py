"""Toy implementations for the benchmark tests: exact, fast, deterministic numpy code."""

from __future__ import annotations

import os
import signal
import time
import uuid
from pathlib import Path
from typing import Any, ClassVar

import attrs
import chaoskit
import numpy as np
from chaoskit.validators import finite, nonnegative, positive

SPIRAL = chaoskit.SystemMetadata(
    name="spiral", dt=0.1, period=2 * np.pi, initial_state=(1.0, 0.0),
    references={"max_lyapunov": chaoskit.ReferenceValue(value=0.5, method="made up for the tests")},
)


@attrs.define(frozen=True, kw_only=True)
class Spiral(chaoskit.System):
    """x' = w (y, -x): circles whose radius and phase are drawn from the seed per member."""

    kind: ClassVar[str] = "flow"
    variables: ClassVar[tuple[str, ...]] = ("x", "y")
    metadata: ClassVar[chaoskit.SystemMetadata] = SPIRAL
    methods: ClassVar[tuple[str, ...]] = ("exact",)

    w: float = attrs.field(default=1.0, validator=positive)

    def _rhs(self, t: Any, x: Any) -> Any:
        x = np.asarray(x)
        return self.w * np.stack([x[..., 1], -x[..., 0]], axis=-1)

    def _trajectory(self, request: chaoskit.TrajectoryRequest) -> chaoskit.Simulation:
        rng = np.random.default_rng(request.seed)
        radius = rng.uniform(0.5, 1.5, request.members)
        phase = rng.uniform(0, 2 * np.pi, request.members)
        time_ = request.dt * np.arange(request.n)
        angle = phase[:, None] - self.w * (time_[None, :] + request.transient)
        state = np.stack([radius[:, None] * np.cos(angle), radius[:, None] * np.sin(angle)], axis=-1)
        return chaoskit.Simulation(time=time_, state=state)


@attrs.define(frozen=True, kw_only=True)
class SpiralNoLyapunov(Spiral):
    metadata: ClassVar[chaoskit.SystemMetadata] = attrs.evolve(SPIRAL, name="spiral_nolt", references={})


@attrs.define(frozen=True, kw_only=True)
class BrokenSystem(Spiral):
    metadata: ClassVar[chaoskit.SystemMetadata] = attrs.evolve(SPIRAL, name="broken_system")

    def _trajectory(self, request: chaoskit.TrajectoryRequest) -> chaoskit.Simulation:
        raise RuntimeError("toy simulation failure")


@attrs.define(frozen=True, kw_only=True)
class RotationMap(chaoskit.System):
    """x -> R(angle) x, iterated; whole iterations only, like the maps of chaoskit-systems."""

    kind: ClassVar[str] = "map"
    variables: ClassVar[tuple[str, ...]] = ("x", "y")
    metadata: ClassVar[chaoskit.SystemMetadata] = chaoskit.SystemMetadata(
        name="rotation_map", dt=1.0, initial_state=(1.0, 0.0),
        references={"max_lyapunov": chaoskit.ReferenceValue(value=0.3, method="made up for the tests")},
    )

    angle: float = attrs.field(default=0.3, validator=finite)

    def _step(self, x: Any) -> Any:
        c, s = np.cos(self.angle), np.sin(self.angle)
        x = np.asarray(x)
        return np.stack([c * x[..., 0] - s * x[..., 1], s * x[..., 0] + c * x[..., 1]], axis=-1)

    def _trajectory(self, request: chaoskit.TrajectoryRequest) -> chaoskit.Simulation:
        if request.transient != int(request.transient):
            raise chaoskit.ParameterError(f"transient must be a whole number of iterations, got {request.transient}")
        rng = np.random.default_rng(request.seed)
        x = rng.uniform(-1, 1, (request.members, 2))
        for _ in range(int(request.transient)):
            x = self._step(x)
        out = [x]
        for _ in range(request.n - 1):
            x = self._step(x)
            out.append(x)
        return chaoskit.Simulation(time=np.arange(request.n, dtype=float), state=np.stack(out, axis=1))


@attrs.define(frozen=True, kw_only=True, slots=False)
class LinearMap(chaoskit.Model):
    """x_{k+1} = x_k A, A by least squares (exact for the spiral)."""

    ridge: float = attrs.field(default=0.0, validator=nonnegative)

    def _fit(self, train: Any, *, valid: Any, trainer: Any) -> None:
        x = train["state"].values.reshape(-1, train["state"].shape[-1])
        a, b = x[:-1], x[1:]
        self.__dict__["A"] = np.linalg.solve(a.T @ a + self.ridge * np.eye(a.shape[1]), a.T @ b)

    def _forecast(self, context: Any, steps: int) -> Any:
        x = context["state"].values[:, -1]
        out = []
        for _ in range(steps):
            x = x @ self.__dict__["A"]
            out.append(x)
        return np.stack(out, axis=1)

    def _get_state(self) -> dict[str, Any]:
        return {"A": self.__dict__["A"]}

    def _set_state(self, state: Any) -> None:
        self.__dict__["A"] = np.asarray(state["A"])


@attrs.define(frozen=True, kw_only=True, slots=False)
class Drift(chaoskit.Model):
    """Persistence plus the mean step of the training data; records each fit as a file."""

    marker_dir: str = ""
    sleep: float = attrs.field(default=0.0, validator=nonnegative)
    scale: float = attrs.field(default=1.0, validator=finite)

    def _fit(self, train: Any, *, valid: Any, trainer: Any) -> None:
        if self.marker_dir:
            Path(self.marker_dir).mkdir(parents=True, exist_ok=True)
            (Path(self.marker_dir) / f"{self.seed}-{uuid.uuid4().hex}").write_text(str(os.getpid()))
        if self.sleep:
            time.sleep(self.sleep)
        self.__dict__["drift"] = self.scale * np.diff(train["state"].values, axis=1).mean(axis=(0, 1))

    def _forecast(self, context: Any, steps: int) -> Any:
        last = context["state"].values[:, -1]
        k = np.arange(1, steps + 1, dtype=float)[None, :, None]
        return last[:, None] + k * self.__dict__["drift"]

    def _get_state(self) -> dict[str, Any]:
        return {"drift": self.__dict__["drift"]}

    def _set_state(self, state: Any) -> None:
        self.__dict__["drift"] = np.asarray(state["drift"])


@attrs.define(frozen=True, kw_only=True, slots=False)
class Failing(Drift):
    def _fit(self, train: Any, *, valid: Any, trainer: Any) -> None:
        raise RuntimeError("toy model failure in fit")


@attrs.define(frozen=True, kw_only=True, slots=False)
class Diverging(Drift):
    def _forecast(self, context: Any, steps: int) -> Any:
        last = context["state"].values[:, -1]
        with np.errstate(over="ignore"):
            growth = 10.0 ** np.arange(1, steps + 1, dtype=float)[None, :, None]
        return last[:, None] * growth


@attrs.define(frozen=True, kw_only=True, slots=False)
class Suicide(Drift):
    def _fit(self, train: Any, *, valid: Any, trainer: Any) -> None:
        os.kill(os.getpid(), signal.SIGKILL)


@attrs.define(frozen=True, kw_only=True)
class ToyMAE(chaoskit.Metric):
    name: ClassVar[str] = "toy_mae"
    units: ClassVar[str] = "state"
    definition: ClassVar[str] = "mean absolute error over time and variables"

    def _compute(self, truth: Any, forecast: Any, *, context: Any) -> Any:
        d = np.abs(forecast["state"].values - truth["state"].values)
        return d.reshape(d.shape[0], -1).mean(axis=1)
