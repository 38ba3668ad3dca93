"""Executors of benchmark cells, all through the ``concurrent.futures`` protocol.

- ``serial`` (default): cells run one after the other in this process.
- ``processes`` (``workers=N``): a :class:`~concurrent.futures.ProcessPoolExecutor` of ``N``
  *spawned* processes (no fork of a process that may hold torch's thread pools). Each worker is
  single-threaded by default: ``OMP_NUM_THREADS`` and its kin are set for the workers, and
  torch's intra-op threads are set before every cell. Workers exit on their own when the run's
  process dies (they watch their parent), so a killed run leaves no orphans. When a worker dies
  mid-cell (killed, out of memory, crashed) the pool is rebuilt and the run goes on. With
  ``gpus=G`` (models on ``"cuda"`` and G > 1 GPUs visible) each worker claims one GPU of its own
  when it starts (an exclusive claim file per device), so the GPUs are shared out one cell per
  device; a cell whose model asks for ``"cuda"`` runs on its worker's ``"cuda:k"``.
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
from . import cell
from .cell import set_torch_threads

__all__ = ["THREAD_VARIABLES", "ExecutorHandle", "SerialExecutor", "claim_gpu", "make_executor", "thread_environment"]

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
                  threads: int = 1, gpus: int = 0) -> ExecutorHandle:
    """Choose the executor from the arguments (at most one of ``workers``, ``dask``, ``executor``).

    ``gpus`` > 1 shares that many CUDA devices out among local worker processes, one each; it
    needs ``workers`` between 1 and ``gpus``.
    """
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
    if gpus > 1 and workers > gpus:
        raise ParameterError(
            f"{workers} workers for {gpus} GPUs: with device = 'cuda' every worker gets a GPU of its own "
            f"(one cell per device); use --workers {gpus} or fewer, or name one device (device = 'cuda:0') "
            "to let cells share it"
        )
    pid_dir = tempfile.mkdtemp(prefix="chaoskit-workers-")
    description = f"{workers} local processes (spawned, {threads} thread(s) each)"
    if gpus > 1:
        description += f", one of {gpus} GPUs each"
    factory = lambda: _process_pool(workers, threads, gpus, pid_dir)  # noqa: E731
    return ExecutorHandle("processes", factory(), workers, description, factory=factory, threads=threads,
                          pid_dir=pid_dir)


def _process_pool(workers: int, threads: int, gpus: int = 0, pid_dir: str | None = None) -> cf.ProcessPoolExecutor:
    claims = tempfile.mkdtemp(prefix="gpus-", dir=pid_dir) if gpus > 1 else None  # fresh per pool
    return cf.ProcessPoolExecutor(
        max_workers=workers, mp_context=multiprocessing.get_context("spawn"),
        initializer=_worker_init, initargs=(threads, os.getpid(), gpus, claims),
    )


def claim_gpu(claims: str, gpus: int) -> int | None:
    """Claim the lowest-numbered GPU no other worker of the pool holds (``None``: all taken)."""
    for index in range(gpus):
        try:
            fd = os.open(os.path.join(claims, f"cuda{index}"), os.O_CREAT | os.O_EXCL | os.O_WRONLY)
        except FileExistsError:
            continue
        os.write(fd, str(os.getpid()).encode())
        os.close(fd)
        return index
    return None


def _worker_init(threads: int, parent: int, gpus: int = 0, claims: str | None = None) -> None:
    """Set up a worker process: torch threads, its GPU, and exit when the parent process is gone."""
    set_torch_threads(threads)
    if claims is not None:
        index = claim_gpu(claims, gpus)
        if index is not None:
            cell.WORKER_DEVICE = f"cuda:{index}"

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
