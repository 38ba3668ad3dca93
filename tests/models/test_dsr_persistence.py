"""Saved DSR models (the ``cell.*`` array format, also as written by earlier versions) and resumed runs."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import chaoskit
import numpy as np
import pytest
import torch
import xarray as xr
from chaoskit_models.dsr.alrnn import ALRNN
from chaoskit_models.dsr.dendplrnn import DendPLRNN
from chaoskit_models.dsr.plrnn import PLRNN
from chaoskit_models.training import GradientTrainer, SparseForcing

LEGACY = Path(__file__).parent / "data" / "alrnn_format1"
QUICK = {"epochs": 2, "batches_per_epoch": 3, "batch_size": 4, "sequence_length": 20}


def _dataset(n: int, t0: float = 0.0) -> xr.Dataset:
    t = t0 + 0.01 * np.arange(n)
    values = np.stack([np.sin(t), np.cos(1.3 * t), np.sin(0.7 * t) ** 2], axis=-1)
    return chaoskit.make_dataset(values[None], time=t, variables=["x", "y", "z"], attrs={"dt": 0.01})


def _alrnn_reference(state: dict[str, np.ndarray], pwl: int, context: np.ndarray, steps: int) -> np.ndarray:
    """The AL-RNN forecast written out in float64 numpy: teacher forcing through the standardized
    context, then ``z ← A⊙z + W·Φ(z) + h``, read-out of the first N units, unstandardized."""
    a, w, h, lmat = (state[f"cell.{k}"] for k in ("A", "W", "h", "observation.L"))
    mean, std = state["mean"], state["std"]
    x = (context - mean) / std
    n, m = x.shape[-1], a.shape[0]

    def step(z: np.ndarray) -> np.ndarray:
        phi = np.concatenate([z[: m - pwl], np.maximum(z[m - pwl :], 0.0)])
        return a * z + w @ phi + h

    z = np.concatenate([x[0], lmat @ x[0]])
    for xt in x[1:]:
        z = np.concatenate([xt, step(z)[n:]])
    out = []
    for _ in range(steps):
        z = step(z)
        out.append(z[:n])
    return np.array(out) * std + mean


def test_a_model_saved_in_the_earlier_float64_array_format_loads_and_forecasts() -> None:
    """tests/models/data/alrnn_format1: a float32 AL-RNN saved with every ``cell.*`` array cast
    to float64 and without the fields added since (what chaoskit-models wrote before the DSR
    models moved to the shared ``module_arrays``)."""
    with np.load(LEGACY / "state.npz") as npz:
        state = {k: npz[k] for k in npz.files}
    assert all(state[k].dtype == np.float64 for k in state if k.startswith("cell."))
    model = chaoskit.load_model(LEGACY)
    assert isinstance(model, ALRNN) and model.dtype == "float32" and model.noise == 0.05
    assert next(model._fitted.cell.parameters()).dtype == torch.float32
    context = _dataset(30, t0=2.0)
    out = model.forecast(context, 12)["state"].values[0]
    expected = _alrnn_reference(state, model.pwl_units, context["state"].values[0], 12)
    np.testing.assert_allclose(out, expected, rtol=1e-4, atol=1e-5)  # float32 model vs float64 numpy


def test_save_and_load_round_trip_the_weights_exactly(tmp_path: Any) -> None:
    model = ALRNN(seed=0, latent_dim=5, dtype="float32", **QUICK).fit(_dataset(300))
    state = model._get_state()
    assert {"cell.A", "cell.W", "cell.h", "cell.observation.L"} == {k for k in state if k.startswith("cell.")}
    assert state["cell.W"].dtype == np.float32  # stored in the model's dtype, no cast
    back = chaoskit.load_model(model.save(tmp_path / "m"))
    for key, value in back._get_state().items():
        np.testing.assert_array_equal(value, state[key])
    context = _dataset(10, t0=4.0)
    np.testing.assert_array_equal(back.forecast(context, 5)["state"].values, model.forecast(context, 5)["state"].values)


@pytest.mark.parametrize("cls", [ALRNN, PLRNN, DendPLRNN])
def test_a_run_resumed_from_its_checkpoint_ends_where_one_run_ends(tmp_path: Any, cls: type) -> None:
    """Checkpoints hold parameters and persistent buffers only: the PLRNN's constant
    off-diagonal mask (a non-persistent buffer) is rebuilt, not expected in the file."""
    data = _dataset(400)

    def trainer(**kw: Any) -> GradientTrainer:
        return GradientTrainer(epochs=4, batches_per_epoch=3, batch_size=4, window=20, optimizer="radam",
                               lr=1e-2, teacher_forcing=SparseForcing(interval=4), noise=0.05,
                               restore_best=False, progress=False, **kw)

    whole = cls(seed=0, latent_dim=5).fit(data, trainer=trainer())
    ckpt = {"checkpoint_dir": str(tmp_path), "checkpoint_every": 3, "resume": True}
    part = cls(seed=0, latent_dim=5).fit(data, trainer=trainer(max_steps=6, **ckpt))
    assert part.train_result.history.sizes["epoch"] == 2
    resumed = cls(seed=0, latent_dim=5).fit(data, trainer=trainer(**ckpt))
    for key, value in whole._get_state().items():
        np.testing.assert_array_equal(resumed._get_state()[key], value)
