"""Bifurcation diagrams from one batched call each: the logistic map and the Rössler flow.

A parameter sweep is ``system.trajectory(n, parameters={"r": values})``: member ``k`` is
simulated with ``values[k]``, all members at once, and the dataset carries the swept value as a
``member`` coordinate (``ds.r``). Run with ``.venv/bin/python examples/bifurcation_sweep.py``;
writes results/bifurcation_sweep.png.
"""

from __future__ import annotations

import time
from pathlib import Path

import chaoskit
import matplotlib
import numpy as np

matplotlib.use("Agg")
import matplotlib.pyplot as plt

RESULTS = Path("results")


def logistic_diagram(ax: plt.Axes) -> None:
    logistic = chaoskit.systems.create("logistic")
    r = np.linspace(2.5, 4.0, 1500)
    start = time.perf_counter()
    ds = logistic.trajectory(200, parameters={"r": r}, initial_state=[0.3], transient=1000)
    print(f"logistic map: {r.size} values of r × 1,200 iterations in {time.perf_counter() - start:.2f} s")
    x = ds["state"].sel(variable="x")  # (member, time)
    ax.plot(np.repeat(ds["r"].values, x.sizes["time"]), x.values.ravel(), ",k", alpha=0.25)
    for point, label in ((3.0, "r = 3"), (1 + np.sqrt(6), "r = 1 + √6")):
        ax.axvline(point, color="tab:red", lw=0.6, ls="--")
        ax.annotate(label, (point, 0.02), color="tab:red", fontsize=8, ha="right", rotation=90)
    ax.set(xlabel="r", ylabel="x (after 1,000 iterations)", title="Logistic map")


def rossler_diagram(ax: plt.Axes) -> None:
    rossler = chaoskit.systems.create("rossler")
    c = np.linspace(2.0, 6.0, 400)
    start = time.perf_counter()
    ds = rossler.trajectory(
        4000, dt=0.05, parameters={"c": c}, initial_state=[1.0, 1.0, 0.0], transient=300.0,
        method="rk4",  # fixed step 0.025: the diagram needs no adaptive accuracy
    )
    print(f"Rössler flow: {c.size} values of c × 500 time units (RK4) in {time.perf_counter() - start:.2f} s")
    x = ds["state"].sel(variable="x").values  # (member, time)
    peak = (x[:, 1:-1] > x[:, :-2]) & (x[:, 1:-1] >= x[:, 2:])  # local maxima of x(t)
    member, when = np.nonzero(peak)
    ax.plot(c[member], x[:, 1:-1][member, when], ",k", alpha=0.4)
    ax.set(xlabel="c", ylabel="local maxima of x", title="Rössler flow (a = b = 0.2)")


def main() -> None:
    RESULTS.mkdir(exist_ok=True)
    fig, axes = plt.subplots(1, 2, figsize=(11, 4.2), constrained_layout=True)
    logistic_diagram(axes[0])
    rossler_diagram(axes[1])
    out = RESULTS / "bifurcation_sweep.png"
    fig.savefig(out, dpi=150)
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
