"""``chaoskit.Benchmark``: run a grid of cells through an executor into a resumable store."""

from __future__ import annotations

import collections
import concurrent.futures as cf
import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import xarray as xr

from ..errors import ChaoskitError
from ._support import build_config, cuda_device_count, failed, row_major, store_dir, summary, threads
from .cell import CellTask, run_cell
from .combine import combine, machine_info
from .config import BenchmarkConfig
from .executors import ExecutorHandle, make_executor
from .grid import Cell, Plan, plan_grid
from .store import Store

__all__ = ["Benchmark"]

_WORKER_DIED = ("the worker process running this cell died (killed by a signal, out of memory, or crashed "
                "in native code); the pool was restarted and the run went on. Executor error: {error}")


class Benchmark:
    """A grid of systems × models × seeds × data settings, scored with metrics.

    Parameters
    ----------
    config
        A TOML file path, a parsed mapping (``{"benchmark": {...}, "data": {...}}``), a
        :class:`~chaoskit.bench.BenchmarkConfig`, or ``None`` for the built-in default
        benchmark — unless the sections are given as keywords instead.
    systems, models, metrics, seeds, data
        The config as keywords: lists of names, or ``{name: {parameter: value}}`` mappings for
        systems, models and metrics; ``data`` is the ``[data]`` table.
    store
        Directory of the run (see :class:`~chaoskit.bench.store.Store`). ``None``: a temporary
        directory, removed after the run (the result is returned, no file is kept).
    force
        Accept a config that differs from the one the store was made with.
    workers, dask, executor
        At most one: ``workers=N`` local processes; ``dask`` a scheduler address or a
        ``distributed.Client``; ``executor`` any ``concurrent.futures.Executor``-like object.
        Default: serial, in this process.
    progress
        Show a progress bar (cells done, rate, time left, failures) on stderr.
    retry_failed
        Run again the cells that a previous run recorded as failed.

    Examples
    --------
    >>> bench = chaoskit.Benchmark(systems=["lorenz"], models=["persistence", "esn"],
    ...                            metrics=["rmse", "vpt"], seeds=[0, 1, 2])  # doctest: +SKIP
    >>> result = bench.run()                                                 # doctest: +SKIP
    >>> result["vpt"].median("seed").to_pandas()                             # doctest: +SKIP
    """

    def __init__(
        self,
        config: str | Path | Mapping[str, Any] | BenchmarkConfig | None = None,
        *,
        systems: Sequence[str] | Mapping[str, Mapping[str, Any]] | None = None,
        models: Sequence[str] | Mapping[str, Mapping[str, Any]] | None = None,
        metrics: Sequence[str] | Mapping[str, Mapping[str, Any]] | None = None,
        seeds: Sequence[int] | int | None = None,
        data: Mapping[str, Any] | None = None,
        store: str | Path | None = None,
        force: bool = False,
        workers: int | None = None,
        dask: Any = None,
        executor: Any = None,
        progress: bool = True,
        retry_failed: bool = False,
    ) -> None:
        self.config = build_config(config, systems=systems, models=models, metrics=metrics, seeds=seeds, data=data)
        self.store = None if store is None else Path(store)
        self.force = force
        self.progress = progress
        self.retry_failed = retry_failed
        self._executor_args = {"workers": workers, "dask": dask, "executor": executor}
        self._plan: Plan | None = None
        self._pid_dir: str | None = None
        self._cache_dir: str | None = None
        self.result: xr.Dataset | None = None
        self.executed: list[str] = []

    @property
    def plan(self) -> Plan:
        """The resolved grid (names looked up, parameters checked); built on first access."""
        if self._plan is None:
            self._plan = plan_grid(self.config)
        return self._plan

    @property
    def cells(self) -> tuple[Cell, ...]:
        """Every cell of the grid, in execution order (skipped ones included)."""
        return self.plan.cells

    def __repr__(self) -> str:
        c = self.config
        return (f"<chaoskit.Benchmark {c.name!r}: {len(c.systems)} systems × {len(c.models)} models × "
                f"{len(c.seeds)} seeds × {len(c.data.combinations())} data settings, metrics "
                f"{[m.label for m in c.metrics]}>")

    # ------------------------------------------------------------------ running
    def run(self) -> xr.Dataset:
        """Run every cell not yet in the store; return (and store) the combined result."""
        plan = self.plan
        self.executed = []
        with store_dir(self.store) as path:
            with Store(path, self.config, force=self.force) as store:
                if self.force:
                    store.prune(c.cell_id for c in plan.cells)
                results, todo = self._collect(plan, store)
                from ..plugins import call_hook

                handle = make_executor(threads=self.config.run.threads, gpus=self._gpus(), **self._executor_args)
                self._pid_dir = handle.pid_dir
                self._cache_dir = None if handle.kind == "serial" else str(store.data_dir)
                if handle.kind == "serial":
                    todo = row_major(todo)
                self.executor_description = handle.description
                start = time.perf_counter()
                try:
                    call_hook("chaoskit_bench_start", benchmark=self)
                    with threads(handle):
                        self._execute(todo, handle, store, results)
                except BaseException:
                    handle.shutdown(wait=False)
                    raise
                handle.shutdown()
                if all(c.cell_id in results for c in plan.cells if not c.skip):
                    store.clear_data_cache()
                ds = combine(plan, results, attrs=self._attrs(handle, time.perf_counter() - start, len(todo)))
                if self.store is not None:  # a temporary store is removed: no file to write
                    store.write_result(ds)
                call_hook("chaoskit_bench_end", benchmark=self, result=ds)
        self.result = ds
        return ds

    def _gpus(self) -> int:
        """How many GPUs local workers share out: the visible CUDA devices when the models run
        on ``"cuda"`` (no index) with ``workers`` > 0, else 0 (torch imported only then)."""
        if self.config.run.device != "cuda" or not self._executor_args.get("workers"):
            return 0
        return cuda_device_count()

    def _collect(self, plan: Plan, store: Store) -> tuple[dict[str, dict[str, Any]], list[Cell]]:
        finished = store.finished()
        results: dict[str, dict[str, Any]] = {}
        todo = []
        for cell in plan.cells:
            if cell.skip:
                continue
            path = finished.get(cell.cell_id[:16])
            result = Store.read_cell(path) if path is not None else None
            if result is not None and result["meta"].get("cell_id") == cell.cell_id:
                if not (self.retry_failed and result["meta"]["status"] == "failed"):
                    results[cell.cell_id] = result
                    continue
            todo.append(cell)
        return results, todo

    def _task(self, cell: Cell, store: Store) -> CellTask:
        plan = self.plan
        model_class, hyper = plan.models[cell.model.label]
        return CellTask(
            cell_id=cell.cell_id, system=plan.systems[cell.system.label], model_class=model_class,
            hyperparameters=hyper, metrics=plan.metrics, data=cell.data, data_id=cell.data_id,
            data_seed=cell.data_seed, model_seed=cell.model_seed,
            attractor_steps=self.config.run.attractor_steps, threads=self.config.run.threads,
            cache_dir=self._cache_dir, pid_dir=self._pid_dir,
        )

    def _execute(self, todo: list[Cell], handle: ExecutorHandle, store: Store, results: dict[str, Any]) -> None:
        """Keep at most ``handle.in_flight`` cells submitted; write each result as it comes.

        When a process pool breaks (a worker died), every cell in flight fails with it. The cell
        whose worker died is recorded as failed (told by the worker's exit status and its pid
        record, see :meth:`ExecutorHandle.dead_cells`); the others run again in a fresh pool. If
        that cannot be told and several cells were in flight, each runs again alone, and one
        that breaks the pool then is recorded as failed.
        """
        from tqdm.auto import tqdm

        total = sum(1 for c in self.plan.cells if not c.skip)
        bar = tqdm(total=total, initial=total - len(todo), desc=f"bench {self.config.name}", unit="cell",
                   disable=not self.progress, dynamic_ncols=True, mininterval=0.5)
        self._counts: collections.Counter[str] = collections.Counter()
        self._fruitless_breaks = 0
        pending = collections.deque(todo)
        suspects: collections.deque[Cell] = collections.deque()
        running: dict[cf.Future[Any], tuple[Cell, bool]] = {}
        try:
            while pending or suspects or running:
                while (suspects and not running) or (not suspects and pending and len(running) < handle.in_flight):
                    alone = bool(suspects)
                    cell = suspects.popleft() if alone else pending.popleft()
                    running[handle.submit(run_cell, self._task(cell, store))] = (cell, alone)
                cf.wait(list(running), return_when=cf.FIRST_COMPLETED)
                broken = self._harvest(running, store, results, bar)
                if broken:
                    cf.wait(list(running))  # a broken pool fails every future in flight
                    broken += self._harvest(running, store, results, bar)
                    self._recover(broken, handle, suspects, pending, store, results, bar)
        finally:
            bar.close()

    def _harvest(self, running: dict[cf.Future[Any], tuple[Cell, bool]], store: Store,
                 results: dict[str, Any], bar: Any) -> list[tuple[Cell, bool, BaseException]]:
        broken: list[tuple[Cell, bool, BaseException]] = []
        for future in [f for f in running if f.done()]:
            cell, alone = running.pop(future)
            try:
                result = future.result()
            except cf.BrokenExecutor as exc:
                broken.append((cell, alone, exc))
                continue
            except Exception as exc:  # noqa: BLE001 - e.g. a Dask KilledWorker, an unpicklable task
                result = failed(cell, f"the executor could not run this cell: {type(exc).__name__}: {exc}")
            else:
                self._fruitless_breaks = 0
            self._finish(cell, result, store, results, bar)
        return broken

    def _recover(self, broken: list[tuple[Cell, bool, BaseException]], handle: ExecutorHandle,
                 suspects: collections.deque[Cell], pending: collections.deque[Cell], store: Store,
                 results: dict[str, Any], bar: Any) -> None:
        if not handle.restartable:
            for cell, _, exc in broken:
                self._finish(cell, failed(cell, _WORKER_DIED.format(error=exc)), store, results, bar)
            raise ChaoskitError(
                f"the executor ({handle.description}) broke and cannot be restarted; the finished cells are "
                f"in the store — run again to resume ({len(pending) + len(suspects)} cells left)"
            )
        dead = handle.dead_cells()
        self._fruitless_breaks += 1
        if not dead and self._fruitless_breaks >= 3:
            for cell, _, exc in broken:
                pending.appendleft(cell)
            raise ChaoskitError(
                f"the worker processes ({handle.description}) died {self._fruitless_breaks} times in a row "
                "without finishing a cell, so the run stops; the finished cells are in the store. Workers "
                "that die at start-up usually mean a script that starts the benchmark without an "
                "`if __name__ == \"__main__\":` guard (workers are spawned and import the main module), or "
                "a package that cannot be imported in a fresh process"
            )
        handle.restart()
        if dead:
            for cell, _, exc in broken:
                if cell.cell_id in dead:
                    self._finish(cell, failed(cell, _WORKER_DIED.format(error=exc)), store, results, bar)
                else:
                    pending.appendleft(cell)
        elif len(broken) == 1 or all(alone for _, alone, _ in broken):
            for cell, _, exc in broken:
                self._finish(cell, failed(cell, _WORKER_DIED.format(error=exc)), store, results, bar)
        else:
            suspects.extend(cell for cell, _, _ in broken)

    def _finish(self, cell: Cell, result: dict[str, Any], store: Store, results: dict[str, Any], bar: Any) -> None:
        store.write_cell(cell.filename, result)
        results[cell.cell_id] = result
        self.executed.append(cell.cell_id)
        meta = result["meta"]
        self._counts[meta["status"]] += 1
        bar.update(1)
        bar.set_postfix(failed=self._counts["failed"], diverged=self._counts["diverged"], refresh=False)
        from ..plugins import call_hook

        call_hook("chaoskit_bench_cell_done", benchmark=self, cell=cell.describe(), result=summary(meta))

    def _attrs(self, handle: ExecutorHandle, elapsed: float, executed: int) -> dict[str, Any]:
        from .. import __version__
        from ..plugins import host

        return {
            "versions": {"chaoskit": __version__, **host.collect_versions()},
            "machine": machine_info(handle.description, self.config.run.threads),
            "run": {"executor": handle.kind, "cells_executed": executed, "wall_time": elapsed,
                    "store": str(self.store) if self.store is not None else None},
        }
