"""Wall time of a 10,000-point Lorenz trajectory (dt = 0.01): chaoskit-systems vs scipy and dysts.

Run: ``.venv/bin/python benchmarks/systems_integrators.py [--repeats 3] [--device cpu]
[--no-batch] [--compile] [--memory]``. Single intra-op thread; the median of ``--repeats`` runs in one
process is printed, with the ratio to scipy's DOP853 (rtol 1e-9, atol 1e-12, Python right-hand
side) for one trajectory, and to dysts 0.96's ``make_trajectory`` (DOP853 at the same
tolerances, ``resample=False``, same dt) when dysts is installed. ``--compile`` adds the
``*_compiled`` methods (their first call, which compiles or loads inductor's disk cache, timed
apart). At 1,024 members RK4 is also compared with a hand-written numba RK4 loop on one core
(trajectory-steps per second). ``--memory`` prints, per method, the peak memory of one
1,024-member call (RSS growth and tracemalloc's peak of Python objects) in a fresh process.
No timing is asserted anywhere.
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable

import numpy as np
import torch
from chaoskit_systems.flows.lorenz import Lorenz
from scipy.integrate import solve_ivp

N, DT = 10_000, 0.01


def median_time(fn: Callable[[], object], repeats: int) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def dysts_time(x0: np.ndarray, repeats: int) -> float | None:
    try:
        from dysts.flows import Lorenz as DystsLorenz
    except ImportError:
        return None
    model = DystsLorenz(parameters={"sigma": 10.0, "rho": 28.0, "beta": 8.0 / 3.0})  # dysts stores 2.667
    model.dt = DT  # make_trajectory ignores its dt argument when the system has one (3e-4)

    def run() -> object:
        return model.make_trajectory(N, dt=DT, init_cond=x0, resample=False, method="DOP853",
                                     rtol=1e-9, atol=1e-12, return_times=True)

    times, _ = run()  # also compiles dysts' numba right-hand side outside the timing
    assert abs(times[-1] - (N - 1) * DT) < 1e-9, "dysts integrated another horizon"
    return median_time(run, repeats)


def numba_rk4_rate(x0: np.ndarray, members: int, steps: int, h: float) -> float | None:
    """Trajectory-steps per second of a hand-written numba RK4 loop (Lorenz, one core)."""
    try:
        import numba
    except ImportError:
        return None

    @numba.njit(cache=True)
    def run(y: np.ndarray, steps: int, h: float, out: np.ndarray, every: int) -> None:
        for b in range(y.shape[0]):
            u, v, w = y[b, 0], y[b, 1], y[b, 2]
            for k in range(steps):
                a1, b1, c1 = 10 * (v - u), u * (28 - w) - v, u * v - 8 / 3 * w
                u2, v2, w2 = u + 0.5 * h * a1, v + 0.5 * h * b1, w + 0.5 * h * c1
                a2, b2, c2 = 10 * (v2 - u2), u2 * (28 - w2) - v2, u2 * v2 - 8 / 3 * w2
                u3, v3, w3 = u + 0.5 * h * a2, v + 0.5 * h * b2, w + 0.5 * h * c2
                a3, b3, c3 = 10 * (v3 - u3), u3 * (28 - w3) - v3, u3 * v3 - 8 / 3 * w3
                u4, v4, w4 = u + h * a3, v + h * b3, w + h * c3
                a4, b4, c4 = 10 * (v4 - u4), u4 * (28 - w4) - v4, u4 * v4 - 8 / 3 * w4
                u += h / 6 * (a1 + 2 * a2 + 2 * a3 + a4)
                v += h / 6 * (b1 + 2 * b2 + 2 * b3 + b4)
                w += h / 6 * (c1 + 2 * c2 + 2 * c3 + c4)
                if (k + 1) % every == 0:
                    j = (k + 1) // every - 1
                    out[b, j, 0], out[b, j, 1], out[b, j, 2] = u, v, w

    y = np.tile(x0, (members, 1)).astype(np.float64)
    out = np.empty((members, steps // 2, 3))
    run(y[:1], 4, h, out[:1], 2)  # compile (or load the cache) outside the timing
    start = time.perf_counter()
    run(y, steps, h, out, 2)
    return members * steps / (time.perf_counter() - start)


def memory_child(method: str, members: int) -> None:
    """Peak memory of one batched call, printed by a fresh process (see ``--memory``)."""
    import resource
    import tracemalloc

    torch.set_num_threads(1)
    lorenz = Lorenz()
    lorenz.trajectory(100, dt=DT, members=2, method=method)  # imports, caches, warm-up
    base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    tracemalloc.start()
    ds = lorenz.trajectory(N, dt=DT, members=members, seed=0, method=method)
    python_peak = tracemalloc.get_traced_memory()[1] / 2**20
    tracemalloc.stop()
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    output = ds.state.nbytes / 2**20
    print(f"{method:15s} {members} × {N}: output {output:6.0f} MiB, peak RSS growth "
          f"{peak - base:6.0f} MiB ({(peak - base) / output:.2f}× the output), peak of Python "
          f"objects (tracemalloc) {python_peak:6.1f} MiB", flush=True)


def memory(members: int) -> None:
    """Run :func:`memory_child` for each method in its own process."""
    import subprocess
    import sys

    for method in ("rk4", "dopri5", "dop853"):
        subprocess.run([sys.executable, __file__, "--memory-child", method, str(members)],
                       check=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--no-batch", action="store_true", help="skip the 1,024-member runs")
    parser.add_argument("--compile", action="store_true",
                        help="add the *_compiled methods (first call timed apart: compilation)")
    parser.add_argument("--memory", action="store_true",
                        help="only the peak memory of a 1,024-member call per method")
    parser.add_argument("--memory-child", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.memory_child:
        memory_child(args.memory_child[0], int(args.memory_child[1]))
        return
    if args.memory:
        memory(1024)
        return
    torch.set_num_threads(1)
    lorenz = Lorenz()
    x0 = np.asarray(lorenz.metadata.initial_state)
    times = DT * np.arange(N)

    def rhs(t: float, x: np.ndarray) -> list[float]:
        return [10 * (x[1] - x[0]), x[0] * (28 - x[2]) - x[1], x[0] * x[1] - 8 / 3 * x[2]]

    scipy_s = median_time(lambda: solve_ivp(rhs, (0, times[-1]), x0, method="DOP853", rtol=1e-9,
                                            atol=1e-12, t_eval=times), args.repeats)
    print(f"scipy DOP853 rtol 1e-9 atol 1e-12, 1 member: {scipy_s:8.2f} s")
    dysts_s = dysts_time(x0, max(args.repeats, 8))  # the median of at least 8 calls
    if dysts_s is not None:
        print(f"dysts DOP853 rtol 1e-9 atol 1e-12, 1 member: {dysts_s:8.2f} s")
    lorenz.trajectory(100, dt=DT, members=2, device=args.device)  # warm-up
    methods = ["rk4", "dopri5", "dop853"]
    if args.compile:
        methods += [f"{m}_compiled" for m in methods]
    for method in methods:
        for members in (1,) if args.no_batch else (1, 1024):
            def run(method: str = method, members: int = members) -> object:
                return lorenz.trajectory(N, dt=DT, members=members, seed=0, method=method,
                                         device=args.device)

            if method.endswith("_compiled"):  # the first call compiles (or loads the cache)
                start = time.perf_counter()
                run()
                print(f"{method:15s} {members:5d} member(s): first call "
                      f"{time.perf_counter() - start:6.1f} s (compilation included)")
            seconds = median_time(run, args.repeats)
            ds = run()
            detail = (f"steps/member {np.mean(ds.chaos.attrs['steps_accepted']):.0f}"
                      if not method.startswith("rk4") else f"step {ds.attrs['step']}")
            rate = N * members / seconds
            versus = f"{seconds / scipy_s:5.1f}× scipy"
            if dysts_s is not None:
                versus += f", {seconds / (members * dysts_s):7.3f}× dysts per trajectory"
            print(f"{method:15s} {members:5d} member(s) on {args.device}: {seconds:8.2f} s "
                  f"({versus}; {rate:,.0f} points/s; {detail})", flush=True)
            if method.startswith("rk4") and members > 1:
                steps_rate = members * 2 * N / seconds  # two RK4 steps per output
                numba_rate = numba_rk4_rate(x0, members, 2 * N, DT / 2)
                if numba_rate is not None:
                    print(f"   {steps_rate:,.0f} trajectory-steps/s = "
                          f"{steps_rate / numba_rate:.0%} of a numba RK4 loop on one core "
                          f"({numba_rate:,.0f}/s)")


if __name__ == "__main__":
    main()
