"""A damped harmonic oscillator x'' + 2ζω x' + ω² x = 0, written in numpy with its exact solution."""

from __future__ import annotations

import attrs
import numpy as np
from scipy.linalg import expm

import chaoskit
from chaoskit.validators import nonnegative, positive


@attrs.frozen(kw_only=True)
class DampedOscillator(chaoskit.System):
    """Damped harmonic oscillator with state (x, v); the flow is exp(t·A) of its linear field."""

    omega: float = attrs.field(default=2.0, validator=positive)
    zeta: float = attrs.field(default=0.1, validator=nonnegative)

    kind = "flow"
    variables = ("x", "v")
    methods = ("exact",)
    metadata = chaoskit.SystemMetadata(
        name="damped_oscillator", description="x'' + 2ζω x' + ω² x = 0",
        dt=0.05, period=np.pi, initial_state=(1.0, 0.0),
    )

    @property
    def matrix(self) -> np.ndarray:
        return np.array([[0.0, 1.0], [-self.omega**2, -2.0 * self.zeta * self.omega]])

    def _rhs(self, t, x):
        return np.asarray(x) @ self.matrix.T

    def _jacobian(self, t, x):
        return np.broadcast_to(self.matrix, (*np.shape(x)[:-1], 2, 2)).copy()

    def _trajectory(self, request):
        x0 = request.initial_state
        if x0 is None:
            rng = np.random.default_rng(request.seed)
            x0 = np.tile(self.metadata.initial_state, (request.members, 1))
            x0[1:] += 0.1 * rng.standard_normal(x0[1:].shape)
        step = expm(self.matrix * request.dt)
        state = x0 @ expm(self.matrix * request.transient).T
        out = np.empty((request.members, request.n, 2))
        for k in range(request.n):
            out[:, k] = state
            state = state @ step.T
        time = request.dt * np.arange(request.n)
        return chaoskit.Simulation(time=time, state=out.astype(request.dtype), info={"integrator": "exact"})

    def _dynamics(self, dt):
        return _LinearStep(expm(self.matrix * dt), dt)


class _LinearStep(chaoskit.Dynamics):
    def __init__(self, matrix: np.ndarray, dt: float) -> None:
        super().__init__(matrix.shape[0], dt)
        self.matrix = matrix

    def _step(self, x):
        return np.asarray(x) @ self.matrix.T
