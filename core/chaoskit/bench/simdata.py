"""The data of a cell: sampling resolved per system, one simulation, train/context/truth split.

One call of ``system.trajectory`` gives ``test_members + 2`` members after the transient:
member 0 starts at the default initial condition and is dropped (it would be the same for every
seed), member 1 is the training trajectory, members 2… are the test initial conditions (each a
context window followed by the truth of the horizon). Observation noise is added to the training
data and the contexts (what the model sees), never to the truth it is scored against.

Simulations are cached per data key: in memory (a few per process) and, when a cache folder is
given, on disk (written atomically, under a file lock so two workers do not simulate the same
data twice). Models of one row of the grid therefore share one simulation.
"""

from __future__ import annotations

import collections
import contextlib
import json
import os
import tempfile
import threading
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import attrs
import numpy as np
import xarray as xr

from ..data import STATE, TIME, decode_attrs, encode_attrs, make_dataset

__all__ = ["CellData", "Sampling", "load_cell_data", "resolve_sampling"]

_MEMORY: collections.OrderedDict[str, CellData] = collections.OrderedDict()
_MEMORY_SIZE = 4
_LOCK = threading.Lock()


@attrs.frozen
class Sampling:
    """How a system is sampled for one data setting (see :func:`resolve_sampling`)."""

    dt: float
    lyapunov_time: float | None
    horizon_steps: int
    horizon_units: str
    transient: float
    method: str | None = None
    notes: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return attrs.asdict(self)


@attrs.frozen
class CellData:
    """What a cell works on: ``train`` (one member) and ``context`` (noisy, as the model sees
    them), ``clean_train``, ``clean_context`` and ``truth`` (test members), and the per-feature ``scale`` (standard
    deviation of the clean training data) that normalizes the error growth."""

    train: xr.Dataset
    clean_train: xr.Dataset
    context: xr.Dataset
    clean_context: xr.Dataset
    truth: xr.Dataset
    scale: np.ndarray
    sampling: Sampling
    simulate_time: float


def resolve_sampling(system: Any, data: Mapping[str, Any]) -> Sampling:
    """The sampling interval, horizon and transient of ``system`` for the settings ``data``.

    Granularity: ``dt``, else ``pts_per_period`` (needs a known period), else
    ``pts_per_lyapunov`` (needs a Lyapunov time), else the system's default ``dt``; maps are
    always sampled every iteration. An integrator ``method`` the system does not offer is
    replaced by the system's default. Horizon and transient are in Lyapunov times when the system
    has one at its parameters (its reference value applies at the default parameters only), in
    time units otherwise (a map's transient is rounded to whole iterations); ``notes`` says
    when a fallback was taken.
    """
    notes = []
    lyapunov_time = system.metadata.lyapunov_time if system.at_defaults else None
    given: dict[str, Any] = {k: data.get(k) for k in ("dt", "pts_per_period", "pts_per_lyapunov")
                             if data.get(k) is not None}
    dt = float(system.default_dt)
    if system.kind == "map":
        if given:
            notes.append(f"{', '.join(given)} ignored: {system.name} is a map, sampled every iteration")
        dt = 1.0
    elif "dt" in given:
        dt = float(given["dt"])
    elif "pts_per_period" in given:
        if system.metadata.period is None:
            notes.append(f"pts_per_period ignored: {system.name} has no known period; its default dt = {dt:g} is used")
        else:
            dt = float(system.metadata.period) / float(given["pts_per_period"])
    elif "pts_per_lyapunov" in given:
        if lyapunov_time is None:
            notes.append(f"pts_per_lyapunov ignored: {system.name} has no Lyapunov time here; "
                         f"its default dt = {dt:g} is used")
        else:
            dt = lyapunov_time / float(given["pts_per_lyapunov"])
    unit = lyapunov_time if lyapunov_time is not None else 1.0
    units = "lyapunov_times" if lyapunov_time is not None else "time_units"
    if lyapunov_time is None:
        notes.append(f"{system.name} has no Lyapunov time here: horizon and transient are in time units")
    if data.get("horizon_steps") is not None:
        steps = int(data["horizon_steps"])
    else:
        steps = max(1, round(float(data["horizon"]) * unit / dt))
    method = data.get("method")
    if method is not None and method not in system.methods:
        notes.append(f"method {method!r} ignored: {system.name} offers {list(system.methods)}; its default is used")
        method = None
    transient = float(data["transient"]) * unit
    if system.kind == "map":  # maps discard whole iterations
        transient = float(round(transient))
    return Sampling(dt=dt, lyapunov_time=lyapunov_time, horizon_steps=steps, horizon_units=units,
                    transient=transient, method=method, notes=tuple(notes))


def load_cell_data(system: Any, data: Mapping[str, Any], data_id: str, data_seed: int,
                   cache_dir: str | None = None) -> CellData:
    """The cell's data, from the memory cache, the disk cache, or a new simulation."""
    with _LOCK:
        cached = _MEMORY.get(data_id)
        if cached is not None:
            _MEMORY.move_to_end(data_id)
            return attrs.evolve(cached, simulate_time=0.0)
    sampling = resolve_sampling(system, data)
    with _disk_lock(cache_dir, data_id) as path:
        pieces = _read(path) if path is not None else None
        elapsed = 0.0
        if pieces is None:
            import time

            start = time.perf_counter()
            pieces = _simulate(system, data, sampling, data_seed)
            elapsed = time.perf_counter() - start
            if path is not None:
                _write(path, pieces)
    out = _split(pieces, data, sampling, data_seed, elapsed)
    with _LOCK:  # workers with several threads (Dask) share this cache
        _MEMORY[data_id] = out
        while len(_MEMORY) > _MEMORY_SIZE:
            _MEMORY.popitem(last=False)
    return out


def clear_memory_cache() -> None:
    """Forget the simulations cached in this process."""
    _MEMORY.clear()


def _simulate(system: Any, data: Mapping[str, Any], sampling: Sampling, seed: int) -> dict[str, xr.Dataset]:
    n_train = int(data["train_length"])
    n_test = int(data["context"]) + sampling.horizon_steps
    members = int(data["test_members"]) + 2
    ds = system.trajectory(
        max(n_train, n_test), dt=sampling.dt, members=members, transient=sampling.transient,
        seed=seed, method=sampling.method,
    )
    train = ds.isel({"member": [1], TIME: slice(0, n_train)}).assign_coords(member=[0])
    test = ds.isel({"member": slice(2, None), TIME: slice(0, n_test)})
    test = test.assign_coords(member=np.arange(test.sizes["member"]))
    return {"train": train, "test": test}


def _split(pieces: Mapping[str, xr.Dataset], data: Mapping[str, Any], sampling: Sampling,
           seed: int, elapsed: float) -> CellData:
    train = clean_train = pieces["train"]
    test = pieces["test"]
    clean_context, truth = test.chaos.split(int(data["context"]))
    values = np.asarray(train[STATE].values)
    flat = values.reshape(-1, int(np.prod(values.shape[2:])))
    scale = np.nanstd(np.abs(flat) if np.iscomplexobj(flat) else flat, axis=0)
    scale = np.where(scale > 0, scale, 1.0)
    noise = float(data.get("noise") or 0.0)
    context = clean_context
    if noise > 0:
        rng = np.random.default_rng([seed, 1])
        train = _noisy(train, noise, scale, rng)
        context = _noisy(clean_context, noise, scale, rng)
    return CellData(train=train, clean_train=clean_train, context=context, clean_context=clean_context, truth=truth,
                    scale=scale, sampling=sampling, simulate_time=elapsed)


def _noisy(ds: xr.Dataset, level: float, scale: np.ndarray, rng: np.random.Generator) -> xr.Dataset:
    values = np.asarray(ds[STATE].values)
    sigma = level * scale.reshape(values.shape[2:])
    noise = rng.standard_normal(values.shape) * sigma
    if np.iscomplexobj(values):
        noise = noise + 1j * rng.standard_normal(values.shape) * sigma
    return ds.copy(data={STATE: values + noise})


# --------------------------------------------------------------------------- disk cache
@contextlib.contextmanager
def _disk_lock(cache_dir: str | None, data_id: str) -> Iterator[Path | None]:
    """Hold an exclusive lock on ``data_id`` in ``cache_dir``; yield the data file's path.

    Any problem with the folder (missing on a remote worker, read-only) disables the cache
    for this call instead of failing the cell.
    """
    if cache_dir is None:
        yield None
        return
    try:
        import fcntl

        folder = Path(cache_dir)
        folder.mkdir(parents=True, exist_ok=True)
        handle = open(folder / f"{data_id}.lock", "a")  # noqa: SIM115 - closed below
    except (OSError, ImportError):
        yield None
        return
    try:
        fcntl.flock(handle, fcntl.LOCK_EX)
        yield folder / f"{data_id}.npz"
    finally:
        handle.close()  # releases the lock (also released if the process dies)


def _write(path: Path, pieces: Mapping[str, xr.Dataset]) -> None:
    arrays: dict[str, np.ndarray] = {}
    for name, ds in pieces.items():
        arrays[f"{name}:state"] = np.asarray(ds[STATE].values)
        arrays[f"{name}:time"] = np.asarray(ds[TIME].values, float)
        space = list(ds.chaos.space_dims)
        for dim in space:
            arrays[f"{name}:space:{dim}"] = np.asarray(ds[dim].values)
        meta = {"variables": list(ds.chaos.variables), "space": space, "attrs": encode_attrs(ds.chaos.attrs)}
        arrays[f"{name}:meta"] = np.array(json.dumps(meta))
    try:
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=path.name, suffix=".tmp")
        with os.fdopen(fd, "wb") as fh:
            np.savez(fh, **arrays)  # type: ignore[arg-type]  # stub: **kwds are arrays
        os.replace(tmp, path)
    except OSError:
        with contextlib.suppress(OSError, UnboundLocalError):
            os.unlink(tmp)


def _read(path: Path) -> dict[str, xr.Dataset] | None:
    if not path.is_file():
        return None
    try:
        with np.load(path, allow_pickle=False) as npz:
            out = {}
            for name in ("train", "test"):
                meta = json.loads(str(npz[f"{name}:meta"]))
                space = {dim: npz[f"{name}:space:{dim}"] for dim in meta["space"]}
                out[name] = make_dataset(npz[f"{name}:state"], time=npz[f"{name}:time"],
                                         variables=meta["variables"], space=space,
                                         attrs=decode_attrs(meta["attrs"]))
            return out
    except (OSError, ValueError, KeyError):
        return None  # a damaged cache file is simulated again
