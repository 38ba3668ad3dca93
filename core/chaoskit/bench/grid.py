"""The grid of a benchmark: cells (system × model × seed × data settings), resolved names.

Each cell has a key — everything that determines its result, as canonical JSON — and from it
an id (its file name in the store) and its seeds: the data seed depends on the system, the
seed and the data settings only (every model of a row sees the same data), the model seed on
those and the model. Seeds therefore do not depend on the executor, the order of execution or
the other cells of the grid.
"""

from __future__ import annotations

import hashlib
import json
import re
import warnings
from collections.abc import Mapping
from typing import Any

import attrs

from ..errors import AmbiguousNameError, ChaoskitError, ConfigError, PluginError, UnknownNameError
from .config import BenchmarkConfig, ItemSpec

__all__ = ["CELL_FORMAT", "RESERVED", "BenchmarkWarning", "Cell", "Plan", "plan_grid", "stable_hash"]

CELL_FORMAT = "chaoskit-bench-cell/1"
#: Names of result variables and coordinates that a metric label may not take.
RESERVED = frozenset({
    "system", "model", "seed", "member", "lead", "sample", "component", "status", "error",
    "fit_time", "forecast_time", "simulate_time", "score_time", "cell_time", "peak_memory",
    "base_memory", "diverged_at", "diverged_members", "member_diverged_at", "error_growth",
    "free_run", "true_attractor", "lead_time", "time_step", "lyapunov_time", "forecast_steps",
    "horizon_units", "notes", "model_name", "model_hyperparameters", "system_name", "system_kind",
})


class BenchmarkWarning(UserWarning):
    """A system, model or metric of the config is not installed and is skipped."""


def stable_hash(obj: Any) -> str:
    """SHA-256 hex digest of the canonical JSON of ``obj``."""
    text = json.dumps(obj, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(text.encode()).hexdigest()


def _seed_of(obj: Any) -> int:
    return int(stable_hash(obj)[:8], 16) & 0x7FFFFFFF


@attrs.frozen
class Cell:
    """One cell of the grid. ``skip`` holds the reason when it will not run (not installed)."""

    system: ItemSpec
    model: ItemSpec
    seed: int
    data: Mapping[str, Any]
    coords: Mapping[str, Any]
    key: Mapping[str, Any]
    cell_id: str
    data_id: str
    data_seed: int
    model_seed: int
    skip: str | None = None

    @property
    def filename(self) -> str:
        """The cell's file name in the store: readable labels and the key's hash."""
        return f"{_safe(self.system.label)}__{_safe(self.model.label)}__s{self.seed}__{self.cell_id[:16]}.npz"

    def describe(self) -> dict[str, Any]:
        """The cell's coordinates and seeds, as passed to the ``chaoskit_bench_cell_done`` hook."""
        return {**self.coords, "cell_id": self.cell_id, "data_seed": self.data_seed, "model_seed": self.model_seed}


def _safe(label: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.=-]+", "-", label).strip("-")[:60] or "x"


@attrs.frozen
class Plan:
    """The resolved grid: cells in execution order, and the registered objects they need.

    ``systems`` maps a system label to its instance, ``models`` a model label to
    ``(class, hyperparameters)``, ``metrics`` a metric label to its instance; labels of items
    that are not installed map to the reason instead (in ``skipped``).
    """

    config: BenchmarkConfig
    cells: tuple[Cell, ...]
    systems: Mapping[str, Any]
    models: Mapping[str, tuple[type, Mapping[str, Any]]]
    metrics: Mapping[str, Any]
    skipped: Mapping[str, str]
    qualified: Mapping[str, str]

    @property
    def dims(self) -> tuple[str, ...]:
        """Dims of the result (before ``member``): system, model, seed and the data dims."""
        return ("system", "model", "seed", *self.config.data.dims)


def plan_grid(config: BenchmarkConfig) -> Plan:
    """Resolve the names of ``config`` through the registries and list its cells.

    Unknown names raise :class:`ConfigError` naming the file, line and field, unless
    ``[benchmark] missing = "skip"``: then a :class:`BenchmarkWarning` is issued and the cells
    of a missing system or model are recorded as skipped (a missing metric is left out).
    """
    import chaoskit

    registries = {"systems": chaoskit.systems, "models": chaoskit.models, "metrics": chaoskit.metrics}
    skipped: dict[str, str] = {}
    qualified: dict[str, str] = {}
    resolved: dict[str, dict[str, Any]] = {kind: {} for kind in registries}
    for kind, items in (("systems", config.systems), ("models", config.models), ("metrics", config.metrics)):
        for spec in items:
            cls = _resolve(config, registries[kind], spec, skipped)
            if cls is None:
                continue
            qualified[f"{kind}:{spec.label}"] = registries[kind].info(spec.name).qualified_name
            resolved[kind][spec.label] = _instantiate(config, spec, cls)
    metrics = resolved["metrics"]
    for label in metrics:
        if label in RESERVED:
            raise ConfigError(f"{config.locator.where(('benchmark', 'metrics'), label)}: the metric label {label!r} "
                              f"names a result variable; give it another label with [metrics.OTHER] metric = {label!r}")
    if not metrics:
        raise ConfigError(f"{config.locator.where(('benchmark', 'metrics'))}: none of the metrics is installed; "
                          "`chaoskit list metrics` shows what is")
    cells = _cells(config, resolved, skipped)
    return Plan(config=config, cells=tuple(cells), systems=resolved["systems"], models=resolved["models"],
                metrics=metrics, skipped=skipped, qualified=qualified)


def _resolve(config: BenchmarkConfig, registry: Any, spec: ItemSpec, skipped: dict[str, str]) -> Any:
    kind = spec.kind
    base = spec.label.split("[")[0]
    path = (kind, base) if spec.name != base else ("benchmark", kind)
    try:
        registry.info(spec.name)
        return registry.get(spec.name)
    except (UnknownNameError, PluginError) as exc:
        reason = str(exc)
        if isinstance(exc, UnknownNameError) and not isinstance(exc, AmbiguousNameError):
            names = sorted(e.name for e in registry.list())
            reason += (f" Allowed: {', '.join(names)}." if len(names) <= 30
                       else f" ({len(names)} {kind} are installed.)")
        if config.missing == "skip" and not isinstance(exc, AmbiguousNameError):
            message = f"{kind[:-1]} {spec.name!r} is not available and is skipped: {reason}"
            warnings.warn(message, BenchmarkWarning, stacklevel=4)
            skipped[f"{kind}:{spec.label}"] = message
            return None
        if isinstance(exc, PluginError):
            raise
        raise ConfigError(f"{config.locator.where(path, spec.name)}: {reason}") from None


def _instantiate(config: BenchmarkConfig, spec: ItemSpec, cls: type) -> Any:
    """Check the parameters by building the object; models give ``(class, hyperparameters)``."""
    params = dict(spec.params)
    if spec.kind == "models":
        params.setdefault("device", config.run.device)
    try:
        obj = cls(**params, **({"seed": 0} if spec.kind == "models" else {}))
    except (ChaoskitError, TypeError, ValueError) as exc:
        path: tuple[str, ...] = (spec.kind, spec.label.split("[")[0])
        text = str(exc)
        named = [k for k in spec.params if f".{k} " in text or f"'{k}'" in text]
        if named:  # the validator named the field: point at its line
            path = (*path, named[0])
        known = sorted(f.name for f in attrs.fields(cls) if f.init and f.name != "seed") if attrs.has(cls) else []
        allowed = f"; its parameters are {', '.join(known)}" if known else ""
        raise ConfigError(f"{config.locator.where(path)}: {spec.kind[:-1]} {spec.name!r} rejects "
                          f"{json.dumps(dict(spec.params), default=str)}: {text}{allowed}") from None
    return (cls, params) if spec.kind == "models" else obj


def _cells(config: BenchmarkConfig, resolved: Mapping[str, Mapping[str, Any]], skipped: Mapping[str, str]) -> list[Cell]:
    metrics = [m.to_dict() for m in config.metrics if m.label in resolved["metrics"]]
    run = {"device": config.run.device, "attractor_steps": config.run.attractor_steps}
    rows = [(system, seed, data) for system in config.systems for seed in config.seeds
            for data in config.data.combinations()]
    cells = []
    for model in config.models:  # model-outer: consecutive cells need different data (see runner)
        for system, seed, data in rows:
            data_key = {"format": CELL_FORMAT, "system": system.to_dict(), "seed": seed, "data": data}
            model_key = {**data_key, "model": model.to_dict()}
            key = {**model_key, "metrics": metrics, "run": run}
            reason = skipped.get(f"systems:{system.label}") or skipped.get(f"models:{model.label}")
            coords = {"system": system.label, "model": model.label, "seed": seed,
                      **{d: data[d] for d in config.data.dims}}
            cells.append(Cell(
                system=system, model=model, seed=seed, data=data, coords=coords, key=key,
                cell_id=stable_hash(key), data_id=stable_hash(data_key)[:24],
                data_seed=_seed_of(data_key), model_seed=_seed_of(model_key), skip=reason,
            ))
    return cells

