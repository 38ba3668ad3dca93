"""Valid prediction time against constructed error curves with a known exceedance time."""

from __future__ import annotations

import json

import attrs
import numpy as np
import pytest

import chaoskit
from chaoskit_metrics.vpt import ValidPredictionTime

DT = 0.01
N = 2000  # 20 time units
LAMBDA = 0.9  # largest Lyapunov exponent: one Lyapunov time is 1/0.9
AMPLITUDE = 3.0
TIME = np.arange(N) * DT
OMEGA = 2 * np.pi * 10 / (N * DT)  # ten whole periods over the window
STEP_LT = DT * LAMBDA  # one time step in Lyapunov times


def dataset(values, *, time=TIME, variables=("x", "y"), lyapunov=True, **attrs):
    extra = {"dt": DT, **attrs}
    if lyapunov:
        extra["lyapunov_time"] = 1 / LAMBDA
    return chaoskit.make_dataset(values, time=time, variables=list(variables), attrs=extra)


def circle(members, offset=(0.0, 0.0)):
    """Truth on a circle of radius AMPLITUDE: ||u|| = AMPLITUDE, std per variable AMPLITUDE/√2."""
    u = AMPLITUDE * np.stack([np.cos(OMEGA * TIME), np.sin(OMEGA * TIME)], axis=-1)
    return np.repeat((u + np.asarray(offset))[None], members, axis=0)


def growing(eps, direction):
    """Perturbations eps_m * exp(LAMBDA t) * direction, shape (member, time, 2)."""
    eps = np.asarray(eps, float)
    return eps[:, None, None] * np.exp(LAMBDA * TIME)[None, :, None] * np.asarray(direction, float)


EPS = [1e-6, 1e-4, 1e-2]


def check_within_one_step(result, expected):
    expected = np.asarray(expected)
    assert np.all(np.abs(result.values - expected) <= STEP_LT + 1e-9), (result.values, expected)


def test_pathak_exponential_growth():
    truth = circle(3)
    result = ValidPredictionTime()(dataset(truth), dataset(truth + growing(EPS, [1.0, 0.0])))
    # e(t) = eps e^{λt} / AMPLITUDE reaches 0.4 at t* = ln(0.4 A / eps) / λ, i.e. ln(0.4 A / eps) LT
    check_within_one_step(result, np.log(0.4 * AMPLITUDE / np.array(EPS)))
    assert len(set(result.values)) == 3 and not result["censored"].values.any()


def test_pathak_normalizes_by_the_raw_norm_unless_centered():
    offset = (4.0, 0.0)
    truth = circle(3, offset)
    forecast = truth + growing(EPS, [0.0, 1.0])
    raw = ValidPredictionTime()(dataset(truth), dataset(forecast))
    centered = ValidPredictionTime(center=True)(dataset(truth), dataset(forecast))
    # <||u||^2> = A^2 + |offset|^2 over whole periods; centered: A^2
    check_within_one_step(raw, np.log(0.4 * np.hypot(AMPLITUDE, 4.0) / np.array(EPS)))
    check_within_one_step(centered, np.log(0.4 * AMPLITUDE / np.array(EPS)))
    assert "subtracted (center=True)" in centered.attrs["criterion_definition"]


def test_nrmse_exponential_growth():
    truth = circle(3)
    sigma = AMPLITUDE / np.sqrt(2)
    forecast = truth + growing(EPS, [sigma, -sigma])
    result = ValidPredictionTime(criterion="nrmse")(dataset(truth), dataset(forecast))
    # e(t) = eps e^{λt}: exceeds 0.5 at ln(0.5 / eps) Lyapunov times
    check_within_one_step(result, np.log(0.5 / np.array(EPS)))


def test_smape_step_error_analytic():
    truth = np.ones((1, 300, 2))
    forecast = truth.copy()
    forecast[:, 70:] = 3.0  # sMAPE 100 from step 70 on
    result = ValidPredictionTime(criterion="smape")(
        dataset(truth, time=TIME[:300]), dataset(forecast, time=TIME[:300])
    )
    # cumulative mean 100 (t - 69) / (t + 1) > 30  <=>  t > 99: steps 0..99 are valid
    np.testing.assert_allclose(result.values, 100 * STEP_LT)


def test_smape_exponential_growth_against_a_loop():
    truth = circle(3, offset=(5.0, 5.0))
    forecast = truth + growing([1e-5, 1e-3, 1e-1], [1.0, 1.0])
    result = ValidPredictionTime(criterion="smape")(dataset(truth), dataset(forecast))
    expected = []
    for u, v in zip(truth, forecast):
        total = 0.0
        count = N
        for k in range(N):
            total += np.mean(200 * np.abs(u[k] - v[k]) / (np.abs(u[k]) + np.abs(v[k])))
            if total / (k + 1) > 30:
                count = k
                break
        expected.append(count * STEP_LT)
    np.testing.assert_allclose(result.values, expected)
    assert N * STEP_LT > expected[0] > expected[1] > expected[2] > 0


@pytest.mark.parametrize("criterion", ["pathak", "nrmse", "smape"])
def test_identical_forecast_is_censored_at_the_horizon(criterion):
    truth = circle(2)
    result = ValidPredictionTime(criterion=criterion)(dataset(truth), dataset(truth.copy()))
    np.testing.assert_allclose(result.values, N * STEP_LT)
    assert result["censored"].values.all() and result.attrs["censored"] == 2
    assert result.attrs["horizon"] == pytest.approx(N * STEP_LT)


def test_censoring_is_counted_per_member():
    truth = circle(3)
    forecast = truth + growing([1e-12, 1e-3, 1e-13], [1.0, 0.0])
    result = ValidPredictionTime()(dataset(truth), dataset(forecast))
    assert result["censored"].values.tolist() == [True, False, True]
    assert result.attrs["censored"] == 2
    assert result.values[1] < N * STEP_LT


@pytest.mark.parametrize("criterion", ["pathak", "nrmse", "smape"])
def test_non_finite_values_end_the_valid_time(criterion):
    truth = circle(3, offset=(5.0, 5.0))
    forecast = truth.copy()
    forecast[0, 500, 1] = np.nan
    forecast[1, 800:, 0] = np.inf
    result = ValidPredictionTime(criterion=criterion)(dataset(truth), dataset(forecast))
    np.testing.assert_allclose(result.values, np.array([500, 800, N]) * STEP_LT)
    np.testing.assert_allclose(result["diverged_at"].values[:2], [TIME[500], TIME[800]])
    assert np.isnan(result["diverged_at"].values[2])


def test_attrs_record_criterion_threshold_and_lyapunov_time():
    truth = circle(1)
    metric = ValidPredictionTime(criterion="nrmse")
    result = metric(dataset(truth), dataset(truth.copy()))
    a = result.attrs
    assert a["metric"] == "vpt" and a["units"] == "lyapunov_times" and a["direction"] == "higher"
    assert a["criterion"] == "nrmse" and a["threshold"] == 0.5
    assert "Vlachas" in a["criterion_definition"]
    assert a["lyapunov_time"] == pytest.approx(1 / LAMBDA)
    assert a["max_lyapunov"] == pytest.approx(LAMBDA)
    assert a["lyapunov_time_source"] == "truth attrs" and a["dt"] == DT
    assert json.loads(a["parameters"])["criterion"] == "nrmse"
    tighter = attrs.evolve(metric, threshold=0.1)
    assert tighter.describe()["threshold"] == 0.1


def test_result_survives_netcdf(tmp_path):
    truth = circle(2)
    result = ValidPredictionTime()(dataset(truth), dataset(truth + growing([1e-3, 1e-12], [1, 0])))
    path = tmp_path / "vpt.nc"
    result.to_netcdf(path)
    import xarray as xr

    back = xr.load_dataarray(path)
    np.testing.assert_allclose(back.values, result.values)
    assert back.attrs["criterion"] == "pathak" and back.attrs["censored"] == 1


def test_missing_lyapunov_time_says_how_to_fix():
    truth = circle(1)
    with pytest.raises(chaoskit.DataError, match=r"lyapunov_time=.*attrs\['lyapunov_time'\]"):
        ValidPredictionTime()(dataset(truth, lyapunov=False), dataset(truth, lyapunov=False))
    given = ValidPredictionTime(lyapunov_time=2.0)(
        dataset(truth, lyapunov=False), dataset(truth, lyapunov=False)
    )
    np.testing.assert_allclose(given.values, N * DT / 2.0)
    assert given.attrs["lyapunov_time_source"] == "parameter"
    from_exponent = ValidPredictionTime()(
        dataset(truth, lyapunov=False, max_lyapunov=0.5), dataset(truth, lyapunov=False)
    )
    np.testing.assert_allclose(from_exponent.values, N * DT * 0.5)


def test_misaligned_inputs_raise():
    truth = circle(2)
    with pytest.raises(chaoskit.DataError, match="time"):
        ValidPredictionTime()(dataset(truth), dataset(truth, time=TIME + DT))
    with pytest.raises(chaoskit.DataError, match="variables"):
        ValidPredictionTime()(dataset(truth), dataset(truth, variables=("a", "b")))


def test_field_equals_the_flattened_ode():
    rng = np.random.default_rng(0)
    field = rng.normal(size=(2, 400, 4, 2))
    forecast = field + growing([1e-4, 1e-2], [1.0, 1.0])[:, :400, None, :]
    grid = {"x": np.arange(4.0)}
    attrs_ = {"dt": DT, "lyapunov_time": 1 / LAMBDA}
    as_field = [
        chaoskit.make_dataset(a, time=TIME[:400], variables=["u", "v"], space=grid, attrs=attrs_)
        for a in (field, forecast)
    ]
    flat = [dataset(a.reshape(2, 400, 8), time=TIME[:400], variables=[f"f{i}" for i in range(8)])
            for a in (field, forecast)]
    for criterion in ("pathak", "smape"):
        metric = ValidPredictionTime(criterion=criterion)
        np.testing.assert_allclose(metric(*as_field).values, metric(*flat).values)


def test_constant_truth_variable_is_a_clear_error_for_nrmse():
    truth = circle(1)
    truth[..., 1] = 2.0
    with pytest.raises(chaoskit.DataError, match="'y'.*constant"):
        ValidPredictionTime(criterion="nrmse")(dataset(truth), dataset(truth))


def test_registry_route():
    metric = chaoskit.metrics.create("vpt", criterion="nrmse")
    assert isinstance(metric, ValidPredictionTime) and metric.criterion == "nrmse"
    assert chaoskit.metrics.get("valid_prediction_time") is ValidPredictionTime
    truth = circle(1)
    assert metric(dataset(truth), dataset(truth)).attrs["threshold"] == 0.5
    with pytest.raises(chaoskit.ParameterError, match="tolerance"):
        chaoskit.metrics.create("vpt", tolerance=0.3)


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("criterion", "lyapunov"), ("threshold", -0.4), ("threshold", 0), ("threshold", "0.4"),
        ("threshold", True), ("lyapunov_time", 0.0), ("lyapunov_time", float("nan")),
        ("center", "yes"), ("divergence_margin", -1.0),
    ],
)
def test_bad_options_name_the_field(field, value):
    with pytest.raises(chaoskit.ParameterError, match=field):
        ValidPredictionTime(**{field: value})


def test_center_needs_the_pathak_criterion():
    with pytest.raises(chaoskit.ParameterError, match="center"):
        ValidPredictionTime(criterion="smape", center=True)
