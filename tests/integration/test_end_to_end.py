"""The walking skeleton: simulate Lorenz → fit an ESN → forecast → score, all by name."""

from __future__ import annotations

import numpy as np

import chaoskit
from chaoskit.report import plot_forecast


def test_simulate_fit_forecast_score(tmp_path) -> None:
    lorenz = chaoskit.systems.create("Lorenz")
    train = lorenz.trajectory(5_000, dt=0.01, transient=10.0, seed=0)
    test = lorenz.trajectory(900, dt=0.01, members=3, transient=10.0, seed=1)
    context, truth = test.chaos.split(300)

    esn = chaoskit.models.create("esn", units=300, seed=0).fit(train)
    forecast = esn.forecast(context, steps=truth.sizes["time"])
    np.testing.assert_allclose(forecast["time"].values, truth["time"].values)
    assert forecast.chaos.lyapunov_time == truth.chaos.lyapunov_time

    vpt = chaoskit.metrics.create("vpt")(truth, forecast)
    rmse = chaoskit.metrics.create("rmse")(truth, forecast)
    assert vpt.dims == ("member",) and rmse.dims == ("member",)
    assert vpt.attrs["criterion"] == "pathak" and vpt.attrs["threshold"] == 0.4
    # A trained ESN follows Lorenz-63 for at least a couple of Lyapunov times on every member,
    # and its early error is far below the attractor's size.
    assert np.all(vpt.values > 1.5), vpt.values
    early = chaoskit.metrics.create("rmse")(truth.isel(time=slice(0, 50)), forecast.isel(time=slice(0, 50)))
    assert np.all(early.values < 1.0), early.values

    figure = plot_forecast(truth, forecast, tmp_path / "forecast.png", context=context)
    assert figure.stat().st_size > 10_000


def test_saved_model_forecasts_identically(tmp_path) -> None:
    lorenz = chaoskit.systems.create("lorenz")
    train = lorenz.trajectory(2_000, dt=0.01, seed=0)
    context = lorenz.trajectory(200, dt=0.01, members=2, seed=3)
    esn = chaoskit.models.create("esn", units=100, seed=0).fit(train)
    esn.save(tmp_path / "esn")
    back = chaoskit.load_model(tmp_path / "esn")
    np.testing.assert_array_equal(back.forecast(context, 50)["state"].values,
                                  esn.forecast(context, 50)["state"].values)
