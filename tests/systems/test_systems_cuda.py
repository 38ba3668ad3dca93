"""CPU and CUDA agree (skipped without a CUDA device)."""

from __future__ import annotations

import numpy as np
import pytest
import torch

pytestmark = [
    pytest.mark.cuda,
    pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA device"),
]


@pytest.mark.parametrize("method", ["dopri5", "rk4"])
@pytest.mark.parametrize("dtype", ["float64", "float32"])
def test_cuda_matches_cpu(lorenz, method: str, dtype: str) -> None:
    kwargs = {"dt": 0.01, "members": 16, "seed": 0, "method": method, "dtype": dtype}
    cpu = lorenz.trajectory(300, **kwargs)
    gpu = lorenz.trajectory(300, device="cuda", **kwargs)
    # the seeded initial states are drawn by numpy: identical on both devices
    np.testing.assert_array_equal(gpu["state"].values[:, 0], cpu["state"].values[:, 0])
    tol = 1e-7 if dtype == "float64" else 1e-3
    np.testing.assert_allclose(gpu["state"].values, cpu["state"].values, rtol=0, atol=tol * 50)
    if method == "dopri5" and dtype == "float64":
        steps_cpu = np.array(cpu.chaos.attrs["steps_accepted"])
        steps_gpu = np.array(gpu.chaos.attrs["steps_accepted"])
        assert np.abs(steps_gpu - steps_cpu).max() <= 2


def test_cuda_dynamics_jvp(lorenz) -> None:
    dyn = lorenz.dynamics(0.01)
    x = torch.tensor(lorenz.trajectory(8, dt=0.01)["state"].values[0], device="cuda")
    v = torch.eye(3, dtype=torch.float64, device="cuda").expand(8, 3, 3)
    y, jv = dyn.jvp(x, v)
    assert y.device.type == jv.device.type == "cuda"
    torch.testing.assert_close(jv.cpu(), dyn.jacobian(x.cpu()), rtol=1e-12, atol=1e-12)


def test_cuda_sweeps_and_noise_match_cpu(lorenz) -> None:
    import chaoskit

    rho = np.linspace(20.0, 30.0, 8)
    kwargs = {"dt": 0.01, "parameters": {"rho": rho}}
    cpu = lorenz.trajectory(200, **kwargs)
    gpu = lorenz.trajectory(200, device="cuda", **kwargs)
    assert gpu.attrs["sweep_mode"] == cpu.attrs["sweep_mode"]
    np.testing.assert_allclose(gpu["state"].values, cpu["state"].values, rtol=0, atol=1e-6)
    noisy = {"dt": 0.01, "members": 4, "noise": 0.3, "seed": 2}
    a = lorenz.trajectory(100, **noisy)["state"].values
    b = lorenz.trajectory(100, device="cuda", **noisy)["state"].values
    np.testing.assert_allclose(b, a, rtol=0, atol=1e-8)  # the same draws on both devices
    logistic = chaoskit.systems.create("logistic")
    r = np.linspace(3.0, 4.0, 64)
    maps = [logistic.trajectory(50, parameters={"r": r}, initial_state=[0.3], device=d)
            for d in ("cpu", "cuda")]
    np.testing.assert_allclose(maps[1]["state"].values, maps[0]["state"].values, atol=1e-6)
