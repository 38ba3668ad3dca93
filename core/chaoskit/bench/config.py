"""Benchmark configuration: TOML (read with :mod:`tomllib`) parsed into frozen attrs classes.

The smallest config is five lines::

    [benchmark]
    systems = ["lorenz", "rossler"]
    models = ["persistence", "esn"]
    metrics = ["rmse", "vpt"]
    seeds = [0, 1, 2]

Optional sections: ``[data]`` (every field may be a list, which makes it a dimension of the
grid), ``[systems.LABEL]`` (parameters), ``[models.LABEL]`` (hyperparameters, ``model = NAME``
for a variant of a registered model, ``sweep = {field = [...]}`` for a grid over
hyperparameters), ``[metrics.LABEL]`` (metric settings) and ``[run]``. Every error names the
file, the line where it can be found, the field and the allowed values.
"""

from __future__ import annotations

import itertools
import json
import tomllib
from collections.abc import Mapping
from importlib import resources
from pathlib import Path
from typing import Any

import attrs

from ..errors import ConfigError
from ._locate import Locator
from .schema import (
    BENCHMARK_FIELDS,
    DATA_FIELDS,
    GRANULARITY,
    KINDS,
    MISSING,
    RUN_FIELDS,
    SECTIONS,
    SINGULAR,
    _check,
    _choice,
    _fmt,
    _is_int,
    _known,
    _plain_value,
    _show,
    _string,
)

__all__ = [
    "DATA_FIELDS",
    "BenchmarkConfig",
    "DataGrid",
    "ItemSpec",
    "RunSettings",
    "default_config",
    "load_config",
    "parse_config",
]


@attrs.frozen
class ItemSpec:
    """A system, model or metric of the grid: its ``label`` in the results, its registry
    ``name`` and its parameters (hyperparameters, settings)."""

    kind: str
    label: str
    name: str
    params: Mapping[str, Any] = attrs.field(factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {"label": self.label, "name": self.name, "params": dict(self.params)}


@attrs.frozen
class DataGrid:
    """The data settings: ``values[field]`` is a tuple of one or more values; ``dims`` names
    the fields given as lists, which become dimensions of the grid and of the result."""

    values: Mapping[str, tuple[Any, ...]]
    dims: tuple[str, ...] = ()

    def combinations(self) -> list[dict[str, Any]]:
        """Every combination of the settings, in grid order (dims vary last-fastest)."""
        fixed = {k: v[0] for k, v in self.values.items() if k not in self.dims}
        out = []
        for combo in itertools.product(*(self.values[d] for d in self.dims)):
            out.append({**fixed, **dict(zip(self.dims, combo))})
        return out

    def to_dict(self) -> dict[str, Any]:
        return {k: (list(v) if k in self.dims else v[0]) for k, v in self.values.items()}


@attrs.frozen
class RunSettings:
    """How cells run: the models' ``device``, torch ``threads`` per worker, and the length of
    the free run kept for the report (``attractor_steps``)."""

    device: str = "cpu"
    threads: int = 1
    attractor_steps: int = 1000


@attrs.frozen
class BenchmarkConfig:
    """A parsed benchmark config. Build it with :func:`load_config`, :func:`parse_config`
    or :func:`default_config`."""

    name: str
    systems: tuple[ItemSpec, ...]
    models: tuple[ItemSpec, ...]
    metrics: tuple[ItemSpec, ...]
    seeds: tuple[int, ...]
    data: DataGrid
    run: RunSettings = RunSettings()
    missing: str = "error"
    description: str = ""
    source: str = "<mapping>"
    text: str | None = attrs.field(default=None, eq=False, repr=False)

    @property
    def locator(self) -> Locator:
        """Positions of keys in the config text, for error messages."""
        return Locator(self.source, self.text)

    def to_dict(self) -> dict[str, Any]:
        """The whole config as plain JSON-able data (models expanded, defaults filled in)."""
        return {
            "name": self.name, "description": self.description, "missing": self.missing,
            **self.fingerprint(), "run": attrs.asdict(self.run),
        }

    def fingerprint(self) -> dict[str, Any]:
        """What determines the results: a store refuses a config whose fingerprint differs."""
        return {
            "systems": [s.to_dict() for s in self.systems],
            "models": [m.to_dict() for m in self.models],
            "metrics": [m.to_dict() for m in self.metrics],
            "seeds": list(self.seeds),
            "data": self.data.to_dict(),
            "run": {"device": self.run.device, "attractor_steps": self.run.attractor_steps},
        }

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), sort_keys=True, indent=1)


# --------------------------------------------------------------------------- loading
def load_config(source: str | Path | Mapping[str, Any] | BenchmarkConfig | None = None) -> BenchmarkConfig:
    """A config from a TOML file path, a parsed mapping, or ``None`` (the built-in default)."""
    if source is None:
        return default_config()
    if isinstance(source, BenchmarkConfig):
        return source
    if isinstance(source, Mapping):
        return from_mapping(source, Locator("<mapping>", None))
    path = Path(source)
    if not path.is_file():
        raise ConfigError(f"{path}: no such config file; give the path of a TOML file (see docs/benchmarks.md)")
    return parse_config(path.read_text(encoding="utf-8"), source=str(path), default_name=path.stem)


def default_config() -> BenchmarkConfig:
    """The built-in default benchmark (``chaoskit/bench/default.toml``)."""
    text = resources.files("chaoskit.bench").joinpath("default.toml").read_text(encoding="utf-8")
    return parse_config(text, source="<default benchmark>", default_name="default")


def parse_config(text: str, *, source: str = "<string>", default_name: str = "benchmark") -> BenchmarkConfig:
    """Parse TOML ``text``; ``source`` names it in error messages."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{source}: invalid TOML: {exc}") from None
    return from_mapping(data, Locator(source, text), default_name=default_name)


def from_mapping(data: Mapping[str, Any], where: Locator, *, default_name: str = "benchmark") -> BenchmarkConfig:
    """Validate a parsed config mapping (see the module docstring for the sections)."""
    _known(where, (), data, SECTIONS, "sections")
    bench = data.get("benchmark")
    if not isinstance(bench, Mapping):
        raise ConfigError(f"{where.where(('benchmark',))}: the section is missing; a config needs at least "
                          "[benchmark] with systems, models, metrics (and seeds)")
    _known(where, ("benchmark",), bench, BENCHMARK_FIELDS, "fields")
    lists = {kind: _names(where, bench, kind) for kind in KINDS}
    tables = {kind: _tables(where, data, kind, lists[kind]) for kind in KINDS}
    return BenchmarkConfig(
        name=_string(where, ("benchmark", "name"), bench.get("name", default_name)),
        description=_string(where, ("benchmark", "description"), bench.get("description", "")),
        systems=tuple(_item(where, "systems", n, tables["systems"].get(n)) for n in lists["systems"]),
        models=tuple(itertools.chain.from_iterable(
            _model_variants(where, n, tables["models"].get(n)) for n in lists["models"])),
        metrics=tuple(_item(where, "metrics", n, tables["metrics"].get(n)) for n in lists["metrics"]),
        seeds=_seeds(where, bench.get("seeds", [0])),
        missing=_choice(where, ("benchmark", "missing"), bench.get("missing", "error"), MISSING),
        data=_data(where, data.get("data", {})),
        run=_run(where, data.get("run", {})),
        source=where.source,
        text=where.text,
    )


# --------------------------------------------------------------------------- sections
def _names(where: Locator, bench: Mapping[str, Any], kind: str) -> list[str]:
    path = ("benchmark", kind)
    if kind not in bench:
        example = {"systems": '"lorenz"', "models": '"persistence"', "metrics": '"rmse"'}[kind]
        raise ConfigError(f"{where.where(('benchmark',))}: missing field {kind!r}: a list of {SINGULAR[kind]} names, "
                          f"e.g. {kind} = [{example}]")
    value = bench[kind]
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not value or not all(isinstance(v, str) and v.strip() for v in value):
        raise ConfigError(f"{where.where(path)}: must be a non-empty list of {SINGULAR[kind]} names, got {_show(value)}")
    seen: set[str] = set()
    for name in value:
        if name in seen:
            raise ConfigError(f"{where.where(path, name)}: {name!r} is listed twice")
        seen.add(name)
    return list(value)


def _tables(where: Locator, data: Mapping[str, Any], kind: str, listed: list[str]) -> dict[str, Mapping[str, Any]]:
    tables = data.get(kind, {})
    if not isinstance(tables, Mapping):
        raise ConfigError(f"{where.where((kind,))}: expected tables such as [{kind}.NAME], got {_show(tables)}")
    for label, table in tables.items():
        if not isinstance(table, Mapping):
            raise ConfigError(f"{where.where((kind, label))}: expected a table of settings, got {_show(table)}")
        if label not in listed:
            raise ConfigError(
                f"{where.where((kind, label))}: configures {SINGULAR[kind]} {label!r}, which [benchmark] {kind} "
                f"does not list (it lists {', '.join(listed)}); add it there or remove the table"
            )
    return dict(tables)


def _item(where: Locator, kind: str, label: str, table: Mapping[str, Any] | None) -> ItemSpec:
    params = dict(table or {})
    name = params.pop(SINGULAR[kind], label)
    _string(where, (kind, label, SINGULAR[kind]), name, nonempty=True)
    if "seed" in params and kind == "models":
        raise ConfigError(f"{where.where((kind, label, 'seed'))}: the seed of each cell comes from [benchmark] seeds; "
                          "remove it here")
    for key, value in params.items():
        _plain_value(where, (kind, label, key), value)
    return ItemSpec(kind=kind, label=label, name=name, params=params)


def _model_variants(where: Locator, label: str, table: Mapping[str, Any] | None) -> list[ItemSpec]:
    table = dict(table or {})
    sweep = table.pop("sweep", None)
    base = _item(where, "models", label, table)
    if sweep is None:
        return [base]
    path = ("models", label, "sweep")
    if not isinstance(sweep, Mapping) or not sweep:
        raise ConfigError(f"{where.where(path)}: must be a table of lists, e.g. sweep = {{units = [100, 200]}}, "
                          f"got {_show(sweep)}")
    for key, values in sweep.items():
        if not isinstance(values, list) or not values:
            raise ConfigError(f"{where.where((*path, key))}: must be a non-empty list of values, got {_show(values)}")
        if key in base.params or key == "seed":
            raise ConfigError(f"{where.where((*path, key))}: {key!r} is both swept and fixed (or is the seed); "
                              "give it in one place")
        for value in values:
            _plain_value(where, (*path, key), value)
    variants = []
    for combo in itertools.product(*sweep.values()):
        swept = dict(zip(sweep.keys(), combo))
        tag = ",".join(f"{k}={_fmt(v)}" for k, v in swept.items())
        variants.append(attrs.evolve(base, label=f"{label}[{tag}]", params={**base.params, **swept}))
    return variants


def _seeds(where: Locator, value: Any) -> tuple[int, ...]:
    path = ("benchmark", "seeds")
    if _is_int(value):
        if value < 1:
            raise ConfigError(f"{where.where(path)}: a number of seeds must be >= 1, got {value}")
        return tuple(range(value))
    if not isinstance(value, list) or not value or not all(_is_int(v) and v >= 0 for v in value):
        raise ConfigError(f"{where.where(path)}: must be a list of non-negative integers (e.g. [0, 1, 2]) or a "
                          f"count (3 means [0, 1, 2]), got {_show(value)}")
    if len(set(value)) != len(value):
        raise ConfigError(f"{where.where(path)}: seeds must be distinct, got {value}")
    return tuple(int(v) for v in value)


def _data(where: Locator, table: Any) -> DataGrid:
    _known(where, ("data",), table, tuple(DATA_FIELDS), "fields")
    values: dict[str, tuple[Any, ...]] = {}
    dims = []
    for key, spec in DATA_FIELDS.items():
        raw = table.get(key, spec.default)
        if isinstance(raw, list):
            if not raw:
                raise ConfigError(f"{where.where(('data', key))}: an empty list; give a value or a list of values")
            dims.append(key)
            items = [_check(where, ("data", key), v, spec) for v in raw]
            if len(set(map(repr, items))) != len(items):
                raise ConfigError(f"{where.where(('data', key))}: values must be distinct, got {raw}")
            values[key] = tuple(items)
        else:
            values[key] = (None if raw is None else _check(where, ("data", key), raw, spec),)
    if "horizon" in table and "horizon_steps" in table:
        raise ConfigError(f"{where.where(('data', 'horizon_steps'))}: give horizon (Lyapunov times) or "
                          "horizon_steps, not both")
    given = [k for k in GRANULARITY if k in table]
    if len(given) > 1:
        raise ConfigError(f"{where.where(('data', given[1]))}: give one granularity of {', '.join(GRANULARITY)}, "
                          f"not {' and '.join(given)}")
    return DataGrid(values=values, dims=tuple(dims))


def _run(where: Locator, table: Any) -> RunSettings:
    _known(where, ("run",), table, tuple(RUN_FIELDS), "fields")
    kw = {key: _check(where, ("run", key), table.get(key, spec.default), spec) for key, spec in RUN_FIELDS.items()}
    return RunSettings(**kw)


# --------------------------------------------------------------------------- values
