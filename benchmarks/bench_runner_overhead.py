"""Overhead of the benchmark runner per cell, and the speed-up of 2 local worker processes.

    .venv/bin/python benchmarks/bench_runner_overhead.py [--cells 48] [--work 0.5] [--workers 2]

1. **Overhead.** A grid of cheap cells (an exact numpy rotation system, a closed-form linear
   model, the rmse and vpt metrics of chaoskit-metrics) runs serially into a store. Everything
   beyond the model's own ``fit`` and ``forecast`` is overhead: simulating and splitting the
   data, scoring, the free run kept for the report, writing the cell file, the hooks (no
   progress bar), planning, and combining and writing ``result.nc``/``result.zarr``. The total
   is split into those parts from the timings every cell records.
2. **Speed-up.** A grid of CPU-bound cells (the model's fit is a pure-Python loop of
   ``--work`` seconds, single-threaded) runs serially and with ``--workers`` processes; the
   ratio of wall times is reported end to end (including the start of the worker processes)
   and in steady state (after the first result). A control in the same run maps the same work
   over a bare ``ProcessPoolExecutor``: the speed-up the machine allows at that moment.

The machine's load average is printed with the figures: on a shared 2-core machine, timings of
two concurrent processes are only meaningful when the other core is idle.
"""

from __future__ import annotations

import argparse
import concurrent.futures as cf
import multiprocessing
import os
import tempfile
import time
from pathlib import Path
from typing import Any, ClassVar

import attrs
import chaoskit
import numpy as np
from chaoskit.validators import nonnegative

META = chaoskit.SystemMetadata(
    name="overhead_spiral", dt=0.1, period=2 * np.pi, initial_state=(1.0, 0.0),
    references={"max_lyapunov": chaoskit.ReferenceValue(value=0.5, method="made up")},
)


@attrs.define(frozen=True, kw_only=True)
class Spiral(chaoskit.System):
    """Circles of random radius and phase per member: simulation costs microseconds."""

    kind: ClassVar[str] = "flow"
    variables: ClassVar[tuple[str, ...]] = ("x", "y")
    metadata: ClassVar[chaoskit.SystemMetadata] = META
    methods: ClassVar[tuple[str, ...]] = ("exact",)

    def _trajectory(self, request: chaoskit.TrajectoryRequest) -> chaoskit.Simulation:
        rng = np.random.default_rng(request.seed)
        radius, phase = rng.uniform(0.5, 1.5, request.members), rng.uniform(0, 2 * np.pi, request.members)
        t = request.dt * np.arange(request.n)
        angle = phase[:, None] - (t[None, :] + request.transient)
        state = np.stack([radius[:, None] * np.cos(angle), radius[:, None] * np.sin(angle)], axis=-1)
        return chaoskit.Simulation(time=t, state=state)


@attrs.define(frozen=True, kw_only=True, slots=False)
class Linear(chaoskit.Model):
    """A least-squares linear map; ``work`` seconds of pure-Python CPU load in ``fit``."""

    work: float = attrs.field(default=0.0, validator=nonnegative)

    def _fit(self, train: Any, *, valid: Any, trainer: Any) -> None:
        if self.work:
            _burn(self.work)
        x = train["state"].values.reshape(-1, 2)
        self.__dict__["A"] = np.linalg.lstsq(x[:-1], x[1:], rcond=None)[0]

    def _forecast(self, context: Any, steps: int) -> Any:
        x = context["state"].values[:, -1]
        out = np.empty((x.shape[0], steps, 2))
        for k in range(steps):
            x = x @ self.__dict__["A"]
            out[:, k] = x
        return out

    def _get_state(self) -> dict[str, Any]:
        return {"A": self.__dict__["A"]}

    def _set_state(self, state: Any) -> None:
        self.__dict__["A"] = np.asarray(state["A"])


def _burn(seconds: float) -> None:
    """Deterministic pure-Python work of about ``seconds`` on an idle core (calibrated once)."""
    n = int(seconds * _RATE)
    total = 0
    for i in range(n):
        total += i * i % 7
    if total < 0:  # pragma: no cover - keeps the loop from being optimised away
        print(total)


def _calibrate() -> float:
    start = time.process_time()
    total = 0
    for i in range(2_000_000):
        total += i * i % 7
    return 2_000_000 / (time.process_time() - start)


_RATE = float(os.environ.get("CHAOSKIT_BURN_RATE", "0") or 0) or _calibrate()


def overhead(cells: int, store: Path) -> dict[str, float]:
    systems = {"overhead_spiral": {}}
    seeds = list(range(max(1, cells // 2)))
    bench = chaoskit.Benchmark(
        systems=systems, models={"linear": {}, "linear_b": {"model": "linear"}},
        metrics=["rmse", "vpt"], seeds=seeds, store=store, progress=False,
        data={"train_length": 1000, "context": 50, "horizon": 5.0, "test_members": 8, "transient": 1.0},
    )
    start, cpu = time.perf_counter(), time.process_time()
    ds = bench.run()
    wall, cpu = time.perf_counter() - start, time.process_time() - cpu
    n = int(ds.sizes["model"] * ds.sizes["seed"])
    parts = {name: float(ds[f"{name}_time"].sum()) for name in ("fit", "forecast", "simulate", "score", "cell")}
    model_time = parts["fit"] + parts["forecast"]
    return {
        "cells": n, "wall": wall,
        "per cell: total": wall / n,
        "per cell: total CPU time of the process (robust to a busy machine)": cpu / n,
        "per cell: model fit + forecast": model_time / n,
        "per cell: overhead (total - fit - forecast)": (wall - model_time) / n,
        "  of which simulate": parts["simulate"] / n,
        "  of which score (metrics)": parts["score"] / n,
        "  of which free run, split, probes (in the cell)": (parts["cell"] - parts["simulate"] - parts["score"] - model_time) / n,
        "  of which runner (plan, store, hooks, combine, result files)": (wall - parts["cell"]) / n,
    }


def speedup(cells: int, work: float, workers: int, root: Path) -> dict[str, float]:
    kw = {"systems": {"overhead_spiral": {}}, "models": {"burn": {"model": "linear", "work": work}},
          "metrics": ["rmse"], "seeds": list(range(cells)), "progress": False,
          "data": {"train_length": 200, "context": 20, "horizon": 1.0, "test_members": 2, "transient": 1.0}}
    out: dict[str, float] = {}
    for label, extra in (("serial", {}), (f"{workers} workers", {"workers": workers})):
        bench = chaoskit.Benchmark(**kw, store=root / label.replace(" ", "_"), **extra)
        first: list[float] = []
        start = time.perf_counter()
        original = bench._finish

        def finish(*args: Any, _orig: Any = original, _first: list[float] = first, _start: float = start) -> None:
            if not _first:
                _first.append(time.perf_counter() - _start)
            _orig(*args)

        bench._finish = finish  # type: ignore[method-assign]
        bench.run()
        out[f"{label}: wall [s]"] = time.perf_counter() - start
        out[f"{label}: time to first result [s]"] = first[0]
    # control, same run: the same work through a bare ProcessPoolExecutor (what the machine allows)
    start = time.perf_counter()
    for _ in range(cells):
        _burn(work)
    bare_serial = time.perf_counter() - start
    with cf.ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("spawn")) as pool:
        list(pool.map(_burn, [0.0] * workers))  # start the workers first
        start = time.perf_counter()
        list(pool.map(_burn, [work] * cells))
        bare_parallel = time.perf_counter() - start
    out["control: bare ProcessPoolExecutor speed-up (warm workers)"] = bare_serial / bare_parallel
    serial, parallel = out["serial: wall [s]"], out[f"{workers} workers: wall [s]"]
    out["speed-up, end to end"] = serial / parallel
    steady_serial = serial - out["serial: time to first result [s]"]
    steady_parallel = parallel - out[f"{workers} workers: time to first result [s]"]
    out["speed-up, after the first result"] = steady_serial / steady_parallel
    out["runner speed-up after the first result / control speed-up"] = (
        out["speed-up, after the first result"] / out["control: bare ProcessPoolExecutor speed-up (warm workers)"])
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cells", type=int, default=48, help="cells of the overhead grid")
    parser.add_argument("--burn-cells", type=int, default=24, help="cells of the CPU-bound grid")
    parser.add_argument("--work", type=float, default=0.5, help="seconds of CPU work per CPU-bound cell")
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    chaoskit.systems.register("overhead_spiral", Spiral, replace=True)
    chaoskit.models.register("linear", Linear, replace=True)
    os.environ["CHAOSKIT_BURN_RATE"] = str(_RATE)  # the same work in every worker process
    print(f"load average before: {os.getloadavg()}; cpu count {os.cpu_count()}")
    with tempfile.TemporaryDirectory() as tmp:
        for key, value in overhead(args.cells, Path(tmp) / "overhead").items():
            print(f"{key:60s} {value * 1000 if 'per cell' in key or 'of which' in key else value:10.2f}"
                  f"{' ms' if 'per cell' in key or 'of which' in key else ''}")
        for key, value in speedup(args.burn_cells, args.work, args.workers, Path(tmp)).items():
            print(f"{key:60s} {value:10.2f}")
    print(f"load average after: {os.getloadavg()}")


if __name__ == "__main__":
    main()
