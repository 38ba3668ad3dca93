"""chaoskit's NG-RC against reservoirpy's NVAR + Ridge on Gauthier et al.'s Lorenz-63 setting.

Both fit the same 400 training points (dt = 0.025, delays 2, stride 1, quadratic monomials,
ridge 2.5e-6, the increment x_{t+1} − x_t as target, training inputs with the same Gaussian
noise of 1e-4 standard deviations added — without it both diverge on accurate data, see
docs/models.md), then forecast 400 steps in closed loop from 10 test contexts. Reported: fit
and forecast wall times (median of 5 repeats, one thread) and the median VPT (Pathak threshold
0.4), with chaoskit's time ratios. reservoirpy runs the closed loop one member at a time (its
nodes step one state); chaoskit steps all members at once.

    .venv/bin/python benchmarks/ngrc_vs_reservoirpy.py
"""

from __future__ import annotations

import chaoskit
import numpy as np
import torch
from timing import wall

DT, STEPS, REPEATS = 0.025, 400, 5


def main() -> None:
    import reservoirpy
    from reservoirpy.nodes import NVAR, Ridge

    torch.set_num_threads(1)
    lorenz = chaoskit.systems.create("lorenz")
    train = lorenz.trajectory(402, dt=DT, transient=20.0, seed=0)
    test = lorenz.trajectory(200 + STEPS, dt=DT, members=10, transient=20.0, seed=1)
    context, truth = test.chaos.split(200)
    vpt = chaoskit.metrics.create("vpt")

    model = chaoskit.models.create("ngrc", seed=0)
    fit_s, fitted = wall(lambda: model.fit(train), REPEATS)
    fc_s, forecast = wall(lambda: fitted.forecast(context, STEPS), REPEATS)
    ours = float(np.median(vpt(truth, forecast).values))

    x = train["state"].values[0]
    rng = np.random.default_rng([0, 2])  # the same draw as chaoskit's fit with seed 0
    noisy = x + 1e-4 * x.std(axis=0) * rng.standard_normal(x.shape)

    def rpy_fit():
        nvar, readout = NVAR(delay=2, order=2, strides=1), Ridge(ridge=2.5e-6)
        features = nvar.run(noisy[:-1])[1:]  # the first row lacks its delayed tap
        readout.fit(features, x[2:] - noisy[1:-1])
        return nvar, readout

    rpy_fit_s, (nvar, readout) = wall(rpy_fit, REPEATS)

    def rpy_forecast():
        out = np.empty((context.sizes["member"], STEPS, 3))
        for m, series in enumerate(context["state"].values):
            nvar.reset()
            nvar.run(series[:-1])
            last = series[-1]
            for k in range(STEPS):
                last = last + readout.run(nvar.run(last[None]))[0]
                out[m, k] = last
        return out

    rpy_fc_s, rpy_values = wall(rpy_forecast, REPEATS)
    rpy_forecast_ds = forecast.copy(data={"state": forecast["state"].copy(data=rpy_values)})
    theirs = float(np.median(vpt(truth, rpy_forecast_ds).values))

    print("| | fit (400 points) | forecast (10 members × 400 steps) | median VPT (Lyapunov times) |")
    print("|---|---|---|---|")
    print(f"| chaoskit `ngrc` | {1e3 * fit_s:.1f} ms | {1e3 * fc_s:.1f} ms | {ours:.2f} |")
    print(f"| reservoirpy {reservoirpy.__version__} NVAR + Ridge | {1e3 * rpy_fit_s:.1f} ms | "
          f"{1e3 * rpy_fc_s:.1f} ms | {theirs:.2f} |")
    print(f"| ratio (reservoirpy / chaoskit) | {rpy_fit_s / fit_s:.1f}× | {rpy_fc_s / fc_s:.1f}× | |")


if __name__ == "__main__":
    main()
