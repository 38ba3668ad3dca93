"""Batched ODE integrators in torch: one dispatcher, one module per method.

>>> result = integrate(rhs, x0, t_out, method="dopri5", rtol=1e-9)  # doctest: +SKIP
>>> result.state.shape  # (members, len(t_out), d)                 # doctest: +SKIP

Every integrator advances all members at once (no Python loop over members), in float32 or
float64, on any device, and returns an :class:`IntegrationResult`. ``rk4`` is differentiable
with autograd; ``dopri5``, ``dop853`` and the ``*_compiled`` variants (the same methods run
through ``torch.compile``, :mod:`.compiled_adaptive` and :mod:`.compiled_rk4`) run without
gradients. Stochastic differential
equations (dynamical noise) use :func:`integrate_euler_maruyama`, which is not in
:data:`METHODS` (it needs the noise and its random increments).
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable
from typing import Any

import attrs
import numpy as np
import torch
from chaoskit import DataError, ParameterError

from .compiled_adaptive import integrate_adaptive_compiled
from .compiled_rk4 import integrate_rk4_compiled
from .dop853 import DOP853_SCHEME, integrate_dop853
from .dopri5 import DOPRI5, integrate_dopri5
from .euler_maruyama import count_steps, integrate_euler_maruyama
from .result import RHS, IntegrationResult
from .rk4 import integrate_rk4

__all__ = [
    "METHODS", "RHS", "IntegrationResult", "Method", "count_steps", "default_tolerances",
    "get_method", "integrate", "integrate_euler_maruyama",
]


@attrs.frozen(kw_only=True)
class Method:
    """A registered integrator: its name, order, whether it adapts its step, and its runner."""

    name: str
    order: int
    adaptive: bool
    summary: str
    run: Callable[..., IntegrationResult] = attrs.field(repr=False)
    compiled: bool = False


METHODS: dict[str, Method] = {
    "dop853": Method(
        name="dop853", order=8, adaptive=True, run=integrate_dop853,
        summary="adaptive Dormand–Prince 8(5,3), per-member step control, order-7 dense output",
    ),
    "dopri5": Method(
        name="dopri5", order=5, adaptive=True, run=integrate_dopri5,
        summary="adaptive Dormand–Prince 5(4), per-member step control, order-4 dense output",
    ),
    "rk4": Method(
        name="rk4", order=4, adaptive=False, run=integrate_rk4,
        summary="classic Runge–Kutta 4, fixed step dividing every output interval",
    ),
    "dopri5_compiled": Method(
        name="dopri5_compiled", order=5, adaptive=True, compiled=True,
        run=functools.partial(integrate_adaptive_compiled, scheme=DOPRI5),
        summary="dopri5 with its whole iteration compiled by torch.compile (first call compiles)",
    ),
    "dop853_compiled": Method(
        name="dop853_compiled", order=8, adaptive=True, compiled=True,
        run=functools.partial(integrate_adaptive_compiled, scheme=DOP853_SCHEME),
        summary="dop853 with its whole iteration compiled by torch.compile (first call compiles)",
    ),
    "rk4_compiled": Method(
        name="rk4_compiled", order=4, adaptive=False, compiled=True, run=integrate_rk4_compiled,
        summary="rk4 with chunks of 16 steps compiled by torch.compile (first call compiles)",
    ),
}
"""The integrators by name, the default first; a new one adds a module and an entry here.
The ``*_compiled`` variants give the same results up to rounding, faster once compiled (see
:mod:`chaoskit_systems.compiled`); they run without gradients."""

_TOLERANCES = {torch.float64: (1e-9, 1e-12), torch.float32: (1e-6, 1e-8)}
_ADAPTIVE_ONLY = ("rtol", "atol", "dt_max", "first_step", "max_steps")


def default_tolerances(dtype: torch.dtype) -> tuple[float, float]:
    """Return ``(rtol, atol)``: (1e-9, 1e-12) in float64, (1e-6, 1e-8) in float32."""
    return _TOLERANCES.get(dtype, _TOLERANCES[torch.float32])


def get_method(name: str) -> Method:
    """Return the :class:`Method` called ``name``; the error lists the valid names."""
    try:
        return METHODS[name]
    except (KeyError, TypeError):
        raise ParameterError(
            f"unknown integration method {name!r}; valid methods are {sorted(METHODS)}"
        ) from None


def integrate(
    rhs: RHS,
    x0: torch.Tensor,
    t_out: Any,
    *,
    method: str = "dop853",
    t0: float | None = None,
    rtol: float | None = None,
    atol: float | None = None,
    step: float | None = None,
    dt_max: float | None = None,
    first_step: float | None = None,
    max_steps: int | None = None,
) -> IntegrationResult:
    """Integrate ``x' = rhs(t, x)`` for a batch of members and return the states at ``t_out``.

    Parameters
    ----------
    rhs
        Batched vector field ``f(t, x)`` (see :data:`RHS`).
    x0
        Initial states, a floating tensor of shape ``(members, d)``.
    t_out
        Output times ``(n,)``, strictly increasing (tensor, array or sequence).
    method
        A name in :data:`METHODS` (``"dop853_compiled"`` etc. compile on their first call).
    t0
        Start time (default ``t_out[0]``); must not exceed ``t_out[0]``.
    rtol, atol
        Tolerances of adaptive methods (default :func:`default_tolerances` of ``x0``'s dtype;
        ``rtol`` must be at least 4 machine epsilons of that dtype).
    step
        Largest internal step of fixed-step methods (required for them).
    dt_max, first_step, max_steps
        Limits of adaptive methods (dopri5, dop853); see :func:`.dopri5.integrate_dopri5`.

    Returns
    -------
    IntegrationResult
        States ``(members, n, d)`` and provenance ``info``.

    Raises
    ------
    chaoskit.ParameterError
        An unknown method, an option the method does not take, a bad number.
    chaoskit.DataError
        ``x0`` or ``t_out`` of the wrong shape, type or order.
    """
    spec = get_method(method)
    x0 = _check_state(x0)
    times = _check_times(t_out)
    start = float(times[0]) if t0 is None else float(t0)
    if not math.isfinite(start) or start > float(times[0]):
        raise ParameterError(f"t0 must be a finite time ≤ t_out[0] = {float(times[0])}, got {t0!r}")
    given = dict(zip(_ADAPTIVE_ONLY, (rtol, atol, dt_max, first_step, max_steps), strict=True))
    if not spec.adaptive:
        extra = sorted(k for k, v in given.items() if v is not None)
        if extra:
            raise ParameterError(
                f"{spec.name} is a fixed-step method; {extra} do not apply to it. Give its "
                "largest step as step=…, or use an adaptive method such as 'dop853'"
            )
        if step is None:
            raise ParameterError(f"{spec.name} needs step=… (its largest internal step, a time)")
        return spec.run(rhs, x0, times, t0=start, step=_positive("step", step))
    if step is not None:
        raise ParameterError(
            f"{spec.name} chooses its own steps; step={step!r} does not apply. "
            "Control accuracy with rtol/atol and bound the step with dt_max"
        )
    default_rtol, default_atol = default_tolerances(x0.dtype)
    rtol = default_rtol if rtol is None else _positive("rtol", rtol)
    atol = default_atol if atol is None else _positive("atol", atol)
    floor = 4 * torch.finfo(x0.dtype).eps
    if rtol < floor:
        raise ParameterError(
            f"rtol = {rtol:g} is below what {x0.dtype} resolves (≥ {floor:.2g} needed); "
            "raise rtol or simulate in float64"
        )
    if max_steps is not None and (
        isinstance(max_steps, bool) or not isinstance(max_steps, int) or max_steps < 1
    ):
        raise ParameterError(f"max_steps must be a positive integer or None, got {max_steps!r}")
    return spec.run(
        rhs, x0, times, t0=start, rtol=rtol, atol=atol, max_steps=max_steps,
        dt_max=None if dt_max is None else _positive("dt_max", dt_max),
        first_step=None if first_step is None else _positive("first_step", first_step),
    )


def _positive(name: str, value: Any) -> float:
    try:
        x = float(value)
    except (TypeError, ValueError):
        x = math.nan
    if isinstance(value, (bool, str)) or not (math.isfinite(x) and x > 0):
        raise ParameterError(f"{name} must be a positive finite number, got {value!r}")
    return x


def _check_state(x0: Any) -> torch.Tensor:
    if not isinstance(x0, torch.Tensor) or not x0.is_floating_point() or x0.ndim != 2:
        what = (
            f"a {x0.dtype} tensor of shape {tuple(x0.shape)}"
            if isinstance(x0, torch.Tensor) else type(x0).__name__
        )
        raise DataError(
            f"x0 must be a floating torch tensor of shape (members, d), got {what}; "
            "use x0.reshape(1, -1) for a single state"
        )
    return x0


def _check_times(t_out: Any) -> torch.Tensor:
    if isinstance(t_out, torch.Tensor):
        times = t_out.detach().to(device="cpu", dtype=torch.float64)
    else:
        times = torch.as_tensor(np.asarray(t_out, dtype=float))
    if times.ndim != 1 or times.numel() == 0:
        raise DataError(
            f"t_out must be a non-empty 1-D sequence of times, got shape {tuple(times.shape)}"
        )
    if not bool(torch.isfinite(times).all()):
        raise DataError("t_out holds non-finite times; give finite output times")
    if times.numel() > 1 and not bool((times[1:] > times[:-1]).all()):
        raise DataError("t_out must increase strictly; sort it and drop duplicates")
    return times
