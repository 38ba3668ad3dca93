"""Valid prediction time and wall times of the baselines and the LSTM/GRU forecasters on Lorenz-63.

Setup: Lorenz-63 (σ=10, ρ=28, β=8/3) integrated with scipy's DOP853 (rtol = atol = 1e-10) at
dt = 0.01; 10,000 training points from (1, 1, 1) after 20 time units of transient; ``--contexts``
test windows from a second orbit started at (−3, 2, 25), each ``--context`` points of context
followed by a 1,100-step (10 Lyapunov-time) horizon. VPT by Pathak et al. (2018): the first time
with ‖u − û‖ / ⟨‖u‖²⟩^{1/2} > 0.4 (the average over the training data), in Lyapunov times
(λ1 = 0.906). Every model gets the same contexts: the recurrent models warm up on them, context
parroting searches them, the linear autoregression uses their last ``lags`` points. Single
thread (``torch.set_num_threads(1)``), fit times as wall and CPU seconds (the CPU time is the
robust figure on a shared machine); the trained models are run for ``--seeds`` seeds.

Usage::

    .venv/bin/python benchmarks/baselines_lorenz.py
    .venv/bin/python benchmarks/baselines_lorenz.py --context 500 --models context_parroting
"""

from __future__ import annotations

import argparse
import time

import chaoskit
import numpy as np
import torch
import xarray as xr
from scipy.integrate import solve_ivp

DT, LAMBDA1 = 0.01, 0.906
N_TRAIN, HORIZON = 10_000, 1_100
MODELS = ("persistence", "mean", "linear_ar", "context_parroting", "lstm", "gru")
TRAINED = {"lstm", "gru"}


def _lorenz(t: float, s: np.ndarray) -> list[float]:
    x, y, z = s
    return [10.0 * (y - x), x * (28.0 - z) - y, x * y - 8.0 / 3.0 * z]


def _orbit(x0: list[float], n: int) -> np.ndarray:
    t = 20.0 + DT * np.arange(n)
    sol = solve_ivp(_lorenz, (0.0, t[-1]), x0, method="DOP853", rtol=1e-10, atol=1e-10, t_eval=t)
    return sol.y.T


def _dataset(values: np.ndarray) -> xr.Dataset:
    return chaoskit.make_dataset(
        values, time=DT * np.arange(values.shape[1]), variables=("x", "y", "z"), attrs={"dt": DT}
    )


def _vpt(truth: np.ndarray, forecast: np.ndarray, scale: float) -> np.ndarray:
    error = np.linalg.norm(forecast - truth, axis=-1) / scale
    bad = ~(error <= 0.4)
    first = np.where(bad.any(axis=1), bad.argmax(axis=1), truth.shape[1])
    return first * DT * LAMBDA1


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--models", nargs="*", default=list(MODELS))
    parser.add_argument("--contexts", type=int, default=20)
    parser.add_argument("--context", type=int, default=2000)
    parser.add_argument("--seeds", type=int, default=2)
    args = parser.parse_args()
    torch.set_num_threads(1)
    train = _orbit([1.0, 1.0, 1.0], N_TRAIN)
    test = _orbit([-3.0, 2.0, 25.0], args.contexts * (args.context + HORIZON))
    windows = test.reshape(args.contexts, args.context + HORIZON, 3)
    context, truth = _dataset(windows[:, : args.context]), windows[:, args.context :]
    scale = float(np.sqrt(np.mean(np.sum(train**2, axis=-1))))
    print(
        f"Lorenz-63, dt {DT}, {N_TRAIN} training points, {args.contexts} contexts of {args.context}"
    )
    print(
        f"{'model':<20}{'seed':>5}{'fit wall s':>12}{'fit CPU s':>11}{'forecast s':>12}"
        f"{'median VPT':>12}{'IQR':>16}"
    )
    for name in args.models:
        for seed in range(args.seeds if name in TRAINED else 1):
            model = chaoskit.models.create(name, seed=seed)
            t0, c0 = time.perf_counter(), time.process_time()
            model.fit(_dataset(train[None]))
            t1, c1 = time.perf_counter(), time.process_time()
            forecast = model.forecast(context, HORIZON)["state"].values
            t2 = time.perf_counter()
            vpt = _vpt(truth, forecast, scale)
            q1, q3 = np.percentile(vpt, [25, 75])
            print(
                f"{name:<20}{seed:>5}{t1 - t0:>12.2f}{c1 - c0:>11.2f}{t2 - t1:>12.3f}"
                f"{np.median(vpt):>12.2f}"
                f"{f'{q1:.2f}-{q3:.2f}':>16}",
                flush=True,
            )


if __name__ == "__main__":
    main()
