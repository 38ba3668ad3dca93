"""The benchmark runner: a grid of systems × models × seeds × data settings, scored with metrics.

``chaoskit.Benchmark(config).run()`` returns an :class:`xarray.Dataset`; ``chaoskit bench`` is
the command. The package's modules each hold one concern:

- :mod:`~chaoskit.bench.config` — TOML configs parsed into frozen attrs classes
  (:mod:`~chaoskit.bench.schema`: the fields, their defaults and the checks of values);
- :mod:`~chaoskit.bench.grid` — the cells, their keys and seeds, names resolved;
- :mod:`~chaoskit.bench.simdata` — the data of a cell (sampling, simulation, caching);
- :mod:`~chaoskit.bench.cell` — running one cell in a worker;
- :mod:`~chaoskit.bench.executors` — serial, local processes, Dask;
- :mod:`~chaoskit.bench.store` — the resumable store directory;
- :mod:`~chaoskit.bench.combine` — cell results into one Dataset;
- :mod:`~chaoskit.bench.runner` — :class:`Benchmark` (helpers in ``_support``).
"""

from __future__ import annotations

from pathlib import Path

import xarray as xr

from .config import (
    BenchmarkConfig,
    DataGrid,
    ItemSpec,
    RunSettings,
    default_config,
    load_config,
    parse_config,
)
from .grid import BenchmarkWarning, Cell, Plan
from .runner import Benchmark
from .store import Store

__all__ = [
    "Benchmark",
    "BenchmarkConfig",
    "BenchmarkWarning",
    "Cell",
    "DataGrid",
    "ItemSpec",
    "Plan",
    "RunSettings",
    "Store",
    "default_config",
    "load_config",
    "load_result",
    "parse_config",
]


def load_result(store: str | Path) -> xr.Dataset:
    """The combined result of a store (``result.nc``, or ``result.zarr``), loaded into memory."""
    from ..errors import ChaoskitError

    path = Path(store)
    if path.is_file():
        candidates = [path]
    else:
        candidates = [path / "result.nc", path / "result.zarr"]
    for candidate in candidates:
        if candidate.suffix == ".zarr" and candidate.is_dir():
            return xr.open_zarr(candidate).load()
        if candidate.is_file():
            with xr.open_dataset(candidate) as ds:
                return ds.load()
    raise ChaoskitError(
        f"{store} holds no benchmark result (result.nc or result.zarr); run `chaoskit bench CONFIG --store {store}` "
        "first (a run that was interrupted writes it when it is resumed and finishes)"
    )
