"""TorchSystem.trajectory: shapes, dtypes, initial states, transients, seeds, provenance."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from chaoskit_systems.integrators import integrate


def test_float32_and_float64(lorenz) -> None:
    single = lorenz.trajectory(100, dt=0.01, members=3, seed=0, dtype="float32")
    double = lorenz.trajectory(100, dt=0.01, members=3, seed=0)
    assert single["state"].dtype == np.float32 and double["state"].dtype == np.float64
    assert single["state"].shape == double["state"].shape == (3, 100, 3)
    # same initial states, different precisions: close over one time unit
    np.testing.assert_allclose(single["state"].values, double["state"].values, rtol=0, atol=1e-3)


def test_batched_initial_state(lorenz) -> None:
    x0 = np.array([[1.0, 2.0, 3.0], [-5.0, 4.0, 30.0]])
    ds = lorenz.trajectory(20, dt=0.01, members=2, initial_state=x0)
    np.testing.assert_array_equal(ds["state"].values[:, 0], x0)
    shared = lorenz.trajectory(20, dt=0.01, members=2, initial_state=x0[0])
    np.testing.assert_array_equal(shared["state"].values[0], shared["state"].values[1])
    assert "initial_perturbation" not in ds.attrs


def test_transient_is_discarded(lorenz) -> None:
    long = lorenz.trajectory(301, dt=0.01)
    later = lorenz.trajectory(101, dt=0.01, transient=2.0)
    np.testing.assert_array_equal(later["time"].values, 0.01 * np.arange(101))
    after = long["state"].values[0, 200:]
    np.testing.assert_allclose(later["state"].values[0], after, rtol=1e-8, atol=1e-8)
    # rk4 (error ~1e-5 of the attractor's scale after 2 time units)
    rk4 = lorenz.trajectory(11, dt=0.01, transient=2.0, method="rk4")
    np.testing.assert_allclose(rk4["state"].values[0], after[:11], rtol=0, atol=1e-3)


def test_default_initial_states_and_seeds(lorenz) -> None:
    x0 = np.asarray(lorenz.metadata.initial_state)
    a = lorenz.trajectory(10, dt=0.01, members=4, seed=3)
    b = lorenz.trajectory(10, dt=0.01, members=4, seed=3)
    c = lorenz.trajectory(10, dt=0.01, members=4, seed=4)
    np.testing.assert_array_equal(a["state"].values, b["state"].values)
    np.testing.assert_array_equal(a["state"].values[0, 0], x0)  # member 0 is unperturbed
    np.testing.assert_array_equal(c["state"].values[0], a["state"].values[0])
    assert not np.any(a["state"].values[1:, 0] == c["state"].values[1:, 0])
    # perturbation: 1e-2·max|x0| times a standard Gaussian from default_rng(seed)
    scale = 1e-2 * np.abs(x0).max()
    assert a.attrs["initial_perturbation"] == pytest.approx(scale)
    expected = x0 + scale * np.random.default_rng(3).standard_normal((3, 3))
    np.testing.assert_allclose(a["state"].values[1:, 0], expected, rtol=1e-15)
    # member k does not depend on how many members follow
    more = lorenz.trajectory(10, dt=0.01, members=6, seed=3)
    np.testing.assert_array_equal(more["state"].values[:4], a["state"].values)


def test_provenance_attributes(lorenz) -> None:
    ds = lorenz.trajectory(30, dt=0.01, members=2, seed=0)
    attrs_ = ds.chaos.attrs
    assert attrs_["system"] == "Lorenz" and attrs_["integrator"] == "dop853"
    assert attrs_["parameters"] == {"sigma": 10.0, "rho": 28.0, "beta": 8.0 / 3.0}
    assert len(attrs_["steps_accepted"]) == 2 and min(attrs_["steps_accepted"]) > 0
    assert "torch" in attrs_["versions"]
    assert attrs_["lyapunov_time"] == pytest.approx(1 / 0.906)
    rk4 = lorenz.trajectory(30, dt=0.01, method="rk4").chaos.attrs
    assert rk4["integrator"] == "rk4" and rk4["step"] == pytest.approx(0.005) and rk4["steps"] == 58


def test_parameters_reach_the_vector_field(lorenz) -> None:
    import attrs

    x0 = [1.0, 1.0, 1.0]
    stable = attrs.evolve(lorenz, rho=0.5)  # the origin is a stable fixed point for ρ < 1
    ds = stable.trajectory(200, dt=0.1, initial_state=x0)
    assert np.abs(ds["state"].values[0, -1]).max() < 1e-3
    assert "lyapunov_time" not in ds.attrs  # reference invariants hold at the defaults only


def test_rhs_accepts_numpy_and_torch(lorenz) -> None:
    x = np.array([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])
    out_np = lorenz.rhs(0.0, x)
    out_t = lorenz.rhs(0.0, torch.tensor(x))
    assert isinstance(out_np, np.ndarray) and isinstance(out_t, torch.Tensor)
    np.testing.assert_allclose(out_np, [[10.0, 23.0, -6.0], [10.0, 83.0, 4.0]])
    np.testing.assert_array_equal(out_t.numpy(), out_np)
    assert lorenz.rhs(0.0, x.astype(np.float32)).dtype == np.float32


def test_integrate_accepts_per_member_times_in_the_vector_field() -> None:
    # x' = cos(t): the vector field must see each member's own time
    result = integrate(lambda t, x: torch.cos(t).unsqueeze(-1) * torch.ones_like(x),
                       torch.zeros((2, 1), dtype=torch.float64), np.linspace(0.0, 3.0, 7))
    expected = np.sin(np.linspace(0.0, 3.0, 7))
    np.testing.assert_allclose(result.state[:, :, 0].numpy(), [expected, expected], atol=1e-9)
