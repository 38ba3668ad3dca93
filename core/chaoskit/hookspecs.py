"""The pluggy hook specifications of chaoskit (plugin API 1.0).

A plugin's hooks module implements any of these with the ``chaoskit.hookimpl`` marker.
Hooks evolve by addition only: a new hook raises the minor plugin API version, a changed or
removed one the major version.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pluggy

hookspec = pluggy.HookspecMarker("chaoskit")
hookimpl = pluggy.HookimplMarker("chaoskit")

__all__ = ["hookimpl", "hookspec"]


# ----------------------------------------------------------------------- registration
@hookspec
def chaoskit_register_systems(registry: Any) -> None:
    """Register systems: call ``registry.add(name, "package.module:Class", summary=..., tags=...,
    aliases=...)`` for each. Targets are imported on first use, so import nothing heavy here."""


@hookspec
def chaoskit_register_models(registry: Any) -> None:
    """Register models (``registry.add`` as for systems)."""


@hookspec
def chaoskit_register_metrics(registry: Any) -> None:
    """Register metrics and invariants (``registry.add`` as for systems)."""


@hookspec
def chaoskit_register_trainers(registry: Any) -> None:
    """Register trainers (``registry.add`` as for systems)."""


# ----------------------------------------------------------------------- provenance
@hookspec
def chaoskit_provenance() -> Mapping[str, str] | None:
    """Return ``{distribution name: version}`` of the packages this plugin contributes, to be
    stamped into every dataset and result chaoskit writes."""


# ----------------------------------------------------------------------- training lifecycle
@hookspec
def chaoskit_train_start(model: Any, trainer: Any, config: Mapping[str, Any]) -> None:
    """Called once before training; ``config`` holds the trainer's settings."""


@hookspec
def chaoskit_train_epoch_end(model: Any, trainer: Any, epoch: int, logs: Mapping[str, float]) -> None:
    """Called after each epoch with its losses and validation metrics."""


@hookspec
def chaoskit_train_end(model: Any, trainer: Any, result: Any) -> None:
    """Called once after training with the :class:`chaoskit.TrainResult`."""


# ----------------------------------------------------------------------- benchmark lifecycle
@hookspec
def chaoskit_bench_start(benchmark: Any) -> None:
    """Called when a benchmark run starts (after its store is opened)."""


@hookspec
def chaoskit_bench_cell_done(benchmark: Any, cell: Mapping[str, Any], result: Mapping[str, Any]) -> None:
    """Called after each finished cell (system, model, seed …) with its scores or failure."""


@hookspec
def chaoskit_bench_end(benchmark: Any, result: Any) -> None:
    """Called when a benchmark run ends, with its combined ``xarray.Dataset``."""


# ----------------------------------------------------------------------- reports
@hookspec
def chaoskit_report_header(result: Any) -> str | None:
    """Return Markdown to place at the top of a report of ``result``, or ``None``."""
