"""The DSR models' default trainers and the error that names the window knob."""

from __future__ import annotations

import attrs
import chaoskit
import numpy as np
import pytest
import xarray as xr
from chaoskit import DataError
from chaoskit_models.dsr.alrnn import ALRNN
from chaoskit_models.dsr.shplrnn import ClippedShallowPLRNN
from chaoskit_models.training import GeneralizedForcing, GradientTrainer, SparseForcing

GTF_MODELS = ("plrnn", "dendplrnn", "shplrnn", "clipped_shplrnn")


def _dataset(n: int) -> xr.Dataset:
    t = 0.01 * np.arange(n)
    values = np.stack([np.sin(t), np.cos(1.3 * t), np.sin(0.7 * t) ** 2], axis=-1)
    return chaoskit.make_dataset(values[None], time=t, variables=["x", "y", "z"], attrs={"dt": 0.01})


@pytest.mark.parametrize("name", GTF_MODELS)
def test_gtf_models_default_to_the_cpu_recipe(name: str) -> None:
    """6,000 steps of RAdam 5e-3 → 1e-5, adaptive GTF with γ = 0.99, the last weights kept."""
    trainer = chaoskit.models.create(name).default_trainer()
    assert trainer.optimizer == "radam" and (trainer.lr, trainer.lr_end) == (5e-3, 1e-5)
    assert type(trainer.schedule).__name__ == "Exponential"
    assert (trainer.batch_size, trainer.window, trainer.noise, trainer.total_steps) == (16, 200, 0.0, 6_000)
    assert trainer.teacher_forcing == GeneralizedForcing(alpha="adaptive", gamma=0.99)
    assert trainer.restore_best is False


def test_the_published_gtf_set_up_is_a_few_fields_away() -> None:
    """Hess et al. (2023): 5,000 epochs of 50 batches, 1e-3 → 1e-6, γ = 0.999."""
    model = ClippedShallowPLRNN(epochs=5_000, lr=1e-3, lr_end=1e-6, gtf_gamma=0.999)
    trainer = model.default_trainer()
    assert trainer.total_steps == 250_000 and (trainer.lr, trainer.lr_end) == (1e-3, 1e-6)
    assert trainer.teacher_forcing.gamma == 0.999
    with pytest.raises(chaoskit.ParameterError, match="gtf_gamma"):
        ClippedShallowPLRNN(gtf_gamma=1.5)


def test_alrnn_defaults_are_the_published_lorenz_set_up() -> None:
    """Brenner et al. (2024), settings/lorenz63.json: M = 20, P = 2, τ = 16, noise 0.05, λ = 0,
    RAdam 1e-3 → 1e-5, 2,000 epochs of 50 batches of 16 windows."""
    model = ALRNN()
    assert (model.latent_dim, model.pwl_units, model.regularization) == (20, 2, 0.0)
    trainer = model.default_trainer()
    assert trainer.teacher_forcing == SparseForcing(interval=16)
    assert (trainer.lr, trainer.lr_end, trainer.noise) == (1e-3, 1e-5, 0.05)
    assert (trainer.total_steps, trainer.batch_size, trainer.window) == (100_000, 16, 200)
    assert attrs.evolve(model, epochs=7).default_trainer().total_steps == 7 * 50


def test_short_data_names_the_models_sequence_length_with_the_default_trainer() -> None:
    model = ALRNN(latent_dim=4, sequence_length=100, epochs=1, batches_per_epoch=1)
    with pytest.raises(DataError, match=r"of 100 \(the model's sequence_length.*ALRNN\(sequence_length=\.\.\.\) of at most 60"):
        model.fit(_dataset(60))


def test_short_data_names_the_trainers_window_when_a_trainer_is_passed() -> None:
    model = ALRNN(latent_dim=4, sequence_length=10)
    trainer = GradientTrainer(epochs=1, batches_per_epoch=1, window=100, progress=False)
    with pytest.raises(DataError, match=r"shorter than the training window of 100.*GradientTrainer\(window=\.\.\.\)") as err:
        model.fit(_dataset(60), trainer=trainer)
    assert "the model's sequence_length" not in str(err.value)
