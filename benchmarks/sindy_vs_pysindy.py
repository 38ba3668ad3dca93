"""SINDy fit time and accuracy, chaoskit against pysindy, on the same data and settings.

Data: Lorenz-63 (σ=10, ρ=28, β=8/3) from (−8, 8, 27), scipy DOP853 at rtol = atol = 1e-12,
sampled at dt = 0.01 (10,000 points unless stated); the noisy set adds 1 % observation noise
(0.01 × each variable's standard deviation, seed 0). Each case builds the same model on both
sides (library, differentiation, optimizer and their parameters); SR3's pysindy weight is
λ = threshold² / (2ν), the same prox threshold. Fit times are the end-to-end ``fit`` calls
(chaoskit: ``SINDy.fit(dataset)`` with its validation; pysindy: ``SINDy.fit(x, t=dt)``),
single-threaded (BLAS and torch), median of ``--repeats`` runs after one warm-up, both in
this process. Accuracy: whether the support is the seven true terms, the largest relative
error of the true coefficients, and the largest difference between the two packages'
coefficients. The forecast case integrates the identified model for 1,000 steps with DOP853
at rtol 1e-9 / atol 1e-12 on both sides (chaoskit: batched torch integrator; pysindy:
``simulate`` with scipy's ``solve_ivp``).

Usage::

    .venv/bin/pip install pysindy==2.1.0
    .venv/bin/python benchmarks/sindy_vs_pysindy.py [--repeats 7]
"""

from __future__ import annotations

import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import argparse
import statistics
import time
import warnings
from collections.abc import Callable
from importlib.metadata import version
from typing import Any

import chaoskit
import numpy as np
import torch
from chaoskit_models import sindy as ck
from scipy.integrate import solve_ivp

DT = 0.01
#: the seven Lorenz-63 terms by variable and term name (both packages name terms alike)
TRUE = {
    "x": {"x": -10.0, "y": 10.0},
    "y": {"x": 28.0, "y": -1.0, "x z": -1.0},
    "z": {"z": -8.0 / 3.0, "x y": 1.0},
}


def _lorenz(t: float, s: np.ndarray) -> list[float]:
    x, y, z = s
    return [10.0 * (y - x), x * (28.0 - z) - y, x * y - 8.0 / 3.0 * z]


def _orbit(n: int) -> np.ndarray:
    t = DT * np.arange(n)
    sol = solve_ivp(
        _lorenz, (0.0, t[-1]), [-8.0, 8.0, 27.0], method="DOP853", rtol=1e-12, atol=1e-12, t_eval=t
    )
    return sol.y.T


def _median_time(fn: Callable[[], Any], repeats: int) -> float:
    fn()  # warm-up
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def _accuracy(coef: np.ndarray, names: list[str]) -> tuple[bool, float]:
    """Whether exactly the seven true terms are non-zero, and their largest relative error."""
    true = np.zeros_like(coef)
    for i, var in enumerate("xyz"):
        for term, value in TRUE[var].items():
            true[i, names.index(term)] = value
    support = bool(np.array_equal(coef != 0, true != 0))
    rel = float(np.max(np.abs(coef[true != 0] / true[true != 0] - 1)))
    return support, rel


def _cases(ps: Any) -> list[tuple[str, str, dict[str, Any], dict[str, Any]]]:
    """(name, data, chaoskit SINDy kwargs, pysindy SINDy kwargs)."""
    lam = 0.5**2 / 2
    return [
        ("defaults: poly 2, FD 2, STLSQ(0.1, α 0.05)", "clean", {}, {}),
        (
            "FD order 4 (quality target)",
            "clean",
            {"differentiation": ck.FiniteDifference(order=4)},
            {"differentiation_method": ps.FiniteDifference(order=4)},
        ),
        (
            "1 % noise, smoothed FD (savgol 11/3)",
            "noisy",
            {"differentiation": ck.SmoothedFiniteDifference()},
            {"differentiation_method": ps.SmoothedFiniteDifference()},
        ),
        (
            "STLSQ normalize_columns, threshold 1000, FD 4",
            "clean",
            {
                "differentiation": ck.FiniteDifference(order=4),
                "optimizer": ck.STLSQ(threshold=1000.0, normalize_columns=True),
            },
            {
                "differentiation_method": ps.FiniteDifference(order=4),
                "optimizer": ps.STLSQ(threshold=1000.0, normalize_columns=True),
            },
        ),
        (
            "SR3 L0, threshold 0.5, ν 1",
            "clean",
            {"optimizer": ck.SR3(threshold=0.5)},
            {"optimizer": ps.SR3(reg_weight_lam=lam, relax_coeff_nu=1.0)},
        ),
        (
            "ensemble: 20 bagged models, median",
            "noisy",
            {
                "differentiation": ck.SmoothedFiniteDifference(),
                "ensemble": ck.Ensemble(),
                "seed": 0,
            },
            {
                "differentiation_method": ps.SmoothedFiniteDifference(),
                "optimizer": ps.EnsembleOptimizer(ps.STLSQ(), bagging=True, n_models=20),
            },
        ),
        (
            "poly 4 (35 terms), 100,000 points",
            "long",
            {"library": ck.PolynomialLibrary(degree=4)},
            {"feature_library": ps.PolynomialLibrary(degree=4)},
        ),
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=7)
    args = parser.parse_args()
    import pysindy as ps

    torch.set_num_threads(1)
    clean = _orbit(100_000)
    noisy = clean[:10_000] + 0.01 * clean[:10_000].std(axis=0) * np.random.default_rng(
        0
    ).standard_normal((10_000, 3))
    arrays = {"clean": clean[:10_000], "noisy": noisy, "long": clean}
    datasets = {
        k: chaoskit.make_dataset(
            v[None], time=DT * np.arange(len(v)), variables=["x", "y", "z"], attrs={"dt": DT}
        )
        for k, v in arrays.items()
    }
    print(
        f"pysindy {version('pysindy')}, chaoskit-models {version('chaoskit-models')}, "
        f"numpy {np.__version__}, torch {torch.__version__}; "
        f"median of {args.repeats} runs, one thread\n"
    )
    print(
        "| case | chaoskit fit ms | pysindy fit ms | pysindy / chaoskit | support (ck / ps) "
        "| max rel. error (ck / ps) | max abs. Δ coef |"
    )
    print("|---|---|---|---|---|---|---|")
    fitted: dict[str, Any] = {}
    for name, data, ck_kwargs, ps_kwargs in _cases(ps):
        x, ds = arrays[data], datasets[data]
        ours = ck.SINDy(**ck_kwargs)
        theirs = ps.SINDy(**ps_kwargs)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            t_ck = _median_time(lambda o=ours, d=ds: o.fit(d), args.repeats)
            t_ps = _median_time(
                lambda m=theirs, v=x: m.fit(v, t=DT, feature_names=["x", "y", "z"]), args.repeats
            )
        c_ck, c_ps = ours.coefficients.values, np.asarray(theirs.coefficients())
        names = ours.feature_names
        assert names == theirs.get_feature_names(), (names, theirs.get_feature_names())
        (s_ck, e_ck), (s_ps, e_ps) = _accuracy(c_ck, names), _accuracy(c_ps, names)
        delta = float(np.abs(c_ck - c_ps).max())
        print(
            f"| {name} | {1e3 * t_ck:.2f} | {1e3 * t_ps:.2f} | {t_ps / t_ck:.1f}× "
            f"| {s_ck} / {s_ps} "
            f"| {e_ck:.2e} / {e_ps:.2e} | {delta:.1e} |"
        )
        fitted[name] = (ours, theirs)

    # forecast: 1,000 steps of the FD-4 model from the last training point, DOP853 1e-9 / 1e-12
    ours, theirs = fitted["FD order 4 (quality target)"]
    ours = chaoskit.models.create(
        "sindy", **{**ours.hyperparameters(), "integrator": "dop853", "rtol": 1e-9, "atol": 1e-12}
    ).fit(datasets["clean"])
    context = datasets["clean"].isel(time=slice(9_990, 10_000))
    steps = 1_000
    truth = _orbit(11_000)[10_000:11_000]
    t_ck = _median_time(lambda: ours.forecast(context, steps), max(1, args.repeats // 2))
    t_grid = DT * np.arange(steps + 1)
    kws = {"method": "DOP853", "rtol": 1e-9, "atol": 1e-12}
    t_ps = _median_time(lambda: theirs.simulate(arrays["clean"][-1], t_grid, integrator_kws=kws), 1)
    f_ck = ours.forecast(context, steps)["state"].values[0]
    f_ps = theirs.simulate(arrays["clean"][-1], t_grid, integrator_kws=kws)[1:]
    horizon = 100  # 1 time unit ≈ 0.9 Lyapunov times
    print(
        f"\nforecast {steps} steps (DOP853, rtol 1e-9): chaoskit {1e3 * t_ck:.0f} ms, "
        f"pysindy simulate {1e3 * t_ps:.0f} ms ({t_ps / t_ck:.1f}×); "
        f"max error vs truth over the first {horizon} steps: "
        f"chaoskit {np.abs(f_ck[:horizon] - truth[:horizon]).max():.2e}, "
        f"pysindy {np.abs(f_ps[:horizon] - truth[:horizon]).max():.2e}; "
        f"chaoskit − pysindy {np.abs(f_ck[:horizon] - f_ps[:horizon]).max():.1e}"
    )


if __name__ == "__main__":
    main()
