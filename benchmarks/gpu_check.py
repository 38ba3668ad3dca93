"""CUDA against the CPU through chaoskit's public API: correctness checks and timing ratios.

The Python half of ``benchmarks/gpu_check.sh`` (the recipe for a lent GPU machine). A check runs
one computation on the CPU and on ``--device`` and records the largest absolute and relative
difference and its tolerance; a timing is the wall-clock median of 3 calls after one warm-up
(``torch.cuda.synchronize()`` before each clock reading), the CPU on ``--threads`` threads,
ratio = CPU / device. A stage that raises is recorded as a failed check and the others run;
stages due after ``--budget`` seconds are skipped. ``--device cpu`` compares the CPU with itself
(to exercise the script without a GPU); ``--quick``: tiny sizes. Exit status 1 if a check failed.

    python3 benchmarks/gpu_check.py [--device cuda] [--quick] [--out F.json] [--threads 1] [--budget 240]
"""

from __future__ import annotations

import argparse
import functools
import json
import os
import statistics
import sys
import time
import traceback
from collections.abc import Callable
from typing import Any

import chaoskit
import numpy as np
import torch
from chaoskit_models.training import fit_ensemble
from ensemble_step import models, trainer

FULL = {"traj": (500, 8), "traj_time": (2000, 4096), "esn_train": 10_000, "esn_steps": 1000,
        "esn_units": (500, 2000), "hidden": 100, "steps": 30, "ens_cpu": (1, 20, 256),
        "ens_device": (1, 20, 256, 1024), "lyap": 64, "lyap_time": 4096}
QUICK = {"traj": (100, 4), "traj_time": (100, 64), "esn_train": 2000, "esn_steps": 200, "esn_units": (50, 100),
         "hidden": 16, "steps": 6, "ens_cpu": (1, 4), "ens_device": (1, 4, 8), "lyap": 8, "lyap_time": 32}


def sync(device: str) -> None:
    if torch.device(device).type == "cuda":
        torch.cuda.synchronize()


def wall(fn: Callable[[], Any], device: str, warmup: bool = True) -> float:
    """Median wall seconds of 3 calls of ``fn`` on ``device`` (after one uncounted call)."""
    if warmup:
        fn()
    times = []
    for _ in range(3):
        sync(device)
        start = time.perf_counter()
        fn()
        sync(device)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


class Run:
    """The device, sizes and records of one run; the JSON is rewritten after each record."""

    def __init__(self, args: argparse.Namespace, meta: dict[str, Any]) -> None:
        self.device, self.out, self.meta = args.device, args.out, meta
        self.sizes = QUICK if args.quick else FULL
        self.deadline = time.perf_counter() + args.budget
        self.checks: list[dict[str, Any]] = []
        self.timings: list[dict[str, Any]] = []

    def compare(self, name: str, compared: str, ref: Any, got: Any, atol: float, rtol: float = 0.0,
                **extra: Any) -> None:
        """Pass when ``got`` is finite and ``|got − ref| ≤ atol + rtol·|ref|`` everywhere."""
        ref, got = np.asarray(ref, np.float64), np.asarray(got, np.float64)
        diff, scale = np.abs(got - ref), np.abs(ref)
        big = scale > 1e-8 * scale.max(initial=0.0)  # relative difference where ref is not ~0
        passed = bool(np.isfinite(got).all() and (diff <= atol + rtol * scale).all())
        self.checks.append({"name": name, "compared": compared, "max_abs": float(diff.max(initial=0.0)),
                            "max_rel": float((diff[big] / scale[big]).max(initial=0.0)),
                            "tolerance": {"atol": atol, "rtol": rtol}, "passed": passed, **extra})

    def timing(self, name: str, size: str, fn: Callable[[str], Any] | None = None,
               cpu_s: float | None = None, device_s: float = float("nan")) -> None:
        """Record seconds given, or time ``fn(device)`` on the CPU and on the device."""
        if fn is not None:
            cpu_s, device_s = wall(lambda: fn("cpu"), "cpu"), wall(lambda: fn(self.device), self.device)
        ratio = None if cpu_s is None else cpu_s / device_s
        self.timings.append({"name": name, "size": size, "cpu_s": cpu_s, "device_s": device_s, "ratio": ratio})
        print(f"  {name} [{size}]: cpu {'-' if cpu_s is None else f'{cpu_s:.4g}'} s, {self.device} "
              f"{device_s:.4g} s", flush=True)
        self.write()

    def over(self, what: str) -> bool:
        """Past the time budget: ``what`` is recorded as skipped."""
        late = time.perf_counter() > self.deadline
        if late:
            self.meta["skipped"].append(what)
        return late

    def write(self) -> None:
        if self.out:
            with open(self.out, "w") as f:
                json.dump({"meta": self.meta, "failed": sum(not c["passed"] for c in self.checks),
                           "checks": self.checks, "timings": self.timings}, f, indent=1)


@functools.cache
def lorenz_data(n: int) -> tuple[Any, Any]:
    """``n`` training points of one Lorenz orbit (dt 0.01) and a 300-point context from another."""
    data = chaoskit.systems.create("lorenz").trajectory(n + 300, dt=0.01, members=2, seed=0)
    return data.isel(member=[0], time=slice(0, n)), data.isel(member=[1], time=slice(0, 300))


def esn(units: int, device: str, n: int, steps: int) -> np.ndarray:
    train, context = lorenz_data(n)
    model = chaoskit.models.create("esn", units=units, seed=0, device=device).fit(train)
    return model.forecast(context, steps)["state"].values


def spectrum(dynamics: Any, x0: Any, members: int, device: str) -> np.ndarray:
    """10 time units of tangent alignment and 5 counted at dt 0.05 (short: CPU and device stay close)."""
    metric = chaoskit.metrics.create("lyapunov_spectrum", members=members, steps=100, transient=0,
                                     tangent_transient=200, qr_every=4, perturbation=1e-2, device=device)
    return metric.estimate(dynamics, initial_states=x0).values


def check_lorenz(run: Run) -> None:
    n, members = run.sizes["traj"]
    lorenz = chaoskit.systems.create("lorenz")
    ref, got = (lorenz.trajectory(n, dt=0.01, members=members, seed=0, dtype="float64", device=d)["state"].values
                for d in ("cpu", run.device))
    run.compare("lorenz trajectory", f"states, dop853 float64, {members} members x {n} steps", ref, got, 1e-5)


def check_esn(run: Run) -> None:
    n, steps, units = run.sizes["esn_train"], run.sizes["esn_steps"], run.sizes["esn_units"][0]
    ref, got = (esn(units, d, n, steps) for d in ("cpu", run.device))
    run.compare("esn forecast", f"first 100 of {steps} forecast steps, {units} units fit on {n} points, "
                "float64", ref[:, :100], got[:, :100], 1e-4, full_horizon_max_abs=float(np.abs(got - ref).max()))


def check_ensemble(run: Run) -> None:
    steps, hidden = run.sizes["steps"], run.sizes["hidden"]
    fitted = []
    for d in ("cpu", run.device):
        fitted.append(models(3, "float64", hidden=hidden, device=d))
        fit_ensemble(fitted[-1], lorenz_data(5000)[0], trainer=trainer(steps, epochs=max(1, steps // 5)))
    history = [[m.train_result.history[v].values for m in ms for v in ("loss", "alpha")] for ms in fitted]
    weights = [np.concatenate([w.cpu().numpy().ravel() for m in ms for w in m.module_state().values()])
               for ms in fitted]
    what = f"fit_ensemble of 3 clipped shPLRNN (L={hidden}), {steps} steps of adaptive GTF, float64"
    run.compare("gtf ensemble history", f"loss and alpha per epoch, {what}", *history, 0.0, 1e-8)
    run.compare("gtf ensemble weights", f"weights, {what}", *weights, 1e-8)


def check_mixed_precision(run: Run) -> None:
    steps, hidden = run.sizes["steps"], run.sizes["hidden"]

    def losses(precision: str) -> np.ndarray:
        model = models(1, "float32", hidden=hidden, device=run.device)[0]
        model.fit(lorenz_data(5000)[0], trainer=trainer(steps, epochs=max(1, steps // 5), precision=precision))
        return model.train_result.history["loss"].values

    full = losses("float")
    for p in ("bf16", "fp16"):
        run.compare(f"{p} training", f"loss per epoch, {p} autocast vs float32 on {run.device}, clipped "
                    f"shPLRNN (L={hidden}), {steps} steps", full, losses(p), 0.0, 0.2)


def check_lyapunov(run: Run) -> None:
    members = run.sizes["lyap"]
    lorenz = chaoskit.systems.create("lorenz")
    dyn, x0 = lorenz.dynamics(0.05), np.array(lorenz.metadata.initial_state)
    ref, got = (spectrum(dyn, x0, members, d) for d in ("cpu", run.device))
    run.compare("lyapunov lorenz", f"spectrum of lorenz.dynamics(0.05), {members} members", ref, got, 1e-6)
    model = models(1, "float64", hidden=run.sizes["hidden"], device="cpu")[0]
    dyn = model.fit(lorenz_data(5000)[0], trainer=trainer(run.sizes["steps"])).dynamics()
    ref, got = (spectrum(dyn, dyn.initial_state, members, d) for d in ("cpu", run.device))  # weights follow x
    run.compare("lyapunov plrnn", f"spectrum of a CPU-fitted clipped shPLRNN's dynamics(), {members} members",
                ref, got, 1e-6)


def time_lorenz(run: Run) -> None:
    n, members = run.sizes["traj_time"]
    lorenz = chaoskit.systems.create("lorenz")
    for dtype in ("float64", "float32"):
        run.timing(f"lorenz trajectory {dtype}", f"{members} members x {n} steps, dop853",
                   lambda d, t=dtype: lorenz.trajectory(n, dt=0.01, members=members, seed=0, dtype=t, device=d))


def time_esn(run: Run) -> None:
    n, steps = run.sizes["esn_train"], run.sizes["esn_steps"]
    for units in run.sizes["esn_units"]:
        run.timing("esn fit + forecast", f"{units} units, {n} points + {steps} steps",
                   lambda d, u=units: esn(u, d, n, steps))


def time_lyapunov(run: Run) -> None:
    members, lorenz = run.sizes["lyap_time"], chaoskit.systems.create("lorenz")
    dyn, x0 = lorenz.dynamics(0.05), np.array(lorenz.metadata.initial_state)
    run.timing("lyapunov spectrum lorenz", f"{members} members x 300 steps of 0.05",
               lambda d: spectrum(dyn, x0, members, d))


def time_ensemble(run: Run) -> None:
    """Seconds per model-step: (fit of ``long`` steps − fit of 1 step) / (long − 1) / size."""
    hidden, train = run.sizes["hidden"], lorenz_data(5000)[0]

    def per_step(size: int, device: str) -> float:
        long = max(4, min(30, 600 // size))

        def fit(n: int) -> Callable[[], Any]:
            return lambda: fit_ensemble(models(size, "float32", hidden=hidden, device=device), train,
                                        trainer=trainer(n))

        return (wall(fit(long), device, warmup=False) - wall(fit(1), device)) / (long - 1) / size

    for size in run.sizes["ens_device"]:
        if not run.over(f"time_ensemble {size}"):
            cpu_s = per_step(size, "cpu") if size in run.sizes["ens_cpu"] else None
            run.timing("fit_ensemble per model-step", f"{size} x clipped shPLRNN L={hidden}, 16x200, float32",
                       cpu_s=cpu_s, device_s=per_step(size, run.device))


STAGES = [check_lorenz, check_esn, check_ensemble, check_mixed_precision, check_lyapunov,
          time_lorenz, time_esn, time_lyapunov, time_ensemble]


def report(run: Run) -> None:
    print(f"\n{'check':<22}{'max abs':>10}{'max rel':>10}{'atol':>8}{'rtol':>8}  result  compared")
    for c in run.checks:
        tol = c.get("tolerance", {})
        print(f"{c['name']:<22}{c.get('max_abs', np.nan):>10.2e}{c.get('max_rel', np.nan):>10.2e}"
              f"{tol.get('atol', np.nan):>8.0e}{tol.get('rtol', np.nan):>8.0e}  "
              f"{'pass' if c['passed'] else 'FAIL':<6}  {c.get('error') or c['compared']}")
    print(f"\n{'timing':<28}{'size':<46}{'cpu s':>10}{run.device + ' s':>10}{'cpu/dev':>9}")
    for t in run.timings:
        cpu_s = "-" if t["cpu_s"] is None else f"{t['cpu_s']:.4g}"
        ratio = "-" if t["ratio"] is None else f"{t['ratio']:.2f}"
        print(f"{t['name']:<28}{t['size']:<46}{cpu_s:>10}{t['device_s']:>10.4g}{ratio:>9}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--device", default="cuda", help="cuda (default), cuda:N, or cpu (CPU against itself)")
    parser.add_argument("--quick", action="store_true", help="tiny sizes (a smoke test)")
    parser.add_argument("--out", help="write the records as JSON here")
    parser.add_argument("--threads", type=int, default=1, help="torch intra-op threads (default 1)")
    parser.add_argument("--budget", type=float, default=240.0, help="seconds after which stages are skipped")
    args = parser.parse_args()
    cuda = torch.device(args.device).type == "cuda"
    if cuda and not torch.cuda.is_available():
        sys.exit(f"gpu_check: --device {args.device} asked for, but torch {torch.__version__} sees no CUDA "
                 "device (torch.cuda.is_available() is False); use --device cpu to run it on the CPU")
    torch.set_num_threads(args.threads)
    meta = {"device": args.device, "gpu": torch.cuda.get_device_name(args.device) if cuda else None,
            "torch": torch.__version__, "cuda": torch.version.cuda, "python": sys.version.split()[0],
            "threads": args.threads, "quick": args.quick, "load_average": os.getloadavg()[0], "skipped": []}
    run, start = Run(args, meta), time.perf_counter()
    for stage in STAGES:
        if run.over(stage.__name__):
            continue
        print(f"{stage.__name__} ({time.perf_counter() - start:.0f} s)", flush=True)
        try:
            stage(run)
        except Exception as err:  # noqa: BLE001 - recorded; the other stages still run
            traceback.print_exc()
            run.checks.append({"name": stage.__name__, "compared": "the stage raised", "passed": False,
                               "error": f"{type(err).__name__}: {err}".splitlines()[0][:300]})
        run.write()
    meta["wall_s"] = round(time.perf_counter() - start, 1)
    run.write()
    report(run)
    if meta["skipped"]:
        print(f"skipped (past --budget {args.budget:g} s): {', '.join(meta['skipped'])}")
    sys.exit(1 if any(not c["passed"] for c in run.checks) else 0)


if __name__ == "__main__":
    main()
