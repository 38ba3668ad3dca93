"""The LSTM and GRU forecasters of chaoskit-models (tiny sizes; CPU)."""

from __future__ import annotations

import json
from typing import ClassVar

import chaoskit
import numpy as np
import pytest
import torch
import xarray as xr
from chaoskit import CapabilityError, DataError, NotFittedError, ParameterError
from chaoskit.testing import ModelConformance, synthetic_dataset
from chaoskit_models.rnn_forecaster import GRUForecaster, LSTMForecaster
from chaoskit_models.rnn_module import RNNModule
from chaoskit_models.training import GradientTrainer, LoRA, SparseForcing

TINY = {"hidden": 8, "epochs": 2, "batches_per_epoch": 10, "batch_size": 8, "window": 24}
DT = 0.1


pytestmark = pytest.mark.usefixtures("single_thread")  # tests/models/conftest.py


class TestRNNConformance(ModelConformance):
    """float64 here, so that a CUDA fit can match the CPU's within the suite's 1e-5."""

    names: ClassVar[tuple[str, ...]] = ("lstm", "gru")
    params: ClassVar[dict[str, dict[str, object]]] = {
        "lstm": {**TINY, "dtype": "float64"},
        "gru": {**TINY, "dtype": "float64"},
    }


@pytest.fixture(scope="module")
def data() -> xr.Dataset:
    return synthetic_dataset(members=2, n=400)


@pytest.fixture(scope="module")
def fitted(data: xr.Dataset) -> LSTMForecaster:
    return LSTMForecaster(seed=1, layers=2, **TINY).fit(data.isel(time=slice(0, 300)))


def _sine(n: int) -> tuple[np.ndarray, np.ndarray]:
    t = DT * np.arange(n)
    return t, np.sin(t)[None, :, None]


def test_gru_learns_a_sine_wave_far_better_than_persistence() -> None:
    t, x = _sine(3000)
    train = chaoskit.make_dataset(x[:, :2000], time=t[:2000], variables=("x",), attrs={"dt": DT})
    starts = np.array([2100, 2333, 2600, 2800])
    context = chaoskit.make_dataset(
        np.stack([x[0, s - 100 : s] for s in starts]),
        time=t[:100],
        variables=("x",),
        attrs={"dt": DT},
    )
    truth = np.stack([x[0, s : s + 50] for s in starts])
    model = GRUForecaster(hidden=16, epochs=6, batches_per_epoch=50, window=32, seed=0).fit(train)
    forecast = model.forecast(context, 50)["state"].values
    error = np.sqrt(np.mean((forecast - truth) ** 2))
    persistence = np.sqrt(np.mean((context["state"].values[:, -1:] - truth) ** 2))
    # measured: 0.099 against 1.00 for persistence (300 Adam steps, ~1 s)
    assert error < 0.25 * persistence, (error, persistence)
    assert (
        model.train_result.history["loss"].values[-1] < model.train_result.history["loss"].values[0]
    )


def test_save_load_round_trip_stores_plain_arrays(
    fitted: LSTMForecaster, data: xr.Dataset, tmp_path
) -> None:
    context = data.isel(time=slice(300, 400))
    before = fitted.forecast(context, 30)["state"].values
    fitted.save(tmp_path / "lstm")
    with np.load(tmp_path / "lstm" / "state.npz", allow_pickle=False) as npz:
        assert {"mean", "std", "module.rnn.weight_ih_l1", "module.readout.weight"} <= set(npz.files)
        assert npz["module.rnn.weight_hh_l0"].shape == (4 * 8, 8)
    assert json.loads((tmp_path / "lstm" / "config.json").read_text())["class"].endswith(
        ":LSTMForecaster"
    )
    back = chaoskit.load_model(tmp_path / "lstm")
    assert isinstance(back, LSTMForecaster) and back == fitted
    np.testing.assert_array_equal(back.forecast(context, 30)["state"].values, before)
    with pytest.raises(DataError, match="another|holds a"):
        GRUForecaster.load(tmp_path / "lstm")


def test_loaded_weights_must_fit_the_hyperparameters(fitted: LSTMForecaster, tmp_path) -> None:
    state = {k: np.asarray(v) for k, v in fitted._get_state().items()}
    with pytest.raises(DataError, match="hidden = 9"):
        LSTMForecaster(**{**TINY, "hidden": 9}, layers=2)._set_state(state)


def test_dynamics_reproduces_the_forecast_and_has_an_autograd_jacobian(
    fitted: LSTMForecaster, data: xr.Dataset
) -> None:
    context = data.isel(time=slice(300, 360))
    forecast = fitted.forecast(context, 20)["state"].values
    dyn = fitted.dynamics()
    assert dyn.dimension == 3 + 2 * 2 * 8 and dyn.dt == pytest.approx(data.chaos.dt)
    state = fitted.warm_up(context)
    outputs = [dyn.observe(state)]
    for _ in range(19):
        state = dyn.step(state)
        outputs.append(dyn.observe(state))
    np.testing.assert_allclose(torch.stack(outputs, dim=1).numpy(), forecast, rtol=1e-5, atol=1e-5)
    x = state.to(torch.float64)
    jac = dyn.jacobian(x[:1])
    reference = chaoskit.finite_difference_jacobian(
        lambda a: dyn.step(torch.as_tensor(a)).numpy(), x[0].numpy()
    )
    np.testing.assert_allclose(jac[0].numpy(), reference, atol=1e-7)
    lifted = dyn.lift(torch.as_tensor(context["state"].values[:, -1], dtype=torch.float64))
    np.testing.assert_allclose(
        dyn.observe(lifted).numpy(), context["state"].values[:, -1], rtol=1e-12
    )


@pytest.mark.parametrize("cell", ["lstm", "gru"])
def test_written_out_gates_match_torch(cell: str) -> None:
    from chaoskit_models.rnn_dynamics import RNNDynamics

    torch.manual_seed(0)
    module = RNNModule(cell, 2, 5, 2, increment=False).double()
    dyn = RNNDynamics(module, mean=np.zeros(2), std=np.ones(2), dt=1.0)
    x = torch.randn(3, 7, 2, dtype=torch.float64)
    pred, _ = module(x)
    state = dyn.lift(x[:, 0])
    for k in range(7):  # teacher-force the map's input with the data, compare with nn.LSTM/GRU
        state = dyn.step(torch.cat([x[:, k], state[:, 2:]], dim=-1))
        torch.testing.assert_close(state[:, :2], pred[:, k], rtol=1e-12, atol=1e-12)


def test_next_step_target_and_fields(data: xr.Dataset) -> None:
    grid = np.linspace(0.0, 1.0, 3)
    t = DT * np.arange(200)
    values = np.sin(t[:, None, None] + grid[None, :, None] + np.array([0.0, 1.0]))[None]
    field = chaoskit.make_dataset(
        values, time=t, variables=("u", "v"), space={"x": grid}, attrs={"dt": DT}
    )
    model = GRUForecaster(target="next", seed=0, **TINY).fit(field)
    out = model.forecast(field.isel(time=slice(150, 200)), 4)
    assert out["state"].dims == ("member", "time", "x", "variable") and out["state"].shape == (
        1,
        4,
        3,
        2,
    )
    assert out["state"].dtype == np.float32
    assert not model.__dict__["_module"].increment


def test_teacher_forcing_strategies_for_latent_models_are_rejected(data: xr.Dataset) -> None:
    trainer = GradientTrainer(
        epochs=1, batches_per_epoch=1, window=10, teacher_forcing=SparseForcing(interval=5)
    )
    with pytest.raises(CapabilityError, match="SparseForcing"):
        LSTMForecaster(**TINY).fit(data, trainer=trainer)


def test_a_given_trainer_replaces_the_default_settings(data: xr.Dataset) -> None:
    trainer = GradientTrainer(
        epochs=1, batches_per_epoch=3, batch_size=4, window=12, progress=False
    )
    model = GRUForecaster(hidden=4, seed=0).fit(data, trainer=trainer)
    assert model.train_result.history.sizes["epoch"] == 1


def test_lora_fine_tunes_the_readout_only(data: xr.Dataset) -> None:
    model = LSTMForecaster(seed=0, **TINY).fit(data)
    before = {k: v.copy() for k, v in model._get_state().items()}
    lora = LoRA(targets="readout", rank=2)
    model.fit(data, trainer=GradientTrainer(epochs=1, batches_per_epoch=5, window=24, lora=lora))
    after = model._get_state()
    assert set(after) == set(before)  # adapters merged: the same plain weights
    np.testing.assert_array_equal(
        after["module.rnn.weight_hh_l0"], before["module.rnn.weight_hh_l0"]
    )
    assert np.abs(after["module.readout.weight"] - before["module.readout.weight"]).max() > 0


def test_bad_input(data: xr.Dataset) -> None:
    for field, value in (
        ("hidden", 0),
        ("layers", 0),
        ("target", "delta"),
        ("lr", 0.0),
        ("window", 1),
        ("dtype", "float16"),
    ):
        with pytest.raises(ParameterError, match=field):
            LSTMForecaster(**{field: value})
    with pytest.raises(NotFittedError):
        GRUForecaster().forecast(data, 3)
    with pytest.raises(DataError, match="shorter than the training window"):
        GRUForecaster(**{**TINY, "window": 50}).fit(data.isel(time=slice(0, 30)))
    complex_data = chaoskit.make_dataset(
        np.ones((1, 40, 1)) + 1j, time=DT * np.arange(40), variables=("x",)
    )
    with pytest.raises(DataError, match="real data"):
        GRUForecaster(**TINY).fit(complex_data)
