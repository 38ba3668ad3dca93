"""Data and evaluation shared by the DSR benchmarks (dsr_lorenz.py, neural_ode_lorenz.py).

Lorenz-63 at dt = 0.01 integrated with scipy's DOP853 (rtol = atol = 1e-10); the DSR protocol of
Hess et al. (2023): a free run of 1.25·T from the first test point, the first 0.25·T dropped,
D_stsp (binned) and D_H against the T test points, and the Lyapunov spectrum of the model's map.
"""

from __future__ import annotations

import time
from typing import Any

import chaoskit
import numpy as np
from scipy.integrate import solve_ivp

DT = 0.01
N_TRAIN = N_TEST = 100_000
LORENZ_SPECTRUM = (0.906, 0.0, -14.572)  # REFERENCES §1


def lorenz(n: int, x0: tuple[float, float, float], transient: float = 50.0) -> np.ndarray:
    """``n`` points of Lorenz-63 at dt = 0.01 (DOP853, rtol = atol = 1e-10) after a transient."""

    def rhs(t: float, s: np.ndarray) -> list[float]:
        x, y, z = s
        return [10.0 * (y - x), x * (28.0 - z) - y, x * y - 8.0 / 3.0 * z]

    t = transient + DT * np.arange(n)
    sol = solve_ivp(rhs, (0.0, t[-1]), list(x0), method="DOP853", rtol=1e-10, atol=1e-10, t_eval=t)
    return sol.y.T


def train_test() -> tuple[np.ndarray, np.ndarray]:
    """The training and the independent test trajectory of the DSR benchmarks (10⁵ points each)."""
    return lorenz(N_TRAIN, (1.0, 1.0, 1.0)), lorenz(N_TEST, (-5.0, 3.0, 20.0), transient=80.0)


def free_run(model: Any, test: np.ndarray) -> np.ndarray:
    """The model's free run of the protocol: 1.25·T steps from the first test point, the last T kept."""
    n = len(test)
    return model.forecast(dataset(test[:1]), int(1.25 * n) - 1)["state"].values[0][-n:]


def dataset(values: np.ndarray) -> Any:
    return chaoskit.make_dataset(
        values[None], time=DT * np.arange(len(values)), variables=["x", "y", "z"],
        attrs={"dt": DT, "system": "lorenz63"},
    )


def evaluate(model: Any, test: np.ndarray) -> dict[str, Any]:
    """D_stsp, D_H of the free run (1.25·T from the first test point, 0.25·T dropped), spectrum."""
    t0 = time.perf_counter()
    generated = free_run(model, test)
    gen_time = time.perf_counter() - t0
    truth_ds, gen_ds = dataset(test), dataset(generated)
    finite = bool(np.isfinite(generated).all())
    out: dict[str, Any] = {"generate_s": round(gen_time, 1), "finite": finite}
    if finite:
        out["dstsp"] = float(chaoskit.metrics.create("dstsp_binned")(truth_ds, gen_ds).values.ravel()[0])
        out["dh"] = float(chaoskit.metrics.create("dh")(truth_ds, gen_ds).values.ravel()[0])
    dyn = model.dynamics()
    spectrum = chaoskit.metrics.create(
        "lyapunov_spectrum", steps=20_000, transient=2_000, tangent_transient=2_000, members=8, qr_every=5,
    ).estimate(dyn, initial_states=dyn.initial_state)
    out["lyapunov"] = [round(float(v), 3) for v in spectrum.values]
    out["generated"] = generated
    return out


def regions(model: Any, test: np.ndarray, steps: int | None = None, keep: int | None = None) -> dict[str, Any]:
    """The linear subregions the AL-RNN's free run visits, and their occupancy: the last ``keep``
    of ``steps`` states from the first test point (default: as in :func:`evaluate`)."""
    from chaoskit_models.dsr.symbolic import symbolic_encoding

    steps = int(1.25 * len(test)) if steps is None else steps
    keep = len(test) if keep is None else keep
    latent = model.latent_trajectory(dataset(test[:1]), steps - 1).values
    encoding = symbolic_encoding(latent[:, -keep:], model.pwl_units)
    return {"n_regions": int(encoding["n_regions"]),
            "occupancy": [round(float(v), 4) for v in encoding["occupancy"].values]}
