"""System metadata from the package data files ``data/*.json`` (one file per family).

Each file maps system names to their registration (registry ``name``, ``target`` class,
``aliases``, ``tags``, ``summary``), description, citation, default parameters, initial state,
sampling interval, period, flags, reference invariants and sources (schema in the plugin's
README). The files are read once (the hooks module registers every entry from them, so adding
a system is one entry and one class), validated entry by entry on first use, and cached.

``data/invariants.json`` is not a family file: it holds the reference invariants chaoskit
computed itself for every system (Lyapunov spectrum with standard errors, Kaplan–Yorke and
correlation dimensions, the settings used), written by ``python -m
chaoskit_systems.tools.invariants --update`` and read by :func:`computed_invariants`. For a
system without a published λ1, :func:`load_metadata` adds the computed one (when converged and
chaotic) as its ``max_lyapunov`` reference, source :data:`COMPUTED_SOURCE`, so that its
trajectories at the default parameters carry a Lyapunov time.
"""

from __future__ import annotations

import difflib
import functools
import json
import math
from collections.abc import Mapping
from importlib import resources
from types import MappingProxyType
from typing import Any

from chaoskit import ConfigError, ReferenceValue, SystemMetadata, UnknownNameError
from chaoskit.system import SYSTEM_KINDS

__all__ = [
    "COMPUTED_SOURCE", "INVARIANTS_FILE", "INVARIANTS_SCHEMA", "SCHEMA", "catalog", "computed_invariants", "entry",
    "load_metadata", "names", "registrations",
]

SCHEMA = "chaoskit-systems/metadata/1"
_DATA = "data"
_FILE = "data/*.json"
_REQUIRED = {"name", "target", "kind", "description", "citation", "parameters", "initial_state",
             "dt", "period", "flags", "references"}
_OPTIONAL = {"aliases", "tags", "summary", "sources", "notes", "unbounded_indices"}
_REFERENCE_KEYS = {"value", "uncertainty", "method", "source"}
INVARIANTS_FILE = "invariants.json"
INVARIANTS_SCHEMA = "chaoskit-systems/invariants/1"


@functools.cache
def catalog() -> Mapping[str, Mapping[str, Any]]:
    """Every raw entry of ``data/*.json``, by system name (read-only, cached)."""
    merged: dict[str, Mapping[str, Any]] = {}
    origin: dict[str, str] = {}
    folder = resources.files("chaoskit_systems").joinpath(_DATA)
    files = (f for f in folder.iterdir() if f.name.endswith(".json") and f.name != INVARIANTS_FILE)
    for file in sorted(files, key=lambda f: f.name):
        data = json.loads(file.read_text(encoding="utf-8"))
        if data.get("schema") != SCHEMA:
            raise ConfigError(
                f"chaoskit_systems/{_DATA}/{file.name}: expected schema {SCHEMA!r}, got "
                f"{data.get('schema')!r}; reinstall chaoskit-systems"
            )
        for name, raw in data["systems"].items():
            if name in merged:
                raise ConfigError(
                    f"chaoskit_systems/{_DATA}: system {name!r} appears in both {origin[name]} and {file.name}"
                )
            merged[name], origin[name] = raw, file.name
    return MappingProxyType(merged)


@functools.cache
def computed_invariants() -> Mapping[str, Any]:
    """The contents of ``data/invariants.json`` (read-only, cached); empty before its first run.

    ``["systems"][name]`` (registry name) holds the Lyapunov spectrum with its standard error,
    the Kaplan–Yorke and correlation dimensions, the settings, a status and a fingerprint of the
    system and settings; ``["generated"]`` the command and versions. The schema is described in
    :mod:`chaoskit_systems.tools.invariants`.
    """
    file = resources.files("chaoskit_systems").joinpath(_DATA, INVARIANTS_FILE)
    if not file.is_file():
        return MappingProxyType({"schema": INVARIANTS_SCHEMA, "generated": {}, "systems": {}})
    data = json.loads(file.read_text(encoding="utf-8"))
    if data.get("schema") != INVARIANTS_SCHEMA or not isinstance(data.get("systems"), Mapping):
        raise ConfigError(
            f"chaoskit_systems/{_DATA}/{INVARIANTS_FILE}: expected schema {INVARIANTS_SCHEMA!r} "
            f"with a 'systems' object, got schema {data.get('schema')!r}; regenerate it with "
            "python -m chaoskit_systems.tools.invariants --update"
        )
    return MappingProxyType(data)


def registrations() -> list[dict[str, Any]]:
    """``registry.add`` arguments of every entry (read by the hooks module; imports nothing heavy)."""
    out = []
    for key, raw in sorted(catalog().items()):
        aliases = [a for a in dict.fromkeys([key, *raw.get("aliases", [])]) if a != raw["name"]]
        summary = raw.get("summary") or raw["description"].split(". ")[0].rstrip(".")
        out.append({"name": raw["name"], "target": raw["target"], "summary": summary,
                    "tags": [raw["kind"], *raw.get("tags", [])], "aliases": aliases})
    return out


def names() -> tuple[str, ...]:
    """The names of every system with metadata, sorted."""
    return tuple(sorted(catalog()))


def entry(name: str) -> Mapping[str, Any]:
    """The raw, validated entry of ``name`` (parameters, kind and sources included)."""
    systems = catalog()
    if name not in systems:
        close = difflib.get_close_matches(name, list(systems), n=3)
        hint = f"; did you mean {close}?" if close else ""
        raise UnknownNameError(f"chaoskit_systems/{_FILE} has no system {name!r}{hint}")
    raw = systems[name]
    _validate(name, raw)
    return raw


@functools.cache
def load_metadata(name: str) -> SystemMetadata:
    """The :class:`chaoskit.SystemMetadata` of ``name`` (exact, case-sensitive key), cached."""
    raw = entry(name)
    return SystemMetadata(
        name=name,
        description=raw["description"],
        citation=raw["citation"],
        dt=float(raw["dt"]),
        period=None if raw["period"] is None else float(raw["period"]),
        initial_state=tuple(float(v) for v in raw["initial_state"]),
        references=_with_computed_lyapunov(raw),
        flags=frozenset(raw["flags"]),
        unbounded_indices=tuple(int(i) for i in raw.get("unbounded_indices", [])),
    )


COMPUTED_SOURCE = "computed: chaoskit-systems data/invariants.json"
_CHAOTIC = ("chaotic", "hyperchaotic")


def _with_computed_lyapunov(raw: Mapping[str, Any]) -> dict[str, ReferenceValue]:
    """The entry's references, plus chaoskit's computed λ1 where nothing was published.

    When the entry gives neither ``max_lyapunov`` nor ``lyapunov_spectrum``, and
    ``data/invariants.json`` holds a ``converged`` spectrum of the system (at its default
    parameters) whose character is chaotic or hyperchaotic (λ1 significantly above 0), that λ1
    becomes the ``max_lyapunov`` reference with source :data:`COMPUTED_SOURCE` and its standard
    error: :attr:`chaoskit.SystemMetadata.lyapunov_time` and the ``lyapunov_time`` attr of
    default-parameter trajectories then come from it, with ``lyapunov_time_source`` naming it.
    A published value always wins; a regular or unconverged entry gives nothing.
    """
    refs = {key: ReferenceValue.from_dict(ref) for key, ref in raw["references"].items()}
    if "max_lyapunov" in refs or "lyapunov_spectrum" in refs:
        return refs
    computed = computed_invariants()["systems"].get(raw["name"])
    if not isinstance(computed, Mapping) or computed.get("status") != "converged":
        return refs
    spectrum = computed.get("lyapunov_spectrum") or {}
    values, errors = spectrum.get("value") or [], spectrum.get("uncertainty") or []
    if computed.get("character") not in _CHAOTIC or not values or not _number(values[0]) or values[0] <= 0:
        return refs
    run = computed.get("lyapunov_settings", {})
    refs["max_lyapunov"] = ReferenceValue(
        value=float(values[0]),
        uncertainty=float(errors[0]) if errors and _number(errors[0]) else None,
        method=(f"tangent-space QR (Benettin), {run.get('members', '?')} members x "
                f"{run.get('time_per_member', '?')} time units, {run.get('window', '?')} window, "
                f"computed {computed.get('date', '?')}; standard error across members"),
        source=COMPUTED_SOURCE,
    )
    return refs


def _validate(name: str, raw: Any) -> None:
    def bad(field: str, expected: str) -> ConfigError:
        got = raw.get(field) if isinstance(raw, Mapping) else raw
        return ConfigError(
            f"chaoskit_systems/{_FILE}: system {name!r}, field {field!r} must be {expected}, "
            f"got {got!r}"
        )

    if not isinstance(raw, Mapping):
        raise bad("(entry)", "an object")
    missing, unknown = _REQUIRED - set(raw), set(raw) - _REQUIRED - _OPTIONAL
    if missing or unknown:
        raise ConfigError(
            f"chaoskit_systems/{_FILE}: system {name!r} lacks fields {sorted(missing)} / has "
            f"unknown fields {sorted(unknown)}; the schema allows {sorted(_REQUIRED | _OPTIONAL)}"
        )
    if not isinstance(raw["name"], str) or not raw["name"] or raw["name"] != raw["name"].lower():
        raise bad("name", "the lower-case snake_case registry name")
    if not isinstance(raw["target"], str) or ":" not in raw["target"]:
        raise bad("target", "'chaoskit_systems.module:Class'")
    for field in ("aliases", "tags"):
        if not isinstance(raw.get(field, []), list) or not all(isinstance(v, str) for v in raw.get(field, [])):
            raise bad(field, "a list of strings")
    if raw["kind"] not in SYSTEM_KINDS:
        raise bad("kind", f"one of {list(SYSTEM_KINDS)}")
    for field in ("description", "citation"):
        if not isinstance(raw[field], str):
            raise bad(field, "a string")
    params = raw["parameters"]
    if not isinstance(params, Mapping) or not all(
        _number(v) or isinstance(v, (list, str)) for v in params.values()
    ):
        raise bad("parameters", "an object of parameter name → number (list/string if structured)")
    x0 = raw["initial_state"]
    if not isinstance(x0, list) or not x0 or not all(_number(v) for v in x0):
        raise bad("initial_state", "a non-empty list of finite numbers")
    if not _number(raw["dt"]) or raw["dt"] <= 0:
        raise bad("dt", "a positive number")
    if raw["period"] is not None and (not _number(raw["period"]) or raw["period"] <= 0):
        raise bad("period", "a positive number or null")
    if not isinstance(raw["flags"], list) or not all(isinstance(f, str) for f in raw["flags"]):
        raise bad("flags", "a list of strings")
    unbounded = raw.get("unbounded_indices", [])
    if not isinstance(unbounded, list) or not all(
        isinstance(i, int) and not isinstance(i, bool) and 0 <= i < len(x0) for i in unbounded
    ):
        raise bad("unbounded_indices", f"a list of state indices in [0, {len(x0)})")
    refs = raw["references"]
    if not isinstance(refs, Mapping) or not all(
        isinstance(r, Mapping) and "value" in r and set(r) <= _REFERENCE_KEYS for r in refs.values()
    ):
        raise bad(
            "references",
            f"an object of invariant name → {{keys {sorted(_REFERENCE_KEYS)}, 'value' required}}",
        )


def _number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)
