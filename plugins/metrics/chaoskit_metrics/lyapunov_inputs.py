"""What the Lyapunov spectrum takes: a dynamics object and initial states (validated).

Shared by :mod:`chaoskit_metrics.lyapunov` and :mod:`chaoskit_metrics.kaplan_yorke`.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import xarray as xr
from chaoskit import CapabilityError, DataError, Dynamics, ParameterError
from chaoskit.data import STATE, validate

__all__ = ["NO_DATA", "require_dynamics", "resolve_initial_states"]

NO_DATA = (
    "{name} is computed from a dynamics object (System.dynamics(dt) or Model.dynamics()), not "
    "from a trajectory Dataset; for data use 'max_lyapunov' (Rosenstein/Kantz)"
)


def resolve_initial_states(
    initial_states: Any, dimension: int, *, members: int, perturbation: float, seed: int | None
) -> np.ndarray:
    """Initial states ``(members, dimension)`` in float64 from what the caller gave.

    - an array ``(M, dimension)``: used as is (``members`` ignored);
    - an array ``(dimension,)``: ``members`` copies, member 0 exact and member ``m ≥ 1`` moved by
      ``perturbation · max(1, ‖x‖∞) · ξ_m`` with ``ξ`` standard Gaussian from ``seed``; the
      orbit transient and the tangent alignment spread them over the attractor;
    - a trajectory Dataset (on-attractor states): ``members`` states evenly spaced over all its
      ``(member, time)`` points.
    """
    if initial_states is None:
        raise ParameterError(
            "the Lyapunov spectrum needs initial states: pass initial_states= as an array "
            f"(members, {dimension}) or ({dimension},), or a trajectory Dataset of states on the "
            "attractor (e.g. system.trajectory(...) or system.metadata.initial_state); a dynamics "
            "with an initial_state attribute (the DSR models', the ESN's, the neural ODE's) "
            "starts there by default"
        )
    if isinstance(initial_states, xr.Dataset):
        validate(initial_states, name="initial_states")
        values = np.asarray(initial_states[STATE].values)
        if values.shape[-1] != dimension or values.ndim != 3:
            raise DataError(
                f"initial_states: a Dataset of {values.shape[-1]} variables with dims "
                f"{initial_states[STATE].dims} cannot seed a {dimension}-dimensional dynamics; "
                f"pass an array (members, {dimension}) of its states instead"
            )
        flat = values.reshape(-1, dimension)
        index = np.linspace(0, flat.shape[0] - 1, members).round().astype(int)
        return np.asarray(flat[index], dtype=np.float64)
    if hasattr(initial_states, "detach"):  # a torch tensor, without importing torch
        initial_states = initial_states.detach().cpu().numpy()
    x = np.array(initial_states, dtype=np.float64)
    if x.ndim == 1:
        x = np.repeat(x[None, :], members, axis=0)
        if members > 1:
            rng = np.random.default_rng(seed)
            scale = perturbation * max(1.0, float(np.abs(x[0]).max()))
            x[1:] += scale * rng.standard_normal((members - 1, x.shape[1]))
    if x.ndim != 2 or x.shape[1] != dimension or x.shape[0] < 1:
        raise DataError(
            f"initial_states must have shape ({dimension},) or (members, {dimension}) for this "
            f"dynamics, got {np.shape(initial_states)}"
        )
    if not np.isfinite(x).all():
        raise DataError("initial_states holds non-finite values")
    return x


def require_dynamics(name: str, data: Any) -> Dynamics:
    """``data`` if it is a Dynamics, else a clear error (None: a model without dynamics)."""
    if isinstance(data, Dynamics):
        return data
    if data is None:
        raise CapabilityError(
            f"{name}: got None instead of a dynamics object; Model.dynamics() returns None for "
            "models without a differentiable step map"
        )
    if isinstance(data, xr.Dataset):
        raise CapabilityError(NO_DATA.format(name=name))
    raise ParameterError(
        f"{name}: expected a chaoskit.Dynamics (System.dynamics(dt) or Model.dynamics()), got "
        f"{type(data).__name__}"
    )
