"""``ModelConformance``: the checks every registered Model must pass."""

from __future__ import annotations

from typing import Any, ClassVar

import attrs
import numpy as np
import pytest
import xarray as xr

from ...data import validate
from ...dynamics import Dynamics
from ...errors import DataError, NotFittedError, ParameterError
from ...model import Model, load_model
from ._common import RegistrySuite, devices, synthetic_dataset, to_backend, to_numpy


class ModelConformance(RegistrySuite):
    """Subclass in a plugin's tests, setting ``provider`` (or ``names``) to check its models.

    Set ``params`` to small hyperparameters so each fit takes well under a second. The suite
    trains on :func:`chaoskit.testing.synthetic_dataset` unless ``system`` names a registered
    system to simulate instead. ``forecast_steps`` and ``context_length`` size the forecasts.
    """

    registry_name = "models"
    system: ClassVar[str | None] = None
    context_length: ClassVar[int] = 120
    forecast_steps: ClassVar[int] = 25

    @pytest.fixture(scope="class")
    @classmethod
    def data(cls) -> xr.Dataset:
        if cls.system is None:
            return synthetic_dataset()
        import chaoskit

        return chaoskit.systems.create(cls.system).trajectory(600, members=2, seed=0)

    def split(self, data: xr.Dataset) -> tuple[xr.Dataset, xr.Dataset]:
        return data.chaos.split(data.sizes["time"] - self.context_length)

    @pytest.fixture
    def fitted(self, item_name: str, data: xr.Dataset) -> Model:
        train, _ = self.split(data)
        return self.create(item_name, seed=0).fit(train)

    def test_is_a_model_with_validated_hyperparameters(self, item_name: str) -> None:
        model = self.create(item_name)
        assert isinstance(model, Model) and not model.is_fitted
        assert attrs.has(type(model))
        with pytest.raises(ParameterError):
            attrs.evolve(model, dtype="float16")
        again = self._registry().create(item_name, **model.hyperparameters())
        assert again == model

    def test_forecast_before_fit_raises(self, item_name: str, data: xr.Dataset) -> None:
        with pytest.raises(NotFittedError):
            self.create(item_name).forecast(data, 5)

    def test_forecast_follows_the_conventions(self, fitted: Model, data: xr.Dataset) -> None:
        _, context = self.split(data)
        out = fitted.forecast(context, self.forecast_steps)
        validate(out, finite=False)
        assert out.sizes["member"] == context.sizes["member"]
        assert out.sizes["time"] == self.forecast_steps
        assert out.chaos.variables == context.chaos.variables
        dt = data.chaos.dt
        expected = context["time"].values[-1] + dt * np.arange(1, self.forecast_steps + 1)
        np.testing.assert_allclose(out["time"].values, expected, rtol=1e-9)
        assert "model" in out.attrs and "hyperparameters" in out.attrs
        assert np.isfinite(out["state"].values).all(), "a forecast of smooth training data diverged"

    def test_deterministic_under_a_seed(self, item_name: str, fitted: Model, data: xr.Dataset) -> None:
        train, context = self.split(data)
        again = self.create(item_name, seed=0).fit(train)
        a = fitted.forecast(context, self.forecast_steps)["state"].values
        b = again.forecast(context, self.forecast_steps)["state"].values
        np.testing.assert_allclose(a, b, rtol=1e-10, atol=1e-12)

    def test_save_load_round_trip(self, fitted: Model, data: xr.Dataset, tmp_path: Any) -> None:
        _, context = self.split(data)
        fitted.save(tmp_path / "model")
        for back in (type(fitted).load(tmp_path / "model"), load_model(tmp_path / "model")):
            assert back == fitted
            np.testing.assert_allclose(
                back.forecast(context, self.forecast_steps)["state"].values,
                fitted.forecast(context, self.forecast_steps)["state"].values, rtol=1e-12, atol=1e-12,
            )

    def test_evolve_gives_an_unfitted_copy(self, fitted: Model) -> None:
        assert not attrs.evolve(fitted).is_fitted

    def test_rejects_mismatched_context(self, fitted: Model, data: xr.Dataset) -> None:
        _, context = self.split(data)
        renamed = context.assign_coords(variable=[f"{v}_other" for v in context.chaos.variables])
        with pytest.raises(DataError):
            fitted.forecast(renamed, 5)
        with pytest.raises(ParameterError):
            fitted.forecast(context, 0)

    def test_dynamics_contract(self, fitted: Model, data: xr.Dataset) -> None:
        dyn = fitted.dynamics()
        if dyn is None:
            pytest.skip("this model has no dynamics of its own")
        assert isinstance(dyn, Dynamics)
        assert dyn.dt == pytest.approx(data.chaos.dt)
        x = to_backend(np.zeros((2, dyn.dimension)), dyn.backend)
        assert to_numpy(dyn.step(x)).shape == (2, dyn.dimension)
        assert to_numpy(dyn.jacobian(x)).shape == (2, dyn.dimension, dyn.dimension)

    def test_devices_agree(self, item_name: str, fitted: Model, data: xr.Dataset) -> None:
        train, context = self.split(data)
        ref = fitted.forecast(context, self.forecast_steps)["state"].values
        for device in devices(fitted.backend)[1:]:
            other = self.create(item_name, seed=0, device=device).fit(train)
            np.testing.assert_allclose(
                other.forecast(context, self.forecast_steps)["state"].values, ref, rtol=1e-5, atol=1e-6
            )
