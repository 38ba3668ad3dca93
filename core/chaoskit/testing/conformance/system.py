"""``SystemConformance``: the checks every registered System must pass."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

import numpy as np
import pytest
import xarray as xr

from ...data import validate
from ...dynamics import Dynamics, finite_difference_jacobian
from ...errors import ChaoskitError, DataError, ParameterError
from ...system import SYSTEM_KINDS, System, SystemMetadata
from ._common import RegistrySuite, devices, to_backend, to_numpy


class SystemConformance(RegistrySuite):
    """Subclass in a plugin's tests, setting ``provider`` (or ``names``) to check its systems.

    ``n_points`` sets the trajectory length used; ``jacobian_rtol`` the tolerance of the
    Jacobian against central finite differences.
    """

    registry_name = "systems"
    n_points: ClassVar[int] = 64
    jacobian_rtol: ClassVar[float] = 1e-4

    @pytest.fixture
    def system(self, item_name: str) -> System:
        return self.create(item_name)

    @pytest.fixture
    def states(self, system: System) -> np.ndarray:
        ds = system.trajectory(self.n_points, members=2, seed=0)
        return ds["state"].values.reshape(-1, system.dimension)[:: max(1, self.n_points // 8)]

    def test_declares_itself(self, system: System) -> None:
        assert system.kind in SYSTEM_KINDS
        assert system.variables and len(set(system.variables)) == len(system.variables)
        assert system.backend in ("numpy", "torch")
        meta = system.metadata
        assert isinstance(meta, SystemMetadata)
        assert meta.dt > 0 and len(meta.initial_state) == system.dimension
        assert system.at_defaults

    def test_trajectory_follows_the_conventions(self, system: System) -> None:
        ds = system.trajectory(self.n_points, members=2, seed=0)
        validate(ds)
        assert ds["state"].dims[0] == "member" and ds["state"].dims[-1] == "variable"
        assert ds.sizes["member"] == 2 and ds.sizes["time"] == self.n_points
        assert ds["state"].dtype == np.float64
        assert ds.chaos.variables == system.variables
        attrs = ds.chaos.attrs
        for key in ("system", "parameters", "dt", "versions", "created"):
            assert key in attrs, f"provenance attribute {key!r} missing"
        assert attrs["parameters"] == system.parameters
        np.testing.assert_allclose(np.diff(ds["time"].values), attrs["dt"], rtol=1e-9)

    def test_conserved_quantities_are_conserved(self, system: System) -> None:
        """``conserved_quantities()`` maps names to callables; each gives one value per (member,
        time) and stays constant along a default trajectory to 1e-6 relative."""
        quantities = system.conserved_quantities()
        assert isinstance(quantities, Mapping)
        assert all(isinstance(k, str) and callable(f) for k, f in quantities.items())
        if not quantities:
            return
        values = system.trajectory(self.n_points, members=2, seed=0)["state"].values
        for name, quantity in quantities.items():
            q = np.asarray(quantity(values), dtype=float)
            assert q.shape == values.shape[:2], f"{name}: shape {q.shape}, expected {values.shape[:2]}"
            drift = np.abs(q - q[:, :1]) / np.maximum(np.abs(q[:, :1]), 1e-12)
            assert drift.max() < 1e-6, f"{system.name} does not conserve its {name}: drift {drift.max():.2e}"

    def test_float32(self, system: System) -> None:
        ds = system.trajectory(self.n_points, dtype="float32")
        assert ds["state"].dtype == np.float32
        assert np.isfinite(ds["state"].values).all()

    def test_deterministic_under_a_seed(self, system: System) -> None:
        a = system.trajectory(self.n_points, members=3, seed=7)
        b = system.trajectory(self.n_points, members=3, seed=7)
        c = system.trajectory(self.n_points, members=3, seed=8)
        np.testing.assert_array_equal(a["state"].values, b["state"].values)
        assert not np.array_equal(a["state"].values[1:], c["state"].values[1:])

    def test_batched_equals_member_by_member(self, system: System, states: np.ndarray) -> None:
        x0 = states[:3]
        together = system.trajectory(self.n_points, members=len(x0), initial_state=x0)["state"].values
        scale = np.abs(together).max()
        for i in range(len(x0)):
            alone = system.trajectory(self.n_points, initial_state=x0[i])["state"].values[0]
            np.testing.assert_allclose(together[i], alone, rtol=1e-7, atol=1e-9 * scale)

    def test_jacobian_matches_finite_differences(self, system: System, states: np.ndarray) -> None:
        b = system.backend
        if system.kind == "map":
            f = lambda y: to_numpy(system.step(to_backend(y, b)))  # noqa: E731
        else:
            f = lambda y: to_numpy(system.rhs(0.0, to_backend(y, b)))  # noqa: E731
        analytic = to_numpy(system.jacobian(0.0, to_backend(states, b)))
        numeric = finite_difference_jacobian(f, states)
        scale = np.abs(numeric).max()
        np.testing.assert_allclose(analytic, numeric, rtol=self.jacobian_rtol, atol=self.jacobian_rtol * scale)

    def test_dynamics_steps_like_the_trajectory(self, system: System) -> None:
        ds = system.trajectory(3)
        dyn = system.dynamics(ds.chaos.dt)
        assert isinstance(dyn, Dynamics)
        x = ds["state"].values[0]
        lifted = dyn.lift(to_backend(x, dyn.backend))
        assert to_numpy(lifted).shape[-1] == dyn.dimension
        nxt = to_numpy(dyn.observe(dyn.step(lifted[:1])))[0]
        assert nxt.shape == (system.dimension,)
        np.testing.assert_allclose(nxt, x[1], rtol=1e-4, atol=1e-6 * np.abs(x).max())
        state = to_numpy(lifted[:1])
        jac = to_numpy(dyn.jacobian(to_backend(state, dyn.backend)))
        f = lambda y: to_numpy(dyn.step(to_backend(y, dyn.backend)))  # noqa: E731
        numeric = finite_difference_jacobian(f, state)
        np.testing.assert_allclose(jac, numeric, rtol=self.jacobian_rtol, atol=self.jacobian_rtol * np.abs(numeric).max())

    def test_netcdf_round_trip(self, system: System, tmp_path: Any) -> None:
        ds = system.trajectory(self.n_points, members=2, seed=0)
        path = tmp_path / "trajectory.nc"
        ds.to_netcdf(path)
        with xr.open_dataset(path) as back:
            xr.testing.assert_identical(back.load(), ds)
            assert back.chaos.attrs["parameters"] == system.parameters

    def test_rejects_bad_arguments(self, system: System) -> None:
        with pytest.raises(ParameterError):
            system.trajectory(0)
        with pytest.raises(ParameterError):
            system.trajectory(10, dt=-1.0)
        with pytest.raises(DataError):
            system.trajectory(10, members=2, initial_state=np.zeros((3, system.dimension)))
        with pytest.raises(ChaoskitError):
            system.trajectory(10, method="no-such-integrator")

    def test_devices_agree(self, system: System) -> None:
        ref = system.trajectory(self.n_points, members=2, seed=0)["state"].values
        for device in devices(system.backend)[1:]:
            other = system.trajectory(self.n_points, members=2, seed=0, device=device)["state"].values
            np.testing.assert_allclose(other, ref, rtol=1e-6, atol=1e-9 * np.abs(ref).max())
