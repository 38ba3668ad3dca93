"""chaoskit plugin hooks of chaoskit-systems: registers every system, imports nothing heavy.

The registrations come from the package data (``data/*.json``): each entry names its registry
name, target class, aliases (the dysts name among them) and tags. Reading them is JSON only.
"""

from __future__ import annotations

import functools
from importlib.metadata import PackageNotFoundError, version
from typing import Any

from chaoskit import hookimpl

from .metadata import registrations

CHAOSKIT_PLUGIN_API = "1.0"


@hookimpl
def chaoskit_register_systems(registry: Any) -> None:
    for item in registrations():
        name, target = item.pop("name"), item.pop("target")
        registry.add(name, target, **item)


@hookimpl
def chaoskit_provenance() -> dict[str, str] | None:
    return _torch_version()


@functools.cache
def _torch_version() -> dict[str, str] | None:
    # cached: this hook runs for every dataset chaoskit makes, and reading the installed
    # metadata costs about 2 ms
    try:
        return {"torch": version("torch")}
    except PackageNotFoundError:  # pragma: no cover - torch is a dependency
        return None
