"""GradientTrainer: the fit flow, determinism, exact resume, early stopping, errors."""

from __future__ import annotations

import io
import math
import sys
import types
from typing import Any, ClassVar

import _trainer_toys
import attrs
import chaoskit
import numpy as np
import pytest
import torch
import xarray as xr
from _trainer_toys import ToyModel, rotation_data
from chaoskit import CapabilityError, DataError, ParameterError, TrainResult
from chaoskit.errors import TrainingDivergedError
from chaoskit_models.training import (
    GeneralizedForcing,
    GradientTrainer,
    Plateau,
    SparseForcing,
    fit_torch_model,
)
from chaoskit_models.training.windows import WindowSampler, validation_windows


def small(**kwargs: Any) -> GradientTrainer:
    settings = {"epochs": 3, "batches_per_epoch": 4, "batch_size": 4, "window": 12, "lr": 1e-2,
                "progress": False, "seed": 0}
    return GradientTrainer(**{**settings, **kwargs})


@pytest.fixture(scope="module")
def data() -> tuple[xr.Dataset, xr.Dataset]:
    ds = rotation_data(members=3, n=80)
    return ds.isel(member=[0, 1]), ds.isel(member=[2])


def weights(model: ToyModel) -> dict[str, np.ndarray]:
    return model.__dict__["_weights"]


def same_history(a: xr.Dataset, b: xr.Dataset) -> None:
    xr.testing.assert_equal(a.drop_vars("time"), b.drop_vars("time"))  # values, not attrs


# ------------------------------------------------------------------------- the flow
def test_fit_trains_and_both_entry_points_agree(data) -> None:
    train, valid = data
    trainer = chaoskit.trainers.create("gradient", **attrs.asdict(small(), recurse=False))
    assert isinstance(trainer, GradientTrainer)
    model = ToyModel(seed=0).fit(train, valid=valid, trainer=trainer)
    result = model.train_result
    assert isinstance(result, TrainResult) and model.is_fitted
    hist = result.history
    assert hist.sizes["epoch"] == 3 and list(hist["epoch"].values) == [1, 2, 3]
    assert {"loss", "valid_loss", "alpha", "lr", "time", "steps"} <= set(hist.data_vars)
    assert hist["loss"].values[-1] < hist["loss"].values[0]
    assert list(hist["steps"].values) == [4, 8, 12]
    other = trainer.fit(ToyModel(seed=0), train, valid=valid)
    same_history(other.history, hist)
    assert np.isfinite(model.forecast(valid, 5)["state"].values).all()


def test_default_trainer_is_used_without_one(data) -> None:
    model = ToyModel(seed=0).fit(data[0])
    assert model.train_result.history.sizes["epoch"] == model.default_trainer().epochs


def test_training_learns_the_linear_map(data) -> None:
    """α = 1 GTF makes the loss a one-step regression; the fit recovers the true map."""
    train = data[0]
    model = ToyModel(seed=0).fit(train, trainer=small(
        epochs=10, batches_per_epoch=20, lr=0.02, teacher_forcing=GeneralizedForcing(alpha=1.0),
        schedule="exponential", lr_end=1e-4))
    theta, rho = 0.3, 0.995
    truth = np.array([[rho * np.cos(theta), -rho * np.sin(theta), 0], [rho * np.sin(theta), rho * np.cos(theta), 0],
                      [0, 0, 0.97]])
    np.testing.assert_allclose(weights(model)["lin.weight"], truth, atol=0.02)


def test_history_records_the_schedule_and_alpha(data) -> None:
    trainer = small(epochs=2, schedule="exponential", lr=1e-2, lr_end=1e-4,
                    teacher_forcing=GeneralizedForcing(update_every=1))
    hist = ToyModel(seed=0).fit(data[0], trainer=trainer).train_result.history
    total = 8
    expected = 1e-2 * (1e-2) ** (np.array([3, 7]) / (total - 1))
    np.testing.assert_allclose(hist["lr"].values, expected, rtol=1e-12)
    assert np.all((hist["alpha"].values >= 0) & (hist["alpha"].values <= 1))


def test_gradient_clipping_bounds_the_update(data) -> None:
    model = ToyModel(seed=0).fit(data[0], trainer=small(epochs=1, batches_per_epoch=1))
    start = {k: v.copy() for k, v in weights(model).items()}
    model.fit(data[0], trainer=small(epochs=1, batches_per_epoch=1, optimizer="sgd", lr=1.0, grad_clip=1e-3,
                                     warm_start=True))
    step = np.sqrt(sum(((weights(model)[k] - start[k]) ** 2).sum() for k in start))
    assert 0 < step <= 1e-3 * (1 + 1e-9)


def test_warm_start_continues_from_the_trained_weights(data) -> None:
    model = ToyModel(seed=0).fit(data[0], trainer=small(epochs=4))
    first = model.train_result.history["loss"].values
    model.fit(data[0], trainer=small(epochs=1, warm_start=True))
    assert model.train_result.history["loss"].values[0] < first[0] / 2


# ------------------------------------------------------------------------- determinism and resume
def test_same_seed_same_history_other_seed_differs(data) -> None:
    train, valid = data
    trainer = small(noise=0.01, teacher_forcing=GeneralizedForcing(update_every=2))
    a = ToyModel(seed=0).fit(train, valid=valid, trainer=trainer)
    b = ToyModel(seed=0).fit(train, valid=valid, trainer=trainer)
    same_history(a.train_result.history, b.train_result.history)
    for key in weights(a):
        np.testing.assert_array_equal(weights(a)[key], weights(b)[key])
    c = ToyModel(seed=0).fit(train, valid=valid, trainer=attrs.evolve(trainer, seed=1))
    assert not np.array_equal(c.train_result.history["loss"].values, a.train_result.history["loss"].values)


class Killed(Exception):
    pass


def killing_loss(at: int):
    calls = {"n": 0}
    mse = _trainer_toys.mse_loss

    def loss(module, x, forcing):
        if torch.is_grad_enabled():
            calls["n"] += 1
            if calls["n"] == at:
                raise Killed
        return mse(module, x, forcing)

    return loss


@pytest.mark.parametrize("validation", [{}, {"valid_every": 3, "monitor": "rmse", "valid_window": 40,
                                             "valid_context": 4}], ids=["every_epoch", "every_3rd"])
@pytest.mark.parametrize("kill_at", [7, 9])  # mid-epoch, and just after an epoch's last checkpoint
def test_a_killed_run_resumes_to_the_same_end(data, tmp_path, monkeypatch, kill_at, validation) -> None:
    train, valid = data
    trainer = small(epochs=4, noise=0.01, teacher_forcing=GeneralizedForcing(update_every=3),
                    optimizer="lion", lr=1e-3, schedule=Plateau(patience=0), checkpoint_every=4,
                    checkpoint_dir=tmp_path / "run", patience=10, **validation)
    whole = ToyModel(seed=0).fit(train, valid=valid, trainer=attrs.evolve(trainer, checkpoint_dir=tmp_path / "a"))
    monkeypatch.setattr(_trainer_toys, "mse_loss", killing_loss(kill_at))
    with pytest.raises(Killed):
        ToyModel(seed=0).fit(train, valid=valid, trainer=trainer)
    monkeypatch.undo()
    resumed = ToyModel(seed=0).fit(train, valid=valid, trainer=attrs.evolve(trainer, resume=True))
    for key in weights(whole):
        np.testing.assert_array_equal(weights(resumed)[key], weights(whole)[key])
    same_history(resumed.train_result.history, whole.train_result.history)
    assert resumed.train_result.best_epoch == whole.train_result.best_epoch


def test_max_steps_stops_and_resume_continues(data, tmp_path) -> None:
    train, _ = data
    trainer = small(checkpoint_dir=tmp_path, checkpoint_every=100, teacher_forcing=SparseForcing(interval=3))
    whole = ToyModel(seed=0).fit(train, trainer=attrs.evolve(trainer, checkpoint_dir=None))
    part = ToyModel(seed=0).fit(train, trainer=attrs.evolve(trainer, max_steps=6))
    assert part.train_result.history.sizes["epoch"] == 1
    resumed = ToyModel(seed=0).fit(train, trainer=attrs.evolve(trainer, resume=str(tmp_path / "last.pt")))
    for key in weights(whole):
        np.testing.assert_array_equal(weights(resumed)[key], weights(whole)[key])


def test_resume_refuses_other_models_and_settings(data, tmp_path) -> None:
    train, _ = data
    ToyModel(seed=0).fit(train, trainer=small(epochs=1, checkpoint_dir=tmp_path, checkpoint_every=2))

    @attrs.define(frozen=True, kw_only=True, slots=False)
    class OtherToy(ToyModel):
        pass

    with pytest.raises(DataError, match=r"is a checkpoint of a _trainer_toys:ToyModel model, not of .*OtherToy"):
        OtherToy(seed=0).fit(train, trainer=small(epochs=1, checkpoint_dir=tmp_path, resume=True))
    with pytest.raises(DataError, match=r"another configuration \(trainer.lr: checkpoint 0.01, now 0.5"):
        ToyModel(seed=0).fit(train, trainer=small(epochs=1, lr=0.5, checkpoint_dir=tmp_path, resume=True))
    with pytest.raises(DataError, match=r"model.latent: checkpoint 3, now 4"):
        ToyModel(seed=0, latent=4).fit(train, trainer=small(epochs=1, checkpoint_dir=tmp_path, resume=True))
    (tmp_path / "junk.pt").write_bytes(b"not a checkpoint")
    with pytest.raises(DataError, match="not a readable chaoskit training checkpoint"):
        ToyModel(seed=0).fit(train, trainer=small(resume=str(tmp_path / "junk.pt")))
    with pytest.raises(DataError, match="no training checkpoint at"):
        ToyModel(seed=0).fit(train, trainer=small(resume=str(tmp_path / "missing.pt")))
    # a checkpoint of an incompatible (older or newer) format version
    latest = max(f for f in tmp_path.glob("*.pt") if f.name != "junk.pt")
    state = torch.load(latest, map_location="cpu", weights_only=True)
    state["format"] = "chaoskit-train-checkpoint/0"
    torch.save(state, tmp_path / "old.pt")
    with pytest.raises(DataError, match=r"unknown checkpoint format 'chaoskit-train-checkpoint/0', expected"):
        ToyModel(seed=0).fit(train, trainer=small(resume=str(tmp_path / "old.pt")))
    with pytest.raises(ParameterError, match="resume=True.*needs checkpoint_dir"):
        ToyModel(seed=0).fit(train, trainer=small(resume=True))
    # settings that do not change the steps may differ
    ToyModel(seed=0).fit(train, trainer=small(epochs=1, checkpoint_dir=tmp_path, resume=True, patience=3))


def test_a_diverging_loss_stops_with_the_step_and_keeps_the_last_checkpoint(data, tmp_path, monkeypatch) -> None:
    calls = {"n": 0}
    mse = _trainer_toys.mse_loss

    def nan_at_step_6(module, x, forcing):
        loss = mse(module, x, forcing)
        calls["n"] += torch.is_grad_enabled()
        return loss * math.nan if calls["n"] == 6 else loss

    monkeypatch.setattr(_trainer_toys, "mse_loss", nan_at_step_6)
    trainer = small(checkpoint_dir=tmp_path, checkpoint_every=4)
    with pytest.raises(TrainingDivergedError, match=r"diverged at step 6 \(epoch 2\): the loss became nan; "
                                                    r"the last good checkpoint is .*last.pt") as info:
        ToyModel(seed=0).fit(data[0], trainer=trainer)
    assert info.value.step == 6
    assert torch.load(info.value.checkpoint, weights_only=True)["run"]["step"] == 4
    calls["n"] = 0
    with pytest.raises(TrainingDivergedError, match="no checkpoint was written"):
        ToyModel(seed=0).fit(data[0], trainer=small())


# ------------------------------------------------------------------------- early stopping, best weights
def test_early_stopping_and_restore_best(data, tmp_path) -> None:
    train, valid = data
    stalled = ToyModel(seed=0).fit(train, valid=valid, trainer=small(epochs=10, lr=1e-12, patience=2, min_delta=1e-3))
    res = stalled.train_result
    assert res.stopped_early and res.history.sizes["epoch"] == 3 and res.best_epoch == 1
    model = ToyModel(seed=0).fit(train, valid=valid, trainer=small(epochs=4, lr=0.05, checkpoint_dir=tmp_path))
    res = model.train_result
    assert res.best_epoch == int(np.argmin(res.history["valid_loss"].values)) + 1
    assert res.checkpoint == str(tmp_path / "best.pt")
    best = torch.load(res.checkpoint, weights_only=True)
    assert best["epoch"] == res.best_epoch
    for key, value in best["module"].items():
        np.testing.assert_array_equal(weights(model)[key], value.numpy())
    last = ToyModel(seed=0).fit(train, valid=valid, trainer=small(epochs=4, lr=0.05, restore_best=False))
    assert last.train_result.best_epoch is None


def test_monitoring_a_chaoskit_metric(data) -> None:
    train, valid = data
    model = ToyModel(seed=0).fit(train, valid=valid, trainer=small(monitor="rmse", valid_context=4, patience=5))
    hist = model.train_result.history
    assert "rmse" in hist and np.all(np.isfinite(hist["rmse"].values))
    assert hist.attrs["monitor"] == "rmse"
    with pytest.raises(ParameterError, match="there is no validation data"):
        ToyModel(seed=0).fit(train, trainer=small(monitor="rmse"))
    with pytest.raises(ParameterError, match="longer than valid_context"):
        ToyModel(seed=0).fit(train, valid=valid, trainer=small(monitor="rmse", valid_context=12))
    with pytest.raises(chaoskit.UnknownNameError):
        ToyModel(seed=0).fit(train, valid=valid, trainer=small(monitor="no_such_metric"))


RMSE = type(chaoskit.metrics.create("rmse"))


@attrs.define(frozen=True, kw_only=True)
class Recorder(RMSE):
    """chaoskit's RMSE that records the lengths of the forecasts it scores."""

    name: ClassVar[str] = "recorded_rmse"
    lengths: list[int] = attrs.field(factory=list, eq=False)

    def _compute(self, truth: xr.Dataset, forecast: xr.Dataset, *, context: xr.Dataset | None) -> Any:
        self.lengths.append(truth.sizes["time"])
        return super()._compute(truth, forecast, context=context)


def test_validating_every_few_epochs_on_long_windows(data) -> None:
    """valid_every: every 3rd and the last epoch validate, and only those compete for the
    restored weights; valid_window sizes the validation windows apart from the training ones."""
    train, valid = data
    metric = Recorder()
    tr = small(epochs=7, lr=0.05, monitor=metric, valid_every=3, valid_window=40, valid_context=4)
    model = ToyModel(seed=0).fit(train, valid=valid, trainer=tr)
    hist = model.train_result.history
    validated = np.isfinite(hist["recorded_rmse"].values)
    assert list(hist["epoch"].values[validated]) == [3, 6, 7]
    assert np.isfinite(hist["valid_loss"].values).tolist() == validated.tolist()
    assert metric.lengths == [36, 36, 36]  # two windows of 40 points of the 80, 4 of context
    best = model.train_result.best_epoch
    assert best == [3, 6, 7][int(np.argmin(hist["recorded_rmse"].values[validated]))]
    # the restored weights are the best validated epoch's: a run stopped there ends on them
    stopped = ToyModel(seed=0).fit(train, valid=valid, trainer=attrs.evolve(
        tr, epochs=best, restore_best=False, monitor=Recorder()))
    for key, value in weights(stopped).items():
        np.testing.assert_array_equal(weights(model)[key], value)


def test_patience_counts_validations_not_epochs(data) -> None:
    train, valid = data
    model = ToyModel(seed=0).fit(train, valid=valid, trainer=small(
        epochs=20, lr=1e-12, valid_every=4, patience=2, min_delta=1e-3))
    res = model.train_result
    assert res.stopped_early and res.history.sizes["epoch"] == 12 and res.best_epoch == 4
    with pytest.raises(DataError, match="valid_window"):
        ToyModel(seed=0).fit(train, valid=valid, trainer=small(valid_window=81))
    with pytest.raises(ParameterError, match="valid_every"):
        small(valid_every=0)


@pytest.mark.parametrize(("name", "worst"), [("rmse", math.inf), ("dstsp_binned", math.inf), ("vpt", -math.inf)])
def test_a_diverged_validation_forecast_makes_the_epoch_worst(name: str, worst: float) -> None:
    from chaoskit_models.training.validation import validation_metric

    windows = torch.linspace(-1.0, 1.0, 3 * 30 * 2, dtype=torch.float64).reshape(3, 30, 2)
    blown: list[int] = []

    def forecast(module: Any, ctx: torch.Tensor, steps: int) -> torch.Tensor:
        pred = windows[:, ctx.shape[1]:ctx.shape[1] + steps] + 0.01
        pred[blown, -5:] = math.inf
        return pred

    problem = types.SimpleNamespace(forecast=forecast)
    metric = chaoskit.metrics.create(name)
    kwargs = {"context": 4, "attrs": {"dt": 0.1, "lyapunov_time": 1.0}, "variables": ("x", "y")}
    finite = validation_metric(metric, problem, None, windows, **kwargs)
    assert math.isfinite(finite)
    if name == "rmse":
        assert finite == pytest.approx(0.01)
    blown.append(1)
    assert validation_metric(metric, problem, None, windows, **kwargs) == worst


# ------------------------------------------------------------------------- hooks, progress, precision
def test_lifecycle_hooks_are_called(data) -> None:
    from chaoskit import hookimpl

    seen: dict[str, list] = {"start": [], "epoch": [], "end": []}
    plugin = types.ModuleType("recorder")
    plugin.CHAOSKIT_PLUGIN_API = "1.0"
    plugin.chaoskit_train_start = hookimpl(lambda model, trainer, config: seen["start"].append(config))
    plugin.chaoskit_train_epoch_end = hookimpl(
        lambda model, trainer, epoch, logs: seen["epoch"].append((epoch, dict(logs))))
    plugin.chaoskit_train_end = hookimpl(lambda model, trainer, result: seen["end"].append(result))
    with chaoskit.host.isolated() as host:
        host.load_plugin("recorder", plugin)
        model = ToyModel(seed=0).fit(data[0], trainer=small())
    assert len(seen["start"]) == 1 and seen["start"][0]["seed"] == 0 and seen["start"][0]["epochs"] == 3
    assert [e for e, _ in seen["epoch"]] == [1, 2, 3] and "loss" in seen["epoch"][0][1]
    assert seen["end"] == [model.train_result]


def test_progress_bar_only_on_a_terminal(data, monkeypatch) -> None:
    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    term = Terminal()
    monkeypatch.setattr(sys, "stderr", term)
    ToyModel(seed=0).fit(data[0], trainer=small(progress=True))
    assert "12/12" in term.getvalue() and "step" in term.getvalue()
    quiet = Terminal()
    monkeypatch.setattr(sys, "stderr", quiet)
    ToyModel(seed=0).fit(data[0], trainer=small(progress=False))
    assert quiet.getvalue() == ""


@pytest.mark.parametrize("precision", ["bf16", "fp16"])
def test_mixed_precision_trains_a_float32_model_on_cpu(data, precision) -> None:
    model = ToyModel(seed=0, dtype="float32").fit(data[0], trainer=small(precision=precision, epochs=4))
    loss = model.train_result.history["loss"].values
    assert np.all(np.isfinite(loss)) and loss[-1] < loss[0]
    full = ToyModel(seed=0, dtype="float32").fit(data[0], trainer=small(epochs=4)).train_result.history["loss"].values
    assert not np.allclose(loss, full, rtol=1e-6)  # autocast really ran the products in half precision
    np.testing.assert_allclose(loss, full, rtol=0.2)
    with pytest.raises(ParameterError, match=f"precision='{precision}' needs a float32 model"):
        ToyModel(seed=0).fit(data[0], trainer=small(precision=precision))


@pytest.mark.cuda
@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs CUDA")
@pytest.mark.parametrize("precision", ["float", "bf16", "fp16"])
def test_cuda_training_matches_the_cpu_flow(data, precision) -> None:
    dtype = "float64" if precision == "float" else "float32"
    model = ToyModel(seed=0, device="cuda", dtype=dtype).fit(data[0], trainer=small(precision=precision, epochs=4))
    assert model.__dict__["_trained_on"] == "cuda"
    loss = model.train_result.history["loss"].values
    assert np.all(np.isfinite(loss)) and loss[-1] < loss[0]
    if precision == "float":
        cpu = ToyModel(seed=0, dtype=dtype).fit(data[0], trainer=small(epochs=4))
        for key in weights(cpu):
            np.testing.assert_allclose(weights(model)[key], weights(cpu)[key], rtol=1e-9, atol=1e-12)


# ------------------------------------------------------------------------- windows
def test_windows_are_slices_of_the_data_and_noise_is_gaussian() -> None:
    data = torch.arange(2 * 30 * 2, dtype=torch.float64).reshape(2, 30, 2)
    sampler = WindowSampler(data, 5, 64, noise=0.0, generator=torch.Generator().manual_seed(0))
    w = sampler.sample()
    assert w.shape == (64, 5, 2)
    flat = data.reshape(-1, 2)
    for window in w:
        i = int((flat[:, 0] == window[0, 0]).nonzero())
        assert torch.equal(window, flat[i : i + 5]) and i % 30 <= 25
    noisy = WindowSampler(data, 5, 2000, noise=0.1, generator=torch.Generator().manual_seed(0))
    clean = WindowSampler(data, 5, 2000, noise=0.0, generator=torch.Generator().manual_seed(0))
    diff = noisy.sample() - clean.sample()
    assert float(diff.std()) == pytest.approx(0.1, rel=0.05)
    tiles = validation_windows(data, 7, limit=3)
    assert tiles.shape == (3, 7, 2) and torch.equal(tiles[0], data[0, :7]) and torch.equal(tiles[-1], data[1, 21:28])


# ------------------------------------------------------------------------- bad input
def test_bad_input_gives_clear_errors(data) -> None:
    train, valid = data
    with pytest.raises(DataError, match=r"train: members of 10 time points are shorter than the training window of 12"):
        ToyModel(seed=0).fit(train.isel(time=slice(0, 10)), trainer=small())
    with pytest.raises(DataError, match=r"valid: members of 10 time points"):
        ToyModel(seed=0).fit(train, valid=valid.isel(time=slice(0, 10)), trainer=small())
    bad = train.copy(deep=True)
    bad["state"][0, 3, 0] = np.nan
    with pytest.raises(DataError):
        ToyModel(seed=0).fit(bad, trainer=small())
    with pytest.raises(ParameterError, match="GradientTrainer.lr must be > 0"):
        small(lr=-1e-3)
    with pytest.raises(ParameterError, match=r"GradientTrainer.optimizer must be one of \['adam', 'adamw', 'radam', 'sgd', 'lion'\]"):
        small(optimizer="adagrad")
    with pytest.raises(ParameterError, match="GradientTrainer.schedule must be one of"):
        small(schedule="step")
    with pytest.raises(ParameterError, match=r"teacher_forcing must be one of \['generalized', 'gtf', 'none', 'sparse'\]"):
        small(teacher_forcing="teacher")
    assert small(teacher_forcing="GTF").teacher_forcing == GeneralizedForcing()
    with pytest.raises(ParameterError, match="lora must be None or a LoRA"):
        small(lora=("lin",))
    with pytest.raises(ParameterError, match="is trained by a GradientTrainer"):
        ToyModel(seed=0).fit(train, trainer="gradient")
    with pytest.raises(CapabilityError, match="Persistence does not"):
        small().fit(chaoskit.models.create("persistence"), train)
    with pytest.raises(ParameterError, match="window = 12 is shorter than the 20 time points"):
        fit_torch_model(_MinWindowToy(seed=0), train, None, small())


@attrs.define(frozen=True, kw_only=True, slots=False)
class _MinWindowToy(ToyModel):
    def training_problem(self, train, valid):
        return attrs.evolve(super().training_problem(train, valid), min_window=20)
