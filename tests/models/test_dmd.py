"""Exact DMD, Hankel DMD and the SVD rank rules of chaoskit-models' Koopman package."""

from __future__ import annotations

from typing import ClassVar

import chaoskit
import numpy as np
import pytest
import xarray as xr
from chaoskit import DataError, ParameterError
from chaoskit.testing import ModelConformance
from chaoskit_models.koopman import DMD, HankelDMD, delay_embed, exact_dmd, hankel_matrix
from chaoskit_models.koopman.svd import omega, optimal_threshold, truncation_rank
from scipy import integrate, optimize
from scipy.linalg import block_diag


class TestDMDConformance(ModelConformance):
    names: ClassVar[tuple[str, ...]] = ("dmd", "hankel_dmd")


pytestmark = pytest.mark.usefixtures("single_thread")  # tests/models/conftest.py


# --------------------------------------------------------------------------- helpers
def _rotation(radius: float, angle: float) -> np.ndarray:
    c, s = np.cos(angle), np.sin(angle)
    return radius * np.array([[c, -s], [s, c]])


def _linear_system(seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """A real 6×6 map with stable, rotating and negative eigenvalues, in a random basis."""
    rng = np.random.default_rng(seed)
    d = block_diag(_rotation(0.95, 0.3), [[0.7]], _rotation(0.6, 1.1), [[-0.4]])
    p = rng.standard_normal((6, 6))
    lam = np.concatenate([0.95 * np.exp([0.3j, -0.3j]), [0.7], 0.6 * np.exp([1.1j, -1.1j]), [-0.4]])
    return p @ d @ np.linalg.inv(p), lam


def _orbits(m: np.ndarray, members: int, steps: int, seed: int = 1) -> np.ndarray:
    """``(member, time, n)``: exact powers of ``m`` from random initial states."""
    x = np.random.default_rng(seed).standard_normal((members, m.shape[0]))
    out = [x]
    for _ in range(steps - 1):
        x = x @ m.T
        out.append(x)
    return np.stack(out, axis=1)


def _dataset(values: np.ndarray, dt: float, names: list[str] | None = None) -> xr.Dataset:
    names = names or [f"x{i}" for i in range(values.shape[-1])]
    return chaoskit.make_dataset(
        values, time=dt * np.arange(values.shape[1]), variables=names, attrs={"dt": dt}
    )


def _match(found: np.ndarray, expected: np.ndarray) -> float:
    """Largest distance from each expected eigenvalue to the nearest found one (and back)."""
    d = np.abs(found[:, None] - expected[None, :])
    return float(max(d.min(axis=0).max(), d.min(axis=1).max()))


# --------------------------------------------------------------------------- exact DMD
def test_exact_dmd_recovers_the_eigenvalues_of_a_linear_map() -> None:
    m, lam = _linear_system()
    values = _orbits(m, members=3, steps=20)
    x = values[:, :-1].reshape(-1, 6).T
    y = values[:, 1:].reshape(-1, 6).T
    result = exact_dmd(x, y, rank="full", dt=0.1)
    assert result.rank == 6
    assert _match(result.eigenvalues, lam) < 1e-10
    np.testing.assert_allclose(result.continuous_eigenvalues, np.log(result.eigenvalues) / 0.1)
    # exact modes are eigenvectors of the map: M φ = λ φ
    np.testing.assert_allclose(m @ result.modes, result.modes * result.eigenvalues, atol=1e-9)
    # amplitudes reproduce the first snapshot
    np.testing.assert_allclose(result.modes @ result.amplitudes, x[:, 0], atol=1e-9)


def test_dmd_model_forecast_is_the_linear_map_and_dynamics_match() -> None:
    m, lam = _linear_system(seed=3)
    values = _orbits(m, members=2, steps=40)
    data = _dataset(values, dt=0.1)
    train, context = data.chaos.split(30)
    model = DMD(rank="full").fit(train)
    assert _match(model.eigenvalues.values, lam) < 1e-10
    np.testing.assert_allclose(
        model.eigenvalues["growth_rate"].values, np.log(np.abs(model.eigenvalues.values)) / 0.1
    )
    out = model.forecast(context, 5)["state"].values
    x = context["state"].values[:, -1]
    truth = np.stack([x @ np.linalg.matrix_power(m, k).T for k in range(1, 6)], axis=1)
    np.testing.assert_allclose(out, truth, rtol=1e-8, atol=1e-10)
    dyn = model.dynamics()
    np.testing.assert_allclose(dyn.step(x), x @ m.T, atol=1e-9)
    np.testing.assert_allclose(dyn.jacobian(x)[0], m, atol=1e-9)
    assert model.modes.dims == ("variable", "mode")


def test_dmd_handles_complex_fields() -> None:
    t = 0.05 * np.arange(200)
    grid = np.linspace(0.0, 1.0, 16)
    field = np.exp(1j * (2.0 * t[:, None] - 3 * grid)) + 0.5 * np.exp(
        -1j * (5.0 * t[:, None] + 7 * grid)
    )
    ds = chaoskit.make_dataset(
        field[None, :, :, None], time=t, variables=["psi"], space={"x": grid}, attrs={"dt": 0.05}
    )
    train, context = ds.chaos.split(150)
    model = DMD().fit(train)
    assert np.allclose(
        np.sort(model.eigenvalues["frequency"].values),
        np.array([-5.0, 2.0]) / (2 * np.pi),
        atol=1e-9,
    )
    out = model.forecast(context, 10)["state"].values
    t_next = t[-1] + 0.05 * np.arange(1, 11)
    truth = np.exp(1j * (2.0 * t_next[:, None] - 3 * grid)) + 0.5 * np.exp(
        -1j * (5.0 * t_next[:, None] + 7 * grid)
    )
    np.testing.assert_allclose(out[0, :, :, 0], truth, atol=1e-9)
    assert model.dynamics() is None and model.modes.dims == ("x", "variable", "mode")


# --------------------------------------------------------------------------- Hankel DMD
def test_hankel_dmd_recovers_the_frequencies_of_a_sum_of_sinusoids() -> None:
    dt, freqs = 0.05, np.array([1.0, 2.7, 4.1])  # angular frequencies
    t = dt * np.arange(800)
    signal = np.sin(freqs[0] * t) + 0.5 * np.sin(freqs[1] * t + 0.3) + 0.3 * np.cos(freqs[2] * t)
    data = _dataset(signal[None, :, None], dt, ["s"])
    train, context = data.chaos.split(700)
    model = HankelDMD(delays=20).fit(train)  # optimal hard threshold keeps the 6 real dimensions
    omega_found = 2 * np.pi * model.eigenvalues["frequency"].values
    assert omega_found.size == 6
    np.testing.assert_allclose(np.sort(np.abs(omega_found)), np.repeat(freqs, 2), atol=1e-7)
    np.testing.assert_allclose(model.eigenvalues["growth_rate"].values, 0.0, atol=1e-7)
    out = model.forecast(context, 100)["state"].values[0, :, 0]
    t_next = t[-1] + dt * np.arange(1, 101)
    truth = (
        np.sin(freqs[0] * t_next)
        + 0.5 * np.sin(freqs[1] * t_next + 0.3)
        + 0.3 * np.cos(freqs[2] * t_next)
    )
    np.testing.assert_allclose(out, truth, atol=1e-6)
    assert model.min_context == 20 and model.modes.dims == ("delay", "variable", "mode")


def test_delay_embedding_layout() -> None:
    values = np.arange(20.0).reshape(1, 10, 2)
    emb = delay_embed(values, 3, stride=2)
    assert emb.shape == (1, 6, 6)
    np.testing.assert_array_equal(emb[0, 0], [0, 1, 4, 5, 8, 9])  # x_0, x_2, x_4 (oldest first)
    h = hankel_matrix(np.arange(6.0), 3)
    np.testing.assert_array_equal(h, [[0, 1, 2, 3], [1, 2, 3, 4], [2, 3, 4, 5]])
    with pytest.raises(DataError, match="spans 9 time points"):
        delay_embed(values[:, :5], 5, stride=2)


def test_hankel_dmd_rejects_a_context_shorter_than_a_window() -> None:
    t = 0.1 * np.arange(100)
    data = _dataset(np.sin(t)[None, :, None], 0.1, ["s"])
    model = HankelDMD(delays=8).fit(data)
    with pytest.raises(DataError, match="at least 8 time points"):
        model.forecast(data.isel(time=slice(0, 5)), 3)


# --------------------------------------------------------------------------- rank rules
def _omega_exact(beta: float) -> float:
    """Gavish–Donoho's exact ω(β) = λ*(β)/√μ_β, μ_β the median of the Marchenko–Pastur law."""
    lo, hi = (1 - np.sqrt(beta)) ** 2, (1 + np.sqrt(beta)) ** 2

    def density(x: float) -> float:
        return np.sqrt(max((hi - x) * (x - lo), 0.0)) / (2 * np.pi * beta * x)

    def cdf(x: float) -> float:
        return integrate.quad(density, lo, x)[0]

    median = optimize.brentq(lambda x: cdf(x) - 0.5, lo, hi)
    lam_star = np.sqrt(2 * (beta + 1) + 8 * beta / (beta + 1 + np.sqrt(beta**2 + 14 * beta + 1)))
    return lam_star / np.sqrt(median)


@pytest.mark.parametrize("beta", [0.1, 0.5, 1.0])
def test_omega_approximation_matches_the_exact_coefficient(beta: float) -> None:
    assert omega(beta) == pytest.approx(_omega_exact(beta), abs=0.02)


def test_optimal_threshold_finds_the_rank_of_a_noisy_low_rank_matrix() -> None:
    rng = np.random.default_rng(0)
    m, n, r = 100, 600, 5
    signal = (
        rng.standard_normal((m, r))
        @ np.diag([40, 30, 20, 15, 10.0])
        @ rng.standard_normal((r, n))
        / np.sqrt(n)
    )
    noisy = signal + 0.05 * rng.standard_normal((m, n))
    s = np.linalg.svd(noisy, compute_uv=False)
    assert truncation_rank(s, (m, n), None) == r
    assert optimal_threshold(s, (m, n)) == pytest.approx(omega(m / n) * np.median(s))


def test_explicit_and_energy_ranks() -> None:
    s = np.array([10.0, 5.0, 1.0, 0.1])
    assert truncation_rank(s, (4, 50), 2) == 2
    assert truncation_rank(s, (4, 50), 0.9) == 2  # (100 + 25) / 126.01 > 0.9
    assert truncation_rank(s, (4, 50), 0.999) == 3
    assert truncation_rank(s, (4, 50), "full") == 4


def test_rank_larger_than_the_data_allow_is_a_clear_error() -> None:
    m, _ = _linear_system()
    data = _dataset(_orbits(m, 1, 30), 0.1)
    with pytest.raises(ParameterError, match="rank = 7 exceeds what the data allow.*at most 6"):
        DMD(rank=7).fit(data)
    low = _dataset(np.repeat(_orbits(m, 1, 30)[..., :1], 3, axis=-1), 0.1)  # rank-1 data
    with pytest.raises(DataError, match="exceeds the numerical rank 1"):
        DMD(rank=2).fit(low)


@pytest.mark.parametrize("bad", [0, -1, 1.5, 0.0, "auto", True])
def test_rank_hyperparameter_is_validated(bad: object) -> None:
    with pytest.raises(ParameterError, match="rank"):
        DMD(rank=bad)


def test_non_uniform_time_steps_are_rejected() -> None:
    t = np.cumsum(np.r_[0.0, np.full(20, 0.1), np.full(20, 0.2)])
    ds = chaoskit.make_dataset(np.sin(t)[None, :, None], time=t, variables=["s"])
    for model in (DMD(), HankelDMD(delays=3), chaoskit.models.create("havok", delays=5, rank=2)):
        with pytest.raises(DataError, match="not uniformly sampled"):
            model.fit(ds)
