"""Tests of SINDy's parts (chaoskit_models.sindy): finite differences, libraries, STLSQ/SR3 regression.

References are independent of the code under test: Lorenz-63 integrated by scipy (DOP853,
rtol 1e-12), analytic derivatives, numpy least squares and exhaustive subset search, exact
finite-difference tables, and a numpy RK4.
"""

from __future__ import annotations

import itertools

import numpy as np
import pytest
import torch
from chaoskit_models.conditioning import ConditioningWarning
from chaoskit_models.sindy import (
    SR3,
    STLSQ,
    ConcatLibrary,
    CustomLibrary,
    FourierLibrary,
    PolynomialLibrary,
    SINDyConvergenceWarning,
    TensorLibrary,
    fd_weights,
    finite_difference,
    smooth,
)
from chaoskit_models.sindy import terms as T
from chaoskit_models.sindy.library import as_library
from chaoskit_models.sindy.regression import Regression

DT = 0.01


# --------------------------------------------------------------------------- derivatives
def test_fd_weights_match_the_published_tables() -> None:
    np.testing.assert_allclose(fd_weights([-1, 0, 1]), [-0.5, 0.0, 0.5], atol=0)
    np.testing.assert_allclose(
        fd_weights(range(-2, 3)), [1 / 12, -2 / 3, 0, 2 / 3, -1 / 12], rtol=1e-15
    )
    np.testing.assert_allclose(fd_weights(range(3)), [-1.5, 2.0, -0.5], rtol=1e-15)
    np.testing.assert_allclose(fd_weights(range(5)), [-25 / 12, 4, -3, 4 / 3, -1 / 4], rtol=1e-15)
    np.testing.assert_allclose(fd_weights(range(-1, 2), derivative=2), [1, -2, 1], rtol=1e-15)


@pytest.mark.parametrize("order", [2, 4, 6])
def test_finite_differences_are_exact_on_polynomials_of_their_order(order: int) -> None:
    t = 0.3 + 0.1 * np.arange(12)
    coeffs = np.random.default_rng(order).standard_normal(order + 1)
    x = np.polyval(coeffs, t)
    exact = np.polyval(np.polyder(coeffs), t)
    np.testing.assert_allclose(finite_difference(x, 0.1, order=order), exact, rtol=1e-9, atol=1e-9)


@pytest.mark.parametrize("order", [2, 4])
def test_measured_convergence_order_on_sin(order: int) -> None:
    errors = []
    for n in (50, 100, 200, 400):
        t = np.linspace(0.0, 2.0, n + 1)
        d = finite_difference(np.sin(t), t, order=order)  # the time axis itself, checked uniform
        errors.append(np.abs(d - np.cos(t)).max())  # ends included
    rates = np.log2(np.array(errors[:-1]) / np.array(errors[1:]))
    np.testing.assert_allclose(rates, order, atol=0.15)


def test_finite_difference_along_an_axis_and_per_member() -> None:
    t = DT * np.arange(40)
    a = np.stack([np.sin(t), t**2], axis=-1)
    b = np.stack([np.cos(3 * t), 5 - t], axis=-1)
    both = finite_difference(np.stack([a, b]), DT, order=4, axis=1)
    np.testing.assert_allclose(both[0], finite_difference(a, DT, order=4), rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(both[1], finite_difference(b, DT, order=4), rtol=1e-12, atol=1e-12)


def test_smoothing_is_savitzky_golay_window_11_order_3() -> None:
    t = np.linspace(0, 1, 50)
    cubic = 1 + t - 2 * t**2 + 3 * t**3  # reproduced exactly by a cubic smoother
    np.testing.assert_allclose(smooth(cubic), cubic, atol=1e-12)
    noisy = np.sin(5 * t) + 0.05 * np.random.default_rng(0).standard_normal(50)
    assert np.abs(smooth(noisy) - np.sin(5 * t)).std() < np.abs(noisy - np.sin(5 * t)).std()


# --------------------------------------------------------------------------- libraries
def test_polynomial_library_terms_names_and_values() -> None:
    lib = PolynomialLibrary(degree=3)
    names = lib.names(["a", "b"])
    assert names == ["1", "a", "b", "a^2", "a b", "b^2", "a^3", "a^2 b", "a b^2", "b^3"]
    x = np.random.default_rng(0).standard_normal((7, 2))
    a, b = x[:, 0], x[:, 1]
    expected = np.stack(
        [np.ones(7), a, b, a * a, a * b, b * b, a**3, a * a * b, a * b * b, b**3], -1
    )
    np.testing.assert_allclose(lib.transform(x), expected, rtol=1e-14)
    for d, deg in ((3, 2), (3, 5), (4, 3)):
        assert PolynomialLibrary(degree=deg).n_terms(d) == len(
            list(itertools.combinations(range(d + deg), deg))
        )
    assert PolynomialLibrary(degree=3, include_interaction=False, include_bias=False).names(
        ["a", "b"]
    ) == ["a", "b", "a^2", "b^2", "a^3", "b^3"]
    assert PolynomialLibrary(degree=0).names(["a"]) == ["1"]


def test_fourier_custom_concat_and_tensor_libraries() -> None:
    x = np.random.default_rng(1).standard_normal((5, 2))
    a, b = x[:, 0], x[:, 1]
    fourier = FourierLibrary(frequencies=2)
    assert fourier.names(["a", "b"]) == [
        "sin(a)",
        "cos(a)",
        "sin(b)",
        "cos(b)",
        "sin(2 a)",
        "cos(2 a)",
        "sin(2 b)",
        "cos(2 b)",
    ]
    np.testing.assert_allclose(fourier.transform(x)[:, 5], np.cos(2 * a))
    custom = CustomLibrary(functions=[T.exp, lambda u, v: u / v], labels=["exp({})", "{}/{}"])
    assert custom.names(["a", "b"]) == ["exp(a)", "exp(b)", "a/b"]
    np.testing.assert_allclose(custom.transform(x), np.stack([np.exp(a), np.exp(b), a / b], -1))
    both = PolynomialLibrary(degree=1) + FourierLibrary(include_cos=False)
    assert isinstance(both, ConcatLibrary)
    assert both.names(["a", "b"]) == ["1", "a", "b", "sin(a)", "sin(b)"]
    tensor = PolynomialLibrary(degree=1) * FourierLibrary(include_cos=False)
    assert isinstance(tensor, TensorLibrary)
    assert tensor.names(["a", "b"]) == [
        "sin(a)",
        "sin(b)",
        "a sin(a)",
        "a sin(b)",
        "b sin(a)",
        "b sin(b)",
    ]
    np.testing.assert_allclose(tensor.transform(x)[:, 4], b * np.sin(a))


def test_libraries_evaluate_the_same_in_torch() -> None:
    lib = (
        PolynomialLibrary(degree=3)
        + FourierLibrary(frequencies=2)
        + CustomLibrary(functions=[T.tanh])
    )
    lib = lib * PolynomialLibrary(degree=1)
    x = np.random.default_rng(2).standard_normal((6, 3))
    ref = lib.transform(x)
    got = lib.transform(torch.as_tensor(x)).numpy()
    np.testing.assert_allclose(got, ref, rtol=1e-13, atol=1e-14)


def test_library_config_round_trip() -> None:
    lib = (
        PolynomialLibrary(degree=3, include_bias=False)
        + CustomLibrary(functions=[T.sin], labels=["s({})"])
    ) * FourierLibrary()
    config = lib.to_config()
    assert config["kind"] == "tensor" and config["parts"][0]["kind"] == "concat"
    assert config["parts"][0]["parts"][1]["functions"] == ["chaoskit_models.sindy.terms:sin"]
    assert as_library(config) == lib and lib.portable
    assert as_library("fourier") == FourierLibrary()
    assert not CustomLibrary(functions=[lambda u: u]).portable


# ------------------------------------------------------------------- regression and optimizers
@pytest.fixture(scope="module")
def tiny() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(3)
    theta = rng.standard_normal((60, 6)) * np.array([1.0, 3.0, 0.5, 2.0, 1.0, 10.0])
    xi = np.array([[1.5, 0.0, 0.0, -0.8, 0.0, 0.0], [0.0, 0.6, 0.0, 0.0, 0.0, -0.3]])
    y = theta @ xi.T + 0.01 * rng.standard_normal((60, 2))
    return theta, y, xi


def test_stlsq_matches_least_squares_and_the_best_subset(tiny) -> None:
    theta, y, xi = tiny
    coef = STLSQ(threshold=0.2).fit(Regression(theta, y))
    np.testing.assert_array_equal(coef != 0, xi != 0)
    for i in range(2):
        support = np.flatnonzero(coef[i])
        ref = np.linalg.lstsq(theta[:, support], y[:, i], rcond=None)[0]
        np.testing.assert_allclose(coef[i, support], ref, rtol=1e-10)
        # exhaustive search: no other support of that size fits better
        best = min(
            itertools.combinations(range(6), support.size),
            key=lambda s: np.linalg.lstsq(theta[:, s], y[:, i], rcond=None)[1].sum(),
        )
        assert tuple(support) == best


def test_stlsq_single_ridge_step_and_zero_threshold(tiny) -> None:
    theta, y, _ = tiny
    alpha, thr = 5.0, 0.2
    coef = STLSQ(threshold=thr, alpha=alpha, max_iter=1, unbias=False)
    with pytest.warns(SINDyConvergenceWarning):
        got = coef.fit(Regression(theta, y))
    ridge = np.linalg.solve(theta.T @ theta + alpha * np.eye(6), theta.T @ y).T
    np.testing.assert_allclose(got, np.where(np.abs(ridge) >= thr, ridge, 0.0), rtol=1e-10)
    full = STLSQ(threshold=0.0).fit(Regression(theta, y))
    np.testing.assert_allclose(full, np.linalg.lstsq(theta, y, rcond=None)[0].T, rtol=1e-10)


def test_stlsq_normalized_columns_threshold_the_scaled_coefficients(tiny) -> None:
    theta, y, _ = tiny
    norms = np.linalg.norm(theta, axis=0)
    got = STLSQ(threshold=3.0, alpha=0.0, normalize_columns=True, unbias=False).fit(
        Regression(theta, y)
    )
    ref = np.linalg.lstsq(theta / norms, y, rcond=None)[0].T  # first pass on normalised columns
    keep = np.abs(ref) >= 3.0
    for i in range(2):
        again = np.linalg.lstsq(theta[:, keep[i]] / norms[keep[i]], y[:, i], rcond=None)[0]
        expected = np.zeros(6)
        expected[keep[i]] = again / norms[keep[i]]
        expected[np.abs(expected * norms) < 3.0] = 0.0
        np.testing.assert_allclose(got[i], expected, rtol=1e-9, atol=1e-12)


def test_stlsq_warns_when_everything_is_removed(tiny) -> None:
    theta, y, _ = tiny
    with pytest.warns(SINDyConvergenceWarning, match="removed every term"):
        coef = STLSQ(threshold=1e6).fit(Regression(theta, y))
    assert not coef.any()


@pytest.mark.parametrize(("regularizer", "normalize"), [("l0", False), ("l1", False), ("l0", True)])
def test_sr3_converges_to_its_fixed_point(tiny, regularizer: str, normalize: bool) -> None:
    theta, y, xi = tiny
    nu, thr = 0.5, (2.0 if normalize else 0.1)
    sr3 = SR3(
        threshold=thr,
        nu=nu,
        regularizer=regularizer,
        max_iter=500,
        tol=1e-12,
        normalize_columns=normalize,
    )
    coef = sr3.fit(Regression(theta, y))
    np.testing.assert_array_equal(coef != 0, xi != 0)
    # in the (normalised) columns A: w solves (AᵀA + I/ν) w = Aᵀy + u/ν, and u = prox(w)
    norms = np.linalg.norm(theta, axis=0) if normalize else np.ones(6)
    a = theta / norms
    u = coef * norms
    w = np.linalg.solve(a.T @ a + np.eye(6) / nu, a.T @ y + u.T / nu).T
    if regularizer == "l0":
        prox = w * (np.abs(w) > thr)
    else:
        prox = np.sign(w) * np.maximum(np.abs(w) - thr, 0)
    np.testing.assert_allclose(u, prox, rtol=1e-8, atol=1e-10)


def test_sr3_with_zero_threshold_is_least_squares(tiny) -> None:
    theta, y, _ = tiny
    got = SR3(threshold=0.0).fit(Regression(theta, y))
    np.testing.assert_allclose(got, np.linalg.lstsq(theta, y, rcond=None)[0].T, rtol=1e-9)


def test_collinear_terms_fall_back_to_minimum_norm_least_squares(tiny) -> None:
    theta, y, _ = tiny
    doubled = np.hstack([theta, theta[:, :1]])  # a duplicated column: singular Gram matrix
    with pytest.warns(ConditioningWarning, match=r"linearly dependent .*numerical rank"):
        got = STLSQ(threshold=0.0, alpha=0.0).fit(Regression(doubled, y))
    np.testing.assert_allclose(got, np.linalg.lstsq(doubled, y, rcond=None)[0].T, rtol=1e-8)
    with pytest.warns(ConditioningWarning):  # alpha = 0.05, but the unbiasing refit has none
        assert np.isfinite(STLSQ(threshold=0.0).fit(Regression(doubled, y))).all()
    assert np.isfinite(STLSQ(threshold=0.0, unbias=False).fit(Regression(doubled, y))).all()


def test_sample_weights_equal_repeated_rows(tiny) -> None:
    theta, y, _ = tiny
    counts = np.random.default_rng(4).integers(0, 3, size=60)
    rows = np.repeat(np.arange(60), counts)
    weighted = STLSQ(threshold=0.2).fit(Regression(theta, y, counts.astype(float)))
    repeated = STLSQ(threshold=0.2).fit(Regression(theta[rows], y[rows]))
    np.testing.assert_allclose(weighted, repeated, rtol=1e-10, atol=1e-12)
