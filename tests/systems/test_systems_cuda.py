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
