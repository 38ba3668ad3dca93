"""NRMSE, MASE, Pearson/Spearman correlation, horizoned variants and PE(n), against hand
computations, numpy/scipy, and exact models (a persistence model, an exact linear map)."""

from __future__ import annotations

import chaoskit
import numpy as np
import pytest
from chaoskit.data import decode_attrs
from chaoskit.testing import MetricConformance
from chaoskit_metrics.correlation import Pearson, Spearman
from chaoskit_metrics.horizon import Horizoned, horizon_steps
from chaoskit_metrics.prediction_error import NStepError, prediction_error
from chaoskit_metrics.short_term import RMSE
from chaoskit_metrics.short_term_extra import MASE, NRMSE

DT = 0.01


class TestShortTermExtraConformance(MetricConformance):
    names = ("nrmse", "mase", "pearson", "spearman", "horizoned", "prediction_error")


def dataset(values, dt=DT, **attrs):
    values = np.asarray(values)
    return chaoskit.make_dataset(values, time=np.arange(values.shape[1]) * dt,
                                 variables=[f"v{i}" for i in range(values.shape[-1])], attrs={"dt": dt, **attrs})


@pytest.fixture
def pair():
    rng = np.random.default_rng(0)
    truth = rng.normal(size=(3, 60, 2)) * np.array([1.0, 10.0])
    return truth, truth + rng.normal(scale=0.5, size=truth.shape)


# ------------------------------------------------------------------ NRMSE
def test_nrmse_is_offset_over_std():
    rng = np.random.default_rng(1)
    truth = rng.normal(size=(2, 200, 2)) * np.array([2.0, 5.0])
    out = NRMSE()(dataset(truth), dataset(truth + np.array([1.0, 5.0])))
    sigma = truth.std(axis=1)  # (member, variable)
    expected = np.sqrt(np.mean((np.array([1.0, 5.0]) / sigma) ** 2, axis=1))
    np.testing.assert_allclose(out.values, expected, rtol=1e-12)


def test_nrmse_range_and_context(pair):
    truth, forecast = pair
    rng_ = truth.max(axis=1, keepdims=True) - truth.min(axis=1, keepdims=True)
    expected = np.sqrt((((forecast - truth) / rng_) ** 2).mean(axis=(1, 2)))
    np.testing.assert_allclose(NRMSE(normalization="range")(dataset(truth), dataset(forecast)).values, expected)
    context = 3.0 * truth
    scale = context.std(axis=1, keepdims=True)
    expected = np.sqrt((((forecast - truth) / scale) ** 2).mean(axis=(1, 2)))
    out = NRMSE(scale_from="context")(dataset(truth), dataset(forecast), context=dataset(context))
    np.testing.assert_allclose(out.values, expected, rtol=1e-12)
    with pytest.raises(chaoskit.DataError, match="context"):
        NRMSE(scale_from="context")(dataset(truth), dataset(forecast))


def test_nrmse_constant_truth_is_nan_with_reason(pair):
    truth, forecast = pair
    truth = truth.copy()
    truth[1, :, 0] = 4.0
    out = NRMSE()(dataset(truth), dataset(forecast))
    assert np.isnan(out.values[1]) and np.isfinite(out.values[[0, 2]]).all()
    assert "constant" in decode_attrs(out.attrs)["nan_reasons"]["1"]


# ------------------------------------------------------------------ MASE
def test_mase_by_hand():
    ramp = np.arange(50.0)[None, :, None].repeat(2, axis=2)  # naive one-step error 1
    out = MASE()(dataset(ramp), dataset(ramp + 2.0))
    assert out.values[0] == pytest.approx(2.0) and out.attrs["scale_source"] == "truth"
    context = (3.0 * np.arange(30.0))[None, :, None].repeat(2, axis=2)  # in-sample naive error 3
    out = MASE()(dataset(ramp), dataset(ramp + 2.0), context=dataset(context))
    assert out.values[0] == pytest.approx(2.0 / 3.0) and out.attrs["scale_source"] == "context"
    seasonal = MASE(season=5)(dataset(ramp), dataset(ramp + 2.0))
    assert seasonal.values[0] == pytest.approx(2.0 / 5.0)


def test_mase_constant_series_is_nan_with_reason():
    flat = np.ones((1, 20, 1))
    out = MASE()(dataset(flat), dataset(flat + 1))
    assert np.isnan(out.values[0]) and "scale is 0" in decode_attrs(out.attrs)["nan_reasons"]["0"]


# ------------------------------------------------------------------ correlations
def test_pearson_and_spearman_match_numpy_and_scipy(pair):
    from scipy.stats import spearmanr

    truth, forecast = pair
    pearson = Pearson()(dataset(truth), dataset(forecast)).values
    spearman = Spearman()(dataset(truth), dataset(forecast)).values
    for m in range(3):
        expected = np.mean([np.corrcoef(truth[m, :, v], forecast[m, :, v])[0, 1] for v in range(2)])
        assert pearson[m] == pytest.approx(expected, rel=1e-12)
        expected = np.mean([spearmanr(truth[m, :, v], forecast[m, :, v])[0] for v in range(2)])
        assert spearman[m] == pytest.approx(expected, rel=1e-12)


def test_spearman_is_rank_based_and_handles_ties():
    from scipy.stats import spearmanr

    x = np.linspace(0.1, 3.0, 40)
    truth, forecast = x[None, :, None], (x ** 4 / 27)[None, :, None]  # monotone, inside the box
    assert Spearman()(dataset(truth), dataset(forecast)).values[0] == pytest.approx(1.0)
    assert Pearson()(dataset(truth), dataset(forecast)).values[0] < 0.97
    tied = np.round(x * 2)[None, :, None]
    assert Spearman()(dataset(truth), dataset(tied)).values[0] == pytest.approx(spearmanr(x, tied.ravel())[0])


def test_constant_forecast_correlation_is_nan():
    truth = np.random.default_rng(2).normal(size=(2, 30, 1))
    forecast = truth.copy()
    forecast[0] = 1.0
    out = Pearson()(dataset(truth), dataset(forecast))
    assert np.isnan(out.values[0]) and out.values[1] == pytest.approx(1.0)
    assert "undefined" in decode_attrs(out.attrs)["nan_reasons"]["0"]


# ------------------------------------------------------------------ horizoned
def test_horizon_steps_and_values(pair):
    truth, forecast = pair
    ds_t, ds_f = dataset(truth, lyapunov_time=0.1), dataset(forecast, lyapunov_time=0.1)
    assert horizon_steps(ds_t, 2.0, None) == 20 and horizon_steps(ds_t, 0.25, None) == 3
    assert horizon_steps(ds_t, 1.0, 0.333) == 34 and horizon_steps(ds_t, 100.0, None) == 60
    out = Horizoned(metric="rmse", lyapunov_times=2.0)(ds_t, ds_f)
    expected = np.sqrt(((forecast[:, :20] - truth[:, :20]) ** 2).mean(axis=(1, 2)))
    np.testing.assert_allclose(out.values, expected, rtol=1e-12)
    assert out.attrs["horizon_steps"] == 20 and out.attrs["inner_metric"] == "rmse"
    nrmse = Horizoned(metric="nrmse", lyapunov_times=2.0, options={"normalization": "range"})(ds_t, ds_f)
    np.testing.assert_allclose(nrmse.values, NRMSE(normalization="range")(ds_t.isel(time=slice(0, 20)),
                                                                          ds_f.isel(time=slice(0, 20))).values)
    assert Horizoned(metric=RMSE(), lyapunov_times=1.0, lyapunov_time=0.05)(ds_t, ds_f).attrs["horizon_steps"] == 5


def test_horizoned_divergence_inside_and_after_the_horizon(pair):
    truth, forecast = pair
    forecast = forecast.copy()
    forecast[0, 5:] = np.inf  # inside a 2-LT (20-step) horizon
    forecast[1, 40:] = np.inf  # after it
    out = Horizoned(lyapunov_times=2.0)(dataset(truth, lyapunov_time=0.1), dataset(forecast, lyapunov_time=0.1))
    assert np.isnan(out.values[0]) and np.isfinite(out.values[1:]).all()
    np.testing.assert_allclose(out["diverged_at"].values[:2], [0.05, 0.40])


def test_horizoned_rejects_distribution_metrics():
    with pytest.raises(chaoskit.ParameterError, match="aligned"):
        Horizoned(metric="dh")


# ------------------------------------------------------------------ PE(n)
def test_n_step_error_by_hand(pair):
    truth, forecast = pair
    out = NStepError(n=7)(dataset(truth), dataset(forecast))
    np.testing.assert_allclose(out.values, ((forecast[:, 6] - truth[:, 6]) ** 2).mean(axis=-1), rtol=1e-12)
    with pytest.raises(chaoskit.DataError, match="fewer than n"):
        NStepError(n=100)(dataset(truth), dataset(forecast))


def rotation_data(members=2, steps=300):
    angle = 0.1
    a = np.array([[np.cos(angle), -np.sin(angle)], [np.sin(angle), np.cos(angle)]]) * 0.999
    x = np.empty((members, steps, 2))
    x[:, 0] = np.random.default_rng(3).normal(size=(members, 2))
    for t in range(1, steps):
        x[:, t] = x[:, t - 1] @ a.T
    return a, x


def test_prediction_error_with_exact_and_wrong_step_functions():
    a, x = rotation_data()
    data = dataset(x)
    exact = prediction_error(lambda s: s @ a.T, data, n=20)
    assert exact.dims == ("member",) and np.all(exact.values < 1e-20)
    assert exact.attrs["starts"] == 280
    wrong = prediction_error(lambda s: s, data, n=20, stride=7)  # persistence as a step function
    starts = np.arange(0, 280, 7)
    expected = ((x[:, starts + 20] - x[:, starts]) ** 2).mean(axis=(1, 2))
    np.testing.assert_allclose(wrong.values, expected, rtol=1e-12)


def test_prediction_error_with_a_model_and_a_dynamics():
    _, x = rotation_data()
    data = dataset(x)
    model = chaoskit.models.create("persistence").fit(data)
    pe = prediction_error(model, data, n=10, max_starts=50)
    starts = np.arange(0, 290)[np.linspace(0, 289, 50).round().astype(int)]
    expected = ((x[:, starts + 10] - x[:, starts]) ** 2).mean(axis=(1, 2))
    np.testing.assert_allclose(pe.values, expected, rtol=1e-12)

    class Shrink(chaoskit.Dynamics):
        def _step(self, s):
            return 0.5 * s

    dyn = prediction_error(Shrink(2, DT), data, n=3)
    starts = np.arange(0, 297)
    np.testing.assert_allclose(dyn.values, ((x[:, starts + 3] - x[:, starts] / 8) ** 2).mean(axis=(1, 2)))
    with pytest.raises(chaoskit.DataError, match="dimension"):
        prediction_error(Shrink(3, DT), data, n=3)
    with pytest.raises(chaoskit.DataError, match="no start"):
        prediction_error(Shrink(2, DT), dataset(x[:, :5]), n=20)
