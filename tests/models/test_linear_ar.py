"""The linear autoregression baseline of chaoskit-models, checked against numpy least squares."""

from __future__ import annotations

from typing import ClassVar

import chaoskit
import numpy as np
import pytest
import xarray as xr
from chaoskit import DataError, NotFittedError, ParameterError
from chaoskit.testing import ModelConformance
from chaoskit_models.linear_ar import CompanionDynamics, LinearAutoregression
from chaoskit_models.qr_ridge import StackedQR

DT = 0.1
VARIABLES = ("a", "b", "c")


class TestLinearARConformance(ModelConformance):
    names: ClassVar[tuple[str, ...]] = ("linear_ar",)


def _dataset(values: np.ndarray, t0: float = 0.0) -> xr.Dataset:
    time = t0 + DT * np.arange(values.shape[1])
    return chaoskit.make_dataset(values, time=time, variables=VARIABLES, attrs={"dt": DT})


def _var2() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """A stable VAR(2) in three variables: c, A_1, A_2 (eigenvalues inside the unit circle)."""
    rng = np.random.default_rng(7)
    a1 = 0.5 * np.eye(3) + 0.2 * rng.standard_normal((3, 3))
    a2 = -0.3 * np.eye(3) + 0.1 * rng.standard_normal((3, 3))
    companion = np.block([[a1, a2], [np.eye(3), np.zeros((3, 3))]])
    assert np.abs(np.linalg.eigvals(companion)).max() < 0.95
    return np.array([0.5, -1.0, 2.0]), a1, a2


def _simulate(c, a1, a2, n: int, members: int, noise: float, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    x = np.zeros((members, n, 3))
    x[:, :2] = rng.standard_normal((members, 2, 3))
    for t in range(2, n):
        x[:, t] = c + x[:, t - 1] @ a1.T + x[:, t - 2] @ a2.T
        x[:, t] += noise * rng.standard_normal((members, 3))
    return x


def _design(values: np.ndarray, lags: int) -> tuple[np.ndarray, np.ndarray]:
    """Rows [1, x_t, …, x_{t−p+1}] and targets x_{t+1} of every member, built independently."""
    rows, targets = [], []
    for member in values:
        for t in range(lags - 1, member.shape[0] - 1):
            rows.append(np.concatenate([[1.0], *[member[t - j] for j in range(lags)]]))
            targets.append(member[t + 1])
    return np.array(rows), np.array(targets)


def test_coefficients_match_numpy_lstsq_and_recover_the_process() -> None:
    c, a1, a2 = _var2()
    values = _simulate(c, a1, a2, n=3000, members=2, noise=0.5, seed=1)
    model = LinearAutoregression(lags=2).fit(_dataset(values))
    intercept, coef = model.coefficients
    x, y = _design(values, 2)
    reference = np.linalg.lstsq(x, y, rcond=None)[0].T
    np.testing.assert_allclose(intercept, reference[:, 0], rtol=1e-9, atol=1e-9)
    np.testing.assert_allclose(coef, reference[:, 1:], rtol=1e-9, atol=1e-9)
    # 6,000 samples with unit-variance noise: standard errors ~0.01, so 0.06 is > 5 sigma
    np.testing.assert_allclose(coef, np.hstack([a1, a2]), atol=0.06)
    np.testing.assert_allclose(intercept, c, atol=0.1)


def test_noise_free_process_is_forecast_exactly() -> None:
    c, a1, a2 = _var2()
    values = _simulate(c, a1, a2, n=60, members=3, noise=0.0, seed=2)
    model = LinearAutoregression(lags=2).fit(_dataset(values[:2]))
    truth = _simulate(c, a1, a2, n=160, members=1, noise=0.0, seed=3)
    out = model.forecast(_dataset(truth[:, :40]), 120)["state"].values
    np.testing.assert_allclose(out, truth[:, 40:], rtol=1e-9, atol=1e-9)
    # more lags than the process has: the extra coefficients are (numerically) zero
    wide = LinearAutoregression(lags=4, standardize=False).fit(_dataset(values[:2]))
    np.testing.assert_allclose(
        wide.forecast(_dataset(truth[:, :40]), 120)["state"].values, out, atol=1e-7
    )


def test_ridge_matches_the_closed_form_on_standardized_features() -> None:
    c, a1, a2 = _var2()
    values = _simulate(c, a1, a2, n=500, members=1, noise=0.3, seed=4)
    ridge = 25.0
    model = LinearAutoregression(lags=3, ridge=ridge).fit(_dataset(values))
    mean, std = values.mean(axis=(0, 1)), values.std(axis=(0, 1))
    x, y = _design((values - mean) / std, 3)
    penalty = ridge * np.eye(x.shape[1])
    penalty[0, 0] = 0.0
    w = np.linalg.solve(x.T @ x + penalty, x.T @ y).T
    context = values[:, -30:]
    z = (context[0, ::-1][:3] - mean) / std  # x_t, x_{t-1}, x_{t-2}, standardized
    expected = mean + std * (w[:, 0] + w[:, 1:] @ z.reshape(-1))
    np.testing.assert_allclose(
        model.forecast(_dataset(context), 1)["state"].values[0, 0], expected, rtol=1e-10
    )
    heavy = LinearAutoregression(lags=3, ridge=1e12).fit(_dataset(values))
    np.testing.assert_allclose(heavy.coefficients[1], 0.0, atol=1e-8)
    # all weight on the intercept: the mean of the targets x_{t+1}, t = 2 … T−2
    np.testing.assert_allclose(heavy.coefficients[0], values[0, 3:].mean(axis=0), atol=1e-8)


def test_qr_solver_keeps_accuracy_where_normal_equations_lose_it() -> None:
    t = 0.01 * np.arange(4000)
    signal = np.sin(t) + 0.3 * np.sin(2.7 * t + 1.0)
    x = np.stack([signal[4 - j : 3999 - j] for j in range(5)], axis=1)  # 5 delays: cond ~1e9
    y = signal[5:4000, None]
    assert np.linalg.cond(np.hstack([np.ones((len(x), 1)), x])) > 1e8
    solver = StackedQR(5, 1)
    for start in range(0, len(x), 700):  # chunked, as during a fit
        solver.add(x[start : start + 700], y[start : start + 700])
    w = solver.solve(0.0)
    xa = np.hstack([np.ones((len(x), 1)), x])
    reference = np.linalg.lstsq(xa, y, rcond=None)[0].T
    np.testing.assert_allclose(xa @ w.T, xa @ reference.T, atol=1e-10)
    with pytest.raises(DataError, match="no training samples"):
        StackedQR(2, 1).solve(0.0)


def test_fields_are_flattened_like_extra_variables() -> None:
    rng = np.random.default_rng(0)
    grid = np.linspace(0.0, 1.0, 4)
    t = DT * np.arange(300)
    values = np.sin(t[:, None, None] + 3 * grid[None, :, None] + np.array([0.0, 1.0]))[None]
    values = values + 0.01 * rng.standard_normal(values.shape)
    field = chaoskit.make_dataset(
        values, time=t, variables=("u", "v"), space={"x": grid}, attrs={"dt": DT}
    )
    flat = chaoskit.make_dataset(
        values.reshape(1, 300, 8), time=t, variables=[f"v{i}" for i in range(8)], attrs={"dt": DT}
    )
    a = LinearAutoregression(lags=3).fit(field).forecast(field.isel(time=slice(0, 200)), 6)
    b = LinearAutoregression(lags=3).fit(flat).forecast(flat.isel(time=slice(0, 200)), 6)
    assert a["state"].dims == ("member", "time", "x", "variable") and a["state"].shape == (
        1,
        6,
        4,
        2,
    )
    np.testing.assert_allclose(a["state"].values.reshape(1, 6, 8), b["state"].values, rtol=1e-12)


def test_companion_dynamics_reproduces_the_forecast_and_its_jacobian() -> None:
    c, a1, a2 = _var2()
    values = _simulate(c, a1, a2, n=400, members=1, noise=0.2, seed=5)
    model = LinearAutoregression(lags=2).fit(_dataset(values))
    dyn = model.dynamics()
    assert isinstance(dyn, CompanionDynamics) and dyn.dimension == 6 and dyn.dt == pytest.approx(DT)
    context = values[:, -20:]
    state = np.concatenate([context[:, -1], context[:, -2]], axis=-1)
    steps = []
    for _ in range(10):
        state = dyn.step(state)
        steps.append(dyn.observe(state))
    np.testing.assert_allclose(
        np.stack(steps, axis=1),
        model.forecast(_dataset(context), 10)["state"].values,
        rtol=1e-12,
        atol=1e-12,
    )
    x = np.random.default_rng(1).standard_normal((2, 6))
    jac = dyn.jacobian(x)
    assert jac.shape == (2, 6, 6)
    reference = chaoskit.finite_difference_jacobian(dyn.step, x[0])
    np.testing.assert_allclose(jac[0], reference, atol=1e-8)
    np.testing.assert_allclose(dyn.observe(dyn.lift(x[:, :3])), x[:, :3])


def test_min_context_follows_lags_and_float32_output() -> None:
    c, a1, a2 = _var2()
    values = _simulate(c, a1, a2, n=200, members=1, noise=0.2, seed=6)
    model = LinearAutoregression(lags=7, dtype="float32").fit(_dataset(values))
    assert model.min_context == 7
    assert model.forecast(_dataset(values[:, -7:]), 3)["state"].dtype == np.float32
    with pytest.raises(DataError, match="at least 7 time points"):
        model.forecast(_dataset(values[:, -6:]), 3)


def test_bad_input_is_rejected_clearly() -> None:
    for field, value in (("lags", 0), ("lags", 1.5), ("ridge", -1.0), ("standardize", 1)):
        with pytest.raises(ParameterError, match=field):
            LinearAutoregression(**{field: value})
    values = np.random.default_rng(0).standard_normal((2, 4, 3))
    with pytest.raises(DataError, match="lags = 4"):
        LinearAutoregression(lags=4).fit(_dataset(values))
    with pytest.raises(NotFittedError):
        LinearAutoregression().coefficients  # noqa: B018
    complex_data = chaoskit.make_dataset(values + 1j, time=DT * np.arange(4), variables=VARIABLES)
    with pytest.raises(DataError, match="real data"):
        LinearAutoregression(lags=1).fit(complex_data)
    nan = values.copy()
    nan[0, 2, 1] = np.nan
    with pytest.raises(DataError, match="non-finite"):
        LinearAutoregression(lags=1).fit(_dataset(nan))
