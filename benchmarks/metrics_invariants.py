"""Dynamical-invariant metrics side by side with their peers, on one CPU thread.

    .venv/bin/python benchmarks/metrics_invariants.py            # the three comparisons
    .venv/bin/python benchmarks/metrics_invariants.py --quick    # smaller runs, a smoke test

1. Lorenz-63 spectrum to 0.3 % (standard error of λ1 ≤ 0.3 % of 0.906): chaoskit's batched
   tangent-space QR against a hand-written numba Benettin loop (one long orbit, RK4 with the
   variational equations, Gram–Schmidt on three vectors), both with RK4 steps of 0.01. Each
   time to 0.3 % is the measured run's CPU time scaled by (SE / 0.3 %)² (the numba SE from
   batch means of one long orbit, chaoskit's across members); chaoskit runs with the parabolic
   window (default), the uniform one for comparison, and each tangent path.
2. Correlation dimension of 10,000 Lorenz points: chaoskit (Grassberger–Procaccia and Takens)
   against dysts' ``gp_dim`` and nolds' ``corr_dim``.
3. λ1 from 10,000 Lorenz points: chaoskit's Rosenstein against nolds' ``lyap_r`` (per sample,
   converted with dt).

nolds 0.6.3 does not import on Python 3.11 (its ``datasets`` module, nolds issue #80): its
``measures.py`` (numpy only) is loaded from the installed file directly. CPU time of this process
(``time.process_time``) is reported: the machines are shared, wall time is noisy.
"""

from __future__ import annotations

import argparse
import functools
import importlib.util
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import chaoskit
import numpy as np
import torch

LAMBDA1 = 0.9056  # Lorenz-63 λ1 (Sprott; REFERENCES.md: 0.906)
D2 = 2.05  # Grassberger & Procaccia 1983


def cpu(fn: Callable[[], Any], repeat: int = 1) -> tuple[float, Any]:
    """Median CPU seconds of ``repeat`` calls, and the last result."""
    times, out = [], None
    for _ in range(repeat):
        start = time.process_time()
        out = fn()
        times.append(time.process_time() - start)
    return float(np.median(times)), out


# --------------------------------------------------------------------------- numba Benettin
def numba_benettin() -> Callable[..., np.ndarray] | None:
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

    run(np.array([1.0, 1.0, 20.0]), 0.01, 100, 10, 1)  # compile outside the timing
    return run


def spectrum_benchmark(quick: bool) -> dict[str, Any]:
    """numba's one long orbit against chaoskit's batched segments, both RK4 with h = 0.01."""
    from chaoskit_systems.dynamics import FlowMap, TorchDynamics

    lorenz = chaoskit.systems.create("lorenz")
    x0 = np.array(lorenz.metadata.initial_state)
    target = 0.003 * LAMBDA1
    rows: dict[str, Any] = {}
    run = numba_benettin()
    if run is not None:
        steps, blocks = (200_000, 20) if quick else (2_000_000, 100)  # blocks of 100/200 time units
        t_nb, blocks_out = cpu(lambda: run(x0, 0.01, steps, 2000, blocks))
        lam = blocks_out.mean(axis=0)
        se = blocks_out[:, 0].std(ddof=1) / np.sqrt(blocks)
        t_1e5, one = cpu(lambda: run(x0, 0.01, 100_000, 2000, 1), repeat=3)
        rows["numba"] = dict(cpu=t_nb, steps=steps, spectrum=lam, se=se,
                             cpu_to_target=t_nb * (se / target) ** 2, cpu_1e5=t_1e5,
                             lam_1e5=one[0])
    # one step = 0.05 time units in 5 RK4 substeps of 0.01 (numba's h); QR every 2 steps;
    # per member 10 time units of orbit transient (spreads copies of x0), 3 of tangent transient,
    # then 35 counted, averaged with the parabolic window (least-squares slope)
    dyn = TorchDynamics(lorenz, 0.05, max_step=0.01)
    members = 48 if quick else 160
    setup = {"members": members, "steps": 700, "transient": 200, "tangent_transient": 60, "qr_every": 2}
    for label, extra in (("difference, parabolic", {"tangent": "difference"}),
                         ("variational (analytic Jacobian), parabolic", {"tangent": "jvp"}),
                         ("difference, uniform window", {"tangent": "difference", "window": "uniform"})):
        metric = chaoskit.metrics.create("lyapunov_spectrum", **setup, **extra)
        t_ck, out = cpu(functools.partial(metric.estimate, dyn, initial_states=x0), repeat=3)
        se = out["uncertainty"].values
        rows[label] = dict(cpu=t_ck, spectrum=out.values, se=se, members=members,
                           cpu_to_target=t_ck * (se[0] / target) ** 2)
    # cost of one step of 320 members, 3 tangent columns, by each tangent path
    states = lorenz.trajectory(320, dt=0.37, transient=20.0, method="rk4", seed=0)["state"].values[0]
    forward_ad = FlowMap(lorenz._rhs, 3, 0.05, max_step=0.01)  # no analytic Jacobian: torch.func.jvp
    short = {"steps": 20, "transient": 0, "tangent_transient": 0}
    per_step = {}
    for label, dynamics, tangent in (("difference", dyn, "difference"), ("variational", dyn, "jvp"),
                                     ("torch.func.jvp", forward_ad, "jvp")):
        metric = chaoskit.metrics.create("lyapunov_spectrum", tangent=tangent, **short)
        metric.estimate(dynamics, initial_states=states)  # the first torch.func call pays a set-up
        t, _ = cpu(functools.partial(metric.estimate, dynamics, initial_states=states))
        per_step[label] = t / short["steps"]
    rows["per_step"] = per_step
    return rows


# --------------------------------------------------------------------------- data-driven
def lorenz_points(n: int = 10_000, dt: float = 0.05) -> tuple[np.ndarray, float]:
    lorenz = chaoskit.systems.create("lorenz")
    ds = lorenz.trajectory(n, dt=dt, transient=30.0, method="rk4", seed=0)
    return ds["state"].values[0], dt


def load_nolds() -> Any:
    spec = importlib.util.find_spec("nolds")
    if spec is None or spec.submodule_search_locations is None:
        return None
    path = Path(next(iter(spec.submodule_search_locations))) / "measures.py"
    module_spec = importlib.util.spec_from_file_location("nolds_measures", path)
    module = importlib.util.module_from_spec(module_spec)  # type: ignore[arg-type]
    module_spec.loader.exec_module(module)  # type: ignore[union-attr]
    return module


def dimension_benchmark(points: np.ndarray, dt: float, quick: bool) -> dict[str, Any]:
    ds = chaoskit.make_dataset(points[None], time=np.arange(len(points)) * dt,
                               variables=("x", "y", "z"), attrs={"dt": dt})
    rows: dict[str, Any] = {}
    metric = chaoskit.metrics.create("correlation_dimension")
    t, out = cpu(lambda: metric.estimate(ds), repeat=3)
    rows["chaoskit"] = dict(cpu=t, gp=float(out.item()), takens=float(out["takens"].item()))
    if not quick:
        try:
            from dysts.analysis import gp_dim

            t, d = cpu(lambda: gp_dim(points))
            rows["dysts gp_dim"] = dict(cpu=t, value=float(d))
        except ImportError:
            pass
        nolds = load_nolds()
        if nolds is not None:
            t, d = cpu(lambda: nolds.corr_dim(points[:, 0], emb_dim=3, fit="poly"))
            rows["nolds corr_dim (x, emb_dim 3, lag 1)"] = dict(cpu=t, value=float(d))
    return rows


def lyapunov_data_benchmark(points: np.ndarray, dt: float, quick: bool) -> dict[str, Any]:
    ds = chaoskit.make_dataset(points[None], time=np.arange(len(points)) * dt,
                               variables=("x", "y", "z"), attrs={"dt": dt})
    rows: dict[str, Any] = {}
    t, out = cpu(lambda: chaoskit.metrics.create("max_lyapunov").estimate(ds), repeat=3)
    rows["chaoskit rosenstein (x, y, z)"] = dict(cpu=t, value=float(out.item()))
    embedded = chaoskit.metrics.create("max_lyapunov", variables="x", embedding_dimension=5, lag=2)
    t, out = cpu(lambda: embedded.estimate(ds), repeat=3)
    rows["chaoskit rosenstein (x, m 5, lag 2)"] = dict(cpu=t, value=float(out.item()))
    nolds = load_nolds()
    if nolds is not None and not quick:
        t, lam = cpu(lambda: nolds.lyap_r(points[:, 0], fit="poly"))
        rows["nolds lyap_r (x, defaults)"] = dict(cpu=t, value=float(lam) / dt)
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="smaller runs (smoke test)")
    args = parser.parse_args()
    torch.set_num_threads(1)
    print("1. Lorenz-63 spectrum, target: standard error of λ1 ≤ 0.3 %; RK4 h = 0.01 in both")
    spec = spectrum_benchmark(args.quick)
    nb = spec.get("numba")
    for label in ("difference, parabolic", "variational (analytic Jacobian), parabolic",
                  "difference, uniform window"):
        ck = spec[label]
        ratio = f", {ck['cpu_to_target'] / nb['cpu_to_target']:.1f}× numba" if nb else ""
        print(f"   chaoskit {label}: {ck['members']} members × 35 time units: {ck['cpu']:.2f} s CPU, "
              f"λ = {np.round(ck['spectrum'], 4)}, SE λ1 = {ck['se'][0]:.4f} "
              f"({100 * ck['se'][0] / LAMBDA1:.2f} %); time to SE 0.3 %: {ck['cpu_to_target']:.2f} s{ratio}")
    steps = ", ".join(f"{k} {1e3 * v:.2f} ms" for k, v in spec["per_step"].items())
    print(f"   one step of 320 members with 3 tangent columns: {steps}")
    if nb:
        print(f"   numba     one orbit, {nb['steps']} steps of 0.01: {nb['cpu']:.2f} s CPU, "
              f"λ = {np.round(nb['spectrum'], 4)}, batch-means SE λ1 = {nb['se']:.4f}")
        print(f"   numba     10^5 steps: {nb['cpu_1e5'] * 1e3:.1f} ms CPU (λ1 = {nb['lam_1e5'][0]:.4f}); "
              f"time to SE 0.3 %: {nb['cpu_to_target']:.3f} s")
    else:
        print("   numba not installed: no reference loop")
    points, dt = lorenz_points()
    print("2. correlation dimension of 10,000 Lorenz points (dt 0.05); reference 2.05")
    dims = dimension_benchmark(points, dt, args.quick)
    base = dims["chaoskit"]["cpu"]
    print(f"   chaoskit GP {dims['chaoskit']['gp']:.3f}, Takens {dims['chaoskit']['takens']:.3f}: {base:.2f} s CPU")
    for name, row in dims.items():
        if name != "chaoskit":
            print(f"   {name}: {row['value']:.3f} in {row['cpu']:.2f} s CPU ({row['cpu'] / base:.0f}× chaoskit)")
    print("3. λ1 from 10,000 Lorenz points (dt 0.05), per time unit; reference 0.906")
    lyap = lyapunov_data_benchmark(points, dt, args.quick)
    base = lyap["chaoskit rosenstein (x, y, z)"]["cpu"]
    for name, row in lyap.items():
        print(f"   {name}: {row['value']:.3f} ({100 * (row['value'] / 0.906 - 1):+.1f} %) in "
              f"{row['cpu']:.2f} s CPU ({row['cpu'] / base:.1f}× chaoskit x, y, z)")


if __name__ == "__main__":
    main()
