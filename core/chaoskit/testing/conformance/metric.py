"""``MetricConformance``: the checks every registered Metric must pass."""

from __future__ import annotations

from typing import ClassVar

import numpy as np
import pytest
import xarray as xr

from ...errors import DataError
from ...metric import METRIC_KINDS, Metric
from ._common import RegistrySuite, synthetic_dataset


class MetricConformance(RegistrySuite):
    """Subclass in a plugin's tests, setting ``provider`` (or ``names``) to check its metrics.

    The checks use :func:`chaoskit.testing.synthetic_dataset` (``lyapunov_time`` = 1) and a
    copy with noise of size ``noise`` as the imperfect forecast.
    """

    registry_name = "metrics"
    noise: ClassVar[float] = 0.3

    @pytest.fixture
    def metric(self, item_name: str) -> Metric:
        return self.create(item_name)

    @pytest.fixture(scope="class")
    @classmethod
    def truth(cls) -> xr.Dataset:
        return synthetic_dataset(members=3, n=400)

    def noisy(self, truth: xr.Dataset, seed: int = 0) -> xr.Dataset:
        rng = np.random.default_rng(seed)
        out = truth.copy(deep=True)
        out["state"].values += self.noise * rng.standard_normal(out["state"].shape)
        return out

    def test_declares_itself(self, metric: Metric) -> None:
        assert isinstance(metric, Metric)
        assert isinstance(metric.name, str) and metric.name
        assert metric.direction in ("lower", "higher")
        assert metric.kind in METRIC_KINDS
        assert metric.definition, "state exactly what is computed in the class attribute `definition`"

    def test_result_follows_the_conventions(self, metric: Metric, truth: xr.Dataset) -> None:
        out = metric(truth, self.noisy(truth))
        assert isinstance(out, xr.DataArray)
        assert out.dims == ("member",) and out.sizes["member"] == truth.sizes["member"]
        assert "diverged_at" in out.coords
        for key in ("metric", "direction", "kind", "units", "definition", "parameters"):
            assert key in out.attrs
        assert np.isfinite(out.values).all()

    def test_perfect_forecast_scores_best(self, metric: Metric, truth: xr.Dataset) -> None:
        perfect = metric(truth, truth).values
        worse = metric(truth, self.noisy(truth)).values
        if metric.direction == "lower":
            assert np.all(perfect <= worse)
        else:
            assert np.all(perfect >= worse)
        assert np.any(perfect != worse), "the metric did not notice a noisy forecast"

    def test_deterministic(self, metric: Metric, truth: xr.Dataset) -> None:
        forecast = self.noisy(truth)
        np.testing.assert_array_equal(metric(truth, forecast).values, metric(truth, forecast).values)

    def test_diverged_member_is_recorded(self, metric: Metric, truth: xr.Dataset) -> None:
        forecast = truth.copy(deep=True)
        half = truth.sizes["time"] // 2
        forecast["state"].values[0, half:] = np.inf
        out = metric(truth, forecast)
        assert out["diverged_at"].values[0] == pytest.approx(truth["time"].values[half])
        assert np.isnan(out["diverged_at"].values[1:]).all()
        if not metric.handles_divergence:
            assert np.isnan(out.values[0]) and np.isfinite(out.values[1:]).all()

    def test_rejects_mismatched_inputs(self, metric: Metric, truth: xr.Dataset) -> None:
        renamed = truth.assign_coords(variable=["a", "b", "c"])
        with pytest.raises(DataError):
            metric(truth, renamed)
        if metric.aligned:
            shifted = truth.assign_coords(time=truth["time"].values + 1.0)
            with pytest.raises(DataError):
                metric(truth, shifted)
