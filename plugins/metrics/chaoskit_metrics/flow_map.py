"""Flow maps of tracer sets over a time span, forward or backward, from any chaoskit System.

``System.trajectory`` integrates forward from physical time 0 (it takes a positive ``dt`` and
no start time), so :func:`shifted_system` builds the system's time-shifted and, for backward
spans, time-reversed copy: ``g(s, x) = ±f(t0 ± s, x)``. Integrating ``g`` forward over ``|T|``
gives ``x(t0 + T)`` for ``T`` of either sign, with the system's own batched integrator
(adaptive per-member step control by default). The copy is a subclass of the system's class
overriding ``_rhs`` only, so it works for every System that integrates through ``_rhs``.
"""

from __future__ import annotations

import functools
from typing import Any

import attrs
import numpy as np
from chaoskit import CapabilityError, DataError, Dynamics, ParameterError, System, torch_device

__all__ = ["flow_map", "shifted_system"]


@functools.cache
def _shifted_class(base: type[System]) -> type:
    @attrs.define(frozen=True, kw_only=True)
    class TimeShifted(base):  # type: ignore[misc, valid-type]
        """``g(s, x) = sign · f(t0 + sign · s, x)`` of the base system ``f``."""

        shift_t0: float = 0.0
        shift_sign: float = 1.0

        def _rhs(self, t: Any, x: Any) -> Any:
            return self.shift_sign * base._rhs(self, self.shift_t0 + self.shift_sign * t, x)

    TimeShifted.__name__ = TimeShifted.__qualname__ = f"TimeShifted{base.__name__}"
    return TimeShifted


def shifted_system(system: System, *, t0: float = 0.0, backward: bool = False) -> System:
    """``system`` started at physical time ``t0``, running backward in time when ``backward``."""
    if t0 == 0.0 and not backward:
        return system
    if not attrs.has(type(system)):
        raise CapabilityError(
            f"{type(system).__name__} is not an attrs class, so no time-shifted copy can be built "
            "for a backward or t0 != 0 flow map"
        )
    try:
        return _shifted_class(type(system))(
            **system.parameters, shift_t0=float(t0), shift_sign=-1.0 if backward else 1.0
        )
    except TypeError as exc:
        raise CapabilityError(
            f"cannot rebuild {type(system).__name__} from its parameters for a time-shifted copy: {exc}"
        ) from None


def flow_map(
    system: System | Dynamics,
    states: np.ndarray,
    duration: float,
    *,
    t0: float = 0.0,
    method: str | None = None,
    rtol: float | None = None,
    atol: float | None = None,
    dtype: str = "float64",
    device: str = "cpu",
) -> np.ndarray:
    """Positions ``x(t0 + duration)`` of tracers starting at ``states`` ``(G, d)`` at ``t0``.

    A System (a flow) integrates with its ``trajectory`` (both directions, any ``t0``); a
    Dynamics is stepped ``duration / dt`` times (forward only, ``t0`` as built into it).
    """
    if duration == 0:
        raise ParameterError("flow_map: the duration must be non-zero")
    if isinstance(system, Dynamics):
        return _iterate(system, states, duration, dtype, device)
    if system.kind != "flow":
        raise CapabilityError(
            f"{system.name} is a {system.kind}; the flow map of a System needs a flow (for a map "
            "pass its dynamics(1.0) instead)"
        )
    moved = shifted_system(system, t0=t0, backward=duration < 0)
    options: dict[str, Any] = {k: v for k, v in (("method", method), ("rtol", rtol), ("atol", atol))
                               if v is not None}
    ds = moved.trajectory(
        2, dt=abs(float(duration)), members=states.shape[0], initial_state=states, transient=0.0,
        dtype=dtype, device=device, **options,
    )
    return np.asarray(ds["state"].values[:, -1], dtype=np.float64)


def _iterate(dynamics: Dynamics, states: np.ndarray, duration: float, dtype: str, device: str) -> np.ndarray:
    if duration < 0:
        raise CapabilityError(
            "a Dynamics only steps forward; a backward flow map needs the System (system.trajectory)"
        )
    steps = duration / dynamics.dt
    if abs(steps - round(steps)) > 1e-9 * max(1.0, steps):
        raise ParameterError(
            f"flow_map: duration {duration} is not a whole number of steps of dt = {dynamics.dt}"
        )
    if dynamics.backend == "torch":
        import torch  # a torch-backend dynamics exists, so torch is installed

        x = torch.as_tensor(states, dtype=getattr(torch, dtype), device=torch_device(device))
        with torch.no_grad():
            for _ in range(round(steps)):
                x = dynamics.step(x)
        return x.detach().cpu().numpy().astype(np.float64)
    y = np.asarray(states, dtype=dtype)
    for _ in range(round(steps)):
        y = dynamics.step(y)
    out = np.asarray(y, dtype=np.float64)
    if out.shape != states.shape:
        raise DataError(f"the dynamics returned shape {out.shape} for states {states.shape}")
    return out
