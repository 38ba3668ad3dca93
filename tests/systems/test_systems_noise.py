"""Dynamical noise: the Euler–Maruyama stepper against SDEs with known solutions, and
``trajectory(noise=...)`` on flows and maps (seeds, members, options, errors)."""

from __future__ import annotations

import math

import chaoskit
import numpy as np
import pytest
import scipy.linalg
import torch
from chaoskit import CapabilityError, ParameterError
from chaoskit.system import member_generators
from chaoskit_systems._noise import GaussianIncrements
from chaoskit_systems.integrators import count_steps, integrate_euler_maruyama


def _draws(generator: torch.Generator, members: int, dim: int = 1):
    return lambda: torch.randn(members, dim, generator=generator, dtype=torch.float64)


def _em(drift, x0, t_out, *, step, noise, kind, increments):
    return integrate_euler_maruyama(
        drift, x0, torch.as_tensor(t_out, dtype=torch.float64), t0=0.0, step=step, noise=noise,
        kind=kind, increments=increments,
    )


def test_ornstein_uhlenbeck_stationary_variance() -> None:
    # dX = −θX dt + σ dW: stationary variance σ²/(2θ); Euler–Maruyama with step h has the
    # stationary variance σ²/(θ(2 − θh)) exactly (an AR(1) recursion), 0.5% above at θh = 0.01
    theta, sigma, h, members = 1.0, 0.7, 0.01, 4000
    gen = torch.Generator().manual_seed(0)
    x0 = torch.zeros(members, 1, dtype=torch.float64)
    times = np.array([8.0, 12.0, 16.0])  # ≥ 8 relaxation times apart from 0, e^{-8} apart
    result = _em(lambda t, x: -theta * x, x0, times, step=h, noise=sigma, kind="additive",
                 increments=_draws(gen, members))
    samples = result.state.numpy().ravel()  # 12,000 nearly independent N(0, v) samples
    expected = sigma**2 / (theta * (2 - theta * h))
    # the sample variance of N independent Gaussians has relative sd sqrt(2/N) = 1.3%: 4 sd
    assert np.var(samples) == pytest.approx(expected, rel=4 * math.sqrt(2 / samples.size))
    assert abs(np.mean(samples)) < 4 * math.sqrt(expected / samples.size)
    assert result.info["integrator"] == "euler_maruyama" and result.info["steps"] == 1600


def test_geometric_brownian_motion_mean() -> None:
    # dX = μX dt + σX dW: E[X_t] = x0·e^{μt}; Euler–Maruyama's mean is x0·(1 + μh)^{t/h} exactly
    mu, sigma, h, members, x0 = 0.8, 0.4, 0.01, 20000, 1.5
    gen = torch.Generator().manual_seed(1)
    start = torch.full((members, 1), x0, dtype=torch.float64)
    result = _em(lambda t, x: mu * x, start, np.array([1.0]), step=h, noise=sigma,
                 kind="multiplicative", increments=_draws(gen, members))
    final = result.state.numpy()[:, -1, 0]
    exact = x0 * math.exp(mu)
    discrete = x0 * (1 + mu * h) ** 100
    # Var X_1 = x0² e^{2μ}(e^{σ²} − 1): the sample mean's sd is 0.3% here; 4 sd plus EM's bias
    sd = exact * math.sqrt(math.expm1(sigma**2) / members)
    assert abs(final.mean() - discrete) < 4 * sd
    assert abs(final.mean() - exact) < 4 * sd + abs(exact - discrete)


def test_strong_order_one_half_for_multiplicative_noise() -> None:
    # E|X_T^h − X_T| against the exact solution x0·exp((μ − σ²/2)T + σW_T) driven by the same
    # Brownian path: coarse steps sum the finest increments
    mu, sigma, x0, members, finest = 0.5, 1.0, 1.0, 4000, 2**9
    gen = torch.Generator().manual_seed(2)
    increments = torch.randn(finest, members, 1, generator=gen, dtype=torch.float64)
    w_end = increments.sum(dim=0) * math.sqrt(1.0 / finest)
    exact = x0 * torch.exp((mu - 0.5 * sigma**2) + sigma * w_end)
    errors, steps = [], [2**k for k in range(3, 10)]
    for m in steps:
        group = finest // m
        # sum of `group` fine standard normals, rescaled to a standard normal of the coarse step
        coarse = increments.reshape(m, group, members, 1).sum(dim=1) / math.sqrt(group)
        it = iter(coarse)
        start = torch.full((members, 1), x0, dtype=torch.float64)
        result = _em(lambda t, x: mu * x, start, np.array([1.0]), step=1.0 / m, noise=sigma,
                     kind="multiplicative", increments=lambda it=it: next(it))
        errors.append(float((result.state[:, -1] - exact).abs().mean()))
    slope = np.polyfit(np.log(1.0 / np.array(steps)), np.log(errors), 1)[0]
    assert 0.4 < slope < 0.65, (slope, errors)


def test_additive_noise_on_a_stable_lorenz_matches_the_lyapunov_equation() -> None:
    # ρ = 0.5: the origin is stable; with small additive noise the state is the OU process of
    # the linearization A, whose stationary covariance Σ solves AΣ + ΣAᵀ + σ²I = 0
    lorenz = chaoskit.systems.create("lorenz", rho=0.5)
    sigma, beta = 0.05, 8.0 / 3.0
    a = np.array([[-10.0, 10.0, 0.0], [0.5, -1.0, 0.0], [0.0, 0.0, -beta]])
    cov = scipy.linalg.solve_continuous_lyapunov(a, -sigma**2 * np.eye(3))
    ds = lorenz.trajectory(
        4, dt=5.0, members=1000, initial_state=[0.0, 0.0, 0.0], transient=15.0, noise=sigma,
        sde_step=0.005, seed=3,
    )
    # the slowest mode relaxes at rate 0.475: 5 time units apart the samples are nearly independent
    samples = ds["state"].values.reshape(-1, 3)
    got = np.cov(samples.T)
    # 4,000 samples: relative sd of a variance sqrt(2/4000) = 2.2% (4 sd = 9%), plus the O(h)
    # bias of Euler–Maruyama (≈ 1% here, measured 1–3% over seeds)
    np.testing.assert_allclose(np.diag(got), np.diag(cov), rtol=0.12)
    assert got[0, 1] == pytest.approx(cov[0, 1], rel=0.12)
    assert ds.attrs["integrator"] == "euler_maruyama" and ds.attrs["step"] == pytest.approx(0.005)
    assert ds.chaos.attrs["noise"] == sigma and ds.chaos.attrs["noise_kind"] == "additive"


def test_noise_is_seeded_per_member_and_device_independent() -> None:
    lorenz = chaoskit.systems.create("lorenz")
    kw = {"dt": 0.01, "noise": 0.5, "seed": 4}
    a = lorenz.trajectory(200, members=3, **kw)["state"].values
    b = lorenz.trajectory(200, members=3, **kw)["state"].values
    c = lorenz.trajectory(200, members=6, **kw)["state"].values
    d = lorenz.trajectory(200, members=3, **{**kw, "seed": 5})["state"].values
    clean = lorenz.trajectory(200, members=3, dt=0.01, seed=4, method="rk4")["state"].values
    np.testing.assert_array_equal(a, b)
    np.testing.assert_array_equal(a, c[:3])  # member k does not depend on how many follow
    assert not np.allclose(a[:, 1:], d[:, 1:])
    assert np.abs(a - clean)[:, 1:].max() > 1e-3  # the noise is there
    single = lorenz.trajectory(200, members=3, dtype="float32", **kw)["state"].values
    np.testing.assert_allclose(single[:, :20], a[:, :20], atol=1e-3)  # same draws in float32


def test_gaussian_increments_follow_member_generators() -> None:
    draws = GaussianIncrements(7, 3, 2, 5, dtype=torch.float64, device=torch.device("cpu"))
    got = torch.stack([draws() for _ in range(5)]).numpy()  # (steps, members, dim)
    for k, gen in enumerate(member_generators(7, 1, 3)):
        np.testing.assert_array_equal(got[:, k], gen.standard_normal((5, 2)))
    assert count_steps(0.0, [0.3, 0.5], 0.1) == 5


@pytest.mark.parametrize("kind", ["additive", "multiplicative"])
def test_map_noise_is_added_after_each_iteration(kind: str) -> None:
    logistic = chaoskit.systems.create("logistic")
    sigma, r = 1e-3, logistic.r
    ds = logistic.trajectory(6, members=2, noise=sigma, noise_kind=kind, seed=9)
    x = ds["state"].values[..., 0]
    for k, gen in enumerate(member_generators(9, 1, 2)):
        xi = gen.standard_normal((5, 1))[:, 0]
        for i in range(5):
            clean = r * x[k, i] * (1 - x[k, i])
            noisy = clean + sigma * xi[i] * (1.0 if kind == "additive" else clean)
            assert x[k, i + 1] == pytest.approx(noisy, rel=1e-13)


def test_noise_errors() -> None:
    lorenz = chaoskit.systems.create("lorenz")
    with pytest.raises(ParameterError, match="Euler–Maruyama; method, rtol and atol do not apply"):
        lorenz.trajectory(5, noise=0.1, method="rk4")
    with pytest.raises(ParameterError, match="Euler–Maruyama"):
        lorenz.trajectory(5, noise=0.1, rtol=1e-6)
    with pytest.raises(ParameterError, match="sde_step .* applies only with noise > 0"):
        lorenz.trajectory(5, sde_step=0.01)
    with pytest.raises(ParameterError, match="noise_kind must be one of"):
        lorenz.trajectory(5, noise=0.1, noise_kind="colored")
    with pytest.raises(ParameterError, match="sde_step must be a positive"):
        lorenz.trajectory(5, noise=0.1, sde_step=-1.0)
    with pytest.raises(ParameterError, match="takes no sde_step"):
        chaoskit.systems.create("logistic").trajectory(5, noise=0.1, sde_step=0.5)
    with pytest.raises(CapabilityError, match="does not simulate dynamical noise"):
        chaoskit.systems.create("mackey_glass").trajectory(5, noise=0.1)


def test_observation_noise_is_independent_of_the_dynamical_noise() -> None:
    lorenz = chaoskit.systems.create("lorenz")
    kw = {"dt": 0.01, "members": 2, "noise": 0.5, "seed": 6}
    dynamic = lorenz.trajectory(100, **kw)
    both = lorenz.trajectory(100, observation_noise=0.05, return_clean=True, **kw)
    np.testing.assert_array_equal(both["clean_state"].values, dynamic["state"].values)
    assert not np.allclose(both["state"].values, dynamic["state"].values)
