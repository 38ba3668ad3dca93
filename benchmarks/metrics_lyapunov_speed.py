"""Lorenz-63 Lyapunov spectrum to 0.3 %: chaoskit against a hand-written numba Benettin loop.

    .venv/bin/python benchmarks/metrics_lyapunov_speed.py            # the comparison
    .venv/bin/python benchmarks/metrics_lyapunov_speed.py --quick    # smaller runs, a smoke test

Both integrate with RK4 steps of 0.01 on one CPU thread (CPU time of this process). numba runs
one long orbit (RK4 with the variational equations, Gram–Schmidt on three vectors); its standard
error comes from batch means and its time to a standard error of λ1 of 0.3 % is the run's time
scaled by (SE / 0.3 %)². chaoskit runs many members side by side over shorter segments, with
settings whose standard error across members lands near 0.3 % (so the scaling is small: in
eager torch the cost of a step barely depends on the batch, and scaling far down would not be
honest), eager and compiled (``compile=True``). The compiled path's first call is measured in a
fresh process twice: with an empty inductor cache (cold) and with the cache it left (warm
disk); compile workers are limited to one thread so the CPU of compilation is counted.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from typing import Any

import chaoskit
import numpy as np
import torch
from timing import cpu  # this script's folder

LAMBDA1 = 0.9056  # Lorenz-63 λ1 (Sprott; REFERENCES.md: 0.906)
TARGET = 0.003 * LAMBDA1
# 320 members from copies of the default initial state moved by 1 % run 10 time units of tangent
# alignment (during which they also spread), then 25 counted; RK4 steps of 0.01 (five substeps
# per map step of 0.05), QR every fourth step (the growth ratio of the exponents over 0.2 time
# units is e^(14.5 · 0.2) ≈ 18: well conditioned), parabolic window
SETUP = {"members": 320, "steps": 500, "transient": 0, "tangent_transient": 200, "qr_every": 4,
         "perturbation": 1e-2}
QUICK = {**SETUP, "members": 64}


def numba_benettin() -> tuple[Callable[..., np.ndarray], float] | None:
    """The numba loop and its JIT compile time (CPU s), or None without numba."""
    try:
        import numba
    except ImportError:
        return None

    @numba.njit(cache=False, fastmath=False)
    def run(x0: np.ndarray, h: float, steps: int, transient: int, blocks: int) -> np.ndarray:
        s, r, b = 10.0, 28.0, 8.0 / 3.0
        x, y, z = x0[0], x0[1], x0[2]
        q = np.eye(3)
        k = np.zeros((4, 3))
        kq = np.zeros((4, 3, 3))
        out = np.zeros((blocks, 3))
        per_block = steps // blocks
        for i in range(transient + steps):
            # RK4 on the state and the variational equations dQ/dt = J(x) Q
            xs, ys, zs = x, y, z
            qs = q.copy()
            for stage in range(4):
                if stage > 0:
                    c = 0.5 * h if stage < 3 else h
                    xs = x + c * k[stage - 1, 0]
                    ys = y + c * k[stage - 1, 1]
                    zs = z + c * k[stage - 1, 2]
                    for a in range(3):
                        for j in range(3):
                            qs[a, j] = q[a, j] + c * kq[stage - 1, a, j]
                k[stage, 0] = s * (ys - xs)
                k[stage, 1] = xs * (r - zs) - ys
                k[stage, 2] = xs * ys - b * zs
                for j in range(3):
                    kq[stage, 0, j] = -s * qs[0, j] + s * qs[1, j]
                    kq[stage, 1, j] = (r - zs) * qs[0, j] - qs[1, j] - xs * qs[2, j]
                    kq[stage, 2, j] = ys * qs[0, j] + xs * qs[1, j] - b * qs[2, j]
            x += h / 6.0 * (k[0, 0] + 2 * k[1, 0] + 2 * k[2, 0] + k[3, 0])
            y += h / 6.0 * (k[0, 1] + 2 * k[1, 1] + 2 * k[2, 1] + k[3, 1])
            z += h / 6.0 * (k[0, 2] + 2 * k[1, 2] + 2 * k[2, 2] + k[3, 2])
            for a in range(3):
                for j in range(3):
                    q[a, j] += h / 6.0 * (kq[0, a, j] + 2 * kq[1, a, j] + 2 * kq[2, a, j] + kq[3, a, j])
            # modified Gram-Schmidt; log of the norms
            for j in range(3):
                for p in range(j):
                    dot = q[0, j] * q[0, p] + q[1, j] * q[1, p] + q[2, j] * q[2, p]
                    for a in range(3):
                        q[a, j] -= dot * q[a, p]
                norm = np.sqrt(q[0, j] ** 2 + q[1, j] ** 2 + q[2, j] ** 2)
                for a in range(3):
                    q[a, j] /= norm
                if i >= transient:
                    out[min((i - transient) // per_block, blocks - 1), j] += np.log(norm)
        return out / (per_block * h)

    start = time.process_time()
    run(np.array([1.0, 1.0, 20.0]), 0.01, 100, 10, 1)  # JIT compile outside the timing
    return run, time.process_time() - start


def numba_rows(x0: np.ndarray, quick: bool) -> dict[str, Any] | None:
    made = numba_benettin()
    if made is None:
        return None
    run, jit = made
    steps, blocks = (200_000, 20) if quick else (2_000_000, 100)  # blocks of 100/200 time units
    t_nb, blocks_out = cpu(lambda: run(x0, 0.01, steps, 2000, blocks))
    se = blocks_out[:, 0].std(ddof=1) / np.sqrt(blocks)
    t_1e5, one = cpu(lambda: run(x0, 0.01, 100_000, 2000, 1), repeat=3)
    return {"cpu": t_nb, "steps": steps, "spectrum": blocks_out.mean(axis=0), "se": se, "jit": jit,
            "cpu_to_target": t_nb * (se / TARGET) ** 2, "cpu_1e5": t_1e5, "lam_1e5": one[0]}


def _first_call_child(setup: dict[str, Any]) -> None:
    """In a fresh process: time the first compiled estimate (prints one JSON line)."""
    import resource

    from chaoskit_systems.dynamics import TorchDynamics

    torch.set_num_threads(1)
    lorenz = chaoskit.systems.create("lorenz")
    metric = chaoskit.metrics.create("lyapunov_spectrum", compile=True, **setup)
    dyn = TorchDynamics(lorenz, 0.05, max_step=0.01)
    wall, start = time.perf_counter(), time.process_time()
    metric.estimate(dyn, initial_states=np.array(lorenz.metadata.initial_state))
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    print(json.dumps({"wall": time.perf_counter() - wall, "cpu": time.process_time() - start,
                      "children_cpu": children.ru_utime + children.ru_stime}))


def first_compiled_calls(setup: dict[str, Any]) -> dict[str, dict[str, float]]:
    """First compiled call in a fresh process: empty inductor cache, then the cache it left."""
    out = {}
    with tempfile.TemporaryDirectory() as cache:
        env = {**os.environ, "TORCHINDUCTOR_CACHE_DIR": cache, "TORCHINDUCTOR_COMPILE_THREADS": "1"}
        for label in ("cold", "warm disk"):
            done = subprocess.run(
                [sys.executable, __file__, "--first-call", json.dumps(setup)], env=env,
                capture_output=True, text=True, check=True,
            )
            out[label] = json.loads(done.stdout.strip().splitlines()[-1])
    return out


def spectrum_benchmark(quick: bool) -> dict[str, Any]:
    """numba's one long orbit against chaoskit's batched segments (eager and compiled)."""
    from chaoskit_systems.dynamics import FlowMap, TorchDynamics

    lorenz = chaoskit.systems.create("lorenz")
    x0 = np.array(lorenz.metadata.initial_state)
    rows: dict[str, Any] = {"numba": numba_rows(x0, quick)}
    dyn = TorchDynamics(lorenz, 0.05, max_step=0.01)
    setup = QUICK if quick else SETUP
    variants = (("eager, central differences (default path)", {"tangent": "difference"}),
                ("eager, variational equation", {"tangent": "jvp"}),
                ("compiled (compile=True), warm", {"tangent": "difference", "compile": True}))
    for label, extra in variants:
        metric = chaoskit.metrics.create("lyapunov_spectrum", **setup, **extra)
        if extra.get("compile"):
            metric.estimate(dyn, initial_states=x0)  # compiled in this process first
        t_ck, out = cpu(lambda m=metric: m.estimate(dyn, initial_states=x0), repeat=3)
        se = out["uncertainty"].values
        rows[label] = {"cpu": t_ck, "spectrum": out.values, "se": se,
                       "cpu_to_target": t_ck * (se[0] / TARGET) ** 2}
    rows["first compiled call"] = {} if quick else first_compiled_calls(setup)  # ~1 min: not in a smoke test
    # cost of one map step (five RK4 substeps) of 320 members with 3 tangent columns
    states = lorenz.trajectory(320, dt=0.37, transient=20.0, method="rk4", seed=0)["state"].values[0]
    forward_ad = FlowMap(lorenz._rhs, 3, 0.05, max_step=0.01)  # no analytic Jacobian: torch.func.jvp
    short = {"steps": 20, "transient": 0, "tangent_transient": 0}
    per_step = {}
    for label, dynamics, extra in (("differences", dyn, {"tangent": "difference"}),
                                   ("variational", dyn, {"tangent": "jvp"}),
                                   ("torch.func.jvp", forward_ad, {"tangent": "jvp"}),
                                   ("compiled differences", dyn, {"tangent": "difference", "compile": True})):
        metric = chaoskit.metrics.create("lyapunov_spectrum", **short, **extra)
        metric.estimate(dynamics, initial_states=states)  # set-up and compilation outside the timing
        t, _ = cpu(lambda m=metric, d=dynamics: m.estimate(d, initial_states=states), repeat=3)
        per_step[label] = t / short["steps"]
    rows["per_step"] = per_step
    rows["setup"] = setup
    return rows


def print_spectrum(spec: dict[str, Any]) -> None:
    nb = spec["numba"]
    setup = spec["setup"]
    counted = setup["steps"] * 0.05
    print(f"   chaoskit: {setup['members']} members, {setup['tangent_transient'] * 0.05:g} time units of "
          f"tangent alignment + {counted:g} counted, QR every {setup['qr_every']} steps")
    for label, ck in spec.items():
        if label in ("numba", "per_step", "setup", "first compiled call"):
            continue
        ratio = f", {ck['cpu_to_target'] / nb['cpu_to_target']:.1f}× numba" if nb else ""
        print(f"   chaoskit {label}: {ck['cpu']:.3f} s CPU, λ = {np.round(ck['spectrum'], 4)}, SE λ1 = "
              f"{ck['se'][0]:.4f} ({100 * ck['se'][0] / LAMBDA1:.2f} %); time to SE 0.3 %: "
              f"{ck['cpu_to_target']:.3f} s{ratio}")
    for label, first in spec["first compiled call"].items():
        print(f"   chaoskit compiled, first call in a fresh process ({label} inductor cache): "
              f"{first['wall']:.1f} s wall, {first['cpu']:.1f} s CPU + {first['children_cpu']:.1f} s "
              "in compiler subprocesses")
    steps = ", ".join(f"{k} {1e3 * v:.2f} ms" for k, v in spec["per_step"].items())
    print(f"   one map step (5 RK4 substeps) of 320 members with 3 tangent columns: {steps}")
    if nb:
        print(f"   numba one orbit, {nb['steps']} steps of 0.01: {nb['cpu']:.2f} s CPU, "
              f"λ = {np.round(nb['spectrum'], 4)}, batch-means SE λ1 = {nb['se']:.4f}; JIT compile "
              f"{nb['jit']:.2f} s")
        print(f"   numba 10^5 steps: {nb['cpu_1e5'] * 1e3:.1f} ms CPU (λ1 = {nb['lam_1e5'][0]:.4f}); "
              f"time to SE 0.3 %: {nb['cpu_to_target']:.3f} s")
    else:
        print("   numba not installed: no reference loop")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="smaller runs (smoke test)")
    parser.add_argument("--first-call", help=argparse.SUPPRESS)  # the child of first_compiled_calls
    args = parser.parse_args()
    if args.first_call:
        _first_call_child(json.loads(args.first_call))
        return
    torch.set_num_threads(1)
    print(f"load average {os.getloadavg()[0]:.2f}")
    print("Lorenz-63 spectrum, target: standard error of λ1 ≤ 0.3 %; RK4 h = 0.01 in both")
    print_spectrum(spectrum_benchmark(args.quick))
    print(f"load average {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
