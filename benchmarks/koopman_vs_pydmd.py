"""chaoskit's Koopman models side by side with pydmd: fit time and eigenvalue accuracy.

Four cases, each on the same data for both packages, timings single-threaded (BLAS and torch
limited to one thread), medians of ``--repeats`` fits in one process (CPU time):

1. exact DMD of a linear map (6×6, random basis; data from its exact powers): eigenvalue error;
2. exact DMD of a field: 4,096 grid points × 1,000 snapshots of four damped travelling waves
   (eight known eigenvalues) plus 1e-3 white noise, rank by the optimal hard threshold in both;
3. Hankel DMD of a sum of three sinusoids (20,000 samples, 50 delays): frequency error;
4. HAVOK of Lorenz-63's x (dt 0.001, 100 delays, rank 11, 100 time units): fit time and the
   agreement of the two linear matrices A (up to the signs of the singular vectors).

Usage::

    .venv/bin/python benchmarks/koopman_vs_pydmd.py [--repeats 5]
"""

from __future__ import annotations

import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_var] = "1"

import argparse
import warnings
from importlib.metadata import version
from typing import Any

import chaoskit
import numpy as np
import torch
from chaoskit_models.koopman import DMD, HAVOK, HankelDMD, exact_dmd
from scipy.integrate import solve_ivp
from timing import cpu  # this script's folder


def match_error(found: np.ndarray, expected: np.ndarray) -> float:
    """Largest distance from an expected eigenvalue to the nearest found one."""
    return float(np.abs(np.asarray(found)[:, None] - expected[None, :]).min(axis=0).max())


def dataset(values: np.ndarray, dt: float, names: list[str]) -> Any:
    t = dt * np.arange(values.shape[1])
    return chaoskit.make_dataset(values, time=t, variables=names, attrs={"dt": dt})


def case_linear(repeats: int) -> dict[str, Any]:
    from pydmd import DMD as PyDMD

    rng = np.random.default_rng(0)
    lam = np.array(
        [
            0.95 * np.exp(0.3j),
            0.95 * np.exp(-0.3j),
            0.7,
            0.6 * np.exp(1.1j),
            0.6 * np.exp(-1.1j),
            -0.4,
        ]
    )
    blocks = np.zeros((6, 6))
    for i, (r, a) in enumerate([(0.95, 0.3), (0.6, 1.1)]):
        j = 3 * i
        blocks[j : j + 2, j : j + 2] = r * np.array(
            [[np.cos(a), -np.sin(a)], [np.sin(a), np.cos(a)]]
        )
    blocks[2, 2], blocks[5, 5] = 0.7, -0.4
    p = rng.standard_normal((6, 6))
    m = p @ blocks @ np.linalg.inv(p)
    x = [rng.standard_normal(6)]
    for _ in range(59):
        x.append(m @ x[-1])
    snaps = np.array(x).T
    ours_t, ours = cpu(lambda: exact_dmd(snaps[:, :-1], snaps[:, 1:], "full"), repeats)
    peer_t, peer = cpu(lambda: PyDMD(svd_rank=-1, exact=True).fit(snaps), repeats)
    return {
        "case": "exact DMD, 6x6 linear map, 60 snapshots",
        "chaoskit_s": ours_t,
        "pydmd_s": peer_t,
        "chaoskit_err": match_error(ours.eigenvalues, lam),
        "pydmd_err": match_error(peer.eigs, lam),
        "chaoskit_rank": ours.rank,
        "pydmd_rank": len(peer.eigs),
    }


def case_field(repeats: int) -> dict[str, Any]:
    from pydmd import DMD as PyDMD

    rng = np.random.default_rng(1)
    n, m, dt = 4096, 1000, 0.01
    x = np.linspace(0, 2 * np.pi, n, endpoint=False)
    t = dt * np.arange(m)
    omegas = np.array([-0.1 + 3j, -0.05 + 7j, -0.2 + 11j, -0.02 + 17j])
    field = np.zeros((n, m))
    for k, w in enumerate(omegas, start=1):
        field += np.real(np.exp(1j * k * x)[:, None] * np.exp(w * t)[None, :] * (1 + 0.5j))
    field += 1e-3 * rng.standard_normal(field.shape)
    lam = np.exp(np.concatenate([omegas, omegas.conj()]) * dt)
    ds = chaoskit.make_dataset(
        field.T[None, :, :, None], time=t, variables=["u"], space={"x": x}, attrs={"dt": dt}
    )
    ours_t, ours = cpu(lambda: DMD().fit(ds), repeats)
    func_t, _ = cpu(lambda: exact_dmd(field[:, :-1], field[:, 1:], None, dt=dt), repeats)
    peer_t, peer = cpu(lambda: PyDMD(svd_rank=0, exact=True).fit(field), repeats)
    return {
        "case": "exact DMD, 4,096 x 1,000 field, optimal hard threshold",
        "chaoskit_s": ours_t,
        "chaoskit_functional_s": func_t,
        "pydmd_s": peer_t,
        "chaoskit_err": match_error(ours.result.eigenvalues, lam),
        "pydmd_err": match_error(peer.eigs, lam),
        "chaoskit_rank": ours.result.rank,
        "pydmd_rank": len(peer.eigs),
    }


def case_hankel(repeats: int) -> dict[str, Any]:
    from pydmd import DMD as PyDMD
    from pydmd import HankelDMD as PyHankel

    dt, w = 0.01, np.array([1.0, 2.7, 4.1])
    t = dt * np.arange(20_000)
    s = np.sin(w[0] * t) + 0.5 * np.sin(w[1] * t + 0.3) + 0.3 * np.cos(w[2] * t)
    ds = dataset(s[None, :, None], dt, ["s"])
    ours_t, ours = cpu(lambda: HankelDMD(delays=50).fit(ds), repeats)
    peer_t, peer = cpu(lambda: PyHankel(svd_rank=0, exact=True, d=50).fit(s[None]), repeats)
    ours_w = np.sort(np.abs(2 * np.pi * ours.eigenvalues["frequency"].values))
    peer_w = np.sort(np.abs(np.log(peer.eigs).imag / dt))
    del PyDMD
    return {
        "case": "Hankel DMD, 3 sinusoids, 20,000 samples, 50 delays",
        "chaoskit_s": ours_t,
        "pydmd_s": peer_t,
        "chaoskit_err": match_error(ours_w, w),
        "pydmd_err": match_error(peer_w, w),
        "chaoskit_rank": ours_w.size,
        "pydmd_rank": peer_w.size,
    }


def case_havok(repeats: int) -> dict[str, Any]:
    from pydmd import HAVOK as PyHAVOK

    dt = 0.001
    t = dt * np.arange(100_000)

    def lorenz(_: float, s: np.ndarray) -> list[float]:
        return [10 * (s[1] - s[0]), s[0] * (28 - s[2]) - s[1], s[0] * s[1] - 8 / 3 * s[2]]

    sol = solve_ivp(
        lorenz, (0, t[-1]), [-8, 8, 27], method="DOP853", rtol=1e-10, atol=1e-10, t_eval=t
    )
    ds = dataset(sol.y.T[None], dt, ["x", "y", "z"])
    ours_t, ours = cpu(lambda: HAVOK(delays=100, rank=11).fit(ds), repeats)
    peer_t, peer = cpu(lambda: PyHAVOK(svd_rank=11, delays=100).fit(sol.y[0], dt), repeats)
    a_ours = np.abs(ours.linear_model[0])
    a_peer = np.abs(np.asarray(peer.A))
    return {
        "case": "HAVOK, Lorenz x, 100,000 samples, 100 delays, r = 11",
        "chaoskit_s": ours_t,
        "pydmd_s": peer_t,
        "A_relative_difference": float(np.linalg.norm(a_ours - a_peer) / np.linalg.norm(a_ours)),
        "chaoskit_A01_A12": (float(a_ours[0, 1]), float(a_ours[1, 2])),
        "pydmd_A01_A12": (float(a_peer[0, 1]), float(a_peer[1, 2])),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    torch.set_num_threads(1)
    warnings.simplefilter("ignore")
    print(
        f"chaoskit-models Koopman vs pydmd {version('pydmd')} (torch {torch.__version__}, numpy {np.__version__})"
    )
    for case in (case_linear, case_field, case_hankel, case_havok):
        row = case(args.repeats)
        print(f"\n{row.pop('case')}")
        ratio = row["pydmd_s"] / row["chaoskit_s"]
        for key, value in row.items():
            print(
                f"  {key:24s} {value:.3e}" if isinstance(value, float) else f"  {key:24s} {value}"
            )
        print(f"  pydmd / chaoskit time     {ratio:.2f}x")


if __name__ == "__main__":
    main()
