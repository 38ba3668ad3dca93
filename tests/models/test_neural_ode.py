"""The neural ODE of chaoskit-models: multiple shooting, forecasting, its one-step map (CPU, tiny)."""

from __future__ import annotations

from typing import ClassVar

import chaoskit
import numpy as np
import pytest
import torch
import xarray as xr
from chaoskit import (
    CapabilityError,
    DataError,
    NotFittedError,
    ParameterError,
    finite_difference_jacobian,
)
from chaoskit.testing import ModelConformance
from chaoskit_models.neural_ode import NeuralODE
from chaoskit_models.ode_field import shoot
from chaoskit_models.training import GeneralizedForcing, GradientTrainer
from scipy.linalg import expm

TINY = {"hidden": 8, "epochs": 2, "batches_per_epoch": 5, "batch_size": 4, "window": 11, "shooting": 5}
DT = 0.1
#: A damped rotation: x' = A x, eigenvalues −0.1 ± 1i.
A = np.array([[-0.1, 1.0], [-1.0, -0.1]])


pytestmark = pytest.mark.usefixtures("single_thread")  # tests/models/conftest.py


class TestNeuralODEConformance(ModelConformance):
    names: ClassVar[tuple[str, ...]] = ("neural_ode",)
    params: ClassVar[dict[str, dict[str, object]]] = {"neural_ode": {**TINY, "dtype": "float64"}}


def _spiral(members: int, n: int, seed: int = 0) -> xr.Dataset:
    """Exact solutions of x' = A x sampled at DT (matrix exponential), radius 1–3."""
    rng = np.random.default_rng(seed)
    step = expm(A * DT)
    x = np.empty((members, n, 2))
    x[:, 0] = rng.uniform(1, 3, (members, 1)) * np.stack([np.cos(a := rng.uniform(0, 6.3, members)), np.sin(a)], 1)
    for k in range(1, n):
        x[:, k] = x[:, k - 1] @ step.T
    return chaoskit.make_dataset(x, time=DT * np.arange(n), variables=("x", "y"), attrs={"dt": DT})


def test_shooting_segments_follow_the_exact_linear_flow() -> None:
    """With g(z) = B z, each segment's predictions are expm(B k) z_start, to RK4's 4th order."""
    b = torch.tensor([[0.0, 0.3], [-0.3, -0.05]], dtype=torch.float64)
    windows = torch.randn(3, 12, 2, dtype=torch.float64, generator=torch.Generator().manual_seed(0))
    errors = {}
    for substeps in (2, 8):
        predictions, targets = shoot(lambda z: z @ b.T, windows, 4, substeps)
        assert predictions.shape == targets.shape == (3 * 2, 4, 2)  # (12 − 1) // 4 = 2 segments
        worst = 0.0
        for w in range(3):
            for s in range(2):
                start = windows[w, 4 * s].numpy()
                want = np.stack([expm(b.numpy() * k) @ start for k in range(1, 5)])
                worst = max(worst, np.abs(predictions[2 * w + s].numpy() - want).max())
                np.testing.assert_array_equal(targets[2 * w + s].numpy(), windows[w, 4 * s + 1 : 4 * s + 5].numpy())
        errors[substeps] = worst
    assert errors[2] < 2e-5
    assert errors[8] < errors[2] / 4**4 * 1.5  # a 4x smaller step: 256x smaller error


@pytest.fixture(scope="module")
def spiral_model() -> NeuralODE:
    model = NeuralODE(hidden=32, epochs=8, batches_per_epoch=40, batch_size=16, window=21, shooting=10,
                      dtype="float64", seed=0, activation="tanh")
    return model.fit(_spiral(8, 300))


def test_learns_the_linear_vector_field(spiral_model: NeuralODE) -> None:
    rng = np.random.default_rng(5)
    x = rng.uniform(-2, 2, (200, 2))
    x = x[np.linalg.norm(x, axis=1) > 1.0]  # inside the data's annulus (radius 1–3, decaying)
    learned, true = spiral_model.vector_field(x), x @ A.T
    error = np.linalg.norm(learned - true, axis=1) / np.linalg.norm(true, axis=1)
    # measured: median relative error ~0.02 after 320 Adam steps
    assert np.median(error) < 0.1, np.median(error)


def test_forecast_beats_persistence_and_matches_rk4_dynamics(spiral_model: NeuralODE) -> None:
    test = _spiral(4, 80, seed=9)
    context, truth = test.isel(time=slice(0, 20)), test["state"].values[:, 20:]
    forecast = spiral_model.forecast(context, 60)["state"].values
    error = np.sqrt(np.mean((forecast - truth) ** 2))
    persistence = np.sqrt(np.mean((context["state"].values[:, -1:] - truth) ** 2))
    assert error < 0.2 * persistence, (error, persistence)
    dyn = spiral_model.dynamics()
    z = dyn.lift(torch.as_tensor(context["state"].values[:, -1]))
    for _ in range(60):
        z = dyn.step(z)
    # RK4 with 2 substeps against the adaptive forecast: both solve the same learned ODE
    np.testing.assert_allclose(dyn.observe(z).numpy(), forecast[:, -1], atol=1e-4)


def test_dynamics_jacobian_matches_finite_differences(spiral_model: NeuralODE) -> None:
    dyn = spiral_model.dynamics()
    x = torch.tensor([[0.3, -0.7], [1.1, 0.2]], dtype=torch.float64)
    jac = dyn.jacobian(x).numpy()
    fd = finite_difference_jacobian(lambda v: dyn.step(torch.as_tensor(v)).numpy(), x.numpy())
    np.testing.assert_allclose(jac, fd, atol=1e-7)
    y, jv = dyn.jvp(x, torch.eye(2, dtype=torch.float64).expand(2, 2, 2))  # forward mode, as the Lyapunov metric
    np.testing.assert_allclose(jv.numpy(), jac, atol=1e-12)
    np.testing.assert_allclose(y.numpy(), dyn.step(x).numpy(), atol=1e-14)
    np.testing.assert_allclose(dyn.jacobian(x.numpy()), jac, atol=1e-12)  # numpy in, numpy out
    # one step of the learned flow of a damped rotation: det J = exp(trace(A)·dt) approximately
    assert np.linalg.det(jac) == pytest.approx(np.exp(-0.2 * DT), abs=0.02)


def test_bad_input_is_named() -> None:
    data = _spiral(2, 60)
    with pytest.raises(NotFittedError):
        NeuralODE().forecast(data, 3)
    with pytest.raises(ParameterError, match="shooting = 10 steps needs 11 points"):
        NeuralODE(**{**TINY, "shooting": 10, "window": 8}).fit(data)
    with pytest.raises(CapabilityError, match="GeneralizedForcing does not apply"):
        NeuralODE(**TINY).fit(data, trainer=GradientTrainer(window=11, teacher_forcing=GeneralizedForcing()))
    with pytest.raises(ParameterError):
        NeuralODE(activation="sigmoidish")
    t = np.cumsum(np.r_[0.0, np.full(30, 0.05), np.full(30, 0.1)])  # the step doubles halfway
    uneven = chaoskit.make_dataset(np.stack([np.sin(t), np.cos(t)], -1)[None], time=t, variables=["a", "b"])
    with pytest.raises(DataError, match="not uniformly sampled"):
        NeuralODE(**TINY).fit(uneven)
