"""Validation of ``System.trajectory`` arguments: :func:`build_request` and :func:`check_post`.

Private to the core; :class:`chaoskit.System` calls both before handing the request to its
provider.
"""

from __future__ import annotations

import math
import numbers
from typing import Any

import numpy as np

from ._sweep import check_sweep
from .errors import CapabilityError, DataError, ParameterError

__all__ = ["DTYPES", "NOISE_KINDS", "OBSERVATION_NOISE_KINDS", "build_request", "check_post"]

DTYPES = ("float32", "float64")
NOISE_KINDS = ("additive", "multiplicative")
OBSERVATION_NOISE_KINDS = ("relative", "absolute")


def build_request(system: Any, n: int, **kw: Any) -> Any:
    """The validated :class:`~chaoskit.TrajectoryRequest` of ``system.trajectory(n, **kw)``."""
    from .system import TrajectoryRequest  # system.py imports this module

    def bad(field: str, expected: str, value: Any) -> ParameterError:
        return ParameterError(f"{system.name}.trajectory: {field} must be {expected}, got {value!r}")

    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 1:
        raise bad("n", "a positive integer (number of points)", n)
    members = kw.get("members")
    if members is not None and (
        isinstance(members, bool) or not isinstance(members, (int, np.integer)) or members < 1
    ):
        raise bad("members", "a positive integer", members)
    if members is not None:
        members = int(members)  # a NumPy integer too
    initial = kw.get("initial_state")
    if (members is None and initial is not None and np.ndim(initial) == 2
            and not kw.get("parameters")):
        members = int(np.shape(initial)[0]) or None  # one member per initial state
    swept, members = check_sweep(system, kw.get("parameters"), members)
    if swept and not system.supports_sweeps:
        raise CapabilityError(
            f"{system.name} does not simulate parameter sweeps in one call; loop over "
            f"attrs.evolve(system, {next(iter(swept))}=value).trajectory(...) instead"
        )
    dt, ppp = kw["dt"], kw["pts_per_period"]
    if dt is not None and ppp is not None:
        raise ParameterError(f"{system.name}.trajectory: give dt or pts_per_period, not both")
    if ppp is not None:
        if not _positive(ppp):
            raise bad("pts_per_period", "a positive number", ppp)
        if system.metadata.period is None:
            raise ParameterError(f"{system.name} has no known period; give dt instead of pts_per_period")
        dt = system.metadata.period / float(ppp)
    if dt is None:
        dt = system.default_dt
    if not _positive(dt):
        raise bad("dt", "a positive number", dt)
    if system.kind == "map" and float(dt) != 1.0:
        raise bad("dt", "1 for a map (one iteration per step)", dt)
    for field in ("rtol", "atol"):
        if kw[field] is not None and not _positive(kw[field]):
            raise bad(field, "a positive number or None", kw[field])
    if not _nonneg(kw["transient"]):
        raise bad("transient", "a non-negative time", kw["transient"])
    noise, noise_kind, sde_step = kw["noise"], kw.get("noise_kind", "additive"), kw.get("sde_step")
    if not _nonneg(noise):
        raise bad("noise", "a non-negative amplitude", noise)
    if noise_kind not in NOISE_KINDS:
        raise bad("noise_kind", f"one of {list(NOISE_KINDS)}", noise_kind)
    if sde_step is not None and not _positive(sde_step):
        raise bad("sde_step", "a positive time step or None", sde_step)
    if noise and not system.supports_noise:
        raise CapabilityError(f"{system.name} does not simulate dynamical noise; use noise=0")
    if sde_step is not None and not noise:
        raise ParameterError(
            f"{system.name}.trajectory: sde_step sets the step of the stochastic integrator and "
            "applies only with noise > 0; drop it or give noise=…"
        )
    if kw["method"] is not None and kw["method"] not in system.methods:
        raise bad("method", f"one of {list(system.methods)}", kw["method"])
    seed = kw["seed"]
    if seed is not None and (isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0):
        raise bad("seed", "a non-negative integer or None", seed)
    if kw["dtype"] not in DTYPES:
        raise bad("dtype", f"one of {list(DTYPES)}", kw["dtype"])
    if not isinstance(kw["device"], str):
        raise bad("device", "a device string such as 'cpu' or 'cuda'", kw["device"])
    x0 = kw["initial_state"]
    if x0 is not None:
        x0 = np.array(x0, dtype=float)
        if x0.ndim == 1:
            x0 = np.broadcast_to(x0, (members, x0.size)).copy()
        if x0.shape != (members, system.dimension):
            raise DataError(
                f"{system.name}.trajectory: initial_state must have shape ({system.dimension},) or "
                f"({members}, {system.dimension}), got {np.shape(kw['initial_state'])}"
            )
        if not np.all(np.isfinite(x0)):
            raise DataError(f"{system.name}.trajectory: initial_state holds non-finite values")
    return TrajectoryRequest(
        n=int(n), dt=float(dt), members=int(members), initial_state=x0,
        transient=float(kw["transient"]), method=kw["method"], rtol=kw["rtol"],
        atol=kw["atol"], noise=float(noise), seed=None if seed is None else int(seed),
        device=kw["device"], dtype=kw["dtype"], noise_kind=noise_kind,
        sde_step=None if sde_step is None else float(sde_step), parameters=swept,
    )


def check_post(
    name: str, level: Any, kind: Any, return_clean: Any, standardize_: Any
) -> dict[str, Any]:
    """Validate the options ``trajectory`` applies to the simulated states."""
    def bad(field: str, expected: str, value: Any) -> ParameterError:
        return ParameterError(f"{name}.trajectory: {field} must be {expected}, got {value!r}")

    if not _nonneg(level):
        raise bad("observation_noise", "a non-negative number", level)
    if kind not in OBSERVATION_NOISE_KINDS:
        raise bad("observation_noise_kind", f"one of {list(OBSERVATION_NOISE_KINDS)}", kind)
    for field, value in (("return_clean", return_clean), ("standardize", standardize_)):
        if not isinstance(value, (bool, np.bool_)):
            raise bad(field, "True or False", value)
    return {
        "observation_noise": float(level), "observation_noise_kind": kind,
        "return_clean": bool(return_clean), "standardize": bool(standardize_),
    }


def _real(value: Any) -> bool:
    return isinstance(value, numbers.Real) and not isinstance(value, (bool, np.bool_)) and math.isfinite(value)


def _positive(value: Any) -> bool:
    return _real(value) and value > 0


def _nonneg(value: Any) -> bool:
    return _real(value) and value >= 0
