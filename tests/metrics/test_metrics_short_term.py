"""Short-term errors of chaoskit-metrics (RMSE, MSE, MAE, sMAPE) against hand computations."""

from __future__ import annotations

import numpy as np
import pytest

import chaoskit
from chaoskit_metrics.short_term import MAE, MSE, RMSE, SMAPE

DT = 0.01


def dataset(values, *, space=None, **attrs):
    values = np.asarray(values)
    time = np.arange(values.shape[1]) * DT
    variables = [f"v{i}" for i in range(values.shape[-1])]
    return chaoskit.make_dataset(values, time=time, variables=variables, space=space,
                                 attrs={"dt": DT, **attrs})


@pytest.fixture
def pair():
    rng = np.random.default_rng(7)
    truth = rng.normal(size=(4, 50, 3))
    forecast = truth + rng.normal(scale=0.3, size=truth.shape)
    return truth, forecast


def test_rmse_matches_numpy(pair):
    truth, forecast = pair
    result = RMSE()(dataset(truth), dataset(forecast))
    expected = np.sqrt(((forecast - truth) ** 2).mean(axis=(1, 2)))
    np.testing.assert_allclose(result.values, expected, rtol=1e-12)
    assert result.dims == ("member",) and result.name == "rmse"
    assert np.all(np.isnan(result["diverged_at"].values))


def test_rmse_of_a_constant_offset_is_its_size():
    rng = np.random.default_rng(1)
    truth = rng.normal(size=(3, 40, 2))
    offsets = np.array([0.5, -2.0, 0.0])
    result = RMSE()(dataset(truth), dataset(truth + offsets[:, None, None]))
    np.testing.assert_allclose(result.values, np.abs(offsets), atol=1e-12)


def test_offset_on_a_field_and_on_complex_values():
    rng = np.random.default_rng(2)
    space = {"x": np.linspace(0, 1, 8)}
    truth = rng.normal(size=(2, 30, 8, 2))
    field = RMSE()(dataset(truth, space=space), dataset(truth - 1.5, space=space))
    np.testing.assert_allclose(field.values, 1.5, rtol=1e-12)
    psi = truth + 1j * rng.normal(size=truth.shape)
    shift = 0.7 * np.exp(1j * 0.3)
    result = RMSE()(dataset(psi, space=space), dataset(psi + shift, space=space))
    np.testing.assert_allclose(result.values, 0.7, rtol=1e-12)


@pytest.mark.parametrize(
    ("metric", "expected"),
    [(MSE(), 4.0), (RMSE(), 2.0), (MAE(), 2.0)],
)
def test_offset_by_every_error(metric, expected):
    truth = np.random.default_rng(3).normal(size=(2, 20, 3))
    result = metric(dataset(truth), dataset(truth + 2.0))
    np.testing.assert_allclose(result.values, expected, rtol=1e-12)


def test_mse_and_mae_match_numpy(pair):
    truth, forecast = pair
    mse = MSE()(dataset(truth), dataset(forecast))
    mae = MAE()(dataset(truth), dataset(forecast))
    np.testing.assert_allclose(mse.values, ((forecast - truth) ** 2).mean(axis=(1, 2)), rtol=1e-12)
    np.testing.assert_allclose(mae.values, np.abs(forecast - truth).mean(axis=(1, 2)), rtol=1e-12)


def test_smape_scales_and_limits():
    ones = np.ones((1, 10, 2))
    truth = np.concatenate([ones, ones, np.zeros((1, 10, 2)), ones])
    forecast = np.concatenate([3 * ones, -ones, np.zeros((1, 10, 2)), ones])
    on_200 = SMAPE()(dataset(truth), dataset(forecast))
    on_100 = SMAPE(scale=100)(dataset(truth), dataset(forecast))
    # |1-3|/(1+3) = 1/2 -> 100 on the 0-200 scale; opposite signs -> the maximum; 0/0 and equal -> 0
    np.testing.assert_allclose(on_200.values, [100.0, 200.0, 0.0, 0.0])
    np.testing.assert_allclose(on_100.values, [50.0, 100.0, 0.0, 0.0])


def test_smape_matches_numpy(pair):
    truth, forecast = pair
    result = SMAPE()(dataset(truth), dataset(forecast))
    terms = np.abs(forecast - truth) / (np.abs(truth) + np.abs(forecast))
    expected = 200 * terms.mean(axis=(1, 2))
    np.testing.assert_allclose(result.values, expected, rtol=1e-12)


def test_smape_scale_is_checked():
    with pytest.raises(chaoskit.ParameterError, match="scale"):
        SMAPE(scale=50)
    assert "scale" in SMAPE().describe()["parameters"]


def test_diverged_member_scores_nan(pair):
    truth, forecast = pair
    forecast = forecast.copy()
    forecast[1, 20, 0] = np.nan
    forecast[2, 30, 1] = np.inf
    result = RMSE()(dataset(truth), dataset(forecast))
    assert np.isnan(result.values[[1, 2]]).all() and np.isfinite(result.values[[0, 3]]).all()
    np.testing.assert_allclose(result["diverged_at"].values[1:3], [20 * DT, 30 * DT])


def test_misaligned_inputs_raise(pair):
    truth, forecast = pair
    shifted = chaoskit.make_dataset(
        forecast, time=np.arange(50) * DT + DT, variables=["v0", "v1", "v2"]
    )
    with pytest.raises(chaoskit.DataError, match="time"):
        RMSE()(dataset(truth), shifted)
    renamed = chaoskit.make_dataset(forecast, time=np.arange(50) * DT, variables=["a", "b", "c"])
    with pytest.raises(chaoskit.DataError, match="variables"):
        RMSE()(dataset(truth), renamed)
    with pytest.raises(chaoskit.DataError, match="members"):
        RMSE()(dataset(truth), dataset(forecast[:2]))


def test_float32_forecast_is_scored_in_double(pair):
    truth, forecast = pair
    result = RMSE()(dataset(truth), dataset(forecast.astype(np.float32)))
    expected = np.sqrt(((forecast.astype(np.float32) - truth) ** 2).mean(axis=(1, 2)))
    np.testing.assert_allclose(result.values, expected, rtol=1e-7)


@pytest.mark.parametrize("name", ["rmse", "mse", "mae", "smape"])
def test_registry_route(name, pair):
    metric = chaoskit.metrics.create(name)
    assert isinstance(metric, chaoskit.Metric)
    assert metric.name == name and metric.direction == "lower" and metric.kind == "short_term"
    assert metric.definition and metric.units
    truth, forecast = pair
    result = metric(dataset(truth), dataset(forecast))
    assert result.attrs["metric"] == name and result.attrs["definition"] == metric.definition
    assert np.all(np.isfinite(result.values))


def test_aliases_resolve():
    assert chaoskit.metrics.get("root_mean_squared_error") is RMSE
    assert chaoskit.metrics.get("metrics/smape") is SMAPE
