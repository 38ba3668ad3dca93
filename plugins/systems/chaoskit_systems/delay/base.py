"""``DelaySystem``: delay differential equations ``x'(t) = f(t, x(t), x(t − τ))`` in torch.

A subclass declares its parameters (attrs fields, the delay among them, ``tau`` by default),
``variables``, ``metadata`` and the right-hand side ``_rhs(t, x, x_delayed)``, batched over
members; simulation (the method of steps, :mod:`.steps`), Jacobians and the one-step map on the
discretized history come from this class::

    @attrs.frozen(kw_only=True)
    class MackeyGlass(DelaySystem):
        beta: float = attrs.field(default=0.2, validator=finite)
        ...
        tau: float = attrs.field(default=16.0, validator=positive)

        def _rhs(self, t, x, x_delayed):
            return self.beta * x_delayed / (1 + x_delayed**self.n) - self.gamma * x

The observable is the state ``x(t)`` itself (``variables = ("x",)`` for a scalar equation), as a
forecasting user expects; the infinite-dimensional state of the equation — the history on
``[t − τ, t]`` — is what :meth:`DelaySystem.dynamics` acts on (see
:class:`~.dynamics.DelayDynamics`).
"""

from __future__ import annotations

import contextvars
import math
import warnings
from typing import Any, ClassVar

import attrs
import numpy as np
import torch
from chaoskit import (
    CapabilityError,
    DataError,
    DivergenceWarning,
    Dynamics,
    ParameterError,
    Simulation,
    System,
    TrajectoryRequest,
)

from .._sweep import SweptEquations
from .._tensors import (
    as_tensor,
    batched_jacobian,
    resolve_device,
    same_kind,
    time_like,
    torch_dtype,
)
from ..base import TorchSystem
from .dynamics import DelayDynamics
from .steps import DelayRHS, integrate_steps

__all__ = ["DelaySystem"]

_HISTORY: contextvars.ContextVar[Any] = contextvars.ContextVar("chaoskit_delay_history", default=None)
_NO_HISTORY = object()
_GRID_SEARCH = 2  # look for a step that divides both τ and dt among m0 … 2·m0 steps per delay


@attrs.define(frozen=True, kw_only=True)
class DelaySystem(TorchSystem):
    """A delay differential equation with one constant delay, simulated by the method of steps.

    Subclass contract
    -----------------
    ``_rhs(t, x, x_delayed)``
        ``f(t, x(t), x(t − τ))`` for tensors ``x`` and ``x_delayed`` of the same shape
        ``(..., dimension)`` (any leading dims), returning that shape. Torch operations only,
        out of place, so :mod:`torch.func` applies. ``t`` is a Python float or a tensor.
    ``delay_parameter`` (class attribute, default ``"tau"``)
        The attrs field holding the delay τ (> 0).
    ``max_step`` (class attribute)
        The largest RK4 step (see :meth:`steps_per_delay`); default ``period / 200``.

    The state and its history
    -------------------------
    ``variables`` names the components of ``x(t)`` — ``("x",)`` for the scalar equations of the
    database — and ``trajectory`` returns ``x(t)`` at the output times. The history on
    ``[−τ, 0]`` defaults to the constant function equal to the initial state (member 0 at
    ``metadata.initial_state``, later members perturbed under ``seed`` as for flows); give
    ``trajectory(history=...)`` for another one.

    Equations
    ---------
    ``rhs(t, x, x_delayed=None)`` evaluates ``f``; without ``x_delayed`` it is ``f(t, x, x)``, the
    vector field on constant histories (its zeros are the equilibria). ``jacobian(t, x)`` is
    the derivative of exactly that, ``∂f/∂x + ∂f/∂x_τ`` (so it matches finite differences of
    ``rhs(t, x)``); ``jacobian(t, x, x_delayed)`` is ``∂f/∂x`` at fixed ``x_delayed``, and
    :meth:`delay_jacobians` gives both partial derivatives, which define the linearization
    ``δx' = A δx + B δx(t − τ)``.

    Simulation
    ----------
    ``methods = ("rk4",)``: RK4 with the step ``h = τ/m`` (see :mod:`.steps` and
    :meth:`grid`), no tolerances. Outputs on the step grid are grid values, others come from
    RK4's continuous extension. Members that go non-finite hold NaN from then on and are
    listed in the ``failed_*`` attributes (with a :class:`chaoskit.DivergenceWarning`).
    Parameter sweeps (``trajectory(parameters=...)``) batch every parameter but the delay,
    which sets the step grid (sweeping it raises :class:`chaoskit.CapabilityError`); dynamical
    noise is not supported (``supports_noise = False``).

    One-step map
    ------------
    :meth:`dynamics` returns a :class:`DelayDynamics` on the discretized history, of dimension
    ``(2m + 1)·dimension``; its Lyapunov spectrum approximates the equation's leading exponents.
    """

    kind: ClassVar[str] = "delay"
    supports_noise: ClassVar[bool] = False
    methods: ClassVar[tuple[str, ...]] = ("rk4",)
    delay_parameter: ClassVar[str] = "tau"

    # ------------------------------------------------------------------ equations
    @property
    def delay(self) -> float:
        """The delay τ (time units)."""
        return float(getattr(self, self.delay_parameter))

    def _rhs(self, t: Any, x: Any, x_delayed: Any = None) -> Any:
        raise CapabilityError(f"{self.name} defines no right-hand side _rhs(t, x, x_delayed)")

    def rhs(self, t: Any, x: Any, x_delayed: Any = None) -> Any:
        """``f(t, x, x_delayed)`` for states ``(..., dimension)``, numpy or torch like ``x``.

        Without ``x_delayed``: ``f(t, x, x)``, the vector field on constant histories.
        """
        def fn(xt: torch.Tensor) -> torch.Tensor:
            System._check_state(self, xt)
            xd = xt if x_delayed is None else self._delayed(xt, x_delayed)
            return self._rhs(time_like(t, xt), xt, xd)

        return same_kind(x, fn)

    def jacobian(self, t: Any, x: Any, x_delayed: Any = None) -> Any:
        """``∂ rhs(t, x, x_delayed) / ∂x``, shape ``(..., dimension, dimension)``.

        Without ``x_delayed`` the delayed argument moves with ``x`` (the derivative of
        ``f(t, x, x)``: ``∂f/∂x + ∂f/∂x_τ``); with it, it is held fixed (``∂f/∂x``).
        """
        if x_delayed is None:
            return same_kind(x, lambda xt: System.jacobian(self, time_like(t, xt), xt))
        return self.delay_jacobians(t, x, x_delayed)[0]

    def _jacobian(self, t: Any, x: Any) -> Any:
        return same_kind(x, lambda xt: batched_jacobian(lambda s, y: self._rhs(s, y, y), t, xt))

    def delay_jacobians(self, t: Any, x: Any, x_delayed: Any) -> tuple[Any, Any]:
        """``(∂f/∂x, ∂f/∂x_τ)`` at ``(t, x, x_delayed)``, each ``(..., dimension, dimension)``,
        by :func:`torch.func.jacrev` under :func:`torch.func.vmap`; numpy or torch like ``x``."""
        numpy_in = not isinstance(x, torch.Tensor)
        xt = as_tensor(x)
        System._check_state(self, xt)
        xd = self._delayed(xt, x_delayed)
        lead, d = xt.shape[:-1], xt.shape[-1]
        tt = time_like(t, xt)
        f = lambda s, y, z: self._rhs(s, y, z)
        if isinstance(tt, torch.Tensor) and tt.ndim > 0:
            times = torch.broadcast_to(tt, lead).reshape(-1)
            a, b = torch.func.vmap(torch.func.jacrev(f, argnums=(1, 2)))(
                times, xt.reshape(-1, d), xd.reshape(-1, d)
            )
        else:
            a, b = torch.func.vmap(torch.func.jacrev(lambda y, z: f(tt, y, z), argnums=(0, 1)))(
                xt.reshape(-1, d), xd.reshape(-1, d)
            )
        a, b = a.reshape(*lead, d, d), b.reshape(*lead, d, d)
        if numpy_in:
            return a.detach().cpu().numpy(), b.detach().cpu().numpy()
        return a, b

    def _delayed(self, x: torch.Tensor, x_delayed: Any) -> torch.Tensor:
        xd = as_tensor(x_delayed, dtype=x.dtype, device=x.device)
        try:
            return torch.broadcast_to(xd, x.shape)
        except RuntimeError:
            raise DataError(
                f"{self.name}: x_delayed must have the shape of x {tuple(x.shape)} (or broadcast "
                f"to it), got {tuple(xd.shape)}"
            ) from None

    # ------------------------------------------------------------------ the step grid
    def steps_per_delay(self) -> int:
        """``m0 = ceil(τ / max_step)``: the fewest RK4 steps per delay (``max_step`` from
        :meth:`default_max_step`)."""
        return max(1, math.ceil(self.delay / self.default_max_step() * (1.0 - 1e-12)))

    def grid(self, dt: float, *, strict: bool = False) -> tuple[int, int | None]:
        """The steps per delay ``m`` and steps per sampling interval ``k`` for sampling ``dt``.

        ``m`` is the smallest number in ``m0 … 2·m0`` (``m0`` = :meth:`steps_per_delay`) for
        which ``dt = k·τ/m`` with a whole ``k ≥ 1`` (to 1e-9 relative), so outputs fall on the
        grid. When there is none: ``(m0, None)`` (outputs then come from the continuous
        extension), or with ``strict`` a :class:`chaoskit.ParameterError` naming the nearest
        sampling interval that works (:meth:`commensurate_dt`).
        """
        tau, m0 = self.delay, self.steps_per_delay()
        for m in range(m0, _GRID_SEARCH * m0 + 1):
            ratio = dt * m / tau
            k = round(ratio)
            if k >= 1 and abs(ratio - k) <= 1e-9 * k:
                return m, k
        if strict:
            raise ParameterError(
                f"{self.name}.dynamics: dt = {dt!r} is not a whole number of RK4 steps h = τ/m "
                f"(τ = {tau:g}, {m0} ≤ m ≤ {_GRID_SEARCH * m0}); the one-step map acts on the "
                f"history sampled every h/2, so dt must be k·τ/m. Use dt = "
                f"{self.commensurate_dt(dt)!r} (system.commensurate_dt(dt))"
            )
        return m0, None

    def commensurate_dt(self, dt: float, *, rel: float = 0.01) -> float:
        """A whole number of steps ``k·τ/m`` near ``dt`` (``k ≥ 1``, ``m0 ≤ m ≤ 2·m0``): the
        one with the fewest steps per delay ``m`` within ``rel`` (1%) of ``dt``, else the
        nearest. Outputs at that sampling interval fall on the step grid, and
        :meth:`dynamics` accepts it."""
        tau, m0 = self.delay, self.steps_per_delay()
        best = tau / m0
        for m in range(m0, _GRID_SEARCH * m0 + 1):
            candidate = max(1, round(dt * m / tau)) * tau / m
            if abs(candidate - dt) <= rel * dt:
                return candidate
            if abs(candidate - dt) < abs(best - dt):
                best = candidate
        return best

    @property
    def default_dt(self) -> float:
        """About 100 points per period (dysts' granularity), rounded to a whole number of RK4
        steps (:meth:`commensurate_dt`, within 1% where possible), so default outputs are grid values and
        ``dynamics()`` steps exactly like ``trajectory()``; the metadata's ``dt`` when the
        period is unknown, rounded the same way."""
        return self.commensurate_dt(System.default_dt.fget(self))  # type: ignore[attr-defined]

    # ------------------------------------------------------------------ simulation
    def trajectory(self, n: int, *, history: Any = None, **kwargs: Any) -> Any:
        """Simulate like :meth:`chaoskit.System.trajectory`, with an optional initial history.

        Parameters
        ----------
        history
            The solution on ``[−τ, 0]`` (``x(0)`` is its value at 0). ``None`` (default): the
            constant history equal to the initial state. An array: samples equally spaced on
            ``[−τ, 0]`` (first at ``−τ``, last at 0), joined linearly — shape ``(k,)`` (scalar
            equations) or ``(k, dimension)`` shared by all members, or
            ``(members, k, dimension)``. A callable: ``history(t)`` for a numpy array of times
            ``t ≤ 0`` returning shape ``(len(t),)``, ``(len(t), dimension)`` or
            ``(members, len(t), dimension)``. Excludes ``initial_state``.
        **kwargs
            As :meth:`chaoskit.System.trajectory`.
        """
        if history is not None and kwargs.get("initial_state") is not None:
            raise ParameterError(
                f"{self.name}.trajectory: give history or initial_state, not both (the initial "
                "state is the history's value at t = 0)"
            )
        token = _HISTORY.set(_NO_HISTORY if history is None else history)
        try:
            return super().trajectory(n, **kwargs)
        finally:
            _HISTORY.reset(token)

    def _trajectory(self, request: TrajectoryRequest) -> Simulation:
        method = request.method or self.methods[0]
        if self.delay_parameter in request.parameters:
            raise CapabilityError(
                f"{self.name}.trajectory: the delay {self.delay_parameter} sets the step grid and "
                "the history buffer, so it cannot be swept in one call; sweep the other "
                f"parameters, or loop over attrs.evolve(system, {self.delay_parameter}=...)"
            )
        if request.rtol is not None or request.atol is not None:
            raise ParameterError(
                f"{self.name}.trajectory: {method} (method of steps) is a fixed-step method and "
                f"takes no rtol/atol; its step is τ/m with m ≥ {self.steps_per_delay()}"
            )
        device, dtype = resolve_device(request.device), torch_dtype(request.dtype)
        tau = self.delay
        m, k = self.grid(request.dt)
        h = tau / m
        half_times = -tau + 0.5 * h * np.arange(2 * m + 1)
        extra: dict[str, Any] = {}
        given = _HISTORY.get()
        if given is None or given is _NO_HISTORY:
            states, extra = self._start_states(request)
            values = np.broadcast_to(states[:, None, :], (request.members, 2 * m + 1, self.dimension))
            extra["history"] = "constant, equal to the initial state"
        else:
            values, extra["history"] = self._history_values(given, half_times, request.members)
        time = request.dt * np.arange(request.n, dtype=np.float64)
        with torch.inference_mode():
            start = torch.tensor(np.array(values, dtype=np.float64), dtype=dtype, device=device)
            rhs: DelayRHS = self._rhs
            if request.parameters:
                swept = SweptEquations(self, request.parameters, "_rhs", dtype=dtype, device=device)
                swept.prepare((float(request.transient), start[:, -1], start[:, 0]))
                extra["sweep_mode"] = swept.mode
                rhs = swept
            result = integrate_steps(rhs, start, request.transient + time, m=m, tau=tau)
            state = result.state.cpu().numpy()
        info: dict[str, Any] = {
            "integrator": method,
            "method_of_steps": "RK4, step tau/m; delayed half steps stored from RK4's continuous "
                               "extension at theta = 1/2",
            "step": h,
            "steps_per_delay": m,
            "history_points": 2 * m + 1,
            "outputs_on_grid": int(k is not None),
            **result.info,
            **extra,
        }
        if result.failed_members:
            warnings.warn(
                f"{self.name}: {len(result.failed_members)} member(s) went non-finite and hold NaN "
                f"from then on (members {result.failed_members[:10]}); see the dataset's failed_* "
                "attributes",
                DivergenceWarning,
                stacklevel=4,
            )
        return Simulation(time=time, state=state, info=info)

    def _history_values(self, given: Any, times: np.ndarray, members: int) -> tuple[np.ndarray, str]:
        """The history at ``times`` (≤ 0) as ``(members, len(times), dimension)`` and its
        description for the provenance."""
        d, tau = self.dimension, self.delay
        if callable(given):
            raw = np.asarray(given(times.copy()), dtype=np.float64)
            what = f"callable {getattr(given, '__name__', type(given).__name__)}"
            values = self._history_shape(raw, len(times), members, "history(t)")
        else:
            samples = self._history_shape(
                np.asarray(given, dtype=np.float64), None, members, "history"
            )
            k = samples.shape[1]
            what = f"{k} samples on [-tau, 0], joined linearly"
            if k == 1:
                values = np.repeat(samples, len(times), axis=1)
            else:
                position = np.clip((times + tau) / tau * (k - 1), 0.0, k - 1)
                left = np.minimum(np.floor(position).astype(int), k - 2)
                w = (position - left)[None, :, None]
                values = (1 - w) * samples[:, left] + w * samples[:, left + 1]
        if not np.all(np.isfinite(values)):
            raise DataError(f"{self.name}.trajectory: the history holds non-finite values")
        return np.broadcast_to(values, (members, len(times), d)), what

    def _history_shape(
        self, raw: np.ndarray, length: int | None, members: int, label: str
    ) -> np.ndarray:
        d = self.dimension
        if raw.ndim == 1 and d == 1:
            raw = raw[:, None]
        if raw.ndim == 2 and raw.shape[-1] == d:
            raw = raw[None]
        ok = (
            raw.ndim == 3 and raw.shape[0] in (1, members) and raw.shape[-1] == d
            and raw.shape[1] >= 1 and (length is None or raw.shape[1] == length)
        )
        if not ok:
            k = "k" if length is None else str(length)
            raise DataError(
                f"{self.name}.trajectory: {label} must have shape ({k},) (scalar equations), "
                f"({k}, {d}) or ({members}, {k}, {d}), got {raw.shape}"
            )
        return raw

    # ------------------------------------------------------------------ one-step map
    def dynamics(self, dt: float | None = None) -> Dynamics:
        """The one-step map on the discretized history (:class:`DelayDynamics`).

        ``dt`` must be a whole number of RK4 steps ``τ/m`` (see :meth:`grid`); the default is
        :attr:`default_dt`, which is one.
        """
        return super().dynamics(dt)

    def _dynamics(self, dt: float) -> Dynamics:
        return DelayDynamics(self, dt)
