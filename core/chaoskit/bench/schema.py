"""The schema of benchmark configs — sections, fields, defaults, bounds — and the checks of
single values, each raising :class:`~chaoskit.ConfigError` that names the file, the line, the
field and what is allowed."""

from __future__ import annotations

import difflib
import math
from collections.abc import Mapping, Sequence
from typing import Any

import attrs

from ..errors import ConfigError
from ._locate import Locator

__all__ = ["BENCHMARK_FIELDS", "DATA_FIELDS", "GRANULARITY", "KINDS", "MISSING", "RUN_FIELDS", "SECTIONS", "Field"]

SECTIONS = ("benchmark", "data", "systems", "models", "metrics", "run")
KINDS = ("systems", "models", "metrics")
SINGULAR = {"systems": "system", "models": "model", "metrics": "metric"}
BENCHMARK_FIELDS = ("name", "description", "systems", "models", "metrics", "seeds", "missing")
MISSING = ("error", "skip")


@attrs.frozen
class Field:
    """One setting: its type (``int``, ``float``, ``str``), bounds, default and meaning."""

    type: str
    default: Any
    help: str
    minimum: float | None = None
    strict: bool = False  # minimum excluded


#: The data settings (``[data]``); each may be a list of values, which makes it a grid dim.
DATA_FIELDS: dict[str, Field] = {
    "train_length": Field("int", 5000, "training points", 2),
    "context": Field("int", 300, "context points before each forecast", 1),
    "horizon": Field("float", 10.0, "forecast length in Lyapunov times (time units when the system has none)", 0, True),
    "horizon_steps": Field("int", None, "forecast length in steps, instead of horizon", 1),
    "test_members": Field("int", 8, "test initial conditions", 1),
    "noise": Field("float", 0.0, "observation noise, as a fraction of each variable's standard deviation", 0),
    "transient": Field("float", 10.0, "discarded start, in Lyapunov times (time units when the system has none)", 0),
    "dt": Field("float", None, "sampling interval in time units", 0, True),
    "pts_per_period": Field("float", None, "points per dominant period", 0, True),
    "pts_per_lyapunov": Field("float", None, "points per Lyapunov time", 0, True),
    "method": Field("str", None, "integrator name (default: the system's)"),
}
GRANULARITY = ("dt", "pts_per_period", "pts_per_lyapunov")

#: The run settings (``[run]``).
RUN_FIELDS: dict[str, Field] = {
    "device": Field("str", "cpu", "device of the models ('cpu', 'cuda', 'cuda:1' …)"),
    "threads": Field("int", 1, "torch threads per worker", 1),
    "attractor_steps": Field("int", 1000, "length of each model's free run for the report's attractor figures (0: none)", 0),
}



def _known(where: Locator, path: tuple[str, ...], table: Any, allowed: Sequence[str], what: str) -> None:
    if not isinstance(table, Mapping):
        raise ConfigError(f"{where.where(path)}: expected a table, got {_show(table)}")
    for key in table:
        if key not in allowed:
            close = difflib.get_close_matches(str(key), list(allowed), n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            raise ConfigError(
                f"{where.where((*path, str(key)))}: unknown {what[:-1]} {key!r}{hint}; allowed {what}: "
                f"{', '.join(allowed)}"
            )


def _check(where: Locator, path: tuple[str, ...], value: Any, spec: Field) -> Any:
    what = {"int": "an integer", "float": "a number", "str": "a string"}[spec.type]
    ok = (_is_int(value) if spec.type == "int" else
          _is_number(value) if spec.type == "float" else isinstance(value, str) and bool(value))
    if not ok:
        raise ConfigError(f"{where.where(path)}: must be {what} ({spec.help}), got {_show(value)}")
    if spec.type == "float":
        value = float(value)
        if not math.isfinite(value):
            raise ConfigError(f"{where.where(path)}: must be finite ({spec.help}), got {value}")
    if spec.minimum is not None:
        bad = value <= spec.minimum if spec.strict else value < spec.minimum
        if bad:
            sign = ">" if spec.strict else ">="
            raise ConfigError(f"{where.where(path)}: must be {sign} {spec.minimum:g} ({spec.help}), got {value}")
    return value


def _choice(where: Locator, path: tuple[str, ...], value: Any, allowed: Sequence[str]) -> str:
    if value not in allowed:
        raise ConfigError(f"{where.where(path, value)}: must be one of {', '.join(map(repr, allowed))}, got {_show(value)}")
    return str(value)


def _string(where: Locator, path: tuple[str, ...], value: Any, *, nonempty: bool = False) -> str:
    if not isinstance(value, str) or (nonempty and not value.strip()):
        raise ConfigError(f"{where.where(path)}: must be a {'non-empty ' if nonempty else ''}string, got {_show(value)}")
    return value


def _plain_value(where: Locator, path: tuple[str, ...], value: Any) -> None:
    """Parameters must be numbers, strings, booleans or lists of those (JSON-able, hashable keys)."""
    if isinstance(value, (bool, int, float, str)):
        return
    if isinstance(value, list) and all(isinstance(v, (bool, int, float, str)) for v in value):
        return
    raise ConfigError(f"{where.where(path)}: parameter values must be numbers, strings, booleans or lists of "
                      f"those, got {_show(value)}")


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _show(value: Any) -> str:
    kind = {bool: "boolean", int: "integer", float: "number", str: "string", list: "list", dict: "table"}
    name = next((v for k, v in kind.items() if type(value) is k), type(value).__name__)
    text = repr(value)
    return f"{name} {text if len(text) < 60 else text[:57] + '...'}"


def _fmt(value: Any) -> str:
    return f"{value:g}" if isinstance(value, float) else str(value)
