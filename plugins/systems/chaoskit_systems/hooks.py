"""chaoskit plugin hooks of chaoskit-systems: registers every system, imports nothing heavy."""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version
from typing import Any

from chaoskit import hookimpl

CHAOSKIT_PLUGIN_API = "1.0"


@hookimpl
def chaoskit_register_systems(registry: Any) -> None:
    registry.add(
        "lorenz", "chaoskit_systems.flows.lorenz:Lorenz",
        summary="Lorenz-63 convection model (σ, ρ, β)",
        tags=["flow", "chaotic", "dysts"], aliases=["Lorenz", "lorenz63"],
    )


@hookimpl
def chaoskit_provenance() -> dict[str, str] | None:
    try:
        return {"torch": version("torch")}
    except PackageNotFoundError:  # pragma: no cover - torch is a dependency
        return None
