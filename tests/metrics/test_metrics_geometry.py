"""Attractor geometry and statistics: D_stsp (binned, GMM), D_H, marginal Wasserstein, MMD.

References: dense ``numpy.histogramdd`` for the sparse histogram, ``scipy.ndimage`` for the
smoothing, ``scipy.stats.wasserstein_distance``, hand computations on tiny inputs, and the
orderings of REFERENCES §3 on Lorenz-63 (two independent trajectories are close, a shuffled copy
has D_stsp ≈ 0 but a large D_H, the wrong attractor ρ = 35 is far on both).
"""

from __future__ import annotations

import chaoskit
import numpy as np
import pytest
from chaoskit.data import decode_attrs
from chaoskit.testing import MetricConformance
from chaoskit_metrics.dstsp import (
    BinnedStateSpaceDivergence,
    StateSpaceDivergence,
    bin_indices,
    binned_kl,
    sparse_histogram,
)
from chaoskit_metrics.dstsp_gmm import GMMStateSpaceDivergence, gmm_kl
from chaoskit_metrics.mmd import MMD, mmd2, rational_quadratic
from chaoskit_metrics.power_spectrum import (
    PowerSpectrumDistance,
    gaussian_smooth,
    hellinger,
    smoothed_spectrum,
)
from chaoskit_metrics.wasserstein import MarginalWasserstein, marginal_wasserstein, wasserstein_1d
from metrics_lorenz_data import lorenz

GEOMETRY = ("dstsp", "dstsp_binned", "dstsp_gmm", "dh", "wasserstein", "mmd")


class TestGeometryConformance(MetricConformance):
    names = GEOMETRY


def dataset(values, dt=0.01):
    values = np.asarray(values, float)
    return chaoskit.make_dataset(values, time=np.arange(values.shape[1]) * dt,
                                 variables=[f"v{i}" for i in range(values.shape[-1])], attrs={"dt": dt})


def reasons(result):
    return decode_attrs(result.attrs)["nan_reasons"]


def dense_kl(truth, forecast, n_bins=30, alpha=1e-5):
    """D_stsp from a dense histogramdd (the reference for small N)."""
    sigma = truth.std(axis=0)
    edges = [np.linspace(lo - 0.1 * s, hi + 0.1 * s, n_bins + 1)
             for lo, hi, s in zip(truth.min(axis=0), truth.max(axis=0), sigma)]
    h_t, _ = np.histogramdd(truth, bins=edges)
    h_g, _ = np.histogramdd(forecast, bins=edges)
    total = n_bins ** truth.shape[1]
    p = (h_t + alpha) / (h_t.sum() + alpha * total)
    q = (h_g + alpha) / (h_g.sum() + alpha * total)
    return float(np.sum(p * np.log(p / q)))


@pytest.fixture(scope="module")
def attractors():
    """Two independent ρ = 28 trajectories and one ρ = 35 trajectory, 2·10^4 points each."""
    same = lorenz(20_000, members=2, seed=0)["state"].values
    wrong = lorenz(20_000, rho=35.0, members=1, seed=1)["state"].values
    return same[0], same[1], wrong[0]


# ------------------------------------------------------------------ binned D_stsp
def test_sparse_histogram_equals_dense_histogramdd_in_2d():
    rng = np.random.default_rng(0)
    truth = rng.normal(size=(4000, 2))
    forecast = rng.normal(loc=0.3, scale=1.3, size=(3000, 2))
    value, reason = binned_kl(truth, forecast)
    assert reason == ""
    assert value == pytest.approx(dense_kl(truth, forecast), rel=1e-12)
    sigma = truth.std(axis=0)
    edges = [np.linspace(truth[:, d].min() - 0.1 * sigma[d], truth[:, d].max() + 0.1 * sigma[d], 31) for d in range(2)]
    index = bin_indices(forecast, edges)
    keys, counts = sparse_histogram(index[(index >= 0).all(axis=1)], 30)
    dense, _ = np.histogramdd(forecast, bins=edges)
    np.testing.assert_array_equal(dense.ravel(order="F")[keys], counts)  # key = i0 + 30·i1
    assert counts.sum() == dense.sum() and counts.dtype == np.int64


def test_points_in_bin_zero_count():
    """The Python anchor drops every point whose bin index is 0; chaoskit keeps them."""
    rng = np.random.default_rng(1)
    truth = rng.uniform(size=(2000, 2))
    forecast = np.concatenate([truth[:1000], np.full((500, 2), truth.min(axis=0))])  # 500 points in bin (0, 0)
    value, _ = binned_kl(truth, forecast)
    assert value == pytest.approx(dense_kl(truth, forecast), rel=1e-12)
    edges = [np.linspace(0, 1, 31)] * 2
    keys, counts = sparse_histogram(bin_indices(np.zeros((7, 2)), edges), 30)
    assert keys.tolist() == [0] and counts.tolist() == [7]


def test_counts_are_64_bit_beyond_uint16():
    """The Julia anchor counts in UInt16 and wraps at 65,535 points per bin."""
    index = np.zeros((70_000, 3), dtype=np.int64)
    index[:5] = 1
    _, counts = sparse_histogram(index, 30)
    assert counts.dtype == np.int64 and sorted(counts.tolist()) == [5, 69_995]


def test_high_dimension_uses_row_keys_and_matches_flat_keys():
    rng = np.random.default_rng(2)
    index = rng.integers(0, 30, size=(500, 14))  # 30^14 > 2^62: rows as keys
    keys, counts = sparse_histogram(index, 30)
    assert keys.shape[1] == 14 and counts.sum() == 500
    truth = rng.normal(size=(3000, 3))
    value, _ = binned_kl(truth, truth[::-1] + 0.2)
    assert value == pytest.approx(dense_kl(truth, truth[::-1] + 0.2), rel=1e-12)


def test_binned_nan_with_reasons():
    rng = np.random.default_rng(3)
    truth = rng.normal(size=(2, 500, 3))
    forecast = truth.copy()
    forecast[0] += 100.0  # no forecast point of member 0 inside the truth's box
    metric = BinnedStateSpaceDivergence(divergence_margin=1e6)  # keep member 0 from counting as diverged
    out = metric(dataset(truth), dataset(forecast))
    assert np.isnan(out.values[0]) and out.values[1] == pytest.approx(0.0, abs=1e-12)
    assert "no forecast point" in reasons(out)["0"]
    constant = truth.copy()
    constant[1, :, 2] = 1.0
    out = metric(dataset(constant), dataset(constant))
    assert np.isnan(out.values[1]) and "constant" in reasons(out)["1"]


def test_diverged_member_reason():
    rng = np.random.default_rng(4)
    truth = rng.normal(size=(2, 300, 3))
    forecast = truth.copy()
    forecast[1, 150:] = np.nan
    out = StateSpaceDivergence()(dataset(truth), dataset(forecast))
    assert np.isnan(out.values[1]) and "non-finite" in reasons(out)["1"]
    assert out.attrs["method_used"] == "binned"


def test_lorenz_noise_floor_decreases_and_orderings(attractors):
    a, b, wrong = attractors
    floor_short = np.mean([binned_kl(a[s:s + 5000], b[s:s + 5000])[0] for s in (0, 10_000)])
    floor_long = binned_kl(a, b)[0]
    shuffled = np.random.default_rng(5).permutation(a)
    assert floor_long < 0.6  # REFERENCES §3: 0.43 at 10^4, 0.08 at 10^5 points
    assert floor_long < 0.5 * floor_short
    assert binned_kl(a, shuffled)[0] == pytest.approx(0.0, abs=1e-12)
    assert binned_kl(a, wrong)[0] > 5.0  # REFERENCES §3: ≈ 9


# ------------------------------------------------------------------ GMM D_stsp
def test_gmm_identical_is_zero_and_orders_lorenz(attractors):
    a, b, wrong = attractors
    assert gmm_kl(a[:3000], a[:3000], max_centers=1000)[0] == pytest.approx(0.0, abs=1e-12)
    rng = np.random.default_rng(0)
    floor = gmm_kl(a[:4000], b[:4000], max_centers=2000, rng=rng)[0]
    far = gmm_kl(a[:4000], wrong[:4000], max_centers=2000, rng=rng)[0]
    assert abs(floor) < 0.1 and far > 3 * max(floor, 0.01)


def test_gmm_log_density_by_hand():
    from chaoskit_metrics.dstsp_gmm import mixture_log_density

    centers = np.array([[0.0, 0.0], [2.0, 0.0]])
    x = np.array([[1.0, 0.0]])
    expected = np.log(0.5 * 2 * np.exp(-0.5) / (2 * np.pi))  # both components at distance 1, σ² = 1
    assert mixture_log_density(x, centers, 1.0)[0] == pytest.approx(expected, rel=1e-12)


def test_auto_method_switches_to_gmm_from_six_dimensions():
    rng = np.random.default_rng(6)
    truth = rng.normal(size=(1, 600, 6))
    out = StateSpaceDivergence(max_centers=300, n_samples=200)(dataset(truth), dataset(truth + 0.5))
    assert out.attrs["method_used"] == "gmm" and out.values[0] > 0
    gmm = GMMStateSpaceDivergence(max_centers=300, n_samples=200)(dataset(truth), dataset(truth + 0.5))
    np.testing.assert_allclose(out.values, gmm.values)


# ------------------------------------------------------------------ D_H
def test_smoothing_matches_scipy_gaussian_filter1d():
    from scipy.ndimage import gaussian_filter1d

    rng = np.random.default_rng(7)
    for length in (40, 501):
        spectrum = rng.random((3, length))
        np.testing.assert_allclose(gaussian_smooth(spectrum, 20.0), gaussian_filter1d(spectrum, 20.0, axis=-1),
                                   rtol=1e-12, atol=1e-14)


def test_hellinger_by_hand():
    p, q = np.array([0.5, 0.5, 0.0]), np.array([0.0, 0.5, 0.5])
    assert hellinger(p, q) == pytest.approx(np.sqrt(0.5), rel=1e-12)
    assert hellinger(p, p) == pytest.approx(0.0, abs=1e-7)


def test_dh_requires_equal_lengths_and_reports_constants():
    rng = np.random.default_rng(8)
    truth = rng.normal(size=(2, 400, 2))
    with pytest.raises(chaoskit.DataError, match="equal length"):
        PowerSpectrumDistance()(dataset(truth), dataset(truth[:, :300]))
    flat = truth.copy()
    flat[0, :, 1] = 3.0
    out = PowerSpectrumDistance()(dataset(truth), dataset(flat))
    assert np.isnan(out.values[0]) and "constant" in reasons(out)["0"]
    assert out.values[1] == pytest.approx(0.0, abs=1e-7)


def test_dh_lorenz_orderings(attractors):
    a, b, wrong = attractors
    def dh(x, y, sigma=20.0):
        return float(hellinger(smoothed_spectrum(x.T, sigma), smoothed_spectrum(y.T, sigma)).mean())
    floor = dh(a, b)
    shuffled = np.random.default_rng(9).permutation(a)
    assert floor < 0.1  # REFERENCES §3: 0.056
    assert dh(a, shuffled) > 0.7  # ≈ 0.87
    assert dh(a, wrong) > 2 * floor  # 0.11-0.21
    # at a fixed bandwidth in frequency (sigma ∝ length) the floor falls with length;
    # at a fixed sigma of 20 bins it does not (docs/metrics.md)
    short = np.mean([dh(a[s:s + 2500], b[s:s + 2500], 2.5) for s in (0, 10_000)])
    assert dh(a, b, 20.0) < short


# ------------------------------------------------------------------ Wasserstein
def test_wasserstein_matches_scipy():
    from scipy.stats import wasserstein_distance

    rng = np.random.default_rng(10)
    truth = rng.normal(size=(2, 300, 3))
    forecast = rng.normal(loc=0.5, scale=2.0, size=(2, 170, 3))
    per_variable = marginal_wasserstein(dataset(truth), dataset(forecast))
    expected = np.array([[wasserstein_distance(truth[m, :, v], forecast[m, :, v]) for v in range(3)] for m in range(2)])
    np.testing.assert_allclose(per_variable.values, expected, rtol=1e-12)
    out = MarginalWasserstein()(dataset(truth), dataset(forecast))
    np.testing.assert_allclose(out.values, expected.mean(axis=1), rtol=1e-12)
    assert wasserstein_1d(np.array([0.0, 1.0]), np.array([2.0, 3.0])) == pytest.approx(2.0)


def test_wasserstein_standardized_is_scale_free():
    rng = np.random.default_rng(11)
    truth = rng.normal(size=(1, 400, 2))
    forecast = truth + 0.5
    raw = MarginalWasserstein()(dataset(10 * truth), dataset(10 * forecast)).values
    scaled = MarginalWasserstein(standardize=True)(dataset(10 * truth), dataset(10 * forecast)).values
    assert raw[0] == pytest.approx(5.0) and scaled[0] == pytest.approx(np.mean(0.5 / truth[0].std(axis=0)), rel=1e-12)


# ------------------------------------------------------------------ MMD
def test_mmd_by_hand_and_identical_samples():
    x, y = np.array([[0.0]]), np.array([[1.0]])
    assert rational_quadratic(x, y, (1.0,))[0, 0] == pytest.approx(0.5)
    assert mmd2(x, y, scales=(1.0,)) == pytest.approx(1.0)  # 1 + 1 − 2·0.5
    rng = np.random.default_rng(12)
    z = rng.normal(size=(200, 3))
    assert mmd2(z, z) == 0.0
    assert abs(mmd2(z, z, estimator="unbiased")) < 0.05
    two = np.array([[0.0], [1.0]])
    kxx = 2 * 0.5 / 2  # off-diagonal pairs of the U-statistic, scale 1
    assert mmd2(two, two + 5.0, scales=(1.0,), estimator="unbiased") == pytest.approx(
        2 * kxx - 2 * np.mean(1.0 / (1.0 + (two - two.T - 5.0) ** 2)), rel=1e-12)


def test_mmd_metric_orders_lorenz(attractors):
    a, b, wrong = attractors
    metric = MMD(max_samples=800)
    near = metric(dataset(a[None]), dataset(b[None])).values[0]
    far = metric(dataset(a[None]), dataset(wrong[None])).values[0]
    assert metric(dataset(a[None]), dataset(a[None])).values[0] == 0.0
    assert far > 3 * near


@pytest.mark.parametrize("name", GEOMETRY)
def test_bad_input_raises_data_errors(name):
    rng = np.random.default_rng(13)
    truth = rng.normal(size=(2, 300, 3))
    metric = chaoskit.metrics.create(name)
    with pytest.raises(chaoskit.DataError, match="members"):
        metric(dataset(truth), dataset(rng.normal(size=(3, 300, 3))))
    with pytest.raises(chaoskit.DataError, match="variables"):
        metric(dataset(truth), dataset(truth[..., :2]))
    nan_truth = truth.copy()
    nan_truth[0, 3, 1] = np.nan
    with pytest.raises(chaoskit.DataError, match="non-finite"):
        metric(dataset(nan_truth), dataset(truth))
