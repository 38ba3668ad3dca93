"""Executors of benchmark cells, all through the ``concurrent.futures`` protocol.

- ``serial`` (default): cells run one after the other in this process.
- ``processes`` (``workers=N``): a :class:`~concurrent.futures.ProcessPoolExecutor` of ``N``
  *spawned* processes (no fork of a process that may hold torch's thread pools). Each worker is
  single-threaded by default: ``OMP_NUM_THREADS`` and its kin are set for the workers, and
  torch's intra-op threads are set before every cell. Workers exit on their own when the run's
  process dies (they watch their parent), so a killed run leaves no orphans. When a worker dies
  mid-cell (killed, out of memory, crashed) the pool is rebuilt and the run goes on.
- ``dask`` (``dask="tcp://host:8786"`` or a ``distributed.Client``): the client's
  ``get_executor()``; ``distributed`` is imported only then (``pip install chaoskit[dask]``).
- any other object with ``submit(fn, *args)`` returning a ``concurrent.futures.Future``.

Cells carry their own seeds, so results do not depend on the executor.
"""

from __future__ import annotations

import concurrent.futures as cf
import contextlib
import multiprocessing
import os
import shutil
import signal
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import attrs

from .._optional import require
from ..errors import ChaoskitError, ParameterError
from .cell import set_torch_threads

__all__ = ["THREAD_VARIABLES", "ExecutorHandle", "SerialExecutor", "make_executor", "thread_environment"]

#: Environment variables that size the thread pools of BLAS/OpenMP libraries.
THREAD_VARIABLES = ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS",
                    "NUMEXPR_NUM_THREADS", "VECLIB_MAXIMUM_THREADS")


class SerialExecutor(cf.Executor):
    """Runs each submitted call at once, in this process; returns a finished Future."""

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> cf.Future[Any]:
        future: cf.Future[Any] = cf.Future()
        try:
            future.set_result(fn(*args, **kwargs))
        except Exception as exc:  # noqa: BLE001 - delivered through the future, as executors do
            future.set_exception(exc)
        return future


@attrs.define
class ExecutorHandle:
    """An executor with what the runner needs to know about it.

    ``in_flight`` is how many cells may be submitted at once (the number of workers, so that
    the cells a dying worker takes down are known); ``factory`` rebuilds a broken process pool.
    """

    kind: str
    executor: Any
    in_flight: int
    description: str
    owned: bool = True
    factory: Callable[[], Any] | None = None
    threads: int = 1
    closer: Callable[[], None] | None = None
    pid_dir: str | None = None

    def dead_cells(self) -> set[str] | None:
        """After a process pool broke: the ids of the cells whose worker died by itself.

        Each worker writes ``pid_dir/<pid>`` (the id of its cell) while it runs a cell; a broken
        pool terminates the surviving workers with SIGTERM, so a worker with any other exit
        status is one that died (killed, out of memory, crashed). ``None`` when this cannot be
        told (not a process pool of the standard library, or no record).
        """
        processes = getattr(self.executor, "_processes", None)
        if self.pid_dir is None or not isinstance(processes, dict):
            return None
        processes = dict(processes)
        deadline = time.monotonic() + 2.0
        while True:  # the pool's own thread reaps and terminates its workers concurrently
            codes = {pid: getattr(p, "exitcode", None) for pid, p in processes.items()}
            dead = [pid for pid, code in codes.items() if code is not None and code != -signal.SIGTERM]
            if dead or all(code is not None for code in codes.values()) or time.monotonic() > deadline:
                break
            time.sleep(0.02)
        found = set()
        for pid in dead:
            with contextlib.suppress(OSError):
                found.add((Path(self.pid_dir) / str(pid)).read_text().strip())
        return found or None

    def submit(self, fn: Callable[..., Any], *args: Any) -> cf.Future[Any]:
        return self.executor.submit(fn, *args)

    @property
    def restartable(self) -> bool:
        return self.factory is not None

    def restart(self) -> None:
        """Replace a broken pool by a fresh one."""
        if self.factory is None:
            raise RuntimeError("this executor cannot be restarted")
        with contextlib.suppress(Exception):
            self.executor.shutdown(wait=False, cancel_futures=True)
        self.executor = self.factory()
        self.owned = True

    def shutdown(self, wait: bool = True) -> None:
        """Shut down the executor if this handle made it (then close what it connected to)."""
        if self.pid_dir is not None:
            shutil.rmtree(self.pid_dir, ignore_errors=True)
        if self.owned:
            try:
                self.executor.shutdown(wait=wait, cancel_futures=True)
            except TypeError:  # executors without cancel_futures (Dask's)
                with contextlib.suppress(Exception):
                    self.executor.shutdown(wait=wait)
            except Exception:  # noqa: BLE001 - a broken pool
                pass
        if self.closer is not None:
            with contextlib.suppress(Exception):
                self.closer()


def make_executor(*, workers: int | None = None, dask: Any = None, executor: Any = None,
                  threads: int = 1) -> ExecutorHandle:
    """Choose the executor from the arguments (at most one of ``workers``, ``dask``, ``executor``)."""
    given = [n for n, v in (("workers", workers), ("dask", dask), ("executor", executor)) if v is not None]
    if len(given) > 1:
        raise ParameterError(f"give one of workers, dask or executor, not {' and '.join(given)}")
    if executor is not None:
        if _is_dask_client(executor):
            return _dask_handle(executor, owned=False, threads=threads)  # our executor, their client
        if not callable(getattr(executor, "submit", None)):
            raise ParameterError(f"executor must have a submit(fn, *args) method returning a Future "
                                 f"(a concurrent.futures.Executor), got {type(executor).__name__}")
        size = int(getattr(executor, "_max_workers", 0) or os.cpu_count() or 1)
        factory = pid_dir = None
        if isinstance(executor, cf.ProcessPoolExecutor):
            factory = lambda: _process_pool(size, threads)
            pid_dir = tempfile.mkdtemp(prefix="chaoskit-workers-")
        return ExecutorHandle("custom", executor, size, f"{type(executor).__name__} ({size} workers)",
                              owned=False, factory=factory, threads=threads, pid_dir=pid_dir)
    if dask is not None:
        return _dask_handle(dask, owned=True, threads=threads)
    if workers is None or workers == 0:
        return ExecutorHandle("serial", SerialExecutor(), 1, "serial (this process)", threads=threads)
    if isinstance(workers, bool) or not isinstance(workers, int) or workers < 0:
        raise ParameterError(f"workers must be a non-negative integer (0: serial), got {workers!r}")
    return ExecutorHandle("processes", _process_pool(workers, threads), workers,
                          f"{workers} local processes (spawned, {threads} thread(s) each)",
                          factory=lambda: _process_pool(workers, threads), threads=threads,
                          pid_dir=tempfile.mkdtemp(prefix="chaoskit-workers-"))


def _process_pool(workers: int, threads: int) -> cf.ProcessPoolExecutor:
    return cf.ProcessPoolExecutor(
        max_workers=workers, mp_context=multiprocessing.get_context("spawn"),
        initializer=_worker_init, initargs=(threads, os.getpid()),
    )


def _worker_init(threads: int, parent: int) -> None:
    """Set up a worker process: torch threads, and exit when the parent process is gone."""
    set_torch_threads(threads)

    def watch() -> None:
        while True:
            time.sleep(1.0)
            if os.getppid() != parent:
                os._exit(1)

    threading.Thread(target=watch, name="chaoskit-parent-watch", daemon=True).start()


def _is_dask_client(obj: Any) -> bool:
    return type(obj).__name__ == "Client" and type(obj).__module__.startswith("distributed")


def _dask_handle(target: Any, *, owned: bool, threads: int) -> ExecutorHandle:
    if _is_dask_client(target):
        client = target
    else:
        distributed = require("distributed", "running a benchmark on a Dask cluster (pip install chaoskit[dask])")
        try:
            client = distributed.Client(target)
        except Exception as exc:  # noqa: BLE001 - OSError, TimeoutError, ValueError of a bad address
            raise ChaoskitError(
                f"cannot connect to the Dask scheduler at {target!r} ({type(exc).__name__}: {exc}); start one "
                "with `dask scheduler` and workers with `dask worker ADDRESS --nthreads 1`, or drop --dask"
            ) from None
    try:
        size = max(1, int(sum(client.nthreads().values())))
    except Exception:  # noqa: BLE001 - a cluster still starting up
        size = 1
    return ExecutorHandle("dask", client.get_executor(pure=False), size,
                          f"Dask cluster {getattr(client.scheduler, 'address', target)} ({size} threads)",
                          threads=threads, closer=client.close if owned else None)


@contextlib.contextmanager
def thread_environment(threads: int) -> Iterator[None]:
    """Set the BLAS/OpenMP thread variables for processes started inside (restored after)."""
    saved = {k: os.environ.get(k) for k in THREAD_VARIABLES}
    os.environ.update({k: str(threads) for k in THREAD_VARIABLES})
    try:
        yield
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
