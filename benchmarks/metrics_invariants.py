"""Dynamical-invariant metrics side by side with their peers, on one CPU thread.

    .venv/bin/python benchmarks/metrics_invariants.py            # the three comparisons
    .venv/bin/python benchmarks/metrics_invariants.py --quick    # smaller runs, a smoke test

1. Lorenz-63 spectrum to 0.3 % (standard error of λ1 ≤ 0.3 % of 0.906): chaoskit's batched
   tangent-space QR, eager and compiled, against a hand-written numba Benettin loop; see
   ``metrics_lyapunov_speed.py`` (which runs this part alone).
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
import importlib.util
from pathlib import Path
from typing import Any

import chaoskit
import numpy as np
import torch
from metrics_lyapunov_speed import print_spectrum, spectrum_benchmark  # this script's folder
from timing import cpu

D2 = 2.05  # Grassberger & Procaccia 1983


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
    rows["chaoskit"] = {"cpu": t, "gp": float(out.item()), "takens": float(out["takens"].item())}
    if not quick:
        try:
            from dysts.analysis import gp_dim

            t, d = cpu(lambda: gp_dim(points))
            rows["dysts gp_dim"] = {"cpu": t, "value": float(d)}
        except ImportError:
            pass
        nolds = load_nolds()
        if nolds is not None:
            t, d = cpu(lambda: nolds.corr_dim(points[:, 0], emb_dim=3, fit="poly"))
            rows["nolds corr_dim (x, emb_dim 3, lag 1)"] = {"cpu": t, "value": float(d)}
    return rows


def lyapunov_data_benchmark(points: np.ndarray, dt: float, quick: bool) -> dict[str, Any]:
    ds = chaoskit.make_dataset(points[None], time=np.arange(len(points)) * dt,
                               variables=("x", "y", "z"), attrs={"dt": dt})
    rows: dict[str, Any] = {}
    t, out = cpu(lambda: chaoskit.metrics.create("max_lyapunov").estimate(ds), repeat=3)
    rows["chaoskit rosenstein (x, y, z)"] = {"cpu": t, "value": float(out.item())}
    embedded = chaoskit.metrics.create("max_lyapunov", variables="x", embedding_dimension=5, lag=2)
    t, out = cpu(lambda: embedded.estimate(ds), repeat=3)
    rows["chaoskit rosenstein (x, m 5, lag 2)"] = {"cpu": t, "value": float(out.item())}
    nolds = load_nolds()
    if nolds is not None and not quick:
        t, lam = cpu(lambda: nolds.lyap_r(points[:, 0], fit="poly"))
        rows["nolds lyap_r (x, defaults)"] = {"cpu": t, "value": float(lam) / dt}
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="smaller runs (smoke test)")
    args = parser.parse_args()
    torch.set_num_threads(1)
    print("1. Lorenz-63 spectrum, target: standard error of λ1 ≤ 0.3 %; RK4 h = 0.01 in both")
    print_spectrum(spectrum_benchmark(args.quick))
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
