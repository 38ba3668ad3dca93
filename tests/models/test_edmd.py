"""EDMD and its dictionaries (chaoskit-models' Koopman package)."""

from __future__ import annotations

import warnings
from math import comb
from typing import ClassVar

import chaoskit
import numpy as np
import pytest
import torch
import xarray as xr
from chaoskit import DataError
from chaoskit.testing import ModelConformance
from chaoskit_models.koopman import (
    EDMD,
    ConditioningWarning,
    Delays,
    Monomials,
    RadialBasis,
    RandomFourier,
    galerkin_matrices,
    koopman_matrix,
)
from scipy.spatial.distance import cdist

MU, LAM, DT = -0.1, -1.0, 0.1
B = LAM / (LAM - 2 * MU)  # y − B·x² is a Koopman eigenfunction


class TestEDMDConformance(ModelConformance):
    names: ClassVar[tuple[str, ...]] = ("edmd",)


pytestmark = pytest.mark.usefixtures("single_thread")  # tests/models/conftest.py


def _slow_manifold(members: int = 30, steps: int = 40, seed: int = 0) -> xr.Dataset:
    """Exact solutions of x' = μx, y' = λ(y − x²) from random initial conditions."""
    rng = np.random.default_rng(seed)
    x0, y0 = rng.uniform(-2, 2, (2, members, 1))
    t = DT * np.arange(steps)
    x = x0 * np.exp(MU * t)
    y = (y0 - B * x0**2) * np.exp(LAM * t) + B * x0**2 * np.exp(2 * MU * t)
    return chaoskit.make_dataset(
        np.stack([x, y], axis=-1), time=t, variables=["x", "y"], attrs={"dt": DT}
    )


def test_monomials_recover_the_finite_invariant_subspace() -> None:
    data = _slow_manifold()
    model = EDMD(dictionary="monomial", degree=2).fit(data)
    lam = model.eigenvalues.values
    for rate in (0.0, MU, LAM, 2 * MU):  # the constant, x, y − Bx², x²
        assert np.abs(lam - np.exp(rate * DT)).min() < 1e-9, rate
    # the eigenfunction of e^{λ dt} is y − B x², up to a factor
    k = int(np.argmin(np.abs(lam - np.exp(LAM * DT))))
    phi = model.eigenfunctions(data).isel(mode=k).values.ravel()
    x, y = (data["state"].sel(variable=v).values.ravel() for v in ("x", "y"))
    ratio = phi / (y - B * x**2)
    np.testing.assert_allclose(ratio, ratio[0], rtol=1e-6)
    growth = model.eigenvalues["growth_rate"].values
    assert np.abs(growth - LAM).min() < 1e-8


def test_linear_dictionary_forecasts_a_linear_system_exactly() -> None:
    rng = np.random.default_rng(1)
    q = np.linalg.qr(rng.standard_normal((3, 3)))[0]
    m = q @ np.diag([0.9, -0.5, 0.3]) @ q.T + 0.1 * rng.standard_normal((3, 3))
    x = rng.standard_normal((4, 3))
    orbit = [x]
    for _ in range(30):
        x = x @ m.T
        orbit.append(x)
    values = np.stack(orbit, axis=1) + np.array(
        [1.0, -2.0, 0.5]
    )  # an affine system: x' − c = M(x − c)
    c = np.array([1.0, -2.0, 0.5])
    ds = chaoskit.make_dataset(
        values, time=0.1 * np.arange(31), variables=["a", "b", "c"], attrs={"dt": 0.1}
    )
    model = EDMD(dictionary="linear").fit(ds)
    expected = np.concatenate([[1.0], np.linalg.eigvals(m)])
    np.testing.assert_allclose(
        np.sort_complex(model.eigenvalues.values), np.sort_complex(expected), atol=1e-10
    )
    out = model.forecast(ds, 4)["state"].values
    last = values[:, -1] - c
    truth = np.stack([last @ np.linalg.matrix_power(m, k).T + c for k in range(1, 5)], axis=1)
    np.testing.assert_allclose(out, truth, atol=1e-9)
    assert model.function_names == ("1", "a", "b", "c")
    assert model.modes.dims == ("mode", "variable")


def test_delay_dictionary_is_hankel_dmd() -> None:
    dt, w = 0.05, np.array([1.0, 2.3])
    t = dt * np.arange(600)
    s = np.sin(w[0] * t) + 0.4 * np.cos(w[1] * t)
    ds = chaoskit.make_dataset(s[None, :, None], time=t, variables=["s"], attrs={"dt": dt})
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConditioningWarning)  # [1, 4 delays] span exactly 5 dims
        model = EDMD(dictionary="linear", delays=4, stride=2).fit(ds)
    freqs = np.sort(np.abs(2 * np.pi * model.eigenvalues["frequency"].values))
    np.testing.assert_allclose(freqs, [0.0, *np.repeat(w, 2)], atol=1e-6)
    assert model.min_context == 7
    out = model.forecast(ds, 50)["state"].values[0, :, 0]
    tn = t[-1] + dt * np.arange(1, 51)
    np.testing.assert_allclose(out, np.sin(w[0] * tn) + 0.4 * np.cos(w[1] * tn), atol=1e-6)


# --------------------------------------------------------------------------- dictionaries
def test_monomials_count_names_and_values() -> None:
    rng = np.random.default_rng(0)
    d = Monomials(3)
    d.fit(rng.standard_normal((1, 5, 3)), ["x", "y", "z"], rng)
    assert d.size == comb(3 + 3, 3)
    assert d.names[:5] == ("1", "x", "y", "z", "x^2") and "x y z" in d.names
    values = rng.standard_normal((2, 7, 3))
    psi = d(torch.as_tensor(values)).numpy()
    i = d.names.index("x y^2")
    np.testing.assert_allclose(psi[..., i], values[..., 0] * values[..., 1] ** 2)


def test_rbf_centres_widths_and_values() -> None:
    rng = np.random.default_rng(0)
    data = rng.standard_normal((2, 300, 2))
    d = RadialBasis(12)
    d.fit(data, ["x", "y"], np.random.default_rng(5))
    again = RadialBasis(12)
    again.fit(data, ["x", "y"], np.random.default_rng(5))
    np.testing.assert_array_equal(d.centers, again.centers)  # reproducible under a seed
    distances = cdist(d.centers, d.centers) + np.diag(np.full(12, np.inf))
    assert d.sigma == pytest.approx(
        2 * np.median(distances.min(axis=1))
    )  # twice the nearest-centre spacing
    points = rng.standard_normal((1, 9, 2))
    expected = np.exp(-(cdist(points[0], d.centers) ** 2) / (2 * d.sigma**2))
    np.testing.assert_allclose(d(torch.as_tensor(points)).numpy()[0], expected, atol=1e-12)
    random = RadialBasis(5, init="random", width=0.3)
    random.fit(data, ["x", "y"], np.random.default_rng(0))
    flat = data.reshape(-1, 2)
    assert (
        all((np.abs(flat - c).sum(axis=1) == 0).any() for c in random.centers)
        and random.sigma == 0.3
    )


def test_random_fourier_features_approximate_the_gaussian_kernel() -> None:
    d = RandomFourier(4000, bandwidth=0.7)
    d.fit(np.zeros((1, 2, 2)), ["x", "y"], np.random.default_rng(0))
    points = np.array([[[0.0, 0.0], [0.3, -0.2], [0.5, 0.4]]])
    psi = d(torch.as_tensor(points)).numpy()[0]
    kernel = np.exp(-(cdist(points[0], points[0]) ** 2) / (2 * 0.7**2))
    np.testing.assert_allclose(psi @ psi.T, kernel, atol=0.05)  # Rahimi & Recht


def test_delays_layout_and_names() -> None:
    rng = np.random.default_rng(0)
    values = np.arange(24.0).reshape(1, 12, 2)
    d = Delays(3, stride=2)
    d.fit(values, ["a", "b"], rng)
    out = d(torch.as_tensor(values)).numpy()
    assert out.shape == (1, 8, 6) and d.lag == 4
    np.testing.assert_array_equal(out[0, 0], [0, 1, 4, 5, 8, 9])
    assert d.names == ("a(t-4)", "b(t-4)", "a(t-2)", "b(t-2)", "a(t)", "b(t)")
    quad = Delays(2, inner=Monomials(2))
    quad.fit(values, ["a", "b"], rng)
    assert quad.size == comb(4 + 2, 2) and "a(t-1) b(t)" in quad.names


# --------------------------------------------------------------------------- bad input
def test_a_dictionary_larger_than_the_samples_is_rejected() -> None:
    data = _slow_manifold(members=1, steps=20)
    with pytest.raises(DataError, match=r"28 functions but there are only 19 snapshot pairs"):
        EDMD(degree=6).fit(data)


def test_a_singular_gram_matrix_warns_and_is_regularized() -> None:
    theta = 2 * np.pi * (0.1 + 0.618 * np.arange(400))
    circle = np.stack([np.cos(theta), np.sin(theta)], axis=-1)[None]
    ds = chaoskit.make_dataset(
        circle, time=np.arange(400.0), variables=["c", "s"], attrs={"dt": 1.0}
    )
    with pytest.warns(ConditioningWarning, match="singular to working precision"):  # c² + s² = 1
        model = EDMD(degree=2, standardize=False).fit(ds)
    out = model.forecast(ds, 10)["state"].values[0]
    truth = np.stack(
        [
            np.cos(theta[-1] + 2 * np.pi * 0.618 * np.arange(1, 11)),
            np.sin(theta[-1] + 2 * np.pi * 0.618 * np.arange(1, 11)),
        ],
        axis=-1,
    )
    np.testing.assert_allclose(out, truth, atol=1e-8)
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConditioningWarning)
        EDMD(degree=2, standardize=False, ridge=1e-8).fit(ds)


def test_ill_conditioned_gram_matrix_warns() -> None:
    g = np.diag([1.0, 1e-11])
    with pytest.warns(ConditioningWarning, match="ill-conditioned"):
        koopman_matrix(g, np.eye(2))
    with pytest.raises(DataError, match="G is zero"):
        koopman_matrix(np.zeros((2, 2)), np.eye(2))


def test_galerkin_matrices_validate_their_input() -> None:
    with pytest.raises(DataError, match="one shape"):
        galerkin_matrices(np.ones((5, 2)), np.ones((4, 2)))
    with pytest.raises(DataError, match="not finite"):
        galerkin_matrices(np.full((5, 2), np.inf), np.ones((5, 2)))
    gal = galerkin_matrices(np.eye(3), np.eye(3), weights=[1.0, 1.0, 2.0])
    np.testing.assert_allclose(gal.g, np.diag([0.25, 0.25, 0.5]))


def test_members_shorter_than_a_delay_window_are_rejected() -> None:
    data = _slow_manifold(members=3, steps=4)
    with pytest.raises(DataError, match="at least 6 points, got 4"):
        EDMD(dictionary="linear", delays=3, stride=2).fit(data)


def test_non_uniform_time_steps_are_rejected() -> None:
    t = np.cumsum(np.r_[0.0, np.full(30, 0.1), np.full(30, 0.15)])
    ds = chaoskit.make_dataset(
        np.stack([np.sin(t), np.cos(t)], -1)[None], time=t, variables=["a", "b"]
    )
    with pytest.raises(DataError, match="not uniformly sampled"):
        EDMD().fit(ds)


@pytest.mark.filterwarnings(
    "ignore::chaoskit_models.koopman.ConditioningWarning"
)  # delays of x: x(t) ∝ x(t−1)
def test_save_and_load_keep_the_dictionary(tmp_path) -> None:
    data = _slow_manifold()
    for model in (
        EDMD(degree=2),
        EDMD(dictionary="rbf", centers=8, seed=3),
        EDMD(dictionary="fourier", features=10, seed=3, delays=2),
    ):
        model.fit(data)
        model.save(tmp_path / model.dictionary)
        back = EDMD.load(tmp_path / model.dictionary)
        assert back.function_names == model.function_names
        np.testing.assert_allclose(back.eigenvalues.values, model.eigenvalues.values)
        np.testing.assert_allclose(
            back.forecast(data, 3)["state"].values, model.forecast(data, 3)["state"].values
        )
