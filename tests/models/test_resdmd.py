"""Residual DMD: residuals, verified spectra, pseudospectra and spectral measures."""

from __future__ import annotations

import warnings
from typing import ClassVar

import chaoskit
import numpy as np
import pytest
import xarray as xr
from chaoskit import DataError, ParameterError
from chaoskit.testing import ModelConformance
from chaoskit_models.koopman import (
    ConditioningWarning,
    Galerkin,
    ResDMD,
    pseudospectrum,
    residuals,
    spectral_measure,
    unitary_kernel,
)

OMEGA = (np.sqrt(5) - 1) / 2  # rotation number: the circle rotation θ ↦ θ + 2πω is ergodic
THETA1 = 2 * np.pi * OMEGA - 2 * np.pi  # its eigenvalue e^{2πiω} as an angle in [−π, π]


class TestResDMDConformance(ModelConformance):
    names: ClassVar[tuple[str, ...]] = ("resdmd",)


pytestmark = pytest.mark.usefixtures("single_thread")  # tests/models/conftest.py


@pytest.fixture(scope="module")
def circle() -> xr.Dataset:
    """2,000 points of the irrational rotation, embedded as (cos θ, sin θ)."""
    theta = 2 * np.pi * (0.1 + OMEGA * np.arange(2_000))
    values = np.stack([np.cos(theta), np.sin(theta)], axis=-1)[None]
    return chaoskit.make_dataset(
        values, time=np.arange(2_000.0), variables=["c", "s"], attrs={"dt": 1.0}
    )


@pytest.fixture(scope="module")
def rotation(circle: xr.Dataset) -> ResDMD:
    """ResDMD with [1, c, s] and 20 Gaussian bumps: exact eigenfunctions e^{±iθ} in the span,
    plus functions that K maps out of it (the source of spurious eigenvalues)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConditioningWarning)  # nearly dependent bumps
        return ResDMD(dictionary="rbf", centers=20, width=0.5, seed=0, standardize=False).fit(
            circle
        )


def test_residuals_separate_true_eigenvalues_from_spurious_ones(rotation: ResDMD) -> None:
    lam, res = rotation.eigenvalues.values, rotation.residuals.values
    for true in (1.0, np.exp(2j * np.pi * OMEGA), np.exp(-2j * np.pi * OMEGA)):
        k = int(np.argmin(np.abs(lam - true)))
        assert abs(lam[k] - true) < 1e-6 and res[k] < 1e-5
    # the Koopman operator is unitary with spectrum the unit circle, so every eigenpair obeys
    # dist(λ, Sp) = |1 − |λ|| <= res(λ)  (Colbrook & Townsend), up to quadrature error
    assert np.all(np.abs(1 - np.abs(lam)) <= res + 1e-3)
    spurious = res > 0.1
    assert spurious.sum() >= 2 and np.abs(1 - np.abs(lam[spurious])).max() > 0.5  # pollution exists
    kept = rotation.eigenvalues.where(rotation.eigenvalues["verified"], drop=True).values
    assert kept.size == lam.size - spurious.sum()
    assert np.abs(1 - np.abs(kept)).max() <= rotation.residual_tolerance


def test_residuals_match_a_direct_computation_on_the_data(
    rotation: ResDMD, circle: xr.Dataset
) -> None:
    phi = rotation.eigenfunctions(circle).values[0]  # (time, mode): g_j = Ψ v_j on the orbit
    lam = rotation.eigenvalues.values
    direct = np.linalg.norm(phi[1:] - lam * phi[:-1], axis=0) / np.linalg.norm(phi[:-1], axis=0)
    np.testing.assert_allclose(rotation.residuals.values, direct, rtol=1e-4, atol=1e-6)


def test_verified_forecast_continues_the_rotation(rotation: ResDMD, circle: xr.Dataset) -> None:
    out = rotation.forecast(circle, 50)["state"].values[0]
    theta = 2 * np.pi * (0.1 + OMEGA * np.arange(2_000, 2_050))
    np.testing.assert_allclose(out, np.stack([np.cos(theta), np.sin(theta)], -1), atol=1e-4)


def test_slow_manifold_truncation_eigenvalues_have_large_residuals() -> None:
    mu, lam_, dt = -0.1, -1.0, 0.1
    rng = np.random.default_rng(0)
    x0, y0 = rng.uniform(-2, 2, (2, 30, 1))
    t = dt * np.arange(40)
    b = lam_ / (lam_ - 2 * mu)
    x = x0 * np.exp(mu * t)
    y = (y0 - b * x0**2) * np.exp(lam_ * t) + b * x0**2 * np.exp(2 * mu * t)
    ds = chaoskit.make_dataset(np.stack([x, y], -1), time=t, variables=["x", "y"], attrs={"dt": dt})
    model = ResDMD(degree=2, residual_tolerance=1e-4).fit(ds)
    rates = np.log(model.eigenvalues.values) / dt
    res = model.residuals.values
    exact = np.array([0.0, mu, 2 * mu, lam_])  # 1, x, x², y − b x²: invariant
    is_true = np.abs(rates[:, None] - exact[None]).min(axis=1) < 1e-6
    assert is_true.sum() == 4 and np.all(res[is_true] < 1e-6)
    assert np.all(res[~is_true] > 1e-3)  # xy and y² leave the span: polluted
    np.testing.assert_array_equal(model.verified, np.flatnonzero(is_true))


def test_pseudospectrum_is_a_certified_enclosure(rotation: ResDMD) -> None:
    radii = np.array([0.5, 0.8, 0.95, 1.0, 1.1, 1.5])
    on_ray = pseudospectrum(rotation.galerkin, radii * np.exp(1j * THETA1))
    np.testing.assert_allclose(
        on_ray, np.abs(1 - radii), atol=1e-4
    )  # the eigenfunction is in the span
    grid = rotation.pseudospectrum(np.linspace(-1.5, 1.5, 31), np.linspace(-1.5, 1.5, 31))
    assert grid.dims == ("imag", "real") and grid.shape == (31, 31)
    z = grid["real"].values[None, :] + 1j * grid["imag"].values[:, None]
    # min over the span >= the true minimal residual = dist(z, unit circle): no pollution, up to
    # the quadrature error of one finite orbit (its empirical measure is invariant up to O(1/M),
    # amplified by the nearly dependent bumps)
    assert np.all(grid.values >= np.abs(1 - np.abs(z)) - 1e-2)


def test_pseudospectrum_of_an_exact_fourier_galerkin_matrix() -> None:
    """Fourier modes e^{2πikθ}, |k| <= 5, with exact quadrature: G = L = I, A = diag(e^{2πikω});
    the minimal residual is then the distance to the 11 eigenvalues."""
    k = np.arange(-5, 6)
    eig = np.exp(2j * np.pi * k * OMEGA)
    gal = Galerkin(g=np.eye(11), a=np.diag(eig), l=np.eye(11), samples=11)
    z = np.random.default_rng(0).uniform(-1.5, 1.5, (40, 2)) @ np.array([1, 1j])
    expected = np.abs(z[:, None] - eig[None]).min(axis=1)
    np.testing.assert_allclose(pseudospectrum(gal, z), expected, atol=1e-7)


def test_spectral_measure_of_the_rotation_is_the_poisson_kernel(rotation: ResDMD) -> None:
    theta, eps = np.linspace(-np.pi, np.pi, 361), 0.05
    nu = rotation.spectral_measure(theta, eps, observable="c", order=1)
    r = 1 + eps

    def poisson(phi: np.ndarray) -> np.ndarray:
        return (r**2 - 1) / (1 - 2 * r * np.cos(phi) + r**2) / (2 * np.pi)

    # cos θ = (e^{iθ} + e^{−iθ})/2 has ‖g‖² = 1/2, split into atoms at ±2πω
    expected = 0.25 * (poisson(theta - THETA1) + poisson(theta + THETA1))
    np.testing.assert_allclose(nu.values, expected, atol=2e-3)
    assert nu.dims == ("theta",) and nu.attrs["observable"] == "c"


def _unitary_with_density(n: int = 300) -> tuple[Galerkin, np.ndarray, object]:
    """A unitary K = diag(e^{iθ_k}) on n equispaced angles and g with a smooth spectral density."""
    angles = -np.pi + 2 * np.pi * np.arange(n) / n

    def density(t: np.ndarray) -> np.ndarray:
        return (1 + 0.5 * np.cos(t) + 0.3 * np.sin(2 * t)) / (2 * np.pi)

    f = np.sqrt(density(angles) * 2 * np.pi / n)
    return Galerkin(g=np.eye(n), a=np.diag(np.exp(1j * angles)), l=np.eye(n), samples=n), f, density


def test_high_order_kernels_converge_at_their_order() -> None:
    gal, f, density = _unitary_with_density()
    theta = np.linspace(-np.pi, np.pi, 24, endpoint=False)
    errors = {}
    for order in (1, 2, 4):
        for eps in (0.2, 0.1):
            nu = spectral_measure(gal, f, theta, eps, order=order)
            errors[order, eps] = np.abs(nu - density(theta)).max()
    for order in (1, 2, 4):
        rate = np.log2(errors[order, 0.2] / errors[order, 0.1])
        assert rate > order - 0.8, (order, rate)  # O(ε^m log 1/ε)
    assert errors[4, 0.1] < 1e-4 < errors[1, 0.1]


def test_unitary_kernel_and_input_checks(rotation: ResDMD) -> None:
    delta, c, d = unitary_kernel(1, 0.1)
    np.testing.assert_allclose([delta[0], c[0], d[0]], [1.0, 1.0, 1.0])
    gal, f, _ = _unitary_with_density(20)
    with pytest.raises(ParameterError, match="order must be 1"):
        spectral_measure(gal, f, [0.0], 0.1, order=7)
    with pytest.raises(ParameterError, match="epsilon must be > 0"):
        spectral_measure(gal, f, [0.0], 0.0)
    with pytest.raises(DataError, match="3 coefficients for a dictionary of 20"):
        spectral_measure(gal, f[:3], [0.0], 0.1)
    with pytest.raises(DataError, match="'q' is not among"):
        rotation.spectral_measure([0.0], 0.1, observable="q")


def test_no_verified_eigenpair_is_a_clear_error() -> None:
    t = 0.1 * np.arange(300)
    chirp = np.stack([np.sin(t**1.5), np.cos(0.3 * t**2)], -1)[None]
    ds = chaoskit.make_dataset(chirp, time=t, variables=["a", "b"], attrs={"dt": 0.1})
    # without [1, x] in the dictionary not even the constant function is exactly representable
    model = ResDMD(
        dictionary="rbf", centers=10, include_state=False, residual_tolerance=1e-9, seed=0
    ).fit(ds)
    with pytest.raises(DataError, match="no eigenpair has a residual below"):
        model.forecast(ds, 3)


def test_residual_function_matches_the_model(rotation: ResDMD) -> None:
    eig = rotation._eig
    np.testing.assert_allclose(
        residuals(rotation.galerkin, eig["eigenvalues"], eig["vectors"]), rotation.residuals.values
    )
