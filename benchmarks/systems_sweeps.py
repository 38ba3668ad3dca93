"""Parameter sweeps and dynamical noise: one batched call against one call per value.

Run: ``.venv/bin/python benchmarks/systems_sweeps.py [--repeats 3]``. Single intra-op thread;
medians of ``--repeats`` runs in one process. Prints, for a Lorenz ρ-sweep (dopri5 and rk4) and
a logistic-map r-sweep, the time of one ``trajectory(parameters=...)`` call, the time of one
``attrs.evolve(...).trajectory(...)`` call per value, and their ratio; and the cost of
Euler–Maruyama noise against the noise-free RK4 run with the same step. No timing is asserted.
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable

import attrs
import chaoskit
import numpy as np
import torch


def median_time(fn: Callable[[], object], repeats: int) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def sweep_vs_loop(system: chaoskit.System, name: str, values: np.ndarray, n: int, repeats: int,
                  **kw: object) -> None:
    one = median_time(lambda: system.trajectory(n, parameters={name: values}, **kw), repeats)
    mode = system.trajectory(n, parameters={name: values[:4]}, **kw).attrs["sweep_mode"]
    sample = values[:: max(1, values.size // 16)]  # the loop is timed on ≤ 16 values, scaled
    loop = median_time(
        lambda: [attrs.evolve(system, **{name: float(v)}).trajectory(n, **kw) for v in sample],
        repeats,
    ) * values.size / sample.size
    print(f"{system.name} {name}-sweep, {values.size} values × {n} points {kw}: one call "
          f"{one:6.2f} s ({mode}), one call per value {loop:7.2f} s → {loop / one:5.1f}×")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    torch.set_num_threads(1)
    lorenz = chaoskit.systems.create("lorenz")
    logistic = chaoskit.systems.create("logistic")
    lorenz.trajectory(10, dt=0.01)  # warm-up
    rho = np.linspace(20.0, 200.0, 256)
    sweep_vs_loop(lorenz, "rho", rho, 1000, args.repeats, dt=0.01, method="rk4")
    sweep_vs_loop(lorenz, "rho", rho, 1000, args.repeats, dt=0.01, method="dopri5")
    sweep_vs_loop(logistic, "r", np.linspace(2.5, 4.0, 1500), 1200, args.repeats,
                  initial_state=[0.3])
    for members in (1, 1024):
        common = {"dt": 0.01, "members": members, "seed": 0}
        clean = median_time(lambda c=common: lorenz.trajectory(10_000, method="rk4", **c),
                            args.repeats)
        noisy = median_time(lambda c=common: lorenz.trajectory(10_000, noise=0.5, **c),
                            args.repeats)
        print(f"Lorenz 10,000 points, {members:4d} member(s), step 0.005: rk4 {clean:6.2f} s, "
              f"Euler–Maruyama with noise {noisy:6.2f} s ({noisy / clean:.2f}×)")


if __name__ == "__main__":
    main()
