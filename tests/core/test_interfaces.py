"""The four interfaces (System, Model, Metric/Invariant, Trainer) and Dynamics, through small
numpy implementations written for these tests."""

from __future__ import annotations

import json

import attrs
import numpy as np
import pytest
import xarray as xr

import chaoskit
from chaoskit import (
    CapabilityError,
    ChaoskitError,
    DataError,
    NotFittedError,
    ParameterError,
)

from ._toys import (
    AbsError,
    BrokenShapeModel,
    DriftModel,
    DynamicsDimension,
    FitTrainer,
    LinearFlow,
    MatrixDynamics,
    MeanLevel,
    NoisyFlow,
    NoPeriodFlow,
    OtherModel,
    ScaleMap,
    dataset,
    field_dataset,
    rotation,
)


# =========================================================================== System
@pytest.fixture
def flow():
    return LinearFlow()


def test_system_description(flow):
    assert flow.name == "linear"
    assert flow.dimension == 2
    assert flow.parameters == {"a": 0.05, "w": 1.0}
    assert flow.at_defaults
    assert not attrs.evolve(flow, w=2.0).at_defaults


def test_trajectory_matches_the_exact_solution(flow):
    x0 = np.array([[1.0, 0.0], [0.0, 2.0]])
    ds = flow.trajectory(50, dt=0.2, members=2, initial_state=x0)
    chaoskit.validate(ds)
    assert ds["state"].dims == ("member", "time", "variable")
    assert ds["state"].shape == (2, 50, 2)
    np.testing.assert_allclose(ds["time"].values, 0.2 * np.arange(50))
    expected = np.einsum("tij,mj->mti", rotation(0.05, 1.0, 0.2 * np.arange(50)), x0)
    np.testing.assert_allclose(ds["state"].values, expected, rtol=1e-12)
    assert ds.chaos.variables == ("x", "y")


def test_trajectory_default_dt_and_pts_per_period(flow):
    # like dysts: 100 points per period when the period is known, else the metadata's dt
    assert flow.trajectory(3).chaos.dt == pytest.approx(2 * np.pi / 100)
    assert NoPeriodFlow().trajectory(3).chaos.dt == pytest.approx(0.1)
    ds = flow.trajectory(3, pts_per_period=100)
    assert ds.attrs["dt"] == pytest.approx(2 * np.pi / 100)
    assert ds.chaos.dt == pytest.approx(2 * np.pi / 100)


def test_trajectory_provenance_attrs(flow, chaoskit_isolated):
    ds = flow.trajectory(5, members=3, seed=7, transient=1.5)
    a = ds.chaos.attrs
    assert a["system"] == "linear"
    assert a["system_kind"] == "flow"
    assert a["parameters"] == {"a": 0.05, "w": 1.0}
    assert a["dt"] == pytest.approx(2 * np.pi / 100)
    assert a["members"] == 3
    assert a["transient"] == 1.5
    assert a["noise"] == 0.0
    assert a["seed"] == 7
    assert a["device"] == "cpu"
    assert a["dtype"] == "float64"
    assert a["method"] == "expm"  # from Simulation.info
    assert a["versions"]["chaoskit"] == chaoskit.__version__
    assert "created" in a
    assert flow.trajectory(2).chaos.attrs["seed"] == -1  # no seed recorded as -1


def test_lyapunov_time_attrs_only_at_default_parameters(flow):
    ds = flow.trajectory(5)
    assert ds.attrs["max_lyapunov"] == pytest.approx(0.05)
    assert ds.attrs["lyapunov_time"] == pytest.approx(20.0)
    assert ds.chaos.lyapunov_time == pytest.approx(20.0)
    other = attrs.evolve(flow, a=0.2).trajectory(5)
    assert "lyapunov_time" not in other.attrs
    assert "max_lyapunov" not in other.attrs
    with pytest.raises(DataError):
        other.chaos.lyapunov_time  # noqa: B018
    # a system whose metadata knows no exponent records none either
    assert "lyapunov_time" not in NoPeriodFlow().trajectory(5).attrs


def test_trajectory_seed_makes_members_reproducible(flow):
    a = flow.trajectory(5, members=3, seed=1)
    b = flow.trajectory(5, members=3, seed=1)
    c = flow.trajectory(5, members=3, seed=2)
    np.testing.assert_array_equal(a["state"].values, b["state"].values)
    assert not np.array_equal(a["state"].values, c["state"].values)


def test_initial_state_of_shape_d_is_broadcast(flow):
    ds = flow.trajectory(4, members=3, initial_state=[1.0, 2.0])
    np.testing.assert_allclose(ds["state"].values[:, 0], [[1.0, 2.0]] * 3)


def test_initial_state_of_shape_members_d(flow):
    x0 = [[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]]
    ds = flow.trajectory(4, members=3, initial_state=x0)
    np.testing.assert_allclose(ds["state"].values[:, 0], x0)


@pytest.mark.parametrize("x0", [[1.0, 2.0, 3.0], [[1.0, 2.0]] * 2, np.ones((3, 3)), np.ones((3, 2, 1))])
def test_initial_state_of_a_wrong_shape(flow, x0):
    with pytest.raises(DataError) as err:
        flow.trajectory(4, members=3, initial_state=x0)
    msg = str(err.value)
    assert "(2,) or (3, 2)" in msg
    assert str(np.shape(x0)) in msg


@pytest.mark.parametrize("bad", [np.nan, np.inf])
def test_initial_state_non_finite(flow, bad):
    with pytest.raises(DataError, match="non-finite"):
        flow.trajectory(4, initial_state=[1.0, bad])


@pytest.mark.parametrize("kw, field", [
    ({"n": 0}, "n"), ({"n": -3}, "n"), ({"n": 2.5}, "n"), ({"n": True}, "n"),
    ({"members": 0}, "members"), ({"members": 1.5}, "members"), ({"members": False}, "members"),
    ({"dt": 0.0}, "dt"), ({"dt": -0.1}, "dt"), ({"dt": np.nan}, "dt"), ({"dt": "fast"}, "dt"),
    ({"pts_per_period": 0}, "pts_per_period"),
    ({"rtol": -1e-6}, "rtol"), ({"atol": 0.0}, "atol"),
    ({"transient": -1.0}, "transient"), ({"transient": np.inf}, "transient"),
    ({"noise": -0.1}, "noise"),
    ({"seed": -1}, "seed"), ({"seed": 1.5}, "seed"), ({"seed": True}, "seed"), ({"seed": "0"}, "seed"),
    ({"dtype": "float16"}, "dtype"), ({"dtype": np.float64}, "dtype"),
    ({"device": 0}, "device"),
])
def test_trajectory_argument_validation(flow, kw, field):
    kw = {"n": 5, **kw}
    with pytest.raises(ParameterError) as err:
        flow.trajectory(**kw)
    msg = str(err.value)
    assert msg.startswith(f"linear.trajectory: {field} must be"), msg


def test_trajectory_method_must_be_one_the_system_offers(flow):
    assert flow.trajectory(3, method="expm-fast").attrs["method"] == "expm-fast"
    with pytest.raises(ParameterError, match=r"linear\.trajectory: method must be one of \['expm', 'expm-fast'\], got 'rk4'"):
        flow.trajectory(3, method="rk4")
    with pytest.raises(ParameterError, match=r"scale\.trajectory: method must be one of \[\], got 'rk4'"):
        ScaleMap().trajectory(3, method="rk4")


def test_trajectory_dt_and_pts_per_period_are_exclusive(flow):
    with pytest.raises(ParameterError, match="give dt or pts_per_period, not both"):
        flow.trajectory(5, dt=0.1, pts_per_period=100)


def test_pts_per_period_without_a_known_period():
    with pytest.raises(ParameterError, match="noperiod has no known period; give dt"):
        NoPeriodFlow().trajectory(5, pts_per_period=100)


def test_maps_need_dt_one():
    m = ScaleMap()
    ds = m.trajectory(4, members=2)
    assert ds.attrs["dt"] == 1.0
    np.testing.assert_allclose(ds["time"].values, [0, 1, 2, 3])
    np.testing.assert_allclose(ds["state"].values[0, :, 0], [1.0, 0.5, 0.25, 0.125])
    assert m.trajectory(2, dt=1.0).attrs["dt"] == 1.0
    with pytest.raises(ParameterError, match=r"scale\.trajectory: dt must be 1 for a map"):
        m.trajectory(4, dt=0.5)


def test_noise_on_a_system_without_noise_support(flow):
    with pytest.raises(CapabilityError, match=r"linear does not simulate dynamical noise; use noise=0"):
        flow.trajectory(5, noise=0.1)
    # a system that supports noise accepts it and records it
    assert NoisyFlow().trajectory(5, noise=0.1).attrs["noise"] == pytest.approx(0.1)


def test_trajectory_in_float32(flow):
    ds = flow.trajectory(5, dtype="float32")
    assert ds["state"].dtype == np.float32
    assert ds.attrs["dtype"] == "float32"


def test_rhs_and_step_capabilities(flow):
    x = np.array([[1.0, 0.0], [0.0, 1.0]])
    np.testing.assert_allclose(flow.rhs(0.0, x), [[0.05, -1.0], [1.0, 0.05]])
    with pytest.raises(CapabilityError, match=r"linear is a flow, not a map"):
        flow.step(x)
    m = ScaleMap()
    np.testing.assert_allclose(m.step(np.ones(3)), 0.5 * np.ones(3))
    with pytest.raises(CapabilityError, match=r"scale is a map; use step\(x\)"):
        m.rhs(0.0, np.ones(3))


def test_rhs_checks_the_state_shape(flow):
    with pytest.raises(DataError, match=r"expected states of shape \(\.\.\., 2\).*got shape \(3,\)"):
        flow.rhs(0.0, np.ones(3))
    with pytest.raises(DataError):
        flow.jacobian(0.0, np.ones((4, 3)))


def test_default_jacobian_is_a_finite_difference(flow):
    x = np.random.default_rng(0).standard_normal((4, 5, 2))  # batched over leading dims
    jac = flow.jacobian(0.0, x)
    assert jac.shape == (4, 5, 2, 2)
    np.testing.assert_allclose(jac, np.broadcast_to(flow.matrix, (4, 5, 2, 2)), atol=1e-8)
    jm = ScaleMap(r=0.3).jacobian(None, np.ones(3))
    np.testing.assert_allclose(jm, 0.3 * np.eye(3), atol=1e-8)


def test_system_dynamics(flow):
    dyn = flow.dynamics(0.3)
    assert isinstance(dyn, chaoskit.Dynamics)
    assert dyn.dt == 0.3 and dyn.dimension == 2
    x0 = np.array([1.0, 0.5])
    ds = flow.trajectory(2, dt=0.3, initial_state=x0)
    np.testing.assert_allclose(dyn.step(x0), ds["state"].values[0, 1], rtol=1e-12)
    assert flow.dynamics().dt == pytest.approx(2 * np.pi / 100)
    with pytest.raises(ParameterError, match=r"linear\.dynamics: dt must be a positive number"):
        flow.dynamics(-1.0)
    with pytest.raises(CapabilityError, match="scale provides no differentiable one-step map"):
        ScaleMap().dynamics()


def test_parameter_validators_name_the_field(flow):
    with pytest.raises(ParameterError, match=r"LinearFlow\.w must be > 0, got -1\.0"):
        attrs.evolve(flow, w=-1.0)
    with pytest.raises(ParameterError, match=r"LinearFlow\.a must be finite, got nan"):
        LinearFlow(a=float("nan"))
    with pytest.raises(ParameterError, match=r"LinearFlow\.a must be a number, got str 'x'"):
        LinearFlow(a="x")
    with pytest.raises(ParameterError, match=r"LinearFlow\.a must be a number, got bool True"):
        LinearFlow(a=True)
    with pytest.raises(ParameterError, match=r"LinearFlow\.a must be a scalar number"):
        LinearFlow(a=np.array([1.0, 2.0]))
    with pytest.raises(ParameterError, match=r"ScaleMap\.r must lie in \[0, 1\], got 1\.5"):
        ScaleMap(r=1.5)
    with pytest.raises(ParameterError, match=r"ScaleMap\.order must be an integer, got float 2\.0"):
        ScaleMap(order=2.0)
    with pytest.raises(ParameterError, match=r"ScaleMap\.order must be >= 1, got 0"):
        ScaleMap(order=0)
    with pytest.raises(ParameterError, match=r"ScaleMap\.mode must be one of \['plain', 'fancy'\], got 'odd'"):
        ScaleMap(mode="odd")
    with pytest.raises(ParameterError, match=r"Holder\.v must be >= 0, got -1\.0"):
        Holder(v=-1.0)
    assert Holder(v=0.0).v == 0.0


@attrs.define(frozen=True)
class Holder:
    v: float = attrs.field(validator=chaoskit.validators.nonnegative)


def test_integer_validator_accepts_numpy_integers():
    # sweeps are written with numpy (np.arange(1, 5)); trajectory() itself accepts np.integer
    # for n, members and seed, so parameters validated by `integer` should too
    assert ScaleMap(order=np.int64(3)).order == 3
    assert ScaleMap().trajectory(np.int64(3), members=np.int32(2)).sizes["time"] == 3


def test_simulation_info_may_report_any_key(flow):
    # Simulation.info is "for provenance (integrator name, tolerances used, step counts …)";
    # a provider reporting the seed it drew, or the dtype it used, must not crash trajectory()
    @attrs.define(frozen=True, kw_only=True)
    class Reporting(LinearFlow):
        def _trajectory(self, request):
            sim = super()._trajectory(request)
            return attrs.evolve(sim, info={"method": "expm", "seed": 12345, "dtype": request.dtype})

    ds = Reporting().trajectory(5)
    assert ds.attrs["method"] == "expm"
    assert ds.attrs["seed"] in (-1, 12345)
    assert ds.attrs["dtype"] == "float64"


def test_systems_are_frozen(flow):
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        flow.a = 1.0  # type: ignore[misc]


def test_metadata_reference_values():
    meta = chaoskit.SystemMetadata(
        name="m", dt=0.01, initial_state=(0.0,),
        references={"lyapunov_spectrum": chaoskit.ReferenceValue.from_dict(
            {"value": [0.9, 0.0, -14.5], "uncertainty": [0.01, 0.01, 0.1], "method": "QR"})},
    )
    assert meta.max_lyapunov == pytest.approx(0.9)
    assert meta.lyapunov_time == pytest.approx(1 / 0.9)
    assert meta.references["lyapunov_spectrum"].value == (0.9, 0.0, -14.5)
    stable = attrs.evolve(meta, references={"max_lyapunov": chaoskit.ReferenceValue(value=-1.0)})
    assert stable.lyapunov_time is None


# =========================================================================== Dynamics
def test_dynamics_shape_check():
    dyn = MatrixDynamics(np.eye(3), 0.1)
    with pytest.raises(DataError, match=r"MatrixDynamics: expected a state of shape \(\.\.\., 3\), got \(2,\)"):
        dyn.step(np.ones(2))
    with pytest.raises(DataError, match=r"got \(\)"):
        dyn.jacobian(1.0)


def test_dynamics_default_jacobian_and_jvp():
    rng = np.random.default_rng(1)
    m = rng.standard_normal((3, 3))
    dyn = MatrixDynamics(m, 1.0)
    x = rng.standard_normal((5, 3))
    np.testing.assert_allclose(dyn.step(x), x @ m.T)
    jac = dyn.jacobian(x)
    assert jac.shape == (5, 3, 3)
    np.testing.assert_allclose(jac, np.broadcast_to(m, (5, 3, 3)), atol=1e-8)
    v = rng.standard_normal((5, 3, 2))
    y, jv = dyn.jvp(x, v)
    np.testing.assert_allclose(y, x @ m.T)
    np.testing.assert_allclose(jv, m @ v, atol=1e-8)


def test_finite_difference_jacobian_of_a_nonlinear_map():
    f = lambda x: np.stack([x[..., 0] ** 2, np.sin(x[..., 1]) * x[..., 0]], -1)  # noqa: E731
    x = np.array([1.5, 0.3])
    jac = chaoskit.finite_difference_jacobian(f, x)
    np.testing.assert_allclose(jac, [[3.0, 0.0], [np.sin(0.3), 1.5 * np.cos(0.3)]], rtol=1e-7)


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


# =========================================================================== Trainer
def test_trainer_fit(train):
    model = DriftModel()
    result = FitTrainer(epochs=2).fit(model, train)
    assert isinstance(result, chaoskit.TrainResult)
    assert result.best_epoch == 1 and result.history.sizes["epoch"] == 2
    assert model.is_fitted


@pytest.mark.parametrize("not_a_model", [object(), "drift", DriftModel])
def test_trainer_fit_with_a_non_model(train, not_a_model):
    with pytest.raises(ParameterError, match=r"FitTrainer\.fit expects a chaoskit Model, got"):
        FitTrainer().fit(not_a_model, train)


def test_trainer_validates_the_data():
    with pytest.raises(DataError, match="^train:"):
        FitTrainer().fit(DriftModel(), dataset(n=1))


# =========================================================================== abstractness
@pytest.mark.parametrize("cls", [chaoskit.System, chaoskit.Model, chaoskit.Metric, chaoskit.Invariant,
                                 chaoskit.Trainer, chaoskit.Dynamics])
def test_interfaces_are_abstract(cls):
    with pytest.raises(TypeError):
        cls() if cls is not chaoskit.Dynamics else cls(2, 0.1)


# =========================================================================== errors
@pytest.mark.parametrize("error, builtin", [
    (chaoskit.DataError, ValueError), (chaoskit.ParameterError, ValueError),
    (chaoskit.ConfigError, ValueError), (chaoskit.UnknownNameError, LookupError),
    (chaoskit.AmbiguousNameError, chaoskit.UnknownNameError), (chaoskit.NotFittedError, RuntimeError),
    (chaoskit.CapabilityError, NotImplementedError), (chaoskit.PluginError, RuntimeError),
])
def test_error_hierarchy(error, builtin):
    assert issubclass(error, chaoskit.ChaoskitError)
    assert issubclass(error, builtin)
    assert issubclass(chaoskit.PluginWarning, UserWarning)
    assert issubclass(chaoskit.DivergenceWarning, UserWarning)
    assert str(chaoskit.UnknownNameError("plain message")) == "plain message"  # not quoted like a key
