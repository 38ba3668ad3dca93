"""Jacobians (analytic, automatic, finite differences) and the one-step map TorchDynamics."""

from __future__ import annotations

import numpy as np
import pytest
import torch

import chaoskit
from chaoskit_systems.base import TorchSystem
from chaoskit_systems.dynamics import TorchDynamics

# torch 2.13 warns once per process, from its own forward-AD decompositions, on the first jvp
pytestmark = pytest.mark.filterwarnings(
    "ignore:`torch.jit.script` is deprecated:DeprecationWarning"
)


@pytest.fixture
def states(lorenz) -> np.ndarray:
    ds = lorenz.trajectory(200, dt=0.01, members=2, seed=1)
    return ds["state"].values.reshape(-1, 3)[::37]  # (11, 3) points on the attractor


def test_analytic_jacobian_matches_finite_differences(lorenz, states) -> None:
    analytic = lorenz.jacobian(0.0, states)
    assert isinstance(analytic, np.ndarray) and analytic.shape == (len(states), 3, 3)
    numeric = chaoskit.finite_difference_jacobian(lambda y: lorenz.rhs(0.0, y), states)
    np.testing.assert_allclose(analytic, numeric, rtol=1e-7, atol=1e-7)
    trace = np.trace(analytic, axis1=-2, axis2=-1)
    np.testing.assert_allclose(trace, -(10 + 1 + 8 / 3))  # the flow's constant divergence


def test_analytic_jacobian_matches_torch_func(lorenz, states) -> None:
    x = torch.tensor(states)
    analytic = lorenz.jacobian(0.0, x)
    automatic = TorchSystem._jacobian(lorenz, 0.0, x)  # the base class's jacrev + vmap default
    assert isinstance(automatic, torch.Tensor)
    torch.testing.assert_close(analytic, automatic, rtol=1e-14, atol=1e-14)
    # any leading dims, none included
    torch.testing.assert_close(lorenz.jacobian(0.0, x.reshape(11, 1, 3))[:, 0], analytic)
    torch.testing.assert_close(lorenz.jacobian(0.0, x[0]), analytic[0])
    from_numpy = TorchSystem._jacobian(lorenz, 0.0, states)
    assert isinstance(from_numpy, np.ndarray)
    np.testing.assert_allclose(from_numpy, analytic.numpy(), rtol=1e-14)


def test_dynamics_is_a_torch_dynamics(lorenz) -> None:
    dyn = lorenz.dynamics(0.01)
    assert isinstance(dyn, TorchDynamics) and dyn.backend == "torch"
    assert (dyn.dimension, dyn.dt, dyn.substeps, dyn.h) == (3, 0.01, 2, 0.005)
    assert lorenz.dynamics().dt == lorenz.default_dt == pytest.approx(lorenz.metadata.period / 100)


def test_step_matches_the_trajectory_one_step_later(lorenz) -> None:
    ds = lorenz.trajectory(2, dt=0.01, members=3, seed=0)
    x = torch.tensor(ds["state"].values[:, 0])
    nxt = lorenz.dynamics(0.01).step(x)
    # RK4 at h = 0.005 against dopri5 at rtol 1e-9: one step's local error is ~1e-8
    np.testing.assert_allclose(nxt.numpy(), ds["state"].values[:, 1], rtol=1e-7, atol=1e-7)
    # and exactly the substeps of the rk4 trajectory
    rk4 = lorenz.trajectory(2, dt=0.01, members=3, seed=0, method="rk4")
    np.testing.assert_allclose(nxt.numpy(), rk4["state"].values[:, 1], rtol=1e-14, atol=1e-13)


def test_step_is_differentiable_with_autograd(lorenz, states) -> None:
    dyn = lorenz.dynamics(0.01)
    x = torch.tensor(states[:1], requires_grad=True)
    dyn.step(x)[0, 0].backward()
    jac = dyn.jacobian(x.detach())
    torch.testing.assert_close(x.grad[0], jac[0, 0])


def test_dynamics_jacobian_matches_finite_differences(lorenz, states) -> None:
    dyn = lorenz.dynamics(0.05)
    jac = dyn.jacobian(states)  # numpy in, numpy out
    assert isinstance(jac, np.ndarray) and jac.shape == (len(states), 3, 3)
    numeric = chaoskit.finite_difference_jacobian(dyn.step, states)
    np.testing.assert_allclose(jac, numeric, rtol=1e-6, atol=1e-6 * np.abs(numeric).max())
    # volume contraction over one step: det J ≈ exp(−(σ + 1 + β)·dt)
    np.testing.assert_allclose(np.linalg.det(jac), np.exp(-(11 + 8 / 3) * 0.05), rtol=1e-5)


def test_jvp_matches_jacobian_times_tangents(lorenz, states) -> None:
    dyn = lorenz.dynamics(0.01)
    x = torch.tensor(states)
    gen = torch.Generator().manual_seed(0)
    v = torch.randn((len(states), 3, 2), dtype=torch.float64, generator=gen)
    y, jv = dyn.jvp(x, v)
    torch.testing.assert_close(y, dyn.step(x))
    torch.testing.assert_close(jv, dyn.jacobian(x) @ v, rtol=1e-12, atol=1e-12)
    y_np, jv_np = dyn.jvp(states, v.numpy())
    assert isinstance(y_np, np.ndarray) and isinstance(jv_np, np.ndarray)
    np.testing.assert_allclose(jv_np, jv.numpy(), rtol=1e-14)
    with pytest.raises(chaoskit.DataError, match="tangent vectors must have shape"):
        dyn.jvp(x, v[:, :2])


def test_jvp_in_float32(lorenz, states) -> None:
    dyn = lorenz.dynamics(0.01)
    x = torch.tensor(states, dtype=torch.float32)
    y, jv = dyn.jvp(x, torch.eye(3).expand(len(states), 3, 3))
    assert y.dtype == jv.dtype == torch.float32
    torch.testing.assert_close(jv, dyn.jacobian(x), rtol=1e-5, atol=1e-5)
