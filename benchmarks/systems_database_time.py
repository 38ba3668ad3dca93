"""Wall time of 1,000 points of every registered system at its defaults (the issue's target:
under 2 minutes in total on 2 CPU cores).

Run: ``.venv/bin/python benchmarks/systems_database_time.py [--n 1000] [--threads 2]
[--method METHOD]``. Each system is created with its default parameters and simulated once
with its default method (``--method`` overrides it where the system accepts it), one member,
its default sampling (100 points per period for flows, 1 for maps), float64, in one process.
Prints the total wall time, the slowest ten systems and any that failed. No timing is asserted.
"""

from __future__ import annotations

import argparse
import time
import warnings

import chaoskit
import torch


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=1000, help="points per system")
    parser.add_argument("--threads", type=int, default=2, help="torch intra-op threads")
    parser.add_argument("--method", default=None, help="integrator for the flows that take it")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    names = sorted(chaoskit.systems.names())
    times: dict[str, float] = {}
    used: dict[str, str] = {}
    failed: dict[str, str] = {}
    total_start = time.perf_counter()
    for name in names:
        system = chaoskit.systems.create(name)
        kw = {}
        if args.method is not None and args.method in system.methods:
            kw["method"] = args.method
        used[name] = f"{system.kind}, {kw.get('method', system.methods[0])}"
        start = time.perf_counter()
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                system.trajectory(args.n, seed=0, **kw)
        except chaoskit.ChaoskitError as exc:
            failed[name] = f"{type(exc).__name__}: {exc}"[:120]
        times[name] = time.perf_counter() - start
    total = time.perf_counter() - total_start
    print(f"{len(names)} systems × {args.n} points, {args.threads} thread(s), method "
          f"{args.method or 'default'}: {total:.1f} s in total "
          f"({'meets' if total < 120 else 'misses'} the 2-minute target)")
    print("slowest ten:")
    for name in sorted(times, key=times.get, reverse=True)[:10]:  # type: ignore[arg-type]
        print(f"  {name:32s} {times[name]:7.2f} s  ({used[name]})")
    for name, why in failed.items():
        print(f"  FAILED {name}: {why}")


if __name__ == "__main__":
    main()
