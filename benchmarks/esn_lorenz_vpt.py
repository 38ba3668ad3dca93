"""Valid prediction time and wall times of chaoskit's echo state network on Lorenz-63.

Setup: Lorenz-63 (σ=10, ρ=28, β=8/3) integrated with scipy's DOP853 (rtol = atol = 1e-10) at
dt = 0.01; 10,000 training points from (1, 1, 1) after 20 time units of transient; test windows
from a second orbit started at (−3, 2, 25): ``--contexts`` windows of 500 context points followed
by a 1,700-step (15.4 Lyapunov-time) horizon. VPT by Pathak et al. (2018): the first time with
‖u − û‖ / ⟨‖u‖²⟩^{1/2} > 0.4 (the average over the training data), in Lyapunov times (λ1 = 0.906).
Timings are single-threaded (``torch.set_num_threads(1)``), medians over seeds.

Usage::

    .venv/bin/python benchmarks/esn_lorenz_vpt.py                       # the defaults
    .venv/bin/python benchmarks/esn_lorenz_vpt.py '{"ridge": 1e-8}' '{"units": 1000}'

Each argument is a JSON object of EchoStateNetwork hyperparameters; the data are cached in
``--cache``.
"""

from __future__ import annotations

import argparse
import json
import os
import time

import chaoskit
import numpy as np
import torch
from chaoskit_models.esn import EchoStateNetwork
from scipy.integrate import solve_ivp

DT, LAMBDA1 = 0.01, 0.906
N_TRAIN, CONTEXT, HORIZON = 10_000, 500, 1_700


def _lorenz(t: float, s: np.ndarray) -> list[float]:
    x, y, z = s
    return [10.0 * (y - x), x * (28.0 - z) - y, x * y - 8.0 / 3.0 * z]


def _orbit(x0: list[float], n: int) -> np.ndarray:
    t = 20.0 + DT * np.arange(n)
    sol = solve_ivp(_lorenz, (0.0, t[-1]), x0, method="DOP853", rtol=1e-10, atol=1e-10, t_eval=t)
    return sol.y.T


def lorenz_data(cache: str, contexts: int) -> tuple[np.ndarray, np.ndarray]:
    """The training orbit ``(N_TRAIN, 3)`` and ``contexts`` test windows, cached in ``cache``."""
    n_test = contexts * (CONTEXT + HORIZON)
    if os.path.exists(cache):
        stored = np.load(cache)
        if stored["test"].shape[0] >= n_test:
            return stored["train"], stored["test"][:n_test]
    train, test = _orbit([1.0, 1.0, 1.0], N_TRAIN), _orbit([-3.0, 2.0, 25.0], n_test)
    np.savez(cache, train=train, test=test)
    return train, test


def valid_prediction_time(truth: np.ndarray, forecast: np.ndarray, scale: float) -> np.ndarray:
    """Pathak et al. (2018): first step with ‖u − û‖ / scale > 0.4 (NaN fails), in Lyapunov times;
    ``truth`` and ``forecast`` are ``(member, time, 3)``."""
    error = np.linalg.norm(forecast - truth, axis=-1) / scale
    bad = ~(error <= 0.4)
    first = np.where(bad.any(axis=1), bad.argmax(axis=1), truth.shape[1])
    return first * DT * LAMBDA1


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("configs", nargs="*", default=["{}"], help="JSON hyperparameter overrides")
    parser.add_argument("--seeds", type=int, default=5)
    parser.add_argument("--contexts", type=int, default=40)
    parser.add_argument("--cache", default="/tmp/chaoskit_esn_lorenz.npz")
    args = parser.parse_args()
    torch.set_num_threads(1)

    train_arr, test_arr = lorenz_data(args.cache, args.contexts)
    train = chaoskit.make_dataset(
        train_arr[None], time=DT * np.arange(N_TRAIN), variables=["x", "y", "z"], attrs={"dt": DT}
    )
    windows = test_arr.reshape(args.contexts, CONTEXT + HORIZON, 3)
    context = chaoskit.make_dataset(
        windows[:, :CONTEXT],
        time=DT * np.arange(CONTEXT),
        variables=["x", "y", "z"],
        attrs={"dt": DT},
    )
    truth = windows[:, CONTEXT:]
    scale = np.sqrt(np.mean(np.sum(train_arr**2, axis=-1)))

    for config in args.configs:
        overrides = json.loads(config)
        vpts, fit_times, forecast_times = [], [], []
        for seed in range(args.seeds):
            model = EchoStateNetwork(seed=seed, **overrides)
            start = time.perf_counter()
            model.fit(train)
            fit_times.append(time.perf_counter() - start)
            start = time.perf_counter()
            forecast = model.forecast(context, HORIZON)["state"].values
            forecast_times.append(time.perf_counter() - start)
            vpts.append(valid_prediction_time(truth, forecast, scale))
        vpt = np.array(vpts)
        print(
            f"{json.dumps(overrides):40s} median VPT {np.median(vpt):5.2f} LT "
            f"(IQR {np.quantile(vpt, 0.25):.2f}-{np.quantile(vpt, 0.75):.2f}; per-seed medians "
            f"{np.round(np.median(vpt, axis=1), 2).tolist()}) | fit {np.median(fit_times):.3f} s, "
            f"forecast {args.contexts}x{HORIZON} steps {np.median(forecast_times):.3f} s",
            flush=True,
        )


if __name__ == "__main__":
    main()
