"""HAVOK (Brunton et al. 2017) on Lorenz-63's x, made here with scipy's solve_ivp."""

from __future__ import annotations

from typing import ClassVar

import chaoskit
import numpy as np
import pytest
import xarray as xr
from chaoskit import DataError, ParameterError
from chaoskit.testing import ModelConformance
from chaoskit_models.koopman import HAVOK
from chaoskit_models.koopman.havok import forced_steppers
from scipy.integrate import solve_ivp
from scipy.linalg import expm

DT = 0.005  # the paper used 0.001 with 100 delays; 20 delays here keep its window of 0.1 time units
DELAYS = 20
N_TRAIN = 12_000  # 60 time units
N_TEST = 2_000  # 10 more


class TestHAVOKConformance(ModelConformance):
    names: ClassVar[tuple[str, ...]] = ("havok",)
    # the synthetic data's z is a sum of two sinusoids: its Hankel matrix has rank 4
    params: ClassVar = {"havok": {"delays": 10, "rank": 4, "variable": "z"}}


pytestmark = pytest.mark.usefixtures("single_thread")  # tests/models/conftest.py


def _lorenz(t: float, s: np.ndarray) -> list[float]:
    x, y, z = s
    return [10.0 * (y - x), x * (28.0 - z) - y, x * y - 8.0 / 3.0 * z]


@pytest.fixture(scope="module")
def lorenz() -> xr.Dataset:
    """One Lorenz-63 orbit from the paper's initial condition (−8, 8, 27), DOP853 at 1e-10."""
    t = DT * np.arange(N_TRAIN + N_TEST)
    sol = solve_ivp(
        _lorenz, (0.0, t[-1]), [-8.0, 8.0, 27.0], method="DOP853", rtol=1e-10, atol=1e-10, t_eval=t
    )
    assert sol.success
    return chaoskit.make_dataset(sol.y.T[None], time=t, variables=["x", "y", "z"], attrs={"dt": DT})


@pytest.fixture(scope="module")
def model(lorenz: xr.Dataset) -> HAVOK:
    return HAVOK(delays=DELAYS).fit(lorenz.isel(time=slice(0, N_TRAIN)))


def test_linear_part_is_the_papers_skew_symmetric_tridiagonal_matrix(model: HAVOK) -> None:
    a, b = model.linear_model
    assert a.shape == (10, 10) and b.shape == (10,)  # r = 11 by default
    tridiagonal = np.triu(np.tril(a, 1), -1)
    assert np.linalg.norm(tridiagonal) > 0.99 * np.linalg.norm(a)
    assert np.linalg.norm(a - a.T) / 2 > 0.99 * np.linalg.norm(a)  # skew-symmetric
    coupling = np.abs(np.diag(a, 1))
    assert np.all(np.diff(coupling) > 0)  # growing frequencies: paper ≈ 5, 10, 15, …
    assert coupling[0] == pytest.approx(5.0, rel=0.1) and coupling[1] == pytest.approx(
        10.0, rel=0.1
    )
    assert abs(b[-1]) > 0.99 * np.linalg.norm(b)  # the forcing drives the last linear coordinate


def _lobe_switches(x: np.ndarray) -> np.ndarray:
    """Indices where x crosses zero on the way from one lobe (|x| > 5) to the other."""
    side, last_side, crossings = np.sign(x), 0, []
    lobe = np.where(x > 5, 1, np.where(x < -5, -1, 0))
    for k in np.flatnonzero(lobe):
        if last_side and lobe[k] != last_side:
            back = np.flatnonzero(side[:k] == last_side)[-1]  # last point on the old side
            crossings.append(back + 1)
        last_side = lobe[k]
    return np.array(crossings)


def _episode_starts(active: np.ndarray, merge: int) -> np.ndarray:
    """Starts of runs of ``active``, runs closer than ``merge`` samples joined."""
    starts = np.flatnonzero(np.diff(active.astype(int)) == 1) + 1
    ends = np.flatnonzero(np.diff(active.astype(int)) == -1) + 1
    kept, last_end = [], -(10**9)
    for s in starts:
        if s - last_end > merge:
            kept.append(s)
        later = ends[ends > s]
        last_end = later[0] if later.size else len(active)
    return np.array(kept)


def test_forcing_bursts_precede_lobe_switches(model: HAVOK, lorenz: xr.Dataset) -> None:
    """Precision/recall of "a forcing burst is followed by a lobe switch within one time unit".

    Bursts: runs of |v_r| above its 90th percentile (runs within 0.2 time units merged). The
    forcing at time t uses x up to t only (windows are dated by their newest sample), so a
    burst before a switch is a genuine warning. Precision must clearly beat the chance that
    a switch follows a random time within the same horizon.
    """
    forcing = model.forcing(lorenz)
    v_r = forcing.values[0]
    x = lorenz["state"].sel(variable="x").values[0][DELAYS - 1 :]
    switches = _lobe_switches(x)
    horizon = int(1.0 / DT)
    starts = _episode_starts(np.abs(v_r) > np.quantile(np.abs(v_r), 0.9), merge=int(0.2 / DT))
    assert len(switches) >= 20 and len(starts) >= 20

    def followed(times: np.ndarray) -> float:
        return float(np.mean([((switches >= s) & (switches <= s + horizon)).any() for s in times]))

    precision = followed(starts)
    recall = float(np.mean([((starts >= k - horizon) & (starts <= k)).any() for k in switches]))
    chance = followed(np.random.default_rng(0).integers(0, len(x) - horizon, 2_000))
    assert precision >= 0.75 and precision >= chance + 0.3, (precision, chance)
    assert recall >= 0.8, recall


def test_measured_forcing_drives_the_model_along_the_data(model: HAVOK, lorenz: xr.Dataset) -> None:
    test = lorenz.isel(time=slice(N_TRAIN, N_TRAIN + int(5.0 / DT)))  # unseen, 5 time units
    simulated = model.simulate(test).values[0]
    measured = model.delay_coordinates(test).values[0]
    error = np.abs(simulated[:, 0] - measured[:, 0]).max() / np.abs(measured[:, 0]).max()
    assert error < 0.15


def test_forecast_of_the_measured_variable_beats_persistence_for_a_tenth_of_a_time_unit(
    model: HAVOK, lorenz: xr.Dataset
) -> None:
    values = lorenz["state"].values[0]
    errors, naive = [], []
    for start in range(N_TRAIN + 100, N_TRAIN + N_TEST - 40, 100):
        context = lorenz.isel(time=slice(start - DELAYS, start))
        out = model.forecast(context, 20)["state"].sel(variable="x").values[0]
        errors.append(abs(out[-1] - values[start + 19, 0]))
        naive.append(abs(values[start - 1, 0] - values[start + 19, 0]))
    assert np.median(errors) < 0.1 * np.median(naive)
    held = HAVOK(delays=DELAYS, forecast_forcing="hold").fit(lorenz.isel(time=slice(0, N_TRAIN)))
    out = held.forecast(lorenz.isel(time=slice(N_TRAIN, N_TRAIN + DELAYS)), 5)
    assert np.isfinite(out["state"].values).all()


def test_forcing_is_an_xarray_series_dated_by_the_newest_sample(
    model: HAVOK, lorenz: xr.Dataset
) -> None:
    train = lorenz.isel(time=slice(0, N_TRAIN))
    forcing = model.forcing(train)
    assert isinstance(forcing, xr.DataArray) and forcing.dims == ("member", "time")
    np.testing.assert_allclose(forcing["time"].values, train["time"].values[DELAYS - 1 :])
    v = model.delay_coordinates(train)
    np.testing.assert_allclose(np.sqrt((v.values**2).mean(axis=(0, 1))), 1.0, rtol=1e-8)  # unit RMS
    np.testing.assert_allclose(forcing.values, v.isel(mode=-1).values)
    sv = model.singular_values
    assert sv.shape == (11,) and sv[-1] / sv[0] > 1e-10


def test_exact_discretization_of_the_forced_linear_model() -> None:
    rng = np.random.default_rng(0)
    a, b, dt = rng.standard_normal((3, 3)) - 2 * np.eye(3), rng.standard_normal(3), 0.1
    phi, g0, g1 = forced_steppers(a, b, dt)
    np.testing.assert_allclose(phi, expm(a * dt))
    # u(t) = 1 + 2t on [0, dt]: compare with a fine scipy integration
    sol = solve_ivp(
        lambda t, v: a @ v + b * (1 + 2 * t), (0, dt), np.ones(3), rtol=1e-12, atol=1e-12
    )
    np.testing.assert_allclose(phi @ np.ones(3) + g0 * 1.0 + g1 * (2 * dt), sol.y[:, -1], rtol=1e-9)


def test_bad_input_is_a_clear_error(lorenz: xr.Dataset) -> None:
    short = lorenz.isel(time=slice(0, 2_000))
    with pytest.raises(DataError, match="'w' is not among"):
        HAVOK(delays=DELAYS, variable="w").fit(short)
    with pytest.raises(ParameterError, match="rank = 21 exceeds what the data allow"):
        HAVOK(delays=DELAYS, rank=21).fit(short)
    t = DT * np.arange(500)
    sine = chaoskit.make_dataset(
        np.sin(t)[None, :, None], time=t, variables=["s"], attrs={"dt": DT}
    )
    with pytest.raises(DataError, match="exceeds the numerical rank 2"):  # one sinusoid: rank 2
        HAVOK(delays=DELAYS, rank=3).fit(sine)
    with pytest.raises(DataError, match="r >= 2"):
        HAVOK(delays=DELAYS, rank=1).fit(short)
    with pytest.raises(DataError, match="at least 24 points"):
        HAVOK(delays=DELAYS).fit(short.isel(time=slice(0, 22)))
    t = np.arange(30) * 0.1
    field = chaoskit.make_dataset(
        np.ones((1, 30, 4, 1)), time=t, variables=["u"], space={"x": np.arange(4.0)}
    )
    with pytest.raises(DataError, match="spatial field"):
        HAVOK(delays=5).fit(field)
