"""The Metric and Invariant interfaces, through small numpy metrics written for these tests."""

from __future__ import annotations

import json

import numpy as np
import pytest
import xarray as xr

import chaoskit
from chaoskit import (
    DataError,
    ParameterError,
)

from ._toys import (
    AbsError,
    DynamicsDimension,
    MatrixDynamics,
    MeanLevel,
    dataset,
    field_dataset,
)



# =========================================================================== Metric
@pytest.fixture
def truth():
    return dataset(members=3, n=20, dt=0.1, variables=("x", "y"))


def test_metric_result(truth):
    metric = AbsError()
    forecast = truth.copy(deep=True)
    forecast["state"] = forecast["state"] + 0.5
    out = metric(truth, forecast)
    assert isinstance(out, xr.DataArray)
    assert out.dims == ("member",)
    assert out.name == "abs_error"
    np.testing.assert_allclose(out.values, [0.5, 0.5, 0.5])
    np.testing.assert_array_equal(out["member"].values, truth["member"].values)
    assert "diverged_at" in out.coords
    assert np.isnan(out["diverged_at"].values).all()
    assert out.attrs["metric"] == "abs_error"
    assert out.attrs["direction"] == "lower"
    assert out.attrs["kind"] == "short_term"
    assert out.attrs["units"] == "state"
    assert out.attrs["definition"].startswith("mean over time")
    assert json.loads(out.attrs["parameters"]) == {"divergence_margin": 2.0}


def test_a_non_finite_member_scores_nan_with_its_divergence_time(truth):
    forecast = truth.copy(deep=True)
    values = forecast["state"].values.copy()
    values[1, 7:, 0] = np.inf
    values[2, 12:, 1] = np.nan
    forecast["state"] = (forecast["state"].dims, values)
    out = AbsError()(truth, forecast)
    assert out.values[0] == pytest.approx(0.0)
    assert np.isnan(out.values[1]) and np.isnan(out.values[2])
    t = truth["time"].values
    np.testing.assert_allclose(out["diverged_at"].values, [np.nan, t[7], t[12]])


def test_escaping_the_attractor_box_is_divergence(truth):
    # the truth lives in [-1, 1]; the box widened by a margin of 2 extents is about [-5, 5]
    forecast = truth.copy(deep=True)
    values = forecast["state"].values.copy()
    values[0, 10:, 0] = 1e3  # far outside
    values[1] = values[1] * 2.0  # outside the truth's range, inside the widened box
    forecast["state"] = (forecast["state"].dims, values)
    out = AbsError()(truth, forecast)
    diverged = out["diverged_at"].values
    assert diverged[0] == pytest.approx(truth["time"].values[10])
    assert np.isnan(out.values[0])
    assert np.isnan(diverged[1]) and np.isfinite(out.values[1]) and out.values[1] > 0
    assert np.isnan(diverged[2])
    # a tighter margin flags the second member too
    tight = AbsError(divergence_margin=0.01)(truth, forecast)
    assert np.isfinite(tight["diverged_at"].values[1])


def test_divergence_times_directly(truth):
    forecast = truth.copy(deep=True)
    values = forecast["state"].values.copy()
    values[2, 5:] = -1e6
    forecast["state"] = (forecast["state"].dims, values)
    times = chaoskit.divergence_times(truth, forecast)
    assert times.shape == (3,)
    np.testing.assert_allclose(times, [np.nan, np.nan, truth["time"].values[5]])


def test_metric_with_misaligned_times(truth):
    shifted = truth.assign_coords(time=truth["time"] + 0.05)
    with pytest.raises(DataError, match=r"time axes differ.*take the truth at the forecast's times"):
        AbsError()(truth, shifted)
    with pytest.raises(DataError, match=r"truth has shape .* but forecast has"):
        AbsError()(truth, truth.isel(time=slice(0, 10)))


def test_metric_with_another_spatial_grid():
    truth = field_dataset(members=2, n=6)
    other = truth.assign_coords(x=truth["x"].values * 2.0)
    with pytest.raises(DataError, match=r"differ on the spatial grid 'x'"):
        AbsError()(truth, other)
    assert AbsError()(truth, truth).shape == (2,)


def test_divergence_of_a_complex_field_uses_real_and_imaginary_parts():
    time = 0.1 * np.arange(8)
    state = np.exp(1j * time)[None, :, None] * np.ones((2, 1, 1))
    truth = chaoskit.make_dataset(state, time=time, variables=["psi"])
    escaped = state.copy()
    escaped[1, 4:] += 50j  # only the imaginary part leaves the box
    forecast = chaoskit.make_dataset(escaped, time=time, variables=["psi"])
    times = chaoskit.divergence_times(truth, forecast)
    assert np.isnan(times[0])
    assert times[1] == pytest.approx(time[4])


def test_metric_with_other_variables(truth):
    renamed = truth.assign_coords(variable=["y", "x"])
    with pytest.raises(DataError, match=r"truth variables \['x', 'y'\] differ from forecast variables \['y', 'x'\]"):
        AbsError()(truth, renamed)


def test_metric_with_other_member_counts(truth):
    with pytest.raises(DataError, match=r"truth has 3 members but forecast has 2"):
        AbsError()(truth, truth.isel(member=slice(0, 2)))


def test_metric_rejects_non_finite_truth(truth):
    bad = truth.copy(deep=True)
    values = bad["state"].values.copy()
    values[0, 0, 0] = np.nan
    bad["state"] = (bad["state"].dims, values)
    with pytest.raises(DataError, match=r"^truth: state holds 1 non-finite"):
        AbsError()(bad, truth)


def test_invariant_estimate_and_relative_error(truth):
    inv = MeanLevel()
    est = inv.estimate(truth)
    assert est.dims == ("member", "variable")
    forecast = truth.copy(deep=True)
    forecast["state"] = truth["state"] * 1.1
    out = inv(truth, forecast)
    assert out.dims == ("member",)
    assert out.name == "mean_level"
    assert out.attrs["kind"] == "long_term"
    np.testing.assert_allclose(out.values, [0.1, 0.1, 0.1], rtol=1e-9)


def test_invariant_does_not_need_aligned_times(truth):
    longer = dataset(members=3, n=40, dt=0.1, variables=("x", "y"), seed=4)
    out = MeanLevel()(truth, longer)
    assert out.shape == (3,) and np.isfinite(out.values).all()


def test_invariant_rejects_a_dynamics_unless_it_accepts_one():
    dyn = MatrixDynamics(np.eye(2), 0.1)
    with pytest.raises(DataError, match=r"mean_level is estimated from data; pass a trajectory Dataset"):
        MeanLevel().estimate(dyn)
    assert DynamicsDimension().estimate(dyn).values.tolist() == [2.0]


def test_invariant_validates_data():
    with pytest.raises(DataError):
        MeanLevel().estimate(dataset()["state"])


def test_metric_parameters_are_validated():
    with pytest.raises(ParameterError, match=r"AbsError\.divergence_margin must be > 0"):
        AbsError(divergence_margin=0)
