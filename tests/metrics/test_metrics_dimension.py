"""Correlation dimension (Grassberger–Procaccia and Takens) against REFERENCES.md §1.

Tolerances as the field uses them: ±0.05–0.1, limited by the choice of scaling region; the
issue's bound for Lorenz-63 is 2.05 ± 0.08 from 10,000 points. D2 cannot exceed 2·log10 N
(Eckmann & Ruelle 1992).
"""

from __future__ import annotations

import chaoskit
import numpy as np
import pytest
import xarray as xr
from chaoskit_metrics.correlation_dimension import CorrelationDimension, correlation_sum
from metrics_invariant_systems import LORENZ_D2, henon_data, lorenz_data


@pytest.fixture(scope="module")
def lorenz_gp() -> xr.DataArray:
    return chaoskit.metrics.create("correlation_dimension").estimate(lorenz_data())


def test_lorenz_grassberger_procaccia(lorenz_gp: xr.DataArray) -> None:
    # 3 members × 10,000 points, dt = 0.05 (500 time units each)
    assert lorenz_gp.dims == ("member",) and lorenz_gp.sizes["member"] == 3
    np.testing.assert_allclose(lorenz_gp.values, LORENZ_D2, atol=0.08)
    assert (lorenz_gp["fit_r_max"] / lorenz_gp["fit_r_min"] >= 10.0 - 1e-9).all()  # one decade
    assert (lorenz_gp["uncertainty"] < 0.1).all()
    assert (lorenz_gp["points"] == 10_000).all() and (lorenz_gp["reason"] == "").all()


def test_lorenz_takens_estimator(lorenz_gp: xr.DataArray) -> None:
    np.testing.assert_allclose(lorenz_gp["takens"].values, LORENZ_D2, atol=0.08)
    low, high = lorenz_gp["takens_low"].values, lorenz_gp["takens_high"].values
    assert np.all((low < lorenz_gp["takens"].values) & (lorenz_gp["takens"].values < high))
    takens = CorrelationDimension(estimator="takens").estimate(lorenz_data().isel(member=[0]))
    assert takens.item() == pytest.approx(lorenz_gp["takens"].values[0])


def test_henon_correlation_dimension() -> None:
    # GP 1983: 1.21 ± 0.01; ChaosTools' tests accept 1.20–1.30 at N = 10^4
    out = CorrelationDimension().estimate(henon_data())
    np.testing.assert_allclose(out.values, 1.22, atol=0.06)


def test_delay_embedded_scalar_series() -> None:
    out = CorrelationDimension(variables="x", embedding_dimension=4, lag=2).estimate(
        lorenz_data().isel(member=[0]))
    assert out.item() == pytest.approx(LORENZ_D2, abs=0.15)
    assert out.attrs["embedding"] == "delay"


def test_correlation_sum_is_monotone_and_theiler_corrected() -> None:
    ds = lorenz_data().isel(member=[0], time=slice(0, 2000))
    c0 = correlation_sum(ds, theiler=0, max_fraction=1.0)  # radii up to the diameter
    c50 = correlation_sum(ds, theiler=50, max_fraction=1.0)
    assert np.all(np.diff(c0.values[0]) >= 0) and c0.values[0, -1] == pytest.approx(1.0)
    assert int(c50["total_pairs"][0]) == (2000 - 51) * (2000 - 50) // 2
    np.testing.assert_array_less(c50["pairs"].values[0], c0["pairs"].values[0] + 1)


def test_eckmann_ruelle_bound() -> None:
    # 300 points of 6-D white noise "have" a dimension near 6 > 2 log10(300) = 4.95
    noise = np.random.default_rng(0).standard_normal((1, 300, 6))
    ds = chaoskit.make_dataset(noise, time=np.arange(300.0), variables=list("abcdef"))
    out = CorrelationDimension(theiler=0, min_pairs=20).estimate(ds)
    assert np.isnan(out.item()) and "Eckmann-Ruelle" in str(out["reason"].item())
    assert np.isfinite(out["gp"].item()) and out["gp"].item() > 2 * np.log10(300)


def test_bad_input() -> None:
    ds = lorenz_data()
    with pytest.raises(chaoskit.DataError, match="too few"):
        CorrelationDimension().estimate(ds.isel(time=slice(0, 50)))
    with pytest.raises(chaoskit.ParameterError, match="embedding"):
        CorrelationDimension().estimate(ds.sel(variable=["x"]))
    with pytest.raises(chaoskit.ParameterError):
        CorrelationDimension(fit=(2.0, 1.0))
    flat = ds.isel(time=slice(0, 3000)).copy(deep=True)
    flat["state"].values[0] = 3.0
    out = CorrelationDimension().estimate(flat)
    assert np.isnan(out.values[0]) and "constant" in str(out["reason"].values[0])
    assert np.isfinite(out.values[1:]).all()


def test_as_a_metric_nan_forecast_member() -> None:
    truth = lorenz_data().isel(time=slice(0, 3000))
    forecast = truth.copy(deep=True)
    forecast["state"].values[1, 1500:] = np.inf
    out = CorrelationDimension()(truth, forecast)
    np.testing.assert_allclose(out.values[[0, 2]], 0.0, atol=1e-12)
    assert np.isnan(out.values[1]) and np.isfinite(out["diverged_at"].values[1])


def test_explicit_scaling_region() -> None:
    out = CorrelationDimension(fit=(0.5, 5.0)).estimate(lorenz_data().isel(member=[0]))
    assert out["fit_r_min"].item() >= 0.5 and out["fit_r_max"].item() <= 5.0
    assert out.item() == pytest.approx(LORENZ_D2, abs=0.1)
