"""Context parroting, checked against a brute-force reference and on exactly periodic signals."""

from __future__ import annotations

from typing import ClassVar

import chaoskit
import numpy as np
import pytest
import xarray as xr
from chaoskit import DataError, ParameterError
from chaoskit.testing import ModelConformance
from chaoskit_models.parroting import ContextParroting, parrot

DT = 0.05


class TestParrotingConformance(ModelConformance):
    names: ClassVar[tuple[str, ...]] = ("context_parroting",)


def _dataset(values: np.ndarray, variables: tuple[str, ...] = ("x", "y", "z")) -> xr.Dataset:
    return chaoskit.make_dataset(
        values, time=DT * np.arange(values.shape[1]), variables=variables, attrs={"dt": DT}
    )


def _reference(
    values: np.ndarray, steps: int, window: int, neighbors: int, min_lag: int
) -> np.ndarray:
    """Brute force: every candidate scored in a loop, then the recursion one step at a time."""
    out = []
    for member in values:
        times = member.shape[0]
        query = member[times - window :]
        scored = []
        for end in range(window - 1, times - min_lag):
            distance = sum(
                abs(member[end - window + 1 + i] - query[i]) ** 2 for i in range(window)
            ).sum()
            scored.append((distance, end))
        scored.sort(key=lambda pair: pair[0])  # stable: the earliest window wins a tie
        lags = [times - 1 - end for _, end in scored[:neighbors]]
        y = list(member)
        for _ in range(steps):
            y.append(np.mean([y[len(y) - lag] for lag in lags], axis=0))
        out.append(np.array(y[times:]))
    return np.array(out)


@pytest.mark.parametrize(
    ("window", "neighbors", "min_lag"), [(1, 1, 1), (4, 1, 1), (6, 3, 2), (10, 2, 10)]
)
def test_matches_the_brute_force_reference(window: int, neighbors: int, min_lag: int) -> None:
    rng = np.random.default_rng(window)
    values = np.cumsum(rng.standard_normal((3, 90, 2)), axis=1)  # random walks: no ties
    steps = 150  # longer than every lag: the recursion parrots its own forecast
    expected = _reference(values, steps, window, neighbors, min_lag)
    np.testing.assert_allclose(
        parrot(values, steps, window=window, neighbors=neighbors, min_lag=min_lag),
        expected,
        rtol=1e-12,
        atol=1e-12,
    )
    model = ContextParroting(window=window, neighbors=neighbors, min_lag=min_lag)
    out = model.fit(_dataset(values, ("u", "v"))).forecast(_dataset(values, ("u", "v")), steps)
    np.testing.assert_allclose(out["state"].values, expected, rtol=1e-12, atol=1e-12)


def test_independent_channels_parrot_each_feature_alone() -> None:
    values = np.cumsum(np.random.default_rng(3).standard_normal((2, 80, 3)), axis=1)
    model = ContextParroting(window=5, channels="independent").fit(_dataset(values))
    out = model.forecast(_dataset(values), 40)["state"].values
    for f in range(3):
        expected = _reference(values[:, :, f : f + 1], 40, 5, 1, 5)
        np.testing.assert_allclose(out[:, :, f : f + 1], expected, rtol=1e-12)
    joint = (
        ContextParroting(window=5)
        .fit(_dataset(values))
        .forecast(_dataset(values), 40)["state"]
        .values
    )
    assert np.abs(joint - out).max() > 1e-3  # the two modes differ on generic data


def test_periodic_signal_is_continued_exactly_past_the_end_of_the_context() -> None:
    period = 37  # steps; a non-sinusoidal waveform in three variables
    k = np.arange(400)
    phase = 2 * np.pi * k / period
    values = np.stack(
        [np.sin(phase), np.cos(2 * phase) + 0.3 * np.sin(3 * phase), np.sign(np.sin(phase + 0.1))],
        axis=-1,
    )[None]
    context, truth = values[:, :150], values[:, 150:]
    out = ContextParroting(window=8).fit(_dataset(context)).forecast(_dataset(context), 250)
    # 250 steps: far beyond what follows any match inside the 150-point context
    np.testing.assert_allclose(out["state"].values, truth, atol=1e-12)


def test_beats_persistence_on_lorenz() -> None:
    lorenz = chaoskit.systems.create("lorenz").trajectory(3000, dt=0.01, members=4, seed=0)
    context, truth = lorenz.isel(time=slice(0, 2600)), lorenz["state"].values[:, 2600:2650]
    parroted = ContextParroting().fit(context).forecast(context, 50)["state"].values
    persistence = np.repeat(context["state"].values[:, -1:], 50, axis=1)
    error = np.sqrt(np.mean((parroted - truth) ** 2))
    baseline = np.sqrt(np.mean((persistence - truth) ** 2))
    assert error < 0.5 * baseline, (error, baseline)


def test_complex_fields_and_float32() -> None:
    grid = np.linspace(0.0, 1.0, 5)
    k = np.arange(120)
    values = np.exp(
        1j * (2 * np.pi * k[:, None, None] / 20 + grid[None, :, None] + np.array([0.0, 0.5]))
    )[None]
    ds = chaoskit.make_dataset(
        values, time=DT * k, variables=("psi", "phi"), space={"x": grid}, attrs={"dt": DT}
    )
    model = ContextParroting(window=4, dtype="float32").fit(ds)
    out = model.forecast(ds.isel(time=slice(0, 80)), 40)
    assert out["state"].dims == ("member", "time", "x", "variable")
    assert out["state"].dtype == np.complex64
    np.testing.assert_allclose(out["state"].values, values[:, 80:], atol=1e-5)


def test_min_context_and_bad_input() -> None:
    assert ContextParroting().min_context == 20  # window 10, lags from 10
    assert ContextParroting(window=3, min_lag=1, neighbors=4).min_context == 7
    values = np.cumsum(np.random.default_rng(0).standard_normal((1, 40, 3)), axis=1)
    model = ContextParroting(window=8, neighbors=2).fit(_dataset(values))
    model.forecast(_dataset(values[:, :17]), 3)
    with pytest.raises(DataError, match="at least 17 time points"):
        model.forecast(_dataset(values[:, :16]), 3)
    with pytest.raises(DataError, match="fewer than neighbors = 2"):
        parrot(values[:, :16], 3, window=8, neighbors=2, min_lag=8)
    for field, value in (
        ("window", 0),
        ("neighbors", 0),
        ("min_lag", 0),
        ("min_lag", 2.0),
        ("channels", "mixed"),
    ):
        with pytest.raises(ParameterError, match=field):
            ContextParroting(**{field: value})
