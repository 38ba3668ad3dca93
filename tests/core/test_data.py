"""The xarray conventions: make_dataset, validate, attribute encoding, provenance."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest
import xarray as xr

import chaoskit
from chaoskit import DataError

from ._toys import dataset, field_dataset

TIME = np.arange(5) * 0.1
GOOD = np.zeros((2, 5, 3))


def make(state=GOOD, time=TIME, variables=("x", "y", "z"), **kw):
    return chaoskit.make_dataset(state, time=time, variables=variables, **kw)


# --------------------------------------------------------------------------- accepting good data
def test_make_dataset_builds_the_conventional_layout():
    ds = make(attrs={"dt": 0.1, "system": "toy"})
    assert isinstance(ds, xr.Dataset)
    assert ds["state"].dims == ("member", "time", "variable")
    assert ds["state"].shape == (2, 5, 3)
    assert list(ds["variable"].values) == ["x", "y", "z"]
    np.testing.assert_array_equal(ds["member"].values, [0, 1])
    np.testing.assert_allclose(ds["time"].values, TIME)
    assert ds["time"].dtype.kind == "f"
    assert ds.attrs == {"dt": 0.1, "system": "toy"}
    assert chaoskit.validate(ds) is ds


def test_make_dataset_with_space_and_member_coords():
    grid = np.linspace(0, 1, 4)
    ds = chaoskit.make_dataset(
        np.ones((3, 5, 4, 2)), time=TIME, variables=("u", "v"), space={"x": grid},
        member_coords={"rho": [26.0, 28.0, 30.0]},
    )
    assert ds["state"].dims == ("member", "time", "x", "variable")
    np.testing.assert_allclose(ds["x"].values, grid)
    assert ds["rho"].dims == ("member",)
    np.testing.assert_allclose(ds["rho"].values, [26.0, 28.0, 30.0])


def test_complex_fields_stay_complex():
    ds = make(state=np.ones((2, 5, 3), dtype=complex))
    assert ds["state"].dtype.kind == "c"
    assert chaoskit.validate(ds) is ds


def test_make_dataset_keeps_non_finite_values_but_validate_rejects_them():
    state = GOOD.copy()
    state[1, 3, 2] = np.nan
    ds = make(state=state)  # a diverged forecast is representable
    with pytest.raises(DataError):
        chaoskit.validate(ds)
    assert chaoskit.validate(ds, finite=False) is ds


def test_make_dataset_wrong_number_of_dims():
    with pytest.raises(DataError, match=r"state array has 2 dims.*expected 3 dims"):
        make(state=np.zeros((5, 3)))


def test_make_dataset_shape_not_fitting_coordinates():
    with pytest.raises(DataError, match=r"does not fit its coordinates"):
        make(variables=("x", "y"))


# --------------------------------------------------------------------------- rejecting bad data
def test_dataarray_instead_of_dataset():
    with pytest.raises(DataError, match=r"expected an xarray\.Dataset.*got a DataArray.*to_dataset\(name='state'\)"):
        chaoskit.validate(make()["state"])


def test_not_a_dataset_at_all():
    with pytest.raises(DataError, match=r"expected an xarray\.Dataset, got ndarray"):
        chaoskit.validate(GOOD)


def test_missing_state_variable_names_what_was_found():
    ds = make().rename({"state": "traj"})
    with pytest.raises(DataError, match=r"expected a data variable 'state', found \['traj'\]") as err:
        chaoskit.validate(ds)
    assert "rename" in str(err.value)


def test_wrong_dim_order_gives_a_transpose_hint():
    ds = make().transpose("time", "member", "variable")
    with pytest.raises(DataError) as err:
        chaoskit.validate(ds)
    msg = str(err.value)
    assert "('member', 'time', [space ...], 'variable')" in msg  # expected
    assert "('time', 'member', 'variable')" in msg  # received
    assert "ds.transpose('member', 'time', ..., 'variable')" in msg  # the fix


def test_missing_member_dim_gives_an_expand_dims_hint():
    ds = make().isel(member=0, drop=True)
    with pytest.raises(DataError, match=r"got \('time', 'variable'\).*expand_dims\('member'\)"):
        chaoskit.validate(ds)


def test_non_float_dtype():
    ds = xr.Dataset(
        {"state": (("member", "time", "variable"), np.zeros((2, 5, 3), dtype=int))},
        coords={"time": TIME, "variable": ["x", "y", "z"]},
    )
    with pytest.raises(DataError, match=r"must be float or complex, got dtype int64"):
        chaoskit.validate(ds)


def test_missing_time_coordinate():
    ds = make().drop_vars("time")
    with pytest.raises(DataError, match=r"'time' dim has no coordinate.*assign_coords\(time=\.\.\.\)"):
        chaoskit.validate(ds)


def test_non_numeric_time_coordinate():
    ds = make().assign_coords(time=list("abcde"))
    with pytest.raises(DataError, match=r"time coordinate must be numeric"):
        chaoskit.validate(ds)


@pytest.mark.parametrize("time, where", [([0.0, 0.1, 0.1, 0.3, 0.4], "time[1] = 0.1 is followed by 0.1"),
                                         ([0.0, 0.1, 0.2, 0.15, 0.4], "time[2] = 0.2 is followed by 0.15")])
def test_non_monotone_time_names_the_offending_points(time, where):
    with pytest.raises(DataError, match="increase strictly") as err:
        make(time=time)
    assert where in str(err.value)


def test_too_few_time_points():
    ds = make(state=GOOD[:, :1], time=[0.0])
    with pytest.raises(DataError, match=r"at least 2 time points, got 1"):
        chaoskit.validate(ds, min_times=2)


def test_duplicate_variable_names():
    with pytest.raises(DataError, match=r"variable names must be unique, got \['x', 'y', 'x'\]"):
        make(variables=("x", "y", "x"))


def test_missing_variable_coordinate():
    ds = make().drop_vars("variable")
    with pytest.raises(DataError, match=r"'variable' dim has no coordinate"):
        chaoskit.validate(ds)


@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
def test_non_finite_values_name_member_and_time(bad):
    state = GOOD.copy()
    state[1, 3, 2] = bad
    state[1, 4, 0] = bad
    ds = make(state=state)
    with pytest.raises(DataError) as err:
        chaoskit.validate(ds, name="truth")
    msg = str(err.value)
    assert msg.startswith("truth:")
    assert "2 non-finite values" in msg
    assert "member 1" in msg
    assert f"time {TIME[3]}" in msg


def test_dt_attribute_contradicting_the_time_axis():
    with pytest.raises(DataError) as err:
        make(time=0.25 * np.arange(5), attrs={"dt": 0.5})
    msg = str(err.value)
    assert "dt = 0.5" in msg and "step of 0.25" in msg
    assert "fix the dt attribute or resample" in msg


def test_dt_attribute_must_be_positive():
    with pytest.raises(DataError, match=r"dt must be a positive number, got -0\.1"):
        make(attrs={"dt": -0.1})


def test_dt_attribute_matching_within_rounding_is_accepted():
    time = np.cumsum(np.full(5, 0.1)) - 0.1  # accumulates rounding error
    ds = make(time=time, attrs={"dt": 0.1})
    assert ds.attrs["dt"] == 0.1


def test_validation_errors_are_value_errors():
    assert issubclass(DataError, ValueError)
    assert issubclass(DataError, chaoskit.ChaoskitError)


# --------------------------------------------------------------------------- attributes
def test_encode_attrs_json_encodes_what_netcdf_cannot_store():
    attrs = {
        "none": None, "yes": True, "no": False, "npbool": np.bool_(True),
        "params": {"rho": 28.0, "nested": {"k": [1, 2]}},
        "nested_list": [[1, 2], [3, 4]], "names": ["x", "y"], "empty": [],
        "matrix": np.eye(2),
        "int": 3, "float": 2.5, "text": "lorenz", "npint": np.int64(7), "npfloat": np.float32(0.5),
        "vector": np.array([1.0, 2.0]), "numbers": [1, 2.5], "pair": (1, 2),
    }
    enc = chaoskit.encode_attrs(attrs)
    for key in ("none", "yes", "no", "npbool", "params", "nested_list", "names", "empty", "matrix"):
        assert isinstance(enc[key], str) and enc[key].startswith("json:"), key
    assert enc["none"] == "json:null"
    assert enc["yes"] == "json:true"
    for key in ("int", "float", "text", "npint", "npfloat", "numbers"):
        assert enc[key] is attrs[key], key
    assert enc["vector"] is attrs["vector"]
    assert enc["pair"] == [1, 2]

    dec = chaoskit.decode_attrs(enc)
    assert dec["none"] is None
    assert dec["yes"] is True and dec["no"] is False and dec["npbool"] is True
    assert dec["params"] == {"rho": 28.0, "nested": {"k": [1, 2]}}
    assert dec["nested_list"] == [[1, 2], [3, 4]]
    assert dec["names"] == ["x", "y"]
    assert dec["empty"] == []
    assert dec["matrix"] == [[1.0, 0.0], [0.0, 1.0]]
    assert dec["npint"] == 7 and type(dec["npint"]) is int
    assert dec["npfloat"] == 0.5 and type(dec["npfloat"]) is float
    assert dec["vector"] == [1.0, 2.0]
    assert dec["int"] == 3 and dec["float"] == 2.5 and dec["text"] == "lorenz"


def test_encode_attrs_rejects_unencodable_values_naming_the_key():
    with pytest.raises(DataError, match=r"attribute 'when' cannot be stored"):
        chaoskit.encode_attrs({"when": dt.datetime(2024, 1, 1)})


def test_netcdf_round_trip_is_identical(tmp_path):
    attrs = {
        "dt": 0.1, "seed": 3, "system": "toy", "initial": np.array([1.0, 2.0]),
        "parameters": {"a": 0.05, "w": 1.0}, "flags": ["x", "y"], "nothing": None,
        "chaotic": True, "spectrum": [[0.9, 0.0], [-14.5, 1.0]], "count": np.int64(4),
    }
    ds = chaoskit.make_dataset(
        np.random.default_rng(0).standard_normal((2, 5, 3)), time=TIME, variables=("x", "y", "z"),
        attrs=attrs,
    )
    path = tmp_path / "traj.nc"
    ds.to_netcdf(path, engine="h5netcdf")
    with xr.open_dataset(path, engine="h5netcdf") as back:
        back.load()
    xr.testing.assert_identical(ds, back)
    chaoskit.validate(back)
    dec = back.chaos.attrs
    assert dec["parameters"] == {"a": 0.05, "w": 1.0}
    assert dec["nothing"] is None and dec["chaotic"] is True
    assert dec["spectrum"] == [[0.9, 0.0], [-14.5, 1.0]]
    assert dec["initial"] == [1.0, 2.0]
    assert dec["flags"] == ["x", "y"]


def test_netcdf_round_trip_of_a_field(tmp_path):
    ds = field_dataset()
    path = tmp_path / "field.nc"
    ds.to_netcdf(path, engine="h5netcdf")
    with xr.open_dataset(path, engine="h5netcdf") as back:
        xr.testing.assert_identical(ds, back.load())


# --------------------------------------------------------------------------- provenance
def test_provenance_has_versions_and_creation_time(chaoskit_isolated):
    prov = chaoskit.provenance(system="toy", seed=1)
    assert prov["versions"]["chaoskit"] == chaoskit.__version__
    created = dt.datetime.fromisoformat(prov["created"])
    assert created.tzinfo is not None
    assert abs((dt.datetime.now(dt.timezone.utc) - created).total_seconds()) < 60
    assert prov["system"] == "toy" and prov["seed"] == 1
    assert prov["schema"] == "chaoskit-trajectory/1"


def test_provenance_survives_encoding():
    ds = dataset(attrs_=chaoskit.provenance(system="toy"))
    assert ds.chaos.attrs["versions"]["chaoskit"] == chaoskit.__version__
    assert isinstance(ds.attrs["versions"], str)
