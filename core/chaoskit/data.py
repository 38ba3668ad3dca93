"""The xarray conventions of chaoskit: building, validating and describing trajectory sets.

A trajectory set is an :class:`xarray.Dataset` whose variable ``state`` has dims
``("member", "time", *space, "variable")``:

- ``member`` indexes independent trajectories (initial conditions, parameter values);
- ``time`` is a strictly increasing numeric coordinate in the system's time units;
- ``variable`` names the state components (``x``, ``y``, ``z``);
- spatial dims of PDE fields (``x`` with grid coordinates …) stand between ``time`` and
  ``variable``. Complex fields stay complex.

Attributes carry provenance. Values that NetCDF cannot store (``None``, booleans, dicts, lists
of strings, nested lists) are JSON-encoded as strings that start with ``"json:"``;
:func:`decode_attrs` (and ``ds.chaos.attrs``) turns them back.
"""

from __future__ import annotations

import datetime as _dt
import json
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import xarray as xr

from .errors import DataError

__all__ = [
    "FEATURE",
    "MEMBER",
    "STATE",
    "TIME",
    "VARIABLE",
    "decode_attrs",
    "encode_attrs",
    "infer_dt",
    "make_dataset",
    "provenance",
    "validate",
]

STATE = "state"
MEMBER = "member"
TIME = "time"
VARIABLE = "variable"
FEATURE = "feature"
SCHEMA = "chaoskit-trajectory/1"
_JSON = "json:"
_EXPECTED_DIMS = "('member', 'time', [space ...], 'variable')"


# --------------------------------------------------------------------------- attributes
def _plain(value: Any) -> bool:
    """Whether NetCDF stores ``value`` as an attribute without loss."""
    if isinstance(value, (bool, np.bool_)):
        return False
    if isinstance(value, (str, int, float, np.integer, np.floating)):
        return True
    if isinstance(value, np.ndarray):
        return value.ndim == 1 and value.dtype.kind in "iuf" and value.size > 0
    if isinstance(value, (list, tuple)) and value:
        return all(
            isinstance(v, (int, float, np.integer, np.floating))
            and not isinstance(v, (bool, np.bool_))
            for v in value
        )
    return False


def _jsonable(value: Any) -> Any:
    if isinstance(value, np.ndarray):
        return value.tolist()
    if isinstance(value, (np.integer, np.floating, np.bool_)):
        return value.item()
    raise TypeError(f"attribute value of type {type(value).__name__} is not JSON-encodable")


def encode_attrs(attrs: Mapping[str, Any]) -> dict[str, Any]:
    """Return ``attrs`` with every value NetCDF cannot store JSON-encoded as ``"json:..."``."""
    out: dict[str, Any] = {}
    for key, value in attrs.items():
        if isinstance(value, str) or _plain(value):
            out[str(key)] = list(value) if isinstance(value, tuple) else value
        else:
            try:
                out[str(key)] = _JSON + json.dumps(value, default=_jsonable, sort_keys=True)
            except TypeError as exc:
                raise DataError(
                    f"attribute {key!r} cannot be stored: {exc}; "
                    "use numbers, strings, lists or dicts of those"
                ) from None
    return out


def decode_attrs(attrs: Mapping[str, Any]) -> dict[str, Any]:
    """Inverse of :func:`encode_attrs`; arrays read back from files become lists."""
    out: dict[str, Any] = {}
    for key, value in attrs.items():
        if isinstance(value, str) and value.startswith(_JSON):
            out[key] = json.loads(value[len(_JSON) :])
        elif isinstance(value, np.ndarray):
            out[key] = value.tolist()
        elif isinstance(value, (np.integer, np.floating)):
            out[key] = value.item()
        else:
            out[key] = value
    return out


def provenance(**fields: Any) -> dict[str, Any]:
    """Provenance attributes: the given fields, creation time, and every provider's versions.

    Versions come from the ``chaoskit_provenance`` hook of every loaded plugin, so a dataset
    records the version of each package involved in making it.
    """
    from . import __version__
    from .plugins import host

    versions = {"chaoskit": __version__}
    versions.update(host.collect_versions())
    now = _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds")
    base = {"schema": SCHEMA, "created": now, "versions": versions}
    base.update({k: v for k, v in fields.items()})
    return base


# --------------------------------------------------------------------------- construction
def make_dataset(
    state: Any,
    *,
    time: Sequence[float] | np.ndarray,
    variables: Sequence[str],
    space: Mapping[str, Sequence[float] | np.ndarray] | None = None,
    attrs: Mapping[str, Any] | None = None,
    member_coords: Mapping[str, Sequence[Any] | np.ndarray] | None = None,
) -> xr.Dataset:
    """Build a validated trajectory set from an array ``(member, time, *space, variable)``.

    Parameters
    ----------
    state
        Array-like of shape ``(member, time, *space, variable)``; a torch tensor is accepted
        (it is detached and moved to the CPU).
    time
        Time coordinate, strictly increasing.
    variables
        Names of the state components, one per entry of the last axis.
    space
        Ordered mapping of spatial dim name to grid coordinates (PDE fields).
    attrs
        Provenance attributes; encoded with :func:`encode_attrs`.
    member_coords
        Extra coordinates along ``member`` (e.g. a swept parameter value per member).
    """
    array = _to_numpy(state)
    space = dict(space or {})
    dims = (MEMBER, TIME, *space, VARIABLE)
    if array.ndim != len(dims):
        raise DataError(
            f"state array has {array.ndim} dims {array.shape}; expected {len(dims)} dims {dims}"
        )
    coords: dict[str, Any] = {
        MEMBER: np.arange(array.shape[0]),
        TIME: np.asarray(time, dtype=float),
        VARIABLE: list(variables),
    }
    coords.update({name: np.asarray(grid) for name, grid in space.items()})
    for name, values in (member_coords or {}).items():
        coords[name] = (MEMBER, np.asarray(values))
    try:
        da = xr.DataArray(array, dims=dims, coords=coords)
    except ValueError as exc:
        raise DataError(f"state array {array.shape} does not fit its coordinates: {exc}") from None
    ds = xr.Dataset({STATE: da}, attrs=encode_attrs(dict(attrs or {})))
    return validate(ds, finite=False)


def _to_numpy(array: Any) -> np.ndarray:
    if hasattr(array, "detach") and hasattr(array, "cpu"):  # a torch tensor, without importing torch
        array = array.detach().cpu().numpy()
    return np.asarray(array)


# --------------------------------------------------------------------------- validation
def validate(
    ds: Any, *, finite: bool = True, name: str = "dataset", min_times: int = 1
) -> xr.Dataset:
    """Check that ``ds`` follows the trajectory-set conventions and return it unchanged.

    Raises
    ------
    DataError
        Naming what was expected and what came: a missing ``state`` variable, dims in the wrong
        order, a missing or non-monotone time coordinate, duplicate variable names, a
        non-numeric dtype, non-finite values (when ``finite``), or a ``dt`` attribute that the
        time axis contradicts.
    """
    if isinstance(ds, xr.DataArray):
        raise DataError(
            f"{name}: expected an xarray.Dataset with a 'state' variable, got a DataArray; "
            "wrap it with da.to_dataset(name='state')"
        )
    if not isinstance(ds, xr.Dataset):
        raise DataError(f"{name}: expected an xarray.Dataset, got {type(ds).__name__}")
    if STATE not in ds.data_vars:
        raise DataError(
            f"{name}: expected a data variable 'state', found {sorted(map(str, ds.data_vars))}; "
            "rename yours with ds.rename({'<name>': 'state'})"
        )
    da = ds[STATE]
    dims = tuple(map(str, da.dims))
    if len(dims) < 3 or dims[0] != MEMBER or dims[1] != TIME or dims[-1] != VARIABLE:
        hint = ""
        if MEMBER not in dims:
            hint = "; add a member dim with ds.expand_dims('member')"
        elif set(dims) >= {MEMBER, TIME, VARIABLE}:
            hint = "; reorder with ds.transpose('member', 'time', ..., 'variable')"
        raise DataError(f"{name}: state dims must be {_EXPECTED_DIMS}, got {dims}{hint}")
    if da.dtype.kind not in "fc":
        raise DataError(f"{name}: state must be float or complex, got dtype {da.dtype}")
    if TIME not in ds.coords:
        raise DataError(f"{name}: the 'time' dim has no coordinate; assign one with ds.assign_coords(time=...)")
    time = np.asarray(ds[TIME].values)
    if time.dtype.kind not in "iuf":
        raise DataError(f"{name}: time coordinate must be numeric (system time units), got {time.dtype}")
    if time.size < min_times:
        raise DataError(f"{name}: expected at least {min_times} time points, got {time.size}")
    if time.size > 1:
        steps = np.diff(time.astype(float))
        if not np.all(steps > 0):
            bad = int(np.argmin(steps > 0))
            raise DataError(
                f"{name}: time must increase strictly; time[{bad}] = {time[bad]} is followed by "
                f"{time[bad + 1]}"
            )
    if VARIABLE not in ds.coords:
        raise DataError(f"{name}: the 'variable' dim has no coordinate naming the components")
    names = [str(v) for v in ds[VARIABLE].values]
    if len(set(names)) != len(names):
        raise DataError(f"{name}: variable names must be unique, got {names}")
    if finite:
        values = np.asarray(da.values)
        bad_mask = ~np.isfinite(values)
        if bad_mask.any():
            first = np.argwhere(bad_mask)[0]
            raise DataError(
                f"{name}: state holds {int(bad_mask.sum())} non-finite values, the first at "
                f"member {first[0]}, time {time[first[1]]}; drop or repair them first"
            )
    dt = ds.attrs.get("dt")
    if dt is not None and time.size > 1:
        _check_dt(name, float(dt), time)
    return ds


def _check_dt(name: str, dt: float, time: np.ndarray) -> None:
    if not np.isfinite(dt) or dt <= 0:
        raise DataError(f"{name}: attribute dt must be a positive number, got {dt}")
    steps = np.diff(time.astype(float))
    if not np.allclose(steps, dt, rtol=1e-6, atol=1e-12 * max(1.0, abs(float(time[-1])))):
        worst = float(steps[np.argmax(np.abs(steps - dt))])
        raise DataError(
            f"{name}: attribute dt = {dt:.10g} but the time axis has a step of {worst:.10g}; "
            "fix the dt attribute or resample the time axis"
        )


def infer_dt(ds: xr.Dataset) -> float:
    """The sampling interval: the ``dt`` attribute, else the uniform step of the time axis."""
    dt = ds.attrs.get("dt")
    if dt is not None:
        return float(dt)
    time = np.asarray(ds[TIME].values, dtype=float)
    if time.size < 2:
        raise DataError("cannot infer dt from a single time point; set ds.attrs['dt']")
    steps = np.diff(time)
    if not np.allclose(steps, steps[0], rtol=1e-6):
        raise DataError(
            f"the time axis is not uniformly sampled (steps from {steps.min()} to {steps.max()}); "
            "interpolate it onto a uniform grid first"
        )
    return float(steps[0])
