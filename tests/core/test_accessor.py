"""The ``ds.chaos`` accessor."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
import xarray as xr  # noqa: E402

import chaoskit  # noqa: E402
from chaoskit import DataError, ParameterError  # noqa: E402

from ._toys import dataset, field_dataset  # noqa: E402


# --------------------------------------------------------------------------- description
def test_description_properties():
    ds = dataset(members=3, n=10, dt=0.25, variables=("x", "y", "z"))
    assert ds.chaos.variables == ("x", "y", "z")
    assert ds.chaos.space_dims == ()
    assert ds.chaos.dt == 0.25
    assert field_dataset().chaos.space_dims == ("x",)
    assert ds.chaos.validate() is ds


def test_attrs_are_decoded():
    ds = dataset(attrs_={"parameters": {"rho": 28.0}, "chaotic": True})
    assert ds.chaos.attrs["parameters"] == {"rho": 28.0}
    assert ds.chaos.attrs["chaotic"] is True
    assert isinstance(ds.attrs["parameters"], str)  # stored encoded


# --------------------------------------------------------------------------- features
def test_features_of_an_ode_dataset():
    ds = dataset(members=2, n=7, variables=("x", "y", "z"))
    feats = ds.chaos.features()
    assert isinstance(feats, xr.DataArray)
    assert feats.dims == ("member", "time", "feature")
    assert feats.shape == (2, 7, 3)
    assert list(feats["feature"].values) == ["x", "y", "z"]
    np.testing.assert_array_equal(feats.values, ds["state"].values)


def test_features_of_a_field_stacks_space_and_variables():
    ds = field_dataset(members=2, n=12, nx=5)
    feats = ds.chaos.features()
    assert feats.dims == ("member", "time", "feature")
    assert feats.shape == (2, 12, 5 * 2)
    # the feature index runs over (x, variable) with variable fastest
    np.testing.assert_array_equal(feats.values, ds["state"].values.reshape(2, 12, 10))
    assert feats.isel(feature=3)["variable"].item() == "v"
    assert feats.isel(feature=3)["x"].item() == pytest.approx(0.25)


# --------------------------------------------------------------------------- split
def test_split_by_fraction():
    ds = dataset(n=20)
    a, b = ds.chaos.split(0.75)
    assert a.sizes["time"] == 15 and b.sizes["time"] == 5
    xr.testing.assert_identical(xr.concat([a, b], "time"), ds)


def test_split_by_count():
    a, b = dataset(n=20).chaos.split(4)
    assert (a.sizes["time"], b.sizes["time"]) == (4, 16)


def test_split_by_time_puts_earlier_points_first():
    ds = dataset(n=20, dt=0.1)
    a, b = ds.chaos.split(time=0.55)
    assert float(a["time"].max()) < 0.55 <= float(b["time"].min())
    assert a.sizes["time"] == 6 and b.sizes["time"] == 14


@pytest.mark.parametrize("kw", [{"at": 0}, {"at": 20}, {"at": 25}, {"at": 0.01}, {"time": -1.0}, {"time": 100.0}])
def test_split_leaving_an_empty_part(kw):
    at = kw.pop("at", None)
    with pytest.raises(ParameterError, match=r"leaves an empty part \(the dataset has 20 time points\)"):
        dataset(n=20).chaos.split(at, **kw)


def test_split_needs_exactly_one_of_at_and_time():
    ds = dataset(n=20)
    with pytest.raises(ParameterError, match="exactly one"):
        ds.chaos.split(0.5, time=0.5)
    with pytest.raises(ParameterError, match="exactly one"):
        ds.chaos.split()


def test_split_fraction_out_of_range():
    with pytest.raises(ParameterError, match=r"fraction must lie in \(0, 1\), got 1.5"):
        dataset(n=20).chaos.split(1.5)


# --------------------------------------------------------------------------- windows
def test_windows_non_overlapping():
    ds = dataset(members=2, n=10, dt=0.5)
    w = ds.chaos.windows(3)
    assert w.sizes["member"] == 2 * 3  # floor(10 / 3) windows per member
    assert w.sizes["time"] == 3
    np.testing.assert_allclose(w["time"].values, [0.0, 0.5, 1.0])
    np.testing.assert_array_equal(w["source_member"].values, [0, 0, 0, 1, 1, 1])
    np.testing.assert_allclose(w["t0"].values, [0.0, 1.5, 3.0, 0.0, 1.5, 3.0])
    # window 4 is member 1, starting at index 3
    np.testing.assert_array_equal(w["state"].values[4], ds["state"].values[1, 3:6])
    assert w.chaos.variables == ds.chaos.variables
    chaoskit.validate(w)


def test_windows_with_stride():
    ds = dataset(members=1, n=10, dt=1.0)
    w = ds.chaos.windows(4, stride=2)
    assert w.sizes["member"] == 4  # starts 0, 2, 4, 6
    np.testing.assert_allclose(w["t0"].values, [0.0, 2.0, 4.0, 6.0])
    np.testing.assert_array_equal(w["state"].values[2], ds["state"].values[0, 4:8])


def test_windows_of_a_field_keep_the_grid():
    ds = field_dataset(members=1, n=12, nx=5)
    w = ds.chaos.windows(4)
    assert w["state"].dims == ds["state"].dims
    assert w.sizes["member"] == 3
    np.testing.assert_allclose(w["x"].values, ds["x"].values)


@pytest.mark.parametrize("length, stride, match", [
    (0, None, "length must be a positive integer"),
    (2.5, None, "length must be a positive integer"),
    (3, 0, "stride must be a positive integer"),
    (30, None, "length 30 exceeds the 10 time points"),
])
def test_windows_errors(length, stride, match):
    with pytest.raises(ParameterError, match=match):
        dataset(n=10).chaos.windows(length, stride=stride)


# --------------------------------------------------------------------------- lyapunov time and dt
def test_lyapunov_time_from_lyapunov_time_attr():
    assert dataset(attrs_={"lyapunov_time": 1.1}).chaos.lyapunov_time == pytest.approx(1.1)


def test_lyapunov_time_from_max_lyapunov_attr():
    assert dataset(attrs_={"max_lyapunov": 0.9056}).chaos.lyapunov_time == pytest.approx(1 / 0.9056)


def test_lyapunov_time_missing_says_how_to_fix():
    with pytest.raises(DataError, match=r"records no Lyapunov time.*ds\.attrs\['lyapunov_time'\] = 1 / λ1"):
        dataset().chaos.lyapunov_time  # noqa: B018


def test_lyapunov_time_of_a_non_chaotic_system():
    with pytest.raises(DataError, match="not a positive number"):
        dataset(attrs_={"max_lyapunov": -0.5}).chaos.lyapunov_time  # noqa: B018


def test_dt_inferred_from_a_uniform_axis():
    ds = chaoskit.make_dataset(np.zeros((1, 4, 1)), time=[1.0, 1.5, 2.0, 2.5], variables=["x"])
    assert "dt" not in ds.attrs
    assert ds.chaos.dt == pytest.approx(0.5)


def test_dt_of_a_non_uniform_axis():
    ds = chaoskit.make_dataset(np.zeros((1, 4, 1)), time=[0.0, 0.1, 0.3, 0.4], variables=["x"])
    with pytest.raises(DataError, match=r"not uniformly sampled.*interpolate"):
        ds.chaos.dt  # noqa: B018


def test_dt_of_a_single_point():
    ds = chaoskit.make_dataset(np.zeros((1, 1, 1)), time=[0.0], variables=["x"])
    with pytest.raises(DataError, match=r"single time point.*attrs\['dt'\]"):
        ds.chaos.dt  # noqa: B018


# --------------------------------------------------------------------------- conversion and plots
def test_to_tensor_shape_and_dtype():
    torch = pytest.importorskip("torch")
    ds = field_dataset(members=2, n=12, nx=5)
    t = ds.chaos.to_tensor()
    assert isinstance(t, torch.Tensor)
    assert tuple(t.shape) == (2, 12, 10)
    assert t.dtype == torch.float64
    assert t.device.type == "cpu"
    np.testing.assert_array_equal(t.numpy(), ds.chaos.features().values)
    assert ds.chaos.to_tensor(dtype="float32").dtype == torch.float32
    assert ds.chaos.to_tensor(dtype=torch.float16).dtype == torch.float16


def test_to_tensor_unknown_dtype():
    pytest.importorskip("torch")
    with pytest.raises(ParameterError, match="unknown torch dtype 'float7'"):
        dataset().chaos.to_tensor(dtype="float7")


def test_plot_returns_a_figure_with_one_panel_per_variable():
    from matplotlib.figure import Figure

    ds = dataset(members=3, variables=("x", "y", "z"))
    fig = ds.chaos.plot()
    try:
        assert isinstance(fig, Figure)
        assert len(fig.axes) == 3
        assert [ax.get_ylabel() for ax in fig.axes] == ["x", "y", "z"]
        assert len(fig.axes[0].lines) == 3  # one line per member
    finally:
        plt.close(fig)


def test_plot_selection_and_given_axes():
    ds = dataset(members=3, variables=("x", "y", "z"))
    fig, axes = plt.subplots(2, 1)
    try:
        out = ds.chaos.plot(members=[0, 2], variables=["x", "z"], ax=axes)
        assert out is fig
        assert len(axes[1].lines) == 2 and axes[1].get_ylabel() == "z"
        with pytest.raises(ParameterError, match="got 2 axes for 3 variables"):
            ds.chaos.plot(ax=axes)
    finally:
        plt.close(fig)


def test_plot_of_a_field_asks_for_a_grid_point():
    with pytest.raises(DataError, match=r"select a grid point"):
        field_dataset().chaos.plot()
