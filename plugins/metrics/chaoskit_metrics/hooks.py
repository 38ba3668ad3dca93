"""chaoskit plugin hooks of chaoskit-metrics: registers every metric, imports nothing heavy."""

from __future__ import annotations

from typing import Any

from chaoskit import hookimpl

from .catalog import entries

CHAOSKIT_PLUGIN_API = "1.0"


@hookimpl
def chaoskit_register_metrics(registry: Any) -> None:
    for item in entries():
        name, target = item.pop("name"), item.pop("target")
        registry.add(name, target, **item)
