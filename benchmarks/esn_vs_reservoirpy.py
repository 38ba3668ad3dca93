"""chaoskit's echo state network against reservoirpy at equal size on Lorenz-63: times and VPT.

Data as in ``benchmarks/esn_lorenz_vpt.py``: Lorenz-63 at dt = 0.01, 10,000 training points
(DOP853, rtol = atol = 1e-10), test windows of 500 context points from a second orbit, each
followed by a 1,700-step horizon (15.4 Lyapunov times). Both sides build the same network:
500 units, ``W`` with connectivity 0.1 and standard normal entries rescaled to spectral radius
0.9, ``W_in`` with connectivity 0.1 and entries uniform in ±0.5, a dense bias uniform in ±0.5,
leak rate 0.3, ridge 1e-9 with an unpenalised intercept, washout 100, inputs z-scored with the
training mean and standard deviation. reservoirpy gets the same distributions through its
initialisers (``Win=uniform``, ``W=normal``, ``bias=uniform(low=-0.5, high=0.5)``) and draws its
own weights from the same seed number; it forecasts each context by resetting the network,
running it over the context and feeding each output back as the next input, one
``esn(y)`` call per step (its documented generative loop; it has no batch of members).

Timed, single-threaded (torch and BLAS), each seed once after one warm-up of each side:

* ``fit``: chaoskit ``EchoStateNetwork(...).fit(dataset)``; reservoirpy the node construction,
  the z-scoring and ``(reservoir >> Ridge).fit(x, y, warmup=100)``;
* ``forecast 1``: one context warmed up and a 1,000-step closed-loop forecast (the task of
  the target "training on 10,000 points with 500 units and a 1,000-step forecast");
* ``forecast N``: all contexts over the whole 1,700-step horizon (chaoskit: one batched call;
  reservoirpy: a loop), from which the VPT is measured.

VPT (Pathak et al. 2018, threshold 0.4) over all contexts and seeds, both sides. A last check
gives reservoirpy chaoskit's own weights (``W``, ``W_in``, ``b`` of seed 0) and compares the two
forecasts of the same model: the difference is rounding, amplified by the chaotic closed loop.

Usage::

    .venv/bin/pip install reservoirpy==0.4.2
    .venv/bin/python benchmarks/esn_vs_reservoirpy.py [--seeds 5] [--contexts 20]
"""

from __future__ import annotations

import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import argparse
import gc
import time
from collections.abc import Callable
from importlib.metadata import version
from typing import Any

import chaoskit
import numpy as np
import scipy.sparse as sp
import torch
from chaoskit_models.esn import EchoStateNetwork
from esn_lorenz_vpt import (
    CONTEXT,
    DT,
    HORIZON,
    LAMBDA1,
    N_TRAIN,
    lorenz_data,
    valid_prediction_time,
)
from reservoirpy.mat_gen import normal, uniform
from reservoirpy.nodes import Reservoir, Ridge

STEPS = 1_000
CONFIG: dict[str, Any] = {
    "units": 500,
    "spectral_radius": 0.9,
    "leak_rate": 0.3,
    "input_scaling": 0.5,
    "bias_scaling": 0.5,
    "connectivity": 0.1,
    "input_connectivity": 0.1,
    "ridge": 1e-9,
    "washout": 100,
}


def _timed(fn: Callable[[], Any]) -> tuple[Any, float, float]:
    """``fn()``, its wall time and its CPU time (the robust figure on a shared machine), after
    a garbage collection so that neither side pays for the other's garbage."""
    gc.collect()
    wall, cpu = time.perf_counter(), time.process_time()
    out = fn()
    return out, time.perf_counter() - wall, time.process_time() - cpu


class Peer:
    """reservoirpy's ESN with chaoskit's hyperparameters, on z-scored data."""

    def __init__(self, seed: int, weights: dict[str, np.ndarray] | None = None) -> None:
        self.seed, self.weights = seed, weights

    def fit(self, train: np.ndarray) -> Peer:
        self.mean, self.std = train.mean(axis=0), train.std(axis=0)
        z = (train - self.mean) / self.std
        if self.weights is None:
            init: dict[str, Any] = {
                "Win": uniform,
                "W": normal,
                "bias": uniform(low=-CONFIG["bias_scaling"], high=CONFIG["bias_scaling"]),
            }
        else:
            init = self.weights
        self.reservoir = Reservoir(
            CONFIG["units"],
            lr=CONFIG["leak_rate"],
            sr=CONFIG["spectral_radius"],
            input_scaling=CONFIG["input_scaling"],
            rc_connectivity=CONFIG["connectivity"],
            input_connectivity=CONFIG["input_connectivity"],
            seed=self.seed,
            **init,
        )
        self.esn = self.reservoir >> Ridge(ridge=CONFIG["ridge"])
        self.esn.fit(z[:-1], z[1:], warmup=CONFIG["washout"])
        return self

    def forecast(self, contexts: np.ndarray, steps: int) -> np.ndarray:
        out = np.empty((contexts.shape[0], steps, contexts.shape[2]))
        for i, context in enumerate((contexts - self.mean) / self.std):
            self.esn.reset()
            y = self.esn.run(context)[-1]
            out[i, 0] = y
            for k in range(1, steps):
                y = self.esn(y)
                out[i, k] = y
        return out * self.std + self.mean


def _chaoskit_weights(model: EchoStateNetwork) -> dict[str, Any]:
    state = model._get_state()
    units = CONFIG["units"]
    w = sp.csr_matrix((state["w_data"], state["w_indices"], state["w_indptr"]), (units, units))
    return {"W": w, "Win": state["w_in"], "bias": state["bias"]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=5)
    parser.add_argument("--contexts", type=int, default=20)
    parser.add_argument("--cache", default="/tmp/chaoskit_esn_lorenz.npz")
    args = parser.parse_args()
    torch.set_num_threads(1)

    train_arr, test_arr = lorenz_data(args.cache, args.contexts)
    windows = test_arr.reshape(args.contexts, CONTEXT + HORIZON, 3)
    contexts, truth = windows[:, :CONTEXT], windows[:, CONTEXT:]
    scale = float(np.sqrt(np.mean(np.sum(train_arr**2, axis=-1))))

    def dataset(values: np.ndarray) -> Any:
        return chaoskit.make_dataset(
            values,
            time=DT * np.arange(values.shape[1]),
            variables=["x", "y", "z"],
            attrs={"dt": DT},
        )

    train, context = dataset(train_arr[None]), dataset(contexts)
    single = context.isel(member=slice(0, 1))

    def run(side: str, seed: int) -> dict[str, Any]:
        if side == "chaoskit":
            model, *fit = _timed(lambda: EchoStateNetwork(seed=seed, **CONFIG).fit(train))
            _, *one = _timed(lambda: model.forecast(single, STEPS))
            out, *many = _timed(lambda: model.forecast(context, HORIZON)["state"].values)
        else:
            peer, *fit = _timed(lambda: Peer(seed).fit(train_arr))
            _, *one = _timed(lambda: peer.forecast(contexts[:1], STEPS))
            out, *many = _timed(lambda: peer.forecast(contexts, HORIZON))
        times = {"fit": fit, "one": one, "sum": [f + o for f, o in zip(fit, one, strict=True)]}
        times["all"] = many
        return {"times": times, "vpt": valid_prediction_time(truth, out, scale)}

    print(
        f"chaoskit ESN vs reservoirpy {version('reservoirpy')} (torch {torch.__version__}, "
        f"one thread): Lorenz-63, {N_TRAIN} training points, {CONFIG['units']} units, "
        f"{args.seeds} seeds x {args.contexts} contexts; forecasts of {STEPS} steps timed, VPT "
        f"over {HORIZON} steps ({HORIZON * DT * LAMBDA1:.1f} Lyapunov times); wall / CPU seconds"
    )
    sides = ("chaoskit", "reservoirpy")
    for side in sides:
        run(side, 100)  # warm-up: imports, caches, allocator
    rows: dict[str, list[dict[str, Any]]] = {side: [] for side in sides}
    for seed in range(args.seeds):
        for side in sides:
            rows[side].append(run(side, seed))

    labels = {
        "fit": "fit",
        "one": f"forecast 1x{STEPS}",
        "sum": "fit + forecast",
        "all": f"forecast {args.contexts}x{HORIZON}",
    }
    medians: dict[str, dict[str, np.ndarray]] = {}
    for side, runs in rows.items():
        m = {k: np.median([r["times"][k] for r in runs], axis=0) for k in labels}
        vpt = np.concatenate([r["vpt"] for r in runs])
        medians[side] = m
        cells = " | ".join(f"{labels[k]} {m[k][0]:.3f} / {m[k][1]:.3f}" for k in labels)
        print(
            f"{side:12s} {cells} | VPT median {np.median(vpt):.2f} LT "
            f"(IQR {np.quantile(vpt, 0.25):.2f}-{np.quantile(vpt, 0.75):.2f})"
        )
    ck, rp = medians["chaoskit"], medians["reservoirpy"]
    ratios = ", ".join(
        f"{labels[k]} {rp[k][0] / ck[k][0]:.2f}x / {rp[k][1] / ck[k][1]:.2f}x" for k in labels
    )
    print(f"ratio reservoirpy / chaoskit (wall / CPU): {ratios}")

    model = EchoStateNetwork(seed=0, **CONFIG).fit(train)
    peer = Peer(0, _chaoskit_weights(model)).fit(train_arr)
    a = model.forecast(context, HORIZON)["state"].values
    b = peer.forecast(contexts, HORIZON)
    diff = np.abs(a - b).max(axis=(0, 2))
    print(
        "same weights (seed 0): max |chaoskit - reservoirpy| over the forecasts "
        f"{diff[0]:.1e} at step 1, {diff[:100].max():.1e} over 100 steps; VPT medians "
        f"{np.median(valid_prediction_time(truth, a, scale)):.2f} vs "
        f"{np.median(valid_prediction_time(truth, b, scale)):.2f} LT"
    )


if __name__ == "__main__":
    main()
