"""The persistence and mean baselines of chaoskit-models."""

from __future__ import annotations

import chaoskit
import numpy as np
import pytest
from chaoskit.testing import ModelConformance, synthetic_dataset
from chaoskit_models.baselines import MeanBaseline, Persistence


class TestBaselineConformance(ModelConformance):
    names = ["persistence", "mean"]


@pytest.fixture
def data():
    return synthetic_dataset(members=3, n=200)


def test_persistence_repeats_the_last_context_value(data) -> None:
    train, context = data.chaos.split(150)
    model = chaoskit.models.create("persistence").fit(train)
    out = model.forecast(context, 7)
    last = context["state"].values[:, -1]
    np.testing.assert_array_equal(out["state"].values, np.repeat(last[:, None], 7, axis=1))
    assert isinstance(model, Persistence) and model.dynamics() is None


def test_mean_forecasts_the_training_mean(data) -> None:
    train, context = data.chaos.split(150)
    model = chaoskit.models.create("climatology").fit(train)
    assert isinstance(model, MeanBaseline)
    out = model.forecast(context, 5)["state"].values
    expected = train["state"].values.mean(axis=(0, 1))
    np.testing.assert_allclose(out, np.broadcast_to(expected, out.shape))


def test_baselines_on_fields_and_in_float32() -> None:
    time = np.arange(30) * 0.1
    state = np.random.default_rng(0).standard_normal((2, 30, 4, 2)) + 1j
    ds = chaoskit.make_dataset(state, time=time, variables=("u", "v"), space={"x": np.linspace(0, 1, 4)},
                               attrs={"dt": 0.1})
    train, context = ds.chaos.split(20)
    for name in ("persistence", "mean"):
        out = chaoskit.models.create(name, dtype="float32").fit(train).forecast(context, 3)
        assert out["state"].shape == (2, 3, 4, 2) and np.iscomplexobj(out["state"].values)
        assert out["state"].dtype == np.complex64
    real = chaoskit.make_dataset(state.real, time=time, variables=("u", "v"), space={"x": np.linspace(0, 1, 4)},
                                 attrs={"dt": 0.1})
    out = chaoskit.models.create("mean", dtype="float32").fit(real).forecast(real, 2)
    assert out["state"].dtype == np.float32
