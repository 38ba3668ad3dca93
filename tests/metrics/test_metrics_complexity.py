"""Complexity: ordinal patterns, permutation entropy, statistical complexity and the plane,
PECCARY's sampling-interval scan, the 0–1 test for chaos and sample entropy.

References: Bandt & Pompe's worked example (2002), white noise (H → 1, C → 0), forbidden
patterns of the logistic map at r = 4 (the decreasing triple never occurs), C_max(n = 6) ≈ 0.497
(REFERENCES §3), brute-force counts for the 0–1 displacement and sample entropy, ordpy and
antropy where installed, and the 0–1 pitfall of REFERENCES §2 (Lorenz sampled at 0.01 looks
regular unless subsampled).
"""

from __future__ import annotations

import time
from math import factorial

import chaoskit
import numpy as np
import pytest
from chaoskit.data import decode_attrs
from chaoskit.testing import MetricConformance
from chaoskit_metrics.complexity_plane import (
    complexity_bounds,
    max_complexity,
    plot_complexity_entropy_plane,
)
from chaoskit_metrics.ordinal import (
    complexity_entropy,
    missing_patterns,
    ordinal_distribution,
    ordinal_patterns,
    pattern_of,
    permutation_entropy,
)
from chaoskit_metrics.peccary import natural_timescale, peccary_scan
from chaoskit_metrics.permutation_entropy import PermutationEntropy, StatisticalComplexity
from chaoskit_metrics.sample_entropy import SampleEntropy, sample_entropy
from chaoskit_metrics.zero_one import ZeroOneTest, _msd, auto_stride, zero_one_test
from metrics_lorenz_data import lorenz


class TestComplexityConformance(MetricConformance):
    names = ("permutation_entropy", "statistical_complexity", "zero_one_test", "sample_entropy")


def dataset(values, dt=0.01):
    values = np.asarray(values, float)
    return chaoskit.make_dataset(values, time=np.arange(values.shape[1]) * dt,
                                 variables=[f"v{i}" for i in range(values.shape[-1])], attrs={"dt": dt})


def logistic(n, x0=0.3141, r=4.0, orbits=1):
    """Many short float64 orbits of the logistic map (one long orbit can collapse to 0)."""
    rng = np.random.default_rng(17)
    x = np.empty((orbits, n))
    x[:, 0] = rng.uniform(0.05, 0.95, orbits) if orbits > 1 else x0
    for i in range(1, n):
        x[:, i] = r * x[:, i - 1] * (1.0 - x[:, i - 1])
    return x


# ------------------------------------------------------------------ ordinal patterns
def test_bandt_pompe_worked_example():
    x = np.array([4.0, 7, 9, 10, 6, 11, 3])  # Bandt & Pompe 2002, n = 3
    codes = ordinal_patterns(x, 3)
    assert [pattern_of(int(c), 3) for c in codes] == [(0, 1, 2), (0, 1, 2), (1, 2, 0), (1, 0, 2), (1, 2, 0)]
    p = np.array([2, 2, 1]) / 5
    expected = -np.sum(p * np.log(p)) / np.log(6)  # 1.5219 bits / log2(3!)
    assert permutation_entropy(x, 3) == pytest.approx(expected, rel=1e-12)


def test_tie_rule_ranks_equal_values_by_time():
    codes = ordinal_patterns(np.array([1.0, 1, 1, 2, 2, 1]), 3)
    assert [pattern_of(int(c), 3) for c in codes] == [(0, 1, 2), (0, 1, 2), (0, 1, 2), (1, 2, 0)]


def test_codes_match_a_stable_argsort_bijection():
    rng = np.random.default_rng(0)
    x = rng.integers(0, 4, size=500).astype(float)  # many ties
    for n, lag in ((4, 1), (5, 2)):
        codes = ordinal_patterns(x, n, lag)
        windows = np.lib.stride_tricks.sliding_window_view(x, (n - 1) * lag + 1)[:, ::lag]
        ranks = np.argsort(np.argsort(windows, axis=1, kind="stable"), axis=1, kind="stable")
        assert [pattern_of(int(c), n) for c in codes] == [tuple(r) for r in ranks]


def test_white_noise_has_entropy_one_and_complexity_zero():
    x = np.random.default_rng(1).standard_normal(200_000)
    h, c = complexity_entropy(x, 5)
    assert h > 0.995 and c < 0.01
    assert missing_patterns(x, 5) == 0


def test_sine_has_low_entropy():
    t = np.arange(20_000) * 0.01
    h = permutation_entropy(np.sin(2 * np.pi * t), 5)
    assert h < 0.25


def test_logistic_map_has_forbidden_patterns():
    x = logistic(2000, orbits=20)
    counts = ordinal_distribution(x, 3, counts=True).sum(axis=0)
    decreasing = factorial(3) - 1  # rank vector (2, 1, 0)
    assert pattern_of(decreasing, 3) == (2, 1, 0)
    assert counts[decreasing] == 0 and np.all(np.delete(counts, decreasing) > 0)
    assert np.all(missing_patterns(x, 4) >= 12)  # only 12 of the 24 patterns occur (Amigó et al.)
    h, c = complexity_entropy(x.ravel()[: 40_000], 6)
    assert 0.5 < h < 0.75 and c > 0.35


def test_entropy_of_a_million_points_under_a_second():
    x = np.random.default_rng(2).standard_normal(1_000_000)
    permutation_entropy(x[:1000], 5)  # warm-up
    start = time.perf_counter()
    permutation_entropy(x, 5)
    assert time.perf_counter() - start < 1.0


def test_agrees_with_ordpy():
    ordpy = pytest.importorskip("ordpy")
    x = logistic(5000)[0]
    for n in (3, 4, 5):
        h, c = ordpy.complexity_entropy(x, dx=n)
        assert complexity_entropy(x, n) == pytest.approx((h, c), rel=1e-10)
        assert permutation_entropy(x, n, lag=2) == pytest.approx(ordpy.permutation_entropy(x, dx=n, taux=2), rel=1e-10)


def test_bad_input():
    with pytest.raises(chaoskit.DataError, match="no window"):
        ordinal_patterns(np.arange(4.0), 5)
    with pytest.raises(chaoskit.DataError, match="non-finite"):
        ordinal_patterns(np.array([1.0, np.nan, 2.0, 3.0]), 3)
    with pytest.raises(chaoskit.ParameterError):
        ordinal_patterns(np.arange(100.0), 11)


# ------------------------------------------------------------------ the plane
def test_max_complexity_for_n6():
    assert max_complexity(6) == pytest.approx(0.497, abs=1e-3)  # REFERENCES §3


def test_points_lie_between_the_bounds():
    h_min, c_min, h_max, c_max = complexity_bounds(4, steps=400)
    rng = np.random.default_rng(3)
    p = rng.dirichlet(np.full(24, 0.3), size=200)
    from chaoskit_metrics.ordinal import jensen_shannon_complexity

    h, c = jensen_shannon_complexity(p)
    assert np.all(c <= np.interp(h, h_max, c_max) + 5e-3)
    assert np.all(c >= np.interp(h, h_min, c_min) - 5e-3)


def test_plane_plot_writes_a_figure(tmp_path):
    x = logistic(3000)[0]
    noise = np.random.default_rng(4).standard_normal(3000)
    h, c = complexity_entropy(np.stack([x, noise]), 4)
    path = tmp_path / "plane.png"
    fig = plot_complexity_entropy_plane(h, c, n=4, labels=["logistic", "noise"], path=path)
    assert path.stat().st_size > 1000
    assert len(fig.axes[0].lines) == 2  # C_min and C_max
    import matplotlib.pyplot as plt

    plt.close(fig)


# ------------------------------------------------------------------ invariants
def test_invariants_estimate_per_member_and_variable():
    rng = np.random.default_rng(5)
    values = np.stack([rng.standard_normal((2, 3000)), np.sin(np.arange(3000) * 0.05)[None].repeat(2, 0)], axis=-1)
    values[1, :, 1] = 2.0
    pe = PermutationEntropy(n=4).estimate(dataset(values))
    assert pe.dims == ("member", "variable") and pe.values[0, 0] > 0.99 and pe.values[0, 1] < 0.3
    assert np.isnan(pe.values[1, 1]) and "constant" in decode_attrs(pe.attrs)["nan_reasons"]["1"]
    sc = StatisticalComplexity(n=4).estimate(dataset(values))
    assert sc.values[0, 0] < 0.02 and sc.attrs["pattern_timescale"] == pytest.approx(0.03)
    with pytest.raises(chaoskit.DataError, match="no ordinal pattern"):
        PermutationEntropy(n=5, lag=3).estimate(dataset(values[:, :10]))


# ------------------------------------------------------------------ PECCARY
def test_natural_timescale_and_scan_of_a_sine():
    dt, period = 0.01, 2.0
    x = np.sin(2 * np.pi * np.arange(3000) * dt / period)
    for method in ("maxavg", "minavg", "ncross"):
        assert natural_timescale(x, dt, method) == pytest.approx(period, rel=0.01)
    scan = peccary_scan(x, dt=dt, lags=[1, 5, 10, 20, 40])
    np.testing.assert_allclose(scan["t_pat"].values, 4 * np.array([1, 5, 10, 20, 40]) * dt)
    ratio = scan["ratio"].values[0, 0]
    np.testing.assert_array_equal(scan["in_band"].values[0, 0], (ratio >= 0.3) & (ratio <= 0.5))
    h, _ = complexity_entropy(x, 5, 10)
    assert scan["H"].sel(lag=10).item() == pytest.approx(h)
    with pytest.raises(chaoskit.DataError, match="natural timescale"):
        peccary_scan(x[:150], dt=dt)


def test_scan_of_a_dataset():
    x = lorenz(20_000, members=2, seed=0).isel(time=slice(0, 4000))
    scan = peccary_scan(x, method="ncross")
    assert scan["H"].dims == ("member", "variable", "lag")
    assert np.all(scan["t_nat"].values > 0.3) and not scan["short_duration"].values.any()


# ------------------------------------------------------------------ 0-1 test
def test_displacement_matches_brute_force():
    phi = np.random.default_rng(6).standard_normal(300)
    c = np.array([1.1, 2.0])
    j = np.arange(1, 301)
    p = np.cumsum(phi * np.cos(np.outer(c, j)), axis=1)
    q = np.cumsum(phi * np.sin(np.outer(c, j)), axis=1)
    brute = np.array([[np.mean((p[i, k:] - p[i, :-k]) ** 2 + (q[i, k:] - q[i, :-k]) ** 2) for k in range(1, 31)]
                      for i in range(2)])
    np.testing.assert_allclose(_msd(phi, c, 30), brute, rtol=1e-10)


def test_zero_one_on_maps_and_periodic_signals():
    assert zero_one_test(logistic(5000)[0]) == (pytest.approx(1.0, abs=0.05), 1)
    t = np.arange(10_000) * 0.01
    assert abs(zero_one_test(np.sin(2 * np.pi * t))[0]) < 0.1
    assert abs(zero_one_test(np.sin(t) + np.sin(np.sqrt(2) * t))[0]) < 0.15  # quasi-periodic


def test_zero_one_subsamples_oversampled_lorenz():
    x = lorenz(20_000, members=2, seed=0)["state"].values[0, :, 0]
    assert zero_one_test(x[::10], subsample=1)[0] > 0.9  # dt 0.1: chaotic
    assert zero_one_test(x, subsample=1, n_c=25)[0] < 0.3  # dt 0.01 as is: the pitfall (REFERENCES §2)
    k, stride = zero_one_test(x)
    assert k > 0.9 and stride > 1 and stride == auto_stride(x)


def test_zero_one_invariant_and_bad_input():
    rng = np.random.default_rng(7)
    values = np.stack([rng.standard_normal((2, 600)), np.sin(np.arange(600) * 0.3)[None].repeat(2, 0)], axis=-1)
    out = ZeroOneTest(n_c=20).estimate(dataset(values))
    assert out.values[0, 0] > 0.9 and abs(out.values[0, 1]) < 0.2 and "stride" in out.coords
    with pytest.raises(chaoskit.DataError, match="at least 100"):
        ZeroOneTest().estimate(dataset(values[:, :50]))
    with pytest.raises(chaoskit.ParameterError):
        ZeroOneTest(subsample=0)


# ------------------------------------------------------------------ sample entropy
def brute_sample_entropy(x, m, r):
    count = len(x) - m
    windows = np.lib.stride_tricks.sliding_window_view(x, m + 1)[:count]

    def pairs(t):
        d = np.abs(t[:, None, :] - t[None, :, :]).max(axis=-1)
        return int(np.triu(d <= r, 1).sum())

    return -np.log(pairs(windows) / pairs(windows[:, :m]))


def test_sample_entropy_matches_brute_force():
    rng = np.random.default_rng(8)
    x = rng.standard_normal(800)
    for m, r in ((2, 0.2), (3, 0.5)):
        assert sample_entropy(x, m, r)[0] == pytest.approx(brute_sample_entropy(x, m, r * x.std()), rel=1e-12)
    assert sample_entropy(x, 2, 0.3, absolute_r=True)[0] == pytest.approx(brute_sample_entropy(x, 2, 0.3), rel=1e-12)


@pytest.mark.slow  # antropy compiles with numba on first use (~20 s)
def test_sample_entropy_agrees_with_antropy():
    antropy = pytest.importorskip("antropy")
    x = np.random.default_rng(9).standard_normal(2000)
    assert sample_entropy(x)[0] == pytest.approx(antropy.sample_entropy(x, order=2), rel=1e-10)


def test_sample_entropy_bad_input():
    assert np.isnan(sample_entropy(np.ones(100))[0]) and "constant" in sample_entropy(np.ones(100))[1]
    value, reason = sample_entropy(np.arange(20.0), 2, 1e-6)
    assert np.isnan(value) and "no template pairs" in reason
    with pytest.raises(chaoskit.DataError):
        sample_entropy(np.arange(2.0), 2)
    out = SampleEntropy().estimate(dataset(np.stack([np.ones((1, 300)), np.arange(300.0)[None]], axis=-1)))
    assert np.isnan(out.values[0, 0]) and "constant" in decode_attrs(out.attrs)["nan_reasons"]["0"]
