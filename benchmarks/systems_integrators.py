"""Wall time of a 10,000-point Lorenz trajectory (dt = 0.01): chaoskit-systems vs scipy and dysts.

Run: ``.venv/bin/python benchmarks/systems_integrators.py [--repeats 3] [--device cpu]
[--no-batch] [--compile]``. Single intra-op thread; the median of ``--repeats`` runs in one
process is printed, with the ratio to scipy's DOP853 (rtol 1e-9, atol 1e-12, Python right-hand
side) for one trajectory, and to dysts 0.96's ``make_trajectory`` (DOP853 at the same
tolerances, ``resample=False``, same dt) when dysts is installed. ``--compile`` adds an
experiment: one Dormand–Prince attempt (stages + error norm) compiled with ``torch.compile``
against the eager one, per step, at 1 and 1,024 members. No timing is asserted anywhere.
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable

import numpy as np
import torch
from chaoskit_systems.flows.lorenz import Lorenz
from chaoskit_systems.integrators.dop853 import DOP853_SCHEME as DOP853
from chaoskit_systems.integrators.dopri5 import DOPRI5
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
    model = DystsLorenz()
    model.params["beta"] = 8.0 / 3.0

    def run() -> object:
        return model.make_trajectory(N, dt=DT, init_cond=x0, resample=False, method="DOP853",
                                     rtol=1e-9, atol=1e-12)

    return median_time(run, repeats)


def compile_probe(lorenz: Lorenz) -> None:
    """Per-attempt time of the schemes' step + error norm, eager vs ``torch.compile``."""
    for scheme in (DOPRI5, DOP853):
        tab = scheme.tableau(torch.float64, torch.device("cpu"))

        def attempt(t: torch.Tensor, y: torch.Tensor, h: torch.Tensor, f0: torch.Tensor,
                    scheme: object = scheme, tab: object = tab) -> tuple[object, ...]:
            y_new, stages, f_new = scheme.step(lorenz._rhs, t, y, h, f0, tab)  # type: ignore[attr-defined]
            return y_new, f_new, scheme.error(y, y_new, stages, 1e-9, 1e-12, tab)  # type: ignore[attr-defined]

        for members in (1, 1024):
            y = torch.tensor([[1.0, 1.0, 20.0]], dtype=torch.float64).repeat(members, 1)
            t = torch.zeros(members, dtype=torch.float64)
            h = torch.full((members,), 1e-3, dtype=torch.float64)
            f0 = lorenz._rhs(0.0, y)
            compiled = torch.compile(attempt, dynamic=False)
            with torch.inference_mode():
                start = time.perf_counter()
                compiled(t, y, h, f0)
                cold = time.perf_counter() - start
                args = (t, y, h, f0)
                eager = median_time(lambda a=args: [attempt(*a) for _ in range(200)], 3) / 200
                fused = median_time(
                    lambda a=args, c=compiled: [c(*a) for _ in range(200)], 3
                ) / 200
            print(f"{scheme.name:6s} attempt, {members:5d} member(s): eager {eager * 1e6:6.0f} µs, "
                  f"compiled {fused * 1e6:6.0f} µs ({eager / fused:.1f}×; compile {cold:.1f} s)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--no-batch", action="store_true", help="skip the 1,024-member runs")
    parser.add_argument("--compile", action="store_true", help="add the torch.compile probe")
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
    dysts_s = dysts_time(x0, args.repeats)
    if dysts_s is not None:
        print(f"dysts DOP853 rtol 1e-9 atol 1e-12, 1 member: {dysts_s:8.2f} s")
    lorenz.trajectory(100, dt=DT, members=2, device=args.device)  # warm-up
    for method in ("rk4", "dopri5", "dop853"):
        for members in (1,) if args.no_batch else (1, 1024):
            def run(method: str = method, members: int = members) -> object:
                return lorenz.trajectory(N, dt=DT, members=members, seed=0, method=method,
                                         device=args.device)

            seconds = median_time(run, args.repeats)
            ds = run()
            detail = (f"steps/member {np.mean(ds.chaos.attrs['steps_accepted']):.0f}"
                      if method != "rk4" else f"step {ds.attrs['step']}")
            rate = N * members / seconds
            versus = f"{seconds / scipy_s:5.1f}× scipy"
            if dysts_s is not None:
                versus += f", {seconds / (members * dysts_s):7.3f}× dysts per trajectory"
            print(f"{method:6s} {members:5d} member(s) on {args.device}: {seconds:8.2f} s "
                  f"({versus}; {rate:,.0f} points/s; {detail})")
    if args.compile:
        compile_probe(lorenz)


if __name__ == "__main__":
    main()
