"""Parameter sweeps in one batched call: ``trajectory(parameters={...})`` on flows, maps and
delay equations equals one call per value; the dataset; bad input."""

from __future__ import annotations

import math
from typing import Any, ClassVar

import attrs
import chaoskit
import numpy as np
import pytest
import torch
import xarray as xr
from chaoskit import CapabilityError, DataError, ParameterError, SystemMetadata
from chaoskit.validators import finite
from chaoskit_systems._sweep import SweptEquations
from chaoskit_systems.base import TorchSystem


def _one_by_one(system: Any, n: int, values: dict[str, Any], **kw: Any) -> np.ndarray:
    count = len(next(iter(values.values())))
    rows = []
    for k in range(count):
        member = attrs.evolve(system, **{name: v[k] for name, v in values.items()})
        rows.append(member.trajectory(n, **kw)["state"].values[0])
    return np.stack(rows)


@pytest.mark.parametrize("method", ["dopri5", "rk4"])
def test_flow_sweep_equals_one_call_per_value(lorenz, method: str) -> None:
    rho = [0.5, 14.0, 24.0, 28.0, 99.65]
    ds = lorenz.trajectory(200, dt=0.01, parameters={"rho": rho}, method=method)
    assert ds.sizes["member"] == 5 and ds.attrs["sweep_mode"] == "broadcast"
    separate = _one_by_one(lorenz, 200, {"rho": rho}, dt=0.01, method=method)
    scale = np.abs(separate).max()
    np.testing.assert_allclose(ds["state"].values, separate, rtol=0, atol=1e-12 * scale)
    np.testing.assert_array_equal(ds["rho"].values, rho)
    assert ds.chaos.attrs["sweep"] == {"rho": rho}
    assert ds.chaos.attrs["parameters"]["rho"] == 28.0  # the instance's; the sweep is apart
    assert "lyapunov_time" not in ds.attrs  # reference invariants hold at the defaults only


def test_map_sweep_equals_one_call_per_value() -> None:
    henon = chaoskit.systems.create("henon")
    a, b = [1.0, 1.2, 1.4], [0.3, 0.25, 0.3]
    ds = henon.trajectory(30, parameters={"a": a, "b": b})
    np.testing.assert_allclose(
        ds["state"].values, _one_by_one(henon, 30, {"a": a, "b": b}), rtol=0, atol=1e-12
    )
    np.testing.assert_array_equal(ds["b"].values, b)


def _period(orbit: np.ndarray, tol: float = 1e-6) -> int:
    for p in (1, 2, 4, 8):
        if np.all(np.abs(orbit[p:] - orbit[:-p]) < tol):
            return p
    return 0


def test_logistic_bifurcation_sweep_finds_the_period_doublings() -> None:
    # period 1 → 2 at r = 3 and 2 → 4 at r = 1 + √6 ≈ 3.449490 (May 1976); near each point the
    # orbit converges like (1 − c·|r − r*|)^k, so a transient of 20,000 iterations resolves
    # |r − r*| ≥ 1e-3
    logistic = chaoskit.systems.create("logistic")
    r = np.round(np.concatenate([np.arange(2.990, 3.0105, 0.001), np.arange(3.440, 3.4605, 0.001)]), 6)
    ds = logistic.trajectory(32, parameters={"r": r}, initial_state=[0.3], transient=20_000)
    periods = np.array([_period(orbit) for orbit in ds["state"].values[..., 0]])
    first2 = r[np.argmax(periods >= 2)]
    first4 = r[np.argmax(periods >= 4)]
    assert first2 == pytest.approx(3.0, abs=1.5e-3)
    assert first4 == pytest.approx(1 + math.sqrt(6), abs=1.5e-3)
    assert set(periods[r < 2.999]) == {1} and set(periods[(r > 3.001) & (r < 3.448)]) == {2}
    assert set(periods[r > 3.451]) == {4}


def test_array_valued_parameters_sweep() -> None:
    hopfield = chaoskit.systems.create("hopfield")
    k0 = np.asarray(hopfield.k)
    ks = np.stack([k0, 1.1 * k0, 0.9 * k0])
    ds = hopfield.trajectory(40, parameters={"k": ks, "eps": [0.5, 1.0, 2.0]})
    assert ds.attrs["sweep_mode"] != "loop"  # batched, not one call per member
    separate = _one_by_one(hopfield, 40, {"k": ks.tolist(), "eps": [0.5, 1.0, 2.0]})
    np.testing.assert_allclose(ds["state"].values, separate, rtol=1e-10, atol=1e-12)
    assert "k" not in ds.coords and "eps" in ds.coords  # matrices are recorded in the attrs
    np.testing.assert_array_equal(ds.chaos.attrs["sweep"]["k"], ks)


def test_delay_sweep_and_the_delay_itself() -> None:
    mg = chaoskit.systems.create("mackey_glass")
    beta = [0.18, 0.2, 0.22]
    ds = mg.trajectory(50, parameters={"beta": beta})
    np.testing.assert_allclose(
        ds["state"].values, _one_by_one(mg, 50, {"beta": beta}), rtol=1e-12, atol=1e-13
    )
    with pytest.raises(CapabilityError, match="the delay tau sets the step grid"):
        mg.trajectory(5, parameters={"tau": [10.0, 17.0]})


def test_a_sweep_as_long_as_the_state_never_broadcasts_wrongly() -> None:
    # Lorenz-96 adds F to the whole state: with as many members as sites, broadcasting F over
    # the members would add F_i to site i without an error; the probe must catch it
    l96 = chaoskit.systems.create("lorenz96", n=4)
    f = [8.0, 10.0, 14.0, 20.0]
    ds = l96.trajectory(30, dt=0.05, parameters={"f": f})
    assert ds.attrs["sweep_mode"] == "column"  # F as a column (members, 1), not a row
    np.testing.assert_allclose(
        ds["state"].values, _one_by_one(l96, 30, {"f": f}, dt=0.05), rtol=1e-10, atol=1e-10
    )


@attrs.frozen(kw_only=True)
class _PythonScalars(TorchSystem):
    """A damped oscillator whose equations turn a parameter into a Python float."""

    omega: float = attrs.field(default=2.0, validator=finite)
    damping: float = attrs.field(default=0.1, validator=finite)

    variables: ClassVar[tuple[str, ...]] = ("x", "v")
    metadata: ClassVar[SystemMetadata] = SystemMetadata(
        name="python_scalars", dt=0.05, period=math.pi, initial_state=(1.0, 0.0)
    )

    def _rhs(self, t: Any, x: torch.Tensor) -> torch.Tensor:
        u, v = x.unbind(-1)
        w2 = math.pow(float(self.omega), 2)
        return torch.stack((v, -w2 * u - self.damping * v), dim=-1)


def test_equations_with_python_numbers_fall_back_to_a_loop() -> None:
    system = _PythonScalars()
    omega = [1.0, 2.0, 3.0]
    ds = system.trajectory(40, parameters={"omega": omega}, method="rk4")
    assert ds.attrs["sweep_mode"] == "loop"
    np.testing.assert_allclose(
        ds["state"].values, _one_by_one(system, 40, {"omega": omega}, method="rk4"), atol=1e-13
    )
    # an undamped oscillator's exact solution checks that member k really has omega[k]
    exact = attrs.evolve(system, damping=0.0).trajectory(
        40, parameters={"omega": omega}, dt=0.05
    )["state"].values[..., 0]
    t = 0.05 * np.arange(40)
    np.testing.assert_allclose(exact, np.cos(np.outer(omega, t)), atol=1e-8)


def test_swept_jacobians_match_member_by_member(lorenz) -> None:
    rho = np.array([10.0, 20.0, 28.0])
    x = torch.tensor([[1.0, 2.0, 3.0], [-4.0, 5.0, 20.0], [0.5, -0.5, 27.0]], dtype=torch.float64)
    swept = SweptEquations(
        lorenz, {"rho": rho}, "_jacobian", dtype=torch.float64, device=torch.device("cpu")
    ).prepare((0.0, x))
    got = swept(0.0, x)
    for k in range(3):
        member = attrs.evolve(lorenz, rho=float(rho[k]))
        torch.testing.assert_close(got[k], member._jacobian(0.0, x[k]), rtol=0, atol=0)


def test_sweep_in_float32_and_with_noise(lorenz) -> None:
    rho = [20.0, 28.0]
    single = lorenz.trajectory(50, dt=0.01, parameters={"rho": rho}, dtype="float32")
    double = lorenz.trajectory(50, dt=0.01, parameters={"rho": rho})
    np.testing.assert_allclose(single["state"].values, double["state"].values, atol=1e-3)
    a = lorenz.trajectory(50, dt=0.01, parameters={"rho": rho}, noise=0.3, seed=1)
    b = lorenz.trajectory(50, dt=0.01, parameters={"rho": rho}, noise=0.3, seed=1)
    np.testing.assert_array_equal(a["state"].values, b["state"].values)
    assert a.attrs["integrator"] == "euler_maruyama"


def test_sweep_dataset_round_trips_and_broadcasts(lorenz, tmp_path) -> None:
    ds = lorenz.trajectory(10, dt=0.01, members=3, parameters={"rho": 30.0, "sigma": [9.0, 10.0, 11.0]})
    np.testing.assert_array_equal(ds["rho"].values, [30.0, 30.0, 30.0])
    assert ds.chaos.attrs["initial_perturbation"] == 0.0  # every member starts at x0
    np.testing.assert_array_equal(ds["state"].values[:, 0], np.tile(lorenz.metadata.initial_state, (3, 1)))
    ds.to_netcdf(tmp_path / "sweep.nc")
    with xr.open_dataset(tmp_path / "sweep.nc") as back:
        xr.testing.assert_identical(back.load(), ds)


@pytest.mark.parametrize("kw, error, pattern", [
    ({"parameters": {"rh": [1.0, 2.0]}}, ParameterError, r"unknown parameter 'rh' .*did you mean \['rho'\]"),
    ({"parameters": {"rho": [1.0, 2.0]}, "members": 3}, ParameterError, r"2 values per parameter but members=3"),
    ({"parameters": {"rho": [1.0, 2.0], "beta": [1.0, 2.0, 3.0]}}, ParameterError, r"one length"),
    ({"parameters": {"rho": [1.0, np.nan]}}, ParameterError, r"finite numbers; member 1"),
    ({"parameters": {"sigma": [10.0, -1.0]}}, ParameterError, r"member 1 \(sigma=-1.0\) are rejected.*sigma"),
    ({"parameters": {"rho": [[1.0, 2.0]]}}, ParameterError, r"one number per member, shape \(members,\)"),
    ({"parameters": {"rho": ["a", "b"]}}, ParameterError, r"must be numbers"),
    ({"parameters": [("rho", 1.0)]}, ParameterError, r"must be a mapping"),
    ({"parameters": {"rho": [1.0, 2.0]}, "initial_state": np.zeros((3, 3))}, DataError, r"initial_state"),
])
def test_bad_sweeps(lorenz, kw: dict[str, Any], error: type, pattern: str) -> None:
    with pytest.raises(error, match=pattern):
        lorenz.trajectory(5, **kw)


def test_structural_parameters_are_not_swept() -> None:
    with pytest.raises(ParameterError, match=r"'n' = 4 is an integer.*cannot be swept"):
        chaoskit.systems.create("lorenz96").trajectory(5, parameters={"n": [4, 5]})
    hopfield = chaoskit.systems.create("hopfield")
    with pytest.raises(ParameterError, match=r"an array of shape \(6, 6\) or one per member"):
        hopfield.trajectory(5, parameters={"k": np.zeros((2, 3, 3))})
