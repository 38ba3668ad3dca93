"""System.trajectory options applied by the core to any provider: observation noise,
standardization, members from the initial state, and sweep validation (toy numpy systems)."""

from __future__ import annotations

import math

import numpy as np
import pytest
import xarray as xr
from chaoskit import CapabilityError, ParameterError
from chaoskit.system import member_generators

from ._toys import LinearFlow, ScaleMap


@pytest.fixture
def flow() -> LinearFlow:
    return LinearFlow()


def test_relative_observation_noise(flow) -> None:
    ds = flow.trajectory(4000, dt=0.05, members=2, observation_noise=0.2, return_clean=True, seed=1)
    clean, noisy = ds["clean_state"].values, ds["state"].values
    noise = noisy - clean
    # the standard deviation of each member's variable over time, times the level
    expected = 0.2 * clean.std(axis=1)  # (member, variable)
    got = noise.std(axis=1)
    np.testing.assert_allclose(got, expected, rtol=4 * math.sqrt(1 / (2 * 4000)))
    # the draws are member_generators(seed, 2, members), scaled
    for m, gen in enumerate(member_generators(1, 2, 2)):
        np.testing.assert_allclose(noise[m], expected[m] * gen.standard_normal((4000, 2)), rtol=1e-12)
    attrs = ds.chaos.attrs
    assert attrs["observation_noise"] == 0.2 and attrs["observation_noise_kind"] == "relative"
    assert ds["clean_state"].dims == ds["state"].dims


def test_absolute_observation_noise_and_clean_states_on_request(flow) -> None:
    plain = flow.trajectory(50, dt=0.1, members=3, seed=2)
    ds = flow.trajectory(50, dt=0.1, members=3, seed=2, observation_noise=0.5,
                         observation_noise_kind="absolute")
    assert "clean_state" not in ds  # only when asked
    noise = ds["state"].values - plain["state"].values
    for m, gen in enumerate(member_generators(2, 2, 3)):
        np.testing.assert_allclose(noise[m], 0.5 * gen.standard_normal((50, 2)), rtol=1e-12, atol=1e-15)
    again = flow.trajectory(50, dt=0.1, members=3, seed=2, observation_noise=0.5,
                            observation_noise_kind="absolute")
    np.testing.assert_array_equal(ds["state"].values, again["state"].values)


def test_standardize_is_undone_by_its_attributes(flow, tmp_path) -> None:
    plain = flow.trajectory(300, dt=0.1, members=2, seed=0)
    ds = flow.trajectory(300, dt=0.1, members=2, seed=0, standardize=True)
    z = ds["state"].values
    np.testing.assert_allclose(z.reshape(-1, 2).mean(axis=0), 0.0, atol=1e-12)
    np.testing.assert_allclose(z.reshape(-1, 2).std(axis=0), 1.0, rtol=1e-12)
    mean = np.asarray(ds.chaos.attrs["standardize_mean"])
    std = np.asarray(ds.chaos.attrs["standardize_std"])
    np.testing.assert_allclose(z * std + mean, plain["state"].values, rtol=1e-12, atol=1e-12)
    assert ds.chaos.attrs["standardize"] is True
    ds.to_netcdf(tmp_path / "z.nc")
    with xr.open_dataset(tmp_path / "z.nc") as back:
        assert back.chaos.attrs["standardize_std"] == list(std)


def test_standardize_after_observation_noise_applies_to_the_clean_states_too(flow) -> None:
    ds = flow.trajectory(200, dt=0.1, members=2, seed=0, observation_noise=0.1,
                         return_clean=True, standardize=True)
    raw = flow.trajectory(200, dt=0.1, members=2, seed=0, observation_noise=0.1, return_clean=True)
    mean = np.asarray(ds.chaos.attrs["standardize_mean"])
    std = np.asarray(ds.chaos.attrs["standardize_std"])
    np.testing.assert_allclose(raw["state"].values.reshape(-1, 2).mean(axis=0), mean, rtol=1e-12)
    np.testing.assert_allclose(ds["clean_state"].values * std + mean, raw["clean_state"].values,
                               rtol=1e-12, atol=1e-12)


def test_standardize_keeps_constant_variables_and_ignores_nan() -> None:
    from chaoskit._postprocess import standardize

    state = np.stack([np.ones(5), np.arange(5.0)], axis=-1)[None]  # (member, time, variable)
    state[0, 4, 1] = np.nan
    (z,), mean, std = standardize(state)
    assert std[0] == 1.0 and mean[0] == 1.0  # a constant variable: centred, not scaled
    assert mean[1] == pytest.approx(1.5) and np.isnan(z[0, 4, 1])


def test_members_default_to_the_rows_of_the_initial_state(flow) -> None:
    ds = flow.trajectory(5, initial_state=[[1.0, 0.0], [0.0, 1.0], [2.0, 2.0]])
    assert ds.sizes["member"] == 3
    assert flow.trajectory(5, initial_state=[1.0, 0.0]).sizes["member"] == 1


def test_sweeps_need_a_provider_that_supports_them(flow) -> None:
    with pytest.raises(CapabilityError, match="linear does not simulate parameter sweeps in one call"):
        flow.trajectory(5, parameters={"a": [0.01, 0.02]})
    # validation comes first: unknown names, structural parameters
    with pytest.raises(ParameterError, match=r"unknown parameter 'ww'.*did you mean \['w'\]"):
        flow.trajectory(5, parameters={"ww": [1.0]})
    with pytest.raises(ParameterError, match="'order' = 1 is an integer"):
        ScaleMap().trajectory(5, parameters={"order": [1, 2]})
    with pytest.raises(ParameterError, match="'mode' = 'plain' is an integer, boolean or string"):
        ScaleMap().trajectory(5, parameters={"mode": [1.0]})
    with pytest.raises(ParameterError, match=r"member 1 \(r=1.5\) are rejected"):
        ScaleMap().trajectory(5, parameters={"r": [0.5, 1.5]})


@pytest.mark.parametrize("kw, field", [
    ({"observation_noise": -0.1}, "observation_noise"),
    ({"observation_noise": np.nan}, "observation_noise"),
    ({"observation_noise_kind": "percent"}, "observation_noise_kind"),
    ({"return_clean": 1}, "return_clean"),
    ({"standardize": "yes"}, "standardize"),
    ({"noise_kind": "pink"}, "noise_kind"),
    ({"sde_step": 0.0}, "sde_step"),
])
def test_option_validation(flow, kw, field) -> None:
    with pytest.raises(ParameterError, match=rf"^linear\.trajectory: {field} must be"):
        flow.trajectory(5, **kw)
