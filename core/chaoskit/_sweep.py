"""Validation of ``System.trajectory(parameters=...)``: parameter sweeps over the members.

Private to the core; :meth:`chaoskit.System.trajectory` calls :func:`check_sweep` and hands the
result to the provider as ``TrajectoryRequest.parameters``.
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping
from typing import Any

import attrs
import numpy as np

from .errors import ParameterError

__all__ = ["check_sweep", "sweep_rows"]


def check_sweep(
    system: Any, given: Any, members: int | None
) -> tuple[dict[str, np.ndarray], int]:
    """Validate swept parameter values and resolve the number of members.

    Parameters
    ----------
    system
        The :class:`chaoskit.System` (an attrs instance) whose parameters are swept.
    given
        ``None`` or a mapping of parameter name to values: a number (or, for an array-valued
        parameter, an array of the parameter's shape), shared by every member; or one value per
        member, shape ``(members,)`` (``(members, *shape)`` for an array-valued parameter). A
        length of 1 is broadcast.
    members
        The ``members`` argument of the call; ``None`` takes the sweep's length (1 without a
        sweep).

    Returns
    -------
    values, members
        Read-only float64 arrays ``(members, *shape)`` by name, and the number of members.

    Raises
    ------
    chaoskit.ParameterError
        Not a mapping, an unknown name (with close matches), an integer, boolean or string
        parameter (structural: it may change the dimension), values that are not numbers,
        non-finite, of the wrong length or shape, or that the parameter's validator rejects.
    """
    where = f"{system.name}.trajectory"
    if given is None or (isinstance(given, Mapping) and not given):
        return {}, 1 if members is None else members
    if not isinstance(given, Mapping):
        raise ParameterError(
            f"{where}: parameters must be a mapping of parameter name to values, e.g. "
            f"parameters={{'rho': [20.0, 28.0]}}, got {type(given).__name__}"
        )
    fields = attrs.fields_dict(type(system))
    arrays: dict[str, np.ndarray] = {}
    shapes: dict[str, tuple[int, ...]] = {}
    for name, value in given.items():
        current = _sweepable(system, where, fields, name)
        shape = np.shape(current)
        array = _as_floats(where, name, value)
        if array.shape == shape:
            array = array[None]
        if array.shape[1:] != shape or array.shape[0] < 1:
            expected = "a number or one number per member, shape (members,)" if not shape else (
                f"an array of shape {shape} or one per member, shape (members, {', '.join(map(str, shape))})"
            )
            raise ParameterError(f"{where}: parameters[{name!r}] must be {expected}, got shape {array.shape}")
        bad = ~np.isfinite(array.reshape(array.shape[0], -1)).all(axis=1)
        if bad.any():
            k = int(np.argmax(bad))
            raise ParameterError(
                f"{where}: parameters[{name!r}] must hold finite numbers; member {k} has "
                f"{array[k].tolist()!r}"
            )
        arrays[name], shapes[name] = array, shape
    lengths = sorted({a.shape[0] for a in arrays.values()} - {1})
    if len(lengths) > 1:
        sizes = {k: a.shape[0] for k, a in arrays.items()}
        raise ParameterError(
            f"{where}: swept parameters must have one length (or length 1), got {sizes}"
        )
    length = lengths[0] if lengths else 1
    if members is None:
        members = length
    elif length not in (1, members):
        raise ParameterError(
            f"{where}: parameters give {length} values per parameter but members={members}; "
            f"give {members} values (one per member), a single value, or members={length}"
        )
    out = {}
    for name, array in arrays.items():
        full = np.broadcast_to(array, (members, *shapes[name])).astype(np.float64, copy=True)
        full.setflags(write=False)
        out[name] = full
    _validate_rows(system, where, out)
    return out, members


def sweep_rows(values: Mapping[str, np.ndarray]) -> list[tuple[list[int], dict[str, Any]]]:
    """The distinct parameter combinations of a sweep: ``(members, {name: value})`` pairs.

    Values are Python floats, or nested lists of floats for array-valued parameters, as
    ``attrs.evolve`` takes them; ``members`` lists the members that use the combination.
    """
    if not values:
        return []
    count = next(iter(values.values())).shape[0]
    flat = np.concatenate([v.reshape(count, -1) for v in values.values()], axis=1)
    _, first, inverse = np.unique(flat, axis=0, return_index=True, return_inverse=True)
    inverse = np.asarray(inverse).reshape(-1)
    rows = []
    for group, k in enumerate(first):
        combo = {name: (v[k].tolist() if v.ndim > 1 else float(v[k])) for name, v in values.items()}
        rows.append((np.flatnonzero(inverse == group).tolist(), combo))
    return rows


def _sweepable(system: Any, where: str, fields: Mapping[str, Any], name: Any) -> Any:
    if not isinstance(name, str) or name not in fields:
        close = difflib.get_close_matches(str(name), list(fields), n=3)
        hint = f"; did you mean {close}?" if close else ""
        raise ParameterError(
            f"{where}: unknown parameter {name!r} in parameters{hint} "
            f"({type(system).__name__} has {sorted(fields)})"
        )
    current = getattr(system, name)
    annotation = fields[name].type
    declared_real = annotation in (float, "float")
    structural = annotation in (int, bool, str, "int", "bool", "str") or (
        not declared_real and isinstance(current, (bool, np.bool_, int, np.integer, str))
    )
    array = np.asarray(current) if isinstance(current, (tuple, list, np.ndarray)) else None
    if structural or (array is not None and array.dtype.kind not in "iuf"):
        raise ParameterError(
            f"{where}: parameter {name!r} = {current!r} is an integer, boolean or string "
            "parameter (it may change the state's dimension or structure) and cannot be swept "
            f"in one call; sweep real-valued parameters, or loop over attrs.evolve(system, {name}=...)"
        )
    return current


def _as_floats(where: str, name: str, value: Any) -> np.ndarray:
    if isinstance(value, (str, bytes, bool, np.bool_)):
        raise ParameterError(f"{where}: parameters[{name!r}] must be numbers, got {value!r}")
    try:
        array = np.array(value, dtype=np.float64)
    except (TypeError, ValueError):
        raise ParameterError(
            f"{where}: parameters[{name!r}] must be numbers (a number or an array), got {value!r}"
        ) from None
    if array.ndim == 0:
        array = array[None]
    return array


def _validate_rows(system: Any, where: str, values: Mapping[str, np.ndarray]) -> None:
    for members, combo in sweep_rows(values):
        try:
            attrs.evolve(system, **combo)
        except (ParameterError, TypeError, ValueError) as exc:
            shown = ", ".join(f"{k}={v!r}" for k, v in combo.items())
            raise ParameterError(
                f"{where}: parameters for member {members[0]} ({shown}) are rejected: {exc}"
            ) from None
