"""The Model interface, through small numpy models written for these tests."""

from __future__ import annotations

import json

import attrs
import numpy as np
import pytest
import xarray as xr

import chaoskit
from chaoskit import (
    ChaoskitError,
    DataError,
    NotFittedError,
    ParameterError,
)

from ._toys import (
    BrokenShapeModel,
    DriftModel,
    OtherModel,
    dataset,
    field_dataset,
)



# =========================================================================== Model
@pytest.fixture
def train():
    return dataset(members=3, n=40, dt=0.1)


def test_fit_returns_self(train):
    model = DriftModel()
    assert not model.is_fitted
    assert model.fit(train) is model
    assert model.is_fitted
    info = model.fit_info
    assert info.variables == ("x", "y")
    assert info.dt == pytest.approx(0.1)
    assert info.n_train_points == 120


def test_forecast_before_fit():
    with pytest.raises(NotFittedError, match=r"DriftModel is not fitted; call fit\(train\) first"):
        DriftModel().forecast(dataset(), 5)
    with pytest.raises(NotFittedError):
        DriftModel().save("never-written")
    with pytest.raises(NotFittedError):
        DriftModel().dynamics()


def test_forecast_time_axis_continues_the_context(train):
    model = DriftModel().fit(train)
    context = dataset(members=2, n=10, dt=0.1, t0=3.0, seed=5)
    fc = model.forecast(context, 7)
    chaoskit.validate(fc)
    assert fc["state"].shape == (2, 7, 2)
    t_last = float(context["time"][-1])
    np.testing.assert_allclose(fc["time"].values, t_last + 0.1 * np.arange(1, 8))
    assert fc.chaos.variables == ("x", "y")
    assert fc.chaos.dt == pytest.approx(0.1)
    a = fc.chaos.attrs
    assert a["model"] == "DriftModel"
    assert a["model_class"].endswith("_toys:DriftModel")
    assert a["forecast_from"] == pytest.approx(t_last)
    assert a["hyperparameters"]["damping"] == 1.0
    # the model's rule: persistence plus learned drift
    drift = np.diff(train["state"].values, axis=1).mean(axis=(0, 1))
    np.testing.assert_allclose(fc["state"].values[:, 0], context["state"].values[:, -1] + drift)


def test_forecast_keeps_the_context_members(train):
    # "The result has the context's members": a context cut from a larger set keeps its member
    # labels (and per-member coordinates), so xarray arithmetic against the truth aligns.
    model = DriftModel().fit(train)
    full = chaoskit.make_dataset(
        np.random.default_rng(2).standard_normal((4, 10, 2)), time=0.1 * np.arange(10),
        variables=("x", "y"), attrs={"dt": 0.1}, member_coords={"rho": [26.0, 27.0, 28.0, 29.0]},
    )
    context = full.isel(member=[1, 3])
    fc = model.forecast(context, 3)
    np.testing.assert_array_equal(fc["member"].values, [1, 3])
    np.testing.assert_allclose(fc["rho"].values, [27.0, 29.0])
    error = fc["state"] - context["state"].isel(time=-1)  # aligned by member label
    assert error.sizes["member"] == 2


def test_forecast_of_a_field():
    train = field_dataset(members=2, n=12)
    model = DriftModel().fit(train)
    fc = model.forecast(train.isel(time=slice(0, 4)), 3)
    assert fc["state"].dims == ("member", "time", "x", "variable")
    assert fc["state"].shape == (2, 3, 5, 2)
    np.testing.assert_allclose(fc["x"].values, train["x"].values)


def test_forecast_with_other_variables(train):
    model = DriftModel().fit(train)
    context = dataset(variables=("y", "x"))
    with pytest.raises(DataError, match=r"context: variables \['y', 'x'\] differ from the training variables \['x', 'y'\]"):
        model.forecast(context, 3)


def test_forecast_with_another_dt(train):
    model = DriftModel().fit(train)
    with pytest.raises(DataError, match=r"context: sampled at dt = 0\.2, but the model was trained at dt = 0\.1"):
        model.forecast(dataset(dt=0.2), 3)


def test_fit_with_incompatible_validation_set(train):
    with pytest.raises(DataError, match=r"valid: variables"):
        DriftModel().fit(train, valid=dataset(variables=("a", "b")))


@pytest.mark.parametrize("steps", [0, -2, 1.5, True, "3"])
def test_forecast_steps_must_be_positive(train, steps):
    model = DriftModel().fit(train)
    with pytest.raises(ParameterError, match="steps must be a positive integer"):
        model.forecast(dataset(), steps)


def test_forecast_of_a_wrong_shape_names_the_model(train):
    model = BrokenShapeModel().fit(train)
    with pytest.raises(ChaoskitError) as err:
        model.forecast(dataset(members=2), 5)
    msg = str(err.value)
    assert "BrokenShapeModel._forecast returned shape (2, 4, 2), expected (2, 5, 2)" in msg


def test_save_load_round_trip(train, tmp_path):
    model = DriftModel(damping=0.5, seed=3).fit(train)
    path = model.save(tmp_path / "drift")
    assert (path / "config.json").is_file() and (path / "state.npz").is_file()
    config = json.loads((path / "config.json").read_text())
    assert config["class"].endswith("_toys:DriftModel")
    assert config["versions"]["chaoskit"] == chaoskit.__version__
    back = DriftModel.load(path)
    assert type(back) is DriftModel
    assert back.hyperparameters() == model.hyperparameters()
    assert back.fit_info == model.fit_info
    context = dataset(seed=9)
    xr.testing.assert_allclose(back.forecast(context, 4)["state"], model.forecast(context, 4)["state"])
    # the saved state holds no pickle
    with np.load(path / "state.npz", allow_pickle=False) as npz:
        assert set(npz.files) == {"drift"}


def test_save_with_numpy_scalar_hyperparameters(train, tmp_path):
    # hyperparameters coming from a numpy sweep (np.float32, np.float64 ...) pass the validators,
    # so save must store them; the config is JSON, where numpy scalars need converting
    model = DriftModel(damping=np.float32(0.5)).fit(train)
    path = model.save(tmp_path / "np")
    back = DriftModel.load(path)
    assert back.damping == pytest.approx(0.5)


def test_load_of_another_class(train, tmp_path):
    path = DriftModel().fit(train).save(tmp_path / "drift")
    with pytest.raises(DataError) as err:
        OtherModel.load(path)
    msg = str(err.value)
    assert "_toys:DriftModel" in msg and "_toys:OtherModel" in msg and "load_model" in msg


def test_load_without_config(tmp_path):
    with pytest.raises(DataError, match=r"not a saved chaoskit model \(no config\.json\)"):
        DriftModel.load(tmp_path)


def test_load_of_an_unknown_format(train, tmp_path):
    path = DriftModel().fit(train).save(tmp_path / "m")
    config = json.loads((path / "config.json").read_text())
    config["format"] = "something-else/9"
    (path / "config.json").write_text(json.dumps(config))
    with pytest.raises(DataError, match="unknown format 'something-else/9'"):
        DriftModel.load(path)


def test_load_model_finds_the_registered_class(train, tmp_path, chaoskit_isolated):
    path = DriftModel(damping=2.0).fit(train).save(tmp_path / "m")
    with pytest.raises(DataError, match="no installed plugin registers"):
        chaoskit.load_model(path)
    chaoskit.models.register("drift", DriftModel)
    back = chaoskit.load_model(path)
    assert isinstance(back, DriftModel) and back.damping == 2.0


def test_evolve_gives_an_unfitted_copy(train):
    model = DriftModel().fit(train)
    variant = attrs.evolve(model, damping=0.25)
    assert variant.damping == 0.25 and model.damping == 1.0
    assert model.is_fitted
    assert not variant.is_fitted
    with pytest.raises(NotFittedError):
        variant.forecast(dataset(), 2)


def test_hyperparameters():
    model = DriftModel(damping=0.5)
    assert model.hyperparameters() == {"device": "cpu", "dtype": "float64", "seed": None, "damping": 0.5}
    with pytest.raises(ParameterError, match=r"DriftModel\.dtype must be one of"):
        DriftModel(dtype="float16")
    with pytest.raises(ParameterError, match=r"DriftModel\.device must be a device string"):
        DriftModel(device="")
    with pytest.raises(ParameterError, match=r"DriftModel\.seed must be >= 0"):
        DriftModel(seed=-1)
    with pytest.raises(ParameterError, match=r"DriftModel\.damping must be > 0"):
        DriftModel(damping=0.0)


def test_model_dynamics_default_is_none(train):
    assert DriftModel().fit(train).dynamics() is None
