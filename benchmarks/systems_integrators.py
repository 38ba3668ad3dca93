"""Wall time of a 10,000-point Lorenz trajectory (dt = 0.01): chaoskit-systems vs scipy.

Run: ``.venv/bin/python benchmarks/systems_integrators.py [--repeats 3] [--device cpu]``.
Single intra-op thread; the median of ``--repeats`` runs in one process is printed, with the
ratio to scipy's DOP853 (rtol 1e-9, atol 1e-12, Python right-hand side) for one trajectory.
No timing is asserted anywhere.
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable

import numpy as np
import torch
from scipy.integrate import solve_ivp

from chaoskit_systems.flows.lorenz import Lorenz

N, DT = 10_000, 0.01


def median_time(fn: Callable[[], object], repeats: int) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--device", default="cpu")
    args = parser.parse_args()
    torch.set_num_threads(1)
    lorenz = Lorenz()
    x0 = np.asarray(lorenz.metadata.initial_state)
    times = DT * np.arange(N)

    def rhs(t: float, x: np.ndarray) -> list[float]:
        return [10 * (x[1] - x[0]), x[0] * (28 - x[2]) - x[1], x[0] * x[1] - 8 / 3 * x[2]]

    scipy_s = median_time(lambda: solve_ivp(rhs, (0, times[-1]), x0, method="DOP853", rtol=1e-9,
                                            atol=1e-12, t_eval=times), args.repeats)
    print(f"scipy DOP853 rtol 1e-9 atol 1e-12, 1 member: {scipy_s:8.2f} s")
    lorenz.trajectory(100, dt=DT, members=2, device=args.device)  # warm-up
    for method in ("rk4", "dopri5"):
        for members in (1, 1024):
            def run(method: str = method, members: int = members) -> object:
                return lorenz.trajectory(N, dt=DT, members=members, seed=0, method=method,
                                         device=args.device)

            seconds = median_time(run, args.repeats)
            ds = run()
            detail = (f"steps/member {np.mean(ds.chaos.attrs['steps_accepted']):.0f}"
                      if method == "dopri5" else f"step {ds.attrs['step']}")
            rate = N * members / seconds
            print(f"{method:6s} {members:5d} member(s) on {args.device}: {seconds:8.2f} s "
                  f"({seconds / scipy_s:5.1f}× scipy; {rate:,.0f} points/s; {detail})")


if __name__ == "__main__":
    main()
