"""Plain-data configuration of SINDy's components (libraries, differentiation, optimizers).

Every component is a frozen attrs class with a ``kind`` name. Its configuration is a dict
``{"kind": ..., field: value, ...}`` of numbers, strings, lists and dicts, so a SINDy model's
hyperparameters can be written to JSON (provenance, ``save``) and read from TOML
(benchmark configs). :func:`component` turns a component, its config dict or its bare kind
name into the component.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import attrs
from chaoskit import ParameterError

__all__ = ["component", "to_config"]


def to_config(obj: Any) -> dict[str, Any]:
    """``{"kind": obj.kind, field: value, ...}``: tuples as lists, nested components as dicts."""
    out: dict[str, Any] = {"kind": type(obj).kind}
    for field in attrs.fields(type(obj)):
        out[field.name] = _plain(getattr(obj, field.name))
    return out


def _plain(value: Any) -> Any:
    if attrs.has(type(value)) and hasattr(type(value), "kind"):
        return value.to_config() if hasattr(value, "to_config") else to_config(value)
    if isinstance(value, (tuple, list)):
        return [_plain(v) for v in value]
    return value


def component(value: Any, kinds: Mapping[str, type], family: str) -> Any:
    """The component described by ``value``: an instance, a kind name or a config mapping.

    Raises
    ------
    ParameterError
        For an unknown kind, unknown fields, or anything else; the message lists what is valid.
    """
    classes = tuple(kinds.values())
    if isinstance(value, classes):
        return value
    if isinstance(value, str):
        value = {"kind": value}
    if not isinstance(value, Mapping):
        raise ParameterError(
            f"SINDy.{family} must be one of {[c.__name__ for c in classes]}, a kind name "
            f"{sorted(kinds)} or a config dict with a 'kind' key; "
            f"got {type(value).__name__} {value!r}"
        )
    params = dict(value)
    kind = params.pop("kind", None)
    cls = kinds.get(kind) if isinstance(kind, str) else None
    if cls is None:
        raise ParameterError(
            f"SINDy.{family}: unknown kind {kind!r}; valid kinds are {sorted(kinds)}"
        )
    known = {f.name for f in attrs.fields(cls)}
    unknown = sorted(set(params) - known)
    if unknown:
        raise ParameterError(
            f"SINDy.{family}: {cls.__name__} has no parameter {', '.join(map(repr, unknown))}; "
            f"it takes {sorted(known)}"
        )
    for name, item in params.items():
        if isinstance(item, list):
            params[name] = tuple(item)
    return cls(**params)
