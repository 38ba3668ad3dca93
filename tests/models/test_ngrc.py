"""Next-generation reservoir computing (NG-RC): against a hand-built design matrix solved by
numpy, Gauthier et al.'s Lorenz-63 setting, its Jacobian against finite differences, bad input."""

from __future__ import annotations

import itertools
from typing import ClassVar

import chaoskit
import numpy as np
import pytest
import torch
import xarray as xr
from chaoskit import DataError, ParameterError
from chaoskit.testing import ModelConformance
from chaoskit_models.ngrc import NextGenerationRC
from chaoskit_models.ridge import NormalEquations

DT = 0.025


class TestNGRCConformance(ModelConformance):
    names: ClassVar[tuple[str, ...]] = ("ngrc",)


def _dataset(values: np.ndarray, dt: float = DT) -> xr.Dataset:
    return chaoskit.make_dataset(values, time=dt * np.arange(values.shape[1]),
                                 variables=["a", "b", "c"][: values.shape[2]], attrs={"dt": dt})


def _reference_weights(values: np.ndarray, k: int, s: int, order: int, ridge: float,
                       constant: bool) -> np.ndarray:
    """Gauthier's recipe written out row by row: [1, taps, monomials] → x_{t+1} − x_t, ridge on
    every weight but the constant's, solved by numpy least squares of the augmented system."""
    rows, targets = [], []
    for member in values:
        for t in range((k - 1) * s, len(member) - 1):
            taps = np.concatenate([member[t - j * s] for j in range(k)])
            monomials = [np.prod(taps[list(c)]) for q in range(2, order + 1)
                         for c in itertools.combinations_with_replacement(range(taps.size), q)]
            rows.append(np.concatenate([[1.0] if constant else [], taps, monomials]))
            targets.append(member[t + 1] - member[t])
    design, y = np.array(rows), np.array(targets)
    penalty = np.sqrt(ridge) * np.eye(design.shape[1])
    if constant:
        penalty = penalty[1:]
    augmented = np.vstack([design, penalty])
    y_aug = np.vstack([y, np.zeros((penalty.shape[0], y.shape[1]))])
    weights = np.linalg.lstsq(augmented, y_aug, rcond=None)[0].T
    return weights if constant else np.hstack([np.zeros((y.shape[1], 1)), weights])


@pytest.mark.parametrize(
    ("k", "s", "order", "constant"), [(2, 1, 2, True), (3, 2, 3, True), (1, 1, 2, False), (2, 3, 1, True)]
)
def test_weights_match_the_recipe_written_out(k: int, s: int, order: int, constant: bool) -> None:
    rng = np.random.default_rng(3)
    values = np.cumsum(0.1 * rng.standard_normal((2, 60, 3)), axis=1) + rng.standard_normal(3)
    model = NextGenerationRC(delays=k, stride=s, order=order, constant=constant, ridge=1e-3,
                             training_noise=0.0).fit(_dataset(values))
    expected = _reference_weights(values, k, s, order, 1e-3, constant)
    assert model.weights.shape == expected.shape == (3, 1 + model.feature_count(3) - int(constant))
    np.testing.assert_allclose(model.weights, expected, rtol=1e-7, atol=1e-9)


def test_the_forecast_is_the_recursion_written_out() -> None:
    rng = np.random.default_rng(4)
    values = np.cumsum(0.05 * rng.standard_normal((1, 80, 2)), axis=1)
    data = chaoskit.make_dataset(values, time=DT * np.arange(80), variables=["a", "b"], attrs={"dt": DT})
    model = NextGenerationRC(delays=3, stride=2, ridge=1e-2, standardize=True, seed=0).fit(data)
    context = data.isel(time=slice(60, 80))
    out = model.forecast(context, 6)["state"].values[0]
    w, mean, std = model.weights, values[0].mean(0), values[0].std(0)
    history = list((values[0, 60:] - mean) / std)
    for step in range(6):
        taps = np.concatenate([history[-1 - j * 2] for j in range(3)])
        quad = [taps[i] * taps[j] for i, j in itertools.combinations_with_replacement(range(6), 2)]
        history.append(history[-1] + w[:, 0] + w[:, 1:] @ np.concatenate([taps, quad]))
        np.testing.assert_allclose(out[step], history[-1] * std + mean, rtol=1e-10)


@pytest.fixture(scope="module")
def gauthier() -> tuple[NextGenerationRC, xr.Dataset]:
    """The paper's Lorenz-63 setting: dt = 0.025, 400 training points, the model's defaults."""
    lorenz = chaoskit.systems.create("lorenz")
    train = lorenz.trajectory(402, dt=DT, transient=20.0, seed=0)
    test = lorenz.trajectory(600, dt=DT, members=10, transient=20.0, seed=1)
    return chaoskit.models.create("ngrc", seed=0).fit(train), test


def test_gauthier_lorenz_setting_forecasts_and_has_lorenz_exponents(gauthier) -> None:
    model, test = gauthier
    assert model.feature_count(3) == 28  # 1 + 6 + 21, as in the paper
    context, truth = test.chaos.split(200)
    vpt = chaoskit.metrics.create("vpt")(truth, model.forecast(context, truth.sizes["time"]))
    assert np.median(vpt.values) >= 4.0, vpt.values  # measured 6.35 Lyapunov times (of 9)
    dyn = model.dynamics()
    spectrum = chaoskit.metrics.create(
        "lyapunov_spectrum", steps=20_000, transient=2_000, members=4
    ).estimate(dyn, initial_states=dyn.lift(test["state"].values[:4, 0])).values
    assert abs(spectrum[0] - 0.906) < 0.1 and abs(spectrum[1]) < 0.05 and abs(spectrum[2] + 14.57) < 1.0


def test_noise_free_fit_of_accurate_data_is_the_unstable_one(gauthier) -> None:
    """Without training noise the paper's setting fits accurate Lorenz data with a spurious
    unstable direction (the paper's RK23 data carry integration noise): documented default."""
    model, test = gauthier
    clean = chaoskit.models.create("ngrc", training_noise=0.0).fit(
        chaoskit.systems.create("lorenz").trajectory(402, dt=DT, transient=20.0, seed=0))
    state = model.dynamics().lift(test["state"].values[0, 0])  # a point on the attractor
    worst = np.abs(np.linalg.eigvals(clean.dynamics().jacobian(state))).max()
    regular = np.abs(np.linalg.eigvals(model.dynamics().jacobian(state))).max()
    assert worst > 1.5 and regular < 1.3, (worst, regular)


def test_jacobian_matches_finite_differences() -> None:
    rng = np.random.default_rng(5)
    values = np.cumsum(0.1 * rng.standard_normal((1, 90, 2)), axis=1)
    data = chaoskit.make_dataset(values, time=DT * np.arange(90), variables=["a", "b"], attrs={"dt": DT})
    dyn = NextGenerationRC(delays=3, stride=2, order=3, ridge=1e-2, standardize=True).fit(data).dynamics()
    x = rng.standard_normal((4, dyn.dimension))
    jac = dyn.jacobian(x)
    eps = 1e-6
    fd = np.stack([(dyn.step(x + eps * e) - dyn.step(x - eps * e)) / (2 * eps)
                   for e in np.eye(dyn.dimension)], axis=-1)
    np.testing.assert_allclose(jac, fd, rtol=1e-6, atol=1e-7)
    np.testing.assert_array_equal(dyn.observe(dyn.lift(x[:, :2])), x[:, :2])


def test_save_and_load_give_the_same_forecast(tmp_path, gauthier) -> None:
    model, test = gauthier
    context = test.isel(time=slice(0, 50))
    again = chaoskit.load_model(model.save(tmp_path / "ngrc"))
    np.testing.assert_array_equal(again.forecast(context, 20)["state"].values,
                                  model.forecast(context, 20)["state"].values)


def test_bad_input_is_a_clear_error() -> None:
    with pytest.raises(ParameterError, match="ridge"):
        NextGenerationRC(ridge=-1.0)
    with pytest.raises(ParameterError, match="delays"):
        NextGenerationRC(delays=0)
    with pytest.raises(ParameterError, match="training_noise"):
        NextGenerationRC(training_noise=-0.1)
    short = _dataset(np.zeros((1, 4, 3)) + np.arange(4)[None, :, None])
    with pytest.raises(DataError, match="at least 6 points"):
        NextGenerationRC(delays=3, stride=2).fit(short)
    rng = np.random.default_rng(0)
    model = NextGenerationRC(delays=3, stride=2).fit(_dataset(rng.standard_normal((1, 50, 3))))
    assert model.min_context == 5
    with pytest.raises(DataError):
        model.forecast(_dataset(rng.standard_normal((1, 3, 3))), 5)
    with pytest.raises(DataError, match="training variables"):
        model.forecast(_dataset(rng.standard_normal((1, 10, 2))), 5)


def test_normal_equations_without_intercept_match_least_squares() -> None:
    rng = np.random.default_rng(1)
    x, y = rng.standard_normal((200, 4)), rng.standard_normal((200, 2))
    solver = NormalEquations(4, 2, device=torch.device("cpu"))
    solver.add(torch.from_numpy(x[:120]), torch.from_numpy(y[:120]))
    solver.add(torch.from_numpy(x[120:]), torch.from_numpy(y[120:]))
    weights = solver.solve(0.0, intercept=False).numpy()
    np.testing.assert_array_equal(weights[:, 0], 0.0)
    np.testing.assert_allclose(weights[:, 1:], np.linalg.lstsq(x, y, rcond=None)[0].T, rtol=1e-10)
