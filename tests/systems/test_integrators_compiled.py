"""The compiled integrators (``*_compiled`` methods) and the cache of ``chaoskit_systems.compiled``.

Fast tests run the compiled drivers with compilation switched off (``compiled()`` then returns
the eager function it would compile), so the driver logic — output window, overflow to the
eager emission, halting blocks, failures, chunked RK4 schedule — is checked against the eager
integrators without paying for inductor. The slow tests compile for real (tens of seconds each)
and compare with the eager integrators and with scipy's DOP853 at rtol 1e-11 in float64.
"""

from __future__ import annotations

import math
import warnings

import chaoskit_systems.compiled as cc
import numpy as np
import pytest
import torch
from chaoskit import PluginWarning
from chaoskit_systems.flows.lorenz import Lorenz
from chaoskit_systems.integrators import METHODS, integrate
from chaoskit_systems.integrators.compiled_adaptive import WINDOW, integrate_adaptive_compiled
from chaoskit_systems.integrators.compiled_rk4 import integrate_rk4_compiled
from chaoskit_systems.integrators.dop853 import DOP853_SCHEME
from chaoskit_systems.integrators.dopri5 import DOPRI5
from scipy.integrate import solve_ivp

LORENZ = Lorenz()
X0 = torch.tensor([[1.0, 1.0, 20.0], [-3.0, 2.0, 25.0], [0.5, -1.0, 10.0]], dtype=torch.float64)


def lorenz_numpy(t: float, x: np.ndarray) -> np.ndarray:
    return np.array([10.0 * (x[1] - x[0]), x[0] * (28.0 - x[2]) - x[1], x[0] * x[1] - 8 / 3 * x[2]])


@pytest.fixture
def eager_only(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(cc, "compile_available", lambda: False)


def test_cache_builds_once_per_key_and_falls_back_with_a_warning(eager_only: None) -> None:
    built: list[int] = []

    def build() -> object:
        built.append(1)
        return lambda x: 2 * x

    with pytest.warns(PluginWarning, match="not available"):
        first = cc.compiled(("test-cache", 1), build)
    assert cc.compiled(("test-cache", 1), build) is first and len(built) == 1
    assert first(3) == 6
    with pytest.raises(TypeError, match="hashable"):
        cc.compiled(["unhashable"], build)


def test_callable_key_is_shared_by_equal_systems() -> None:
    assert cc.callable_key(Lorenz()._rhs) == cc.callable_key(Lorenz()._rhs)
    assert cc.callable_key(Lorenz(rho=30.0)._rhs) != cc.callable_key(Lorenz()._rhs)
    assert cc.callable_key(lorenz_numpy) is lorenz_numpy


@pytest.mark.parametrize("scheme", [DOPRI5, DOP853_SCHEME], ids=lambda s: s.name)
@pytest.mark.parametrize("dt", [0.01, 0.0002])  # 0.0002: a step covers more than the window
def test_adaptive_driver_matches_eager(eager_only: None, scheme: object, dt: float) -> None:
    t_out = torch.arange(0.0, 0.6, dt, dtype=torch.float64) + 0.1
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", PluginWarning)
        fast = integrate_adaptive_compiled(
            LORENZ._rhs, X0, t_out, scheme=scheme, t0=0.0, rtol=1e-9, atol=1e-12,
            key=("test-eager", scheme.name),  # type: ignore[attr-defined]
        )
    slow = integrate(LORENZ._rhs, X0, t_out, method=scheme.name, t0=0.0)  # type: ignore[attr-defined]
    if dt < 0.001:  # the overflow path was taken: steps are far longer than WINDOW outputs
        assert 0.6 / dt / max(slow.info["steps_accepted"]) > WINDOW
    assert fast.info["steps_accepted"] == slow.info["steps_accepted"]
    assert fast.info["steps_rejected"] == slow.info["steps_rejected"]
    assert fast.info["iterations"] == slow.info["iterations"] and fast.info["compiled"]
    np.testing.assert_allclose(fast.state, slow.state, rtol=1e-10, atol=1e-10)


def test_adaptive_driver_stops_a_diverging_member_like_eager(eager_only: None) -> None:
    def blowup(t: torch.Tensor, x: torch.Tensor) -> torch.Tensor:
        return x * x * torch.tensor([1.0, 0.0], dtype=x.dtype)  # x' = x²: x(t) = 1/(1 − t)

    x0 = torch.tensor([[2.0, 0.0], [0.1, 0.0]], dtype=torch.float64)
    t_out = torch.linspace(0.0, 1.0, 11, dtype=torch.float64)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", PluginWarning)
        fast = integrate_adaptive_compiled(
            blowup, x0, t_out, scheme=DOPRI5, t0=0.0, rtol=1e-6, atol=1e-9, key="test-blowup"
        )
    slow = integrate(blowup, x0, t_out, method="dopri5", rtol=1e-6, atol=1e-9)
    assert fast.info["failed_members"] == slow.info["failed_members"] == [0]
    assert fast.info["failed_reasons"] == slow.info["failed_reasons"]
    assert fast.info["failed_times"] == pytest.approx(slow.info["failed_times"])
    assert torch.isnan(fast.state[0, -1]).all() and torch.isfinite(fast.state[1]).all()
    np.testing.assert_allclose(fast.state[1], 0.1 / (1 - 0.1 * t_out.unsqueeze(-1)) * torch.tensor(
        [1.0, 0.0], dtype=torch.float64), rtol=1e-5, atol=0)


@pytest.mark.parametrize("t0", [0.0, 0.1])
def test_rk4_chunks_match_eager(eager_only: None, t0: float) -> None:
    t_out = torch.arange(0.1, 0.5, 0.01, dtype=torch.float64)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", PluginWarning)
        fast = integrate_rk4_compiled(LORENZ._rhs, X0, t_out, t0=t0, step=0.004, key="test-rk4")
    slow = integrate(LORENZ._rhs, X0, t_out, method="rk4", t0=t0, step=0.004)
    for name in ("steps", "substeps", "step"):
        assert fast.info[name] == pytest.approx(slow.info[name])
    np.testing.assert_allclose(fast.state, slow.state, rtol=1e-12, atol=1e-12)


def test_compiled_methods_are_registered() -> None:
    for name in ("dopri5", "dop853", "rk4"):
        spec = METHODS[f"{name}_compiled"]
        assert spec.compiled and spec.order == METHODS[name].order
        assert spec.adaptive == METHODS[name].adaptive
    assert "dop853_compiled" in Lorenz.methods and Lorenz.methods[0] == "dop853"


@pytest.mark.slow
@pytest.mark.parametrize("method", ["dopri5", "dop853", "rk4"])
def test_compiled_trajectory_matches_eager_and_scipy(method: str) -> None:
    if not cc.compile_available():
        pytest.skip("torch.compile cannot run here (no C++ compiler)")
    kw = {"dt": 0.01, "members": 3, "seed": 0}
    fast = LORENZ.trajectory(300, method=f"{method}_compiled", **kw)
    slow = LORENZ.trajectory(300, method=method, **kw)
    assert fast.attrs["compiled"] in (True, "json:true")
    np.testing.assert_allclose(fast.state.values, slow.state.values, rtol=1e-8, atol=1e-8)
    # against scipy DOP853 at rtol 1e-11 over 3 time units (about 3 Lyapunov times)
    x0 = fast.state.values[:, 0]
    for k in range(3):
        ref = solve_ivp(lorenz_numpy, (0.0, 2.99), x0[k], method="DOP853", rtol=1e-11, atol=1e-12,
                        t_eval=fast.time.values).y.T
        tol = 1e-6 if method != "rk4" else 1e-4  # rk4 at its fixed step 0.005
        err = np.abs(fast.state.values[k] - ref).max() / np.abs(ref).max()
        assert err < tol, (method, k, err)


@pytest.mark.slow
def test_compiled_dop853_serves_dense_outputs_beyond_the_window() -> None:
    if not cc.compile_available():
        pytest.skip("torch.compile cannot run here (no C++ compiler)")
    t_out = torch.arange(0.0, 0.5, 0.0005, dtype=torch.float64)
    fast = integrate(LORENZ._rhs, X0, t_out, method="dop853_compiled")
    slow = integrate(LORENZ._rhs, X0, t_out, method="dop853")
    assert fast.info["steps_accepted"] == slow.info["steps_accepted"]
    assert not math.isnan(float(fast.state.abs().max()))
    np.testing.assert_allclose(fast.state, slow.state, rtol=1e-9, atol=1e-9)


def test_a_failing_compiled_call_falls_back_to_eager_with_a_warning() -> None:
    def broken(x: int) -> int:
        raise RuntimeError("inductor could not compile this")

    def genuine(x: int) -> int:
        raise ValueError(f"bad input {x}")

    fallback = cc._EagerFallback("test-fallback", broken, lambda x: x + 1)
    with pytest.warns(PluginWarning, match="torch.compile failed"):
        assert fallback(1) == 2
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # eager from now on, no second warning
        assert fallback(2) == 3
    with pytest.raises(ValueError, match="bad input 3"):  # the function's own error
        cc._EagerFallback("test-genuine", broken, genuine)(3)
