"""Why NG-RC trains with input noise by default (docs/models.md, "NG-RC").

Gauthier et al.'s Lorenz-63 setting (dt = 0.025, 400 training points after 5 time units, 2
taps, stride 1, quadratic, ridge 2.5e-6) fit by chaoskit's ``ngrc`` to two versions of the same
trajectory from the paper's initial condition: scipy's RK23 at its default tolerances (the
paper's data) and DOP853 at rtol = atol = 1e-11 (accurate). For each fit: the largest modulus
of the step Jacobian's eigenvalues at the first training point, and the median valid
prediction time (Pathak threshold 0.4, Lyapunov time 1/0.906) of forecasts from 10 later
points of the same trajectory (400 steps each). ``training_noise=0`` is the paper's recipe.

    .venv/bin/python benchmarks/ngrc_training_noise.py
"""

from __future__ import annotations

import chaoskit
import numpy as np
import xarray as xr
from scipy.integrate import solve_ivp

DT, WARMUP, TRAIN, STEPS = 0.025, 200, 402, 400
X0 = (17.67715816276679, 12.931379185960404, 43.91404334248268)  # the paper's initial condition


def lorenz(method: str, n: int) -> np.ndarray:
    def rhs(t: float, s: np.ndarray) -> list[float]:
        x, y, z = s
        return [10.0 * (y - x), x * (28.0 - z) - y, x * y - 8.0 / 3.0 * z]

    tol = {} if method == "RK23" else {"rtol": 1e-11, "atol": 1e-11}
    t = DT * np.arange(n)
    return solve_ivp(rhs, (0.0, t[-1]), X0, t_eval=t, method=method, **tol).y.T


def dataset(values: np.ndarray) -> xr.Dataset:
    return chaoskit.make_dataset(values, time=DT * np.arange(values.shape[1]), variables=["x", "y", "z"],
                                 attrs={"dt": DT, "lyapunov_time": 1 / 0.906})


def main() -> None:
    starts = WARMUP + TRAIN + 100 + 450 * np.arange(10)
    vpt = chaoskit.metrics.create("vpt")
    print("| data | ridge | training_noise | largest |eigenvalue| of the step Jacobian | median VPT |")
    print("|---|---|---|---|---|")
    for method, label in (("RK23", "RK23, default tolerances (the paper's)"), ("DOP853", "DOP853, 1e-11")):
        values = lorenz(method, int(starts[-1]) + STEPS + 1)
        train = dataset(values[None, WARMUP: WARMUP + TRAIN])
        context = dataset(np.stack([values[s - 2: s + 1] for s in starts]))
        truth = dataset(np.stack([values[s + 1: s + 1 + STEPS] for s in starts]))
        truth = truth.assign_coords(time=context.time.values[-1] + DT * (1 + np.arange(STEPS)))
        for ridge, noise in ((2.5e-6, 0.0), (1e-4, 0.0), (1e-2, 0.0), (2.5e-6, 1e-4), (2.5e-6, 1e-3)):
            model = chaoskit.models.create("ngrc", ridge=ridge, training_noise=noise, seed=0).fit(train)
            dyn = model.dynamics()
            point = values[WARMUP + 1: WARMUP - 1: -1].reshape(-1)  # [x_1, x_0]
            largest = np.abs(np.linalg.eigvals(dyn.jacobian(point[None])[0])).max()
            with np.errstate(all="ignore"):
                forecast = model.forecast(context, STEPS)
            score = float(np.median(vpt(truth, forecast).values))
            print(f"| {label} | {ridge:g} | {noise:g} | {largest:.2f} | {score:.2f} |")


if __name__ == "__main__":
    main()
