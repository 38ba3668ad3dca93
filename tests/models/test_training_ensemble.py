"""fit_ensemble: a batched ensemble of seeds ends where separate fits end, member by member.

The key check compares every member's weights and history with a separate ``model.fit`` of the
same seed and trainer (float64; batched matrix products round differently from single ones, so
the tolerance is 1e-10, not bitwise). The ensemble views of the cells are checked against the
cells themselves, and the closed-form spectral norms against torch's SVD.
"""

from __future__ import annotations

from typing import Any

import attrs
import chaoskit
import numpy as np
import pytest
import torch
import xarray as xr
from chaoskit import CapabilityError, ParameterError
from chaoskit.errors import TrainingDivergedError
from chaoskit_models.dsr.shplrnn import ClippedShallowPLRNN
from chaoskit_models.training import (
    GeneralizedForcing,
    GradientTrainer,
    LoRA,
    NoForcing,
    SparseForcing,
    TeacherForcing,
    fit_ensemble,
)
from chaoskit_models.training.ensemble_forcing import spectral_norms

SMALL = {"clipped_shplrnn": {"latent_dim": 3, "hidden_dim": 8}}
EVERY = {
    "plrnn": {"latent_dim": 5},
    "dendplrnn": {"latent_dim": 5, "bases": 3, "clipped": True},
    "shplrnn": {"latent_dim": 4, "hidden_dim": 6},
    "clipped_shplrnn": {"latent_dim": 5, "hidden_dim": 6, "observation": "affine"},
    "alrnn": {"latent_dim": 6, "pwl_units": 2},
}


pytestmark = pytest.mark.usefixtures("single_thread")  # tests/models/conftest.py


@pytest.fixture(scope="module")
def data() -> tuple[xr.Dataset, xr.Dataset]:
    ds = chaoskit.systems.create("lorenz").trajectory(300, members=2, seed=0)
    return ds.isel(member=[0]), ds.isel(member=[1])


def trainer(**kwargs: Any) -> GradientTrainer:
    settings = {"epochs": 3, "batches_per_epoch": 8, "batch_size": 4, "window": 16, "lr": 1e-2,
                "grad_clip": 0.5, "progress": False,
                "teacher_forcing": GeneralizedForcing(alpha="adaptive", update_every=2, gamma=0.9)}
    return GradientTrainer(**{**settings, **kwargs})


def make(name: str, seeds: range | list[int], **kwargs: Any) -> list[Any]:
    return [chaoskit.models.create(name, seed=s, **{**SMALL.get(name, EVERY.get(name, {})), **kwargs})
            for s in seeds]


def assert_same_fit(single: Any, member: Any, atol: float = 1e-10) -> None:
    a, b = single._get_state(), member._get_state()
    assert a.keys() == b.keys()
    for key in a:
        np.testing.assert_allclose(b[key], a[key], rtol=0, atol=atol, err_msg=key)
    ha, hb = single.train_result.history, member.train_result.history
    assert set(ha.data_vars) == set(hb.data_vars) and ha.sizes == hb.sizes
    for var in ha.data_vars:
        if var != "time":
            np.testing.assert_allclose(hb[var].values, ha[var].values, rtol=1e-9, atol=atol, err_msg=var)
    assert single.train_result.best_epoch == member.train_result.best_epoch
    assert single.train_result.stopped_early == member.train_result.stopped_early


# ----------------------------------------------------------------------------- equivalence
@pytest.mark.parametrize("forcing", [NoForcing(), SparseForcing(interval=4),
                                     GeneralizedForcing(alpha="adaptive", update_every=2, gamma=0.9)],
                         ids=["free", "sparse", "gtf"])
@pytest.mark.parametrize("optimizer", ["adam", "lion"])
def test_ensemble_equals_separate_fits(data, forcing: TeacherForcing, optimizer: str) -> None:
    train, valid = data
    tr = trainer(teacher_forcing=forcing, optimizer=optimizer)
    singles = [m.fit(train, valid=valid, trainer=tr) for m in make("clipped_shplrnn", range(3))]
    members = make("clipped_shplrnn", range(3))
    results = fit_ensemble(members, train, valid=valid, trainer=tr)
    assert [m.train_result for m in members] == results
    for single, member in zip(singles, members, strict=True):
        assert_same_fit(single, member)
    weights = [m._get_state()["cell.W1"] for m in members]
    assert not np.allclose(weights[0], weights[1])  # each member from its own seed
    if isinstance(forcing, GeneralizedForcing):  # α adapted per member
        alphas = [float(m.train_result.history["alpha"][-1]) for m in members]
        assert all(a < 1.0 for a in alphas)


@pytest.mark.parametrize("name", sorted(EVERY))
def test_every_dsr_model_trains_as_an_ensemble(data, name: str, tmp_path) -> None:
    train, valid = data
    tr = trainer(epochs=2, batches_per_epoch=5)
    singles = [m.fit(train, valid=valid, trainer=tr) for m in make(name, [3, 4])]
    members = make(name, [3, 4])
    fit_ensemble(members, train, valid=valid, trainer=tr)
    for single, member in zip(singles, members, strict=True):
        assert_same_fit(single, member)
    context = valid.isel(time=slice(0, 30))
    np.testing.assert_allclose(members[1].forecast(context, 10)["state"].values,
                               singles[1].forecast(context, 10)["state"].values, atol=1e-9)
    loaded = type(members[0]).load(members[0].save(tmp_path / name))
    np.testing.assert_array_equal(loaded.forecast(context, 5)["state"].values,
                                  members[0].forecast(context, 5)["state"].values)


def test_early_stopping_plateau_and_restore_best_are_per_member(data) -> None:
    """A stopped member is frozen (Adam would move it on zero gradients); the others go on."""
    train, valid = data
    tr = trainer(epochs=6, batches_per_epoch=4, optimizer="adam", lr=3e-2, patience=1, min_delta=0.02,
                 schedule="plateau", restore_best=False)
    singles = [m.fit(train, valid=valid, trainer=tr) for m in make("clipped_shplrnn", range(4))]
    lengths = {s.train_result.history.sizes["epoch"] for s in singles}
    assert len(lengths) > 1 and min(lengths) < 6  # members stop at different epochs
    members = make("clipped_shplrnn", range(4))
    fit_ensemble(members, train, valid=valid, trainer=tr)
    for single, member in zip(singles, members, strict=True):
        assert_same_fit(single, member)
    tr_best = attrs.evolve(tr, restore_best=True)
    singles = [m.fit(train, valid=valid, trainer=tr_best) for m in make("clipped_shplrnn", range(4))]
    members = make("clipped_shplrnn", range(4))
    fit_ensemble(members, train, valid=valid, trainer=tr_best)
    for single, member in zip(singles, members, strict=True):
        assert_same_fit(single, member)


def test_a_metric_monitor_and_a_single_member(data) -> None:
    train, valid = data
    tr = trainer(epochs=3, batches_per_epoch=4, monitor="rmse", valid_context=4, patience=1)
    singles = [m.fit(train, valid=valid, trainer=tr) for m in make("plrnn", range(2))]
    members = make("plrnn", range(2))
    fit_ensemble(members, train, valid=valid, trainer=tr)
    for single, member in zip(singles, members, strict=True):
        assert "rmse" in member.train_result.history
        assert_same_fit(single, member)
    alone = make("plrnn", [1])
    fit_ensemble(alone, train, valid=valid, trainer=tr)
    assert_same_fit(singles[1], alone[0])


def test_validating_every_few_epochs_on_long_windows(data) -> None:
    """The authors' DSR checkpoint selection: D_stsp of long free runs, every few epochs."""
    train, valid = data
    tr = trainer(epochs=5, batches_per_epoch=4, monitor="dstsp_binned", valid_every=2, valid_window=150,
                 valid_context=1)
    singles = [m.fit(train, valid=valid, trainer=tr) for m in make("alrnn", range(2))]
    members = make("alrnn", range(2))
    fit_ensemble(members, train, valid=valid, trainer=tr)
    for single, member in zip(singles, members, strict=True):
        hist = member.train_result.history
        assert list(hist["epoch"].values[~np.isnan(hist["dstsp_binned"].values)]) == [2, 4, 5]  # inf: diverged
        assert member.train_result.best_epoch in (2, 4, 5)
        assert_same_fit(single, member)


def test_warm_start_continues_each_member_from_its_own_weights(data) -> None:
    train = data[0]
    first, again = trainer(epochs=1, batches_per_epoch=4), trainer(epochs=1, batches_per_epoch=4, warm_start=True)
    singles = [m.fit(train, trainer=first).fit(train, trainer=again) for m in make("plrnn", range(2))]
    members = make("plrnn", range(2))
    fit_ensemble(members, train, trainer=first)
    fit_ensemble(members, train, trainer=again)
    for single, member in zip(singles, members, strict=True):
        assert_same_fit(single, member)


# ----------------------------------------------------------------------------- divergence
@attrs.define(frozen=True, kw_only=True, slots=False)
class Fragile(ClippedShallowPLRNN):
    """Its loss becomes NaN after ``nan_after`` training batches for the seeds in ``fragile``."""

    nan_after: int = 3
    fragile: tuple[int, ...] = (1,)

    def training_problem(self, train: xr.Dataset, valid: xr.Dataset | None) -> Any:
        problem = super().training_problem(train, valid)
        if self.seed not in self.fragile:
            return problem
        inner, calls = problem.loss, [0]

        def loss(module: torch.nn.Module, windows: torch.Tensor, forcing: Any) -> torch.Tensor:
            value = inner(module, windows, forcing)
            if module.training:
                calls[0] += 1
                if calls[0] > self.nan_after:
                    return value * float("nan")
            return value

        problem.loss = loss
        return problem


def test_a_diverged_member_is_frozen_and_reported(data) -> None:
    train = data[0]
    tr = trainer(epochs=1, batches_per_epoch=8, restore_best=False)
    with pytest.raises(TrainingDivergedError):
        Fragile(seed=1, **SMALL["clipped_shplrnn"]).fit(train, trainer=tr)
    members = [Fragile(seed=s, **SMALL["clipped_shplrnn"]) for s in range(3)]
    with pytest.warns(UserWarning, match="diverged"):
        results = fit_ensemble(members, train, trainer=tr)
    assert [int(r.history.attrs["diverged_at_step"]) for r in results] == [-1, 4, -1]
    assert "step 4" in results[1].history.attrs["diverged"]
    healthy = Fragile(seed=2, **SMALL["clipped_shplrnn"]).fit(train, trainer=tr)
    assert_same_fit(healthy, members[2])
    # the diverged member keeps the weights of its last good step
    stopped = Fragile(seed=1, **SMALL["clipped_shplrnn"]).fit(train, trainer=attrs.evolve(tr, max_steps=3))
    for key, value in stopped._get_state().items():
        if key.startswith("cell."):
            np.testing.assert_allclose(members[1]._get_state()[key], value, atol=1e-10)


def test_all_members_diverged_raises_and_leaves_them_unfitted(data) -> None:
    members = [Fragile(seed=s, fragile=(0, 1), **SMALL["clipped_shplrnn"]) for s in range(2)]
    with pytest.raises(TrainingDivergedError, match="every member"):
        fit_ensemble(members, data[0], trainer=trainer(epochs=1))
    assert not any(m.is_fitted for m in members)


# ----------------------------------------------------------------------------- views and norms
@pytest.mark.parametrize("name", sorted(EVERY))
@pytest.mark.parametrize("observation", ["identity", "affine"])
def test_stacked_view_matches_each_cell(data, name: str, observation: str) -> None:
    cells = [m.training_problem(data[0], None).module for m in make(name, range(3), observation=observation)]
    gen = torch.Generator().manual_seed(0)
    with torch.no_grad():
        for cell in cells:  # away from the initialisation's symmetric values
            for p in cell.parameters():
                p.add_(0.1 * torch.randn(p.shape, generator=gen, dtype=p.dtype))
        view = cells[0].stack_members(cells)
        z = torch.randn(3, 4, 5, cells[0].latent_dim, generator=gen, dtype=torch.float64)
        x = torch.randn(3, 4, 5, 3, generator=gen, dtype=torch.float64)
        for e, cell in enumerate(cells):
            for got, want in [(view.step(z)[e], cell.step(z[e])), (view.jacobian(z)[e], cell.jacobian(z[e])),
                              (view.observe(z)[e], cell.observe(z[e])), (view.initial(x)[e], cell.initial(x[e])),
                              (view.infer(z, x)[e], cell.infer(z[e], x[e]))]:
                torch.testing.assert_close(got, want, rtol=0, atol=1e-13)


@pytest.mark.parametrize("m", [1, 2, 3, 4])
def test_spectral_norms_match_the_svd(m: int) -> None:
    gen = torch.Generator().manual_seed(m)
    jac = torch.randn(7, 50, m, m, generator=gen, dtype=torch.float64)
    torch.testing.assert_close(spectral_norms(jac), torch.linalg.matrix_norm(jac, ord=2), rtol=1e-13, atol=0)
    q, _ = torch.linalg.qr(torch.randn(20, m, m, generator=gen, dtype=torch.float64))
    for values in ([2.0] * m, [3.0] + [0.0] * (m - 1), [0.0] * m):  # repeated and zero singular values
        special = q @ torch.diag(torch.tensor(values, dtype=torch.float64)) @ q.mT
        torch.testing.assert_close(spectral_norms(special), torch.full((20,), values[0], dtype=torch.float64),
                                   rtol=1e-7, atol=1e-12)


# ----------------------------------------------------------------------------- errors
def test_an_ensemble_over_settings_equals_separate_fits(data) -> None:
    """A scan of learning rate, its end, weight decay, clipping, noise and the L2 penalty as one
    ensemble: every member ends as its own fit with its own settings."""
    train, valid = data
    settings = [
        {"lr": 1e-2, "lr_end": 1e-3, "weight_decay": 0.0, "grad_clip": 0.5, "noise": 0.0},
        {"lr": 3e-3, "lr_end": 3e-3, "weight_decay": 1e-3, "grad_clip": None, "noise": 0.05},
        {"lr": 2e-2, "lr_end": 1e-4, "weight_decay": 0.0, "grad_clip": 0.1, "noise": 0.01},
    ]
    trainers = [trainer(schedule="exponential", **kw) for kw in settings]
    penalties = [0.0, 1e-3, 1e-1]

    def models() -> list[Any]:
        return [make("clipped_shplrnn", [7], regularization=lam)[0] for lam in penalties]

    singles = [m.fit(train, valid=valid, trainer=tr) for m, tr in zip(models(), trainers, strict=True)]
    members = models()
    fit_ensemble(members, train, valid=valid, trainer=trainers)
    for single, member in zip(singles, members, strict=True):
        assert_same_fit(single, member)
    lrs = [float(m.train_result.history["lr"][0]) for m in members]
    assert lrs == [float(s.train_result.history["lr"][0]) for s in singles] and len(set(lrs)) == 3
    weights = [m._get_state()["cell.W1"] for m in members]  # one seed, three settings
    assert not np.allclose(weights[0], weights[1]) and not np.allclose(weights[1], weights[2])


def test_settings_that_must_be_shared_are_named(data) -> None:
    train = data[0]
    with pytest.raises(ParameterError, match=r"trainers differ in window .*only seed, lr"):
        fit_ensemble(make("plrnn", range(2)), train, trainer=[trainer(), trainer(window=20)])
    with pytest.raises(ParameterError, match="3 trainers for 2 models"):
        fit_ensemble(make("plrnn", range(2)), train, trainer=[trainer()] * 3)
    with pytest.raises(ParameterError, match=r"pwl_units is 2 in model 0 and 3 in model 1"):
        fit_ensemble(make("alrnn", [0]) + make("alrnn", [1], pwl_units=3), train)


def test_members_must_share_class_and_configuration(data) -> None:
    train = data[0]
    with pytest.raises(ParameterError, match="at least one"):
        fit_ensemble([], train)
    with pytest.raises(ParameterError, match="one class"):
        fit_ensemble(make("plrnn", [0]) + make("alrnn", [1]), train)
    with pytest.raises(ParameterError, match=r"hidden_dim is 8 in model 0 and 9 in model 1.*separate fits"):
        fit_ensemble(make("clipped_shplrnn", [0]) + make("clipped_shplrnn", [1], hidden_dim=9), train)
    model = make("plrnn", [0])[0]
    with pytest.raises(ParameterError, match="more than once"):
        fit_ensemble([model, model], train)
    with pytest.raises(ParameterError, match="TorchTrainable"):
        fit_ensemble([chaoskit.models.create("persistence")], train)


@pytest.mark.parametrize("options", [
    {"lora": LoRA(targets=("readout",))}, {"checkpoint_dir": "somewhere"}, {"resume": True},
    {"precision": "fp16"},
], ids=["lora", "checkpoint", "resume", "fp16"])
def test_unsupported_trainer_options_are_refused(data, options: dict[str, Any]) -> None:
    members = make("clipped_shplrnn", range(2), dtype="float32")
    with pytest.raises(CapabilityError, match="fit_ensemble does not support"):
        fit_ensemble(members, data[0], trainer=trainer(**options))
    assert not any(m.is_fitted for m in members)


def test_models_without_an_ensemble_view_are_refused(data) -> None:
    members = [chaoskit.models.create("lstm", seed=s) for s in range(2)]
    tr = trainer(teacher_forcing=NoForcing())
    with pytest.raises(CapabilityError, match="no ensemble view"):
        fit_ensemble(members, data[0], trainer=tr)

    @attrs.frozen
    class Custom(TeacherForcing):
        def start(self) -> Any:
            return NoForcing().start()

    with pytest.raises(CapabilityError, match="no ensemble runtime"):
        fit_ensemble(make("plrnn", range(2)), data[0], trainer=trainer(teacher_forcing=Custom()))
