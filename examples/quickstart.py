"""Quickstart: simulate Lorenz-63, fit an echo state network, forecast, score, plot.

Run with `make demo` (or `.venv/bin/python examples/quickstart.py`). Everything is looked up
by name through the registries, so any installed plugin's systems, models and metrics can be
swapped in. Writes results/quickstart_forecast.png.
"""

from __future__ import annotations

import time
from pathlib import Path

import chaoskit
from chaoskit.report import format_table, plot_forecast

RESULTS = Path("results")


def main() -> None:
    lorenz = chaoskit.systems.create("lorenz")
    start = time.perf_counter()
    train = lorenz.trajectory(10_000, dt=0.01, transient=20.0, seed=0)
    # Four independent test trajectories: 500 points of context, then 1,000 points to forecast.
    test = lorenz.trajectory(1_500, dt=0.01, members=4, transient=20.0, seed=1)
    context, truth = test.chaos.split(500)
    simulated = time.perf_counter() - start

    start = time.perf_counter()
    esn = chaoskit.models.create("esn", seed=0).fit(train)
    fitted = time.perf_counter() - start
    forecast = esn.forecast(context, steps=truth.sizes["time"])

    scores = {name: chaoskit.metrics.create(name)(truth, forecast) for name in ("rmse", "vpt")}
    rows = [
        (member, float(scores["rmse"].values[member]), float(scores["vpt"].values[member]))
        for member in range(truth.sizes["member"])
    ]
    print(f"Lorenz-63: simulated in {simulated:.1f} s; ESN ({esn.units} units) fitted in {fitted:.1f} s")
    print(format_table(rows, ("member", "rmse", "vpt [Lyapunov times]")))
    print(f"valid prediction time: {scores['vpt'].attrs['definition']}")
    figure = plot_forecast(truth, forecast, RESULTS / "quickstart_forecast.png", context=context,
                           title="Lorenz-63: echo state network forecast")
    print(f"figure: {figure}")


if __name__ == "__main__":
    main()
