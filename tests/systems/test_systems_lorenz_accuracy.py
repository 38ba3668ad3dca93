"""Lorenz trajectories against scipy's DOP853 (rtol 1e-10, atol 1e-12) over ~5 Lyapunov times.

Errors are measured relative to the attractor's scale: max_t |x − x_ref|_∞ / max_t |x_ref|_∞.
"""

from __future__ import annotations

import numpy as np
import pytest
import torch

from chaoskit_systems.flows.lorenz import Lorenz
from chaoskit_systems.integrators import integrate

DT, N = 0.01, 551  # 5.5 time units ≈ 5 Lyapunov times (λ1 = 0.906)


def relative_error(state: np.ndarray, ref: np.ndarray) -> float:
    return float(np.max(np.abs(state - ref)) / np.max(np.abs(ref)))


@pytest.fixture(scope="module")
def x0() -> np.ndarray:
    return np.asarray(Lorenz.metadata.initial_state)


@pytest.fixture(scope="module")
def ref(x0: np.ndarray, scipy_reference) -> np.ndarray:
    return scipy_reference(x0, DT * np.arange(N))


def test_default_method_and_tolerances_match_scipy(lorenz, ref) -> None:
    ds = lorenz.trajectory(N, dt=DT)
    assert ds.attrs["integrator"] == "dop853"
    assert (ds.attrs["rtol"], ds.attrs["atol"]) == (1e-9, 1e-12)
    assert relative_error(ds["state"].values[0], ref) < 1e-6


@pytest.mark.parametrize("method", ["dopri5", "dop853"])
def test_dense_output_does_not_depend_on_the_sampling(lorenz, x0, scipy_reference, method) -> None:
    # outputs never force steps: ten times more output points, same steps, same values
    coarse = lorenz.trajectory(N, dt=DT, method=method)
    fine = lorenz.trajectory(10 * (N - 1) + 1, dt=DT / 10, method=method)
    assert coarse.attrs["steps_accepted"] == fine.attrs["steps_accepted"]
    np.testing.assert_allclose(
        fine["state"].values[0, ::10], coarse["state"].values[0], rtol=0, atol=1e-12
    )
    ref_fine = scipy_reference(x0, fine["time"].values)
    assert relative_error(fine["state"].values[0], ref_fine) < 1e-6


def test_rk4_default_step_matches_scipy(lorenz, ref) -> None:
    # dt = 0.01 runs as 2 substeps of 0.005: global error ~1e-6 of the attractor's scale here
    ds = lorenz.trajectory(N, dt=DT, method="rk4")
    assert ds.attrs["integrator"] == "rk4" and ds.attrs["substeps"] == 2
    assert relative_error(ds["state"].values[0], ref) < 1e-5


def test_rk4_small_step_matches_scipy(lorenz, x0, ref) -> None:
    start = torch.tensor(x0[None, :], dtype=torch.float64)
    result = integrate(lorenz.rhs, start, DT * np.arange(N), method="rk4", step=1e-3)
    assert relative_error(result.state[0].numpy(), ref) < 1e-7


# float32 at rtol 1e-6: the error starts near 1e-6 and grows like exp(λ1 t); dop853 (the
# default) takes 32 steps where dopri5 takes 99, and its error peaks at 1.1e-4 (2.6e-5 for
# dopri5; dop853 at the same tolerance in float64: 4.2e-5 — the tolerance, not the dtype)
@pytest.mark.parametrize(("method", "bound"), [(None, 2e-4), ("dopri5", 1e-4)])
def test_float32_tracks_the_reference_for_a_while(lorenz, x0, scipy_reference, method, bound) -> None:
    times = DT * np.arange(201)
    ds = lorenz.trajectory(201, dt=DT, dtype="float32", method=method)
    assert ds["state"].dtype == np.float32
    assert (ds.attrs["rtol"], ds.attrs["atol"]) == (1e-6, 1e-8)
    assert relative_error(ds["state"].values[0], scipy_reference(x0, times)) < bound
