"""The System interface and Dynamics, through small numpy systems written for these tests."""

from __future__ import annotations


import attrs
import numpy as np
import pytest

import chaoskit
from chaoskit import (
    CapabilityError,
    DataError,
    ParameterError,
)

from ._toys import (
    LinearFlow,
    MatrixDynamics,
    NoisyFlow,
    NoPeriodFlow,
    ScaleMap,
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
