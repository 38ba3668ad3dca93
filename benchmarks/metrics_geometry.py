"""Geometry and complexity metrics of chaoskit-metrics, timed beside the peers a user would pick.

Run: ``.venv/bin/python benchmarks/metrics_geometry.py [--repeats 3] [--long 100000]``.
Single thread (BLAS/FFT/torch limited to one); the median CPU time of ``--repeats`` runs in one
process (robust on a shared machine), with the ratio peer time / chaoskit time and both values,
so a fast wrong answer shows. Peers are used where installed (``make bench`` installs them): ordpy, antropy and peccary for ordinal
patterns and sample entropy, dysts 0.96 for its GMM KL estimate, its spectral Hellinger distance
and its 0–1 test sweep. Also prints the measured noise floors of D_stsp and D_H (two independent
Lorenz-63 trajectories, dt 0.01). No timing is asserted anywhere.
"""

from __future__ import annotations

import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import argparse
import importlib.util
import statistics
import time
from collections.abc import Callable
from typing import Any

import chaoskit
import numpy as np
from chaoskit_metrics.dstsp import binned_kl
from chaoskit_metrics.dstsp_gmm import gmm_kl
from chaoskit_metrics.ordinal import complexity_entropy, permutation_entropy
from chaoskit_metrics.power_spectrum import hellinger, smoothed_spectrum
from chaoskit_metrics.sample_entropy import sample_entropy
from chaoskit_metrics.zero_one import zero_one_test


def timed(fn: Callable[[], Any], repeats: int) -> tuple[float, Any]:
    """Median CPU time (one thread, so ≈ wall time on an idle machine) of ``repeats`` calls."""
    times, result = [], None
    for _ in range(repeats):
        start = time.process_time()
        result = fn()
        times.append(time.process_time() - start)
    return statistics.median(times), result


def peak_mb(fn: Callable[[], Any]) -> float:
    """Peak memory traced by numpy allocations during one call, in MB."""
    import tracemalloc

    tracemalloc.start()
    try:
        fn()
        return tracemalloc.get_traced_memory()[1] / 1e6
    finally:
        tracemalloc.stop()


def have(name: str) -> bool:
    return importlib.util.find_spec(name) is not None


def row(task: str, ours: float, our_value: Any, peer: str = "", theirs: float | None = None, their_value: Any = "") -> None:
    line = f"{task:<44} chaoskit {ours * 1e3:9.1f} ms  value {our_value!s:<22}"
    if theirs is not None:
        line += f" | {peer:<28} {theirs * 1e3:9.1f} ms  value {their_value!s:<22} ratio {theirs / ours:7.1f}x"
    print(line, flush=True)


def fmt(x: Any) -> str:
    return np.array2string(np.asarray(x, float), precision=4) if np.ndim(x) else f"{float(x):.4f}"


def lorenz(n: int, rho: float = 28.0, members: int = 2, seed: int = 0) -> np.ndarray:
    system = chaoskit.systems.create("lorenz", rho=rho)
    ds = system.trajectory(n, dt=0.01, members=members, seed=seed, transient=20.0, method="rk4")
    return ds["state"].values


def ordinal_section(repeats: int) -> None:
    x = np.random.default_rng(0).standard_normal(1_000_000)
    logistic = np.empty(100_000)
    logistic[0] = 0.3141
    for i in range(1, len(logistic)):
        logistic[i] = 4.0 * logistic[i - 1] * (1.0 - logistic[i - 1])
    permutation_entropy(x[:1000], 5)
    ours, value = timed(lambda: permutation_entropy(x, 5), repeats)
    if have("ordpy"):
        import ordpy

        theirs, other = timed(lambda: ordpy.permutation_entropy(x, dx=5), 1)
        row("permutation entropy, 1e6 points, n = 5", ours, fmt(value), "ordpy 1.2", theirs, fmt(other))
    else:
        row("permutation entropy, 1e6 points, n = 5", ours, fmt(value))
    if have("antropy"):
        import antropy

        antropy.perm_entropy(x[:1000], order=5, normalize=True)
        theirs, other = timed(lambda: antropy.perm_entropy(x, order=5, normalize=True), repeats)
        row("permutation entropy, 1e6 points, n = 5", ours, fmt(value), "antropy 0.2", theirs, fmt(other))
    ours, value = timed(lambda: complexity_entropy(logistic, 6), repeats)
    if have("ordpy"):
        import ordpy

        theirs, other = timed(lambda: ordpy.complexity_entropy(logistic, dx=6), 1)
        row("(H, C), logistic r=4, 1e5 points, n = 6", ours, fmt(value), "ordpy 1.2", theirs, fmt(other))
    if have("peccary"):
        from peccary import peccary as Peccary

        short = logistic[:20_000]
        ours, value = timed(lambda: complexity_entropy(short, 5), repeats)
        theirs, other = timed(lambda: Peccary(short, n=5).calcHC(1), 1)
        row("(H, C), logistic, 2e4 points, n = 5", ours, fmt(value), "peccary 0.1.1", theirs, fmt(other))


def geometry_section(repeats: int, long: int) -> None:
    same = lorenz(long, members=2, seed=0)
    wrong = lorenz(long, rho=35.0, members=1, seed=1)[0]
    a, b = same[0], same[1]
    print("\nnoise floors (two independent Lorenz-63 trajectories, dt 0.01; rho = 35 as the wrong attractor)")
    for n in (10_000, 20_000, long):
        if n > long:
            continue
        floor = binned_kl(a[:n], b[:n])[0]
        far = binned_kl(a[:n], wrong[:n])[0]
        shuffled = binned_kl(a[:n], np.random.default_rng(1).permutation(a[:n]))[0]
        dh = hellinger(smoothed_spectrum(a[:n].T), smoothed_spectrum(b[:n].T)).mean()
        dh_far = hellinger(smoothed_spectrum(a[:n].T), smoothed_spectrum(wrong[:n].T)).mean()
        dh_shuffled = hellinger(smoothed_spectrum(a[:n].T),
                                smoothed_spectrum(np.random.default_rng(1).permutation(a[:n]).T)).mean()
        print(f"  T = {n:>6}: D_stsp {floor:.3f} (shuffled {shuffled:.3f}, rho 35 {far:.2f});  "
              f"D_H {dh:.3f} (shuffled {dh_shuffled:.3f}, rho 35 {dh_far:.3f})")
    gmm_floor = gmm_kl(a[:20_000], b[:20_000])[0]
    gmm_far = gmm_kl(a[:20_000], wrong[:20_000])[0]
    print(f"  GMM D_stsp (standardized, sigma^2 = 1, 1e4 centres): {gmm_floor:.3f} (rho 35 {gmm_far:.3f})\n")

    ours, value = timed(lambda: binned_kl(a, b)[0], repeats)

    def dense() -> float:
        sigma = a.std(axis=0)
        edges = [np.linspace(lo - 0.1 * s, hi + 0.1 * s, 31) for lo, hi, s in zip(a.min(0), a.max(0), sigma)]
        p_h, _ = np.histogramdd(a, bins=edges)
        q_h, _ = np.histogramdd(b, bins=edges)
        p = (p_h + 1e-5) / (p_h.sum() + 1e-5 * 30 ** 3)
        q = (q_h + 1e-5) / (q_h.sum() + 1e-5 * 30 ** 3)
        return float(np.sum(p * np.log(p / q)))

    theirs, other = timed(dense, repeats)
    row(f"D_stsp binned, 3-D, {long} points", ours, fmt(value), "dense numpy.histogramdd", theirs, fmt(other))

    def embed(x: np.ndarray) -> np.ndarray:  # 5-D delay embedding of x, delay 10 steps
        return np.stack([x[k * 10: len(x) - (4 - k) * 10] for k in range(5)], axis=1)

    a5, b5 = embed(a[:, 0]), embed(b[:, 0])
    ours, value = timed(lambda: binned_kl(a5, b5)[0], repeats)

    def dense5() -> float:
        sigma = a5.std(axis=0)
        edges = [np.linspace(lo - 0.1 * s, hi + 0.1 * s, 31) for lo, hi, s in zip(a5.min(0), a5.max(0), sigma)]
        p_h, _ = np.histogramdd(a5, bins=edges)
        q_h, _ = np.histogramdd(b5, bins=edges)
        p = (p_h + 1e-5) / (p_h.sum() + 1e-5 * 30 ** 5)
        q = (q_h + 1e-5) / (q_h.sum() + 1e-5 * 30 ** 5)
        return float(np.sum(p * np.log(p / q)))

    theirs, other = timed(dense5, 1)
    row(f"D_stsp binned, 5-D embedding, {len(a5)} points", ours, fmt(value), "dense (24.3 M bins)", theirs, fmt(other))
    print(f"  peak memory: chaoskit {peak_mb(lambda: binned_kl(a5, b5)):.0f} MB, dense {peak_mb(dense5):.0f} MB")

    mean, std = a.mean(axis=0), a.std(axis=0)
    za, zb = (a[:20_000] - mean) / std, (b[:20_000] - mean) / std
    small = 2000
    ours, value = timed(lambda: gmm_kl(za[:small], zb[:small], standardize=False)[0], repeats)
    if have("dysts"):
        from dysts.metrics import average_hellinger_distance, estimate_kl_divergence

        np.random.seed(0)
        theirs, other = timed(lambda: estimate_kl_divergence(za[:small], zb[:small], n_samples=1000), 1)
        row(f"D_stsp GMM, {small} centres, 1000 samples", ours, fmt(value), "dysts estimate_kl_divergence",
            theirs, fmt(other))
    ours, value = timed(lambda: gmm_kl(za, zb, standardize=False)[0], repeats)
    row("D_stsp GMM, 1e4 centres, 1000 samples", ours, fmt(value))

    ours, value = timed(lambda: hellinger(smoothed_spectrum(a.T), smoothed_spectrum(b.T)).mean(), repeats)
    if have("dysts"):
        theirs, other = timed(lambda: average_hellinger_distance(a, b), repeats)
        row(f"D_H, 3-D, {long} points (dysts: other definition)", ours, fmt(value),
            "dysts average_hellinger (100 bins)", theirs, fmt(other))
        far_ours = hellinger(smoothed_spectrum(a.T), smoothed_spectrum(wrong.T)).mean()
        print(f"  rho 35 against the truth: chaoskit D_H {far_ours:.3f}, dysts {average_hellinger_distance(a, wrong):.3f}")
    else:
        row(f"D_H, 3-D, {long} points", ours, fmt(value))

    x = np.ascontiguousarray(a[:20_000, 0])
    ours, value = timed(lambda: zero_one_test(x)[0], repeats)
    if have("dysts"):
        from dysts.analysis import run_zero_one_sweep

        np.random.seed(0)
        theirs, other = timed(lambda: float(np.median(run_zero_one_sweep(x, n_runs=100))), 1)
        row("0-1 test, Lorenz x, 2e4 points at dt 0.01", ours, fmt(value), "dysts run_zero_one_sweep", theirs, fmt(other))
    ours, value = timed(lambda: sample_entropy(x)[0], repeats)
    if have("antropy"):
        import antropy

        antropy.sample_entropy(x[:500])
        theirs, other = timed(lambda: antropy.sample_entropy(x), repeats)
        row("sample entropy m=2 r=0.2 std, 2e4 points", ours, fmt(value), "antropy 0.2", theirs, fmt(other))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--long", type=int, default=100_000, help="Lorenz length for D_stsp / D_H timings")
    args = parser.parse_args()
    try:
        import torch

        torch.set_num_threads(1)
    except ImportError:
        pass
    ordinal_section(args.repeats)
    geometry_section(args.repeats, args.long)


if __name__ == "__main__":
    main()
