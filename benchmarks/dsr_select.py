"""Checkpoint selection for the DSR benchmark: keep the model with the best short D_stsp.

The Durstewitz lab's AL-RNN code scores the model every 20-25 epochs by D_stsp of a free run
against the training data (Julia ``train_!`` writes a checkpoint with the score, the Python
tutorial returns the best-scoring model). Two ways to do the same with chaoskit's public API:

- :func:`fit_with_selection` (one model): the run is cut into chunks with
  ``GradientTrainer(max_steps=..., resume=True)`` (an exact resume: optimizer, schedule, forcing
  state and random streams continue as in one uninterrupted run), the model is scored after
  each chunk and the best one is kept on disk.
- :func:`fit_ensemble_with_selection` (several seeds as one ``fit_ensemble``, which cannot
  resume): the ``chaoskit_train_epoch_end`` lifecycle hook copies each member's weights every
  ``every`` steps during the one run; after it, each copy is loaded into a copy of the fitted
  model and scored. The hook gets the member's model, not its module, so the module is looked
  up in the members that ``fit_ensemble`` hands to ``run_ensemble`` (wrapped for the run).

Both select per cadence: with ``every = (2500, 1250)`` the model is scored every 1,250 steps
and the best is picked once among the scores at multiples of 2,500 and once among all (the
last step always counts).
"""

from __future__ import annotations

import contextlib
import copy
import math
import tempfile
import time
import types
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

import attrs
import chaoskit
import numpy as np
import torch


def short_dstsp(train_values: np.ndarray, make_dataset: Callable[[np.ndarray], Any], steps: int = 20_000,
                drop: int = 5_000) -> Callable[[Any], float]:
    """A scorer: D_stsp (binned) of ``steps`` free-run steps from the first training point, the
    first ``drop`` dropped, against the whole training trajectory (as the authors' code)."""
    metric = chaoskit.metrics.create("dstsp_binned")
    truth = make_dataset(train_values)

    def score(model: Any) -> float:
        generated = model.forecast(make_dataset(train_values[:1]), steps + drop)["state"].values[0][drop:]
        if not np.isfinite(generated).all():
            return math.inf
        return float(metric(truth, make_dataset(generated)).values.ravel()[0])

    return score


def _grid(every: Sequence[int], total: int) -> tuple[int, list[int]]:
    base = math.gcd(*every)
    return base, [*range(base, total, base), total]


def best_per_cadence(trace: list[dict[str, float]], every: Sequence[int], total: int) -> dict[int, int]:
    """``{cadence: index into trace}`` of the lowest score among the steps at multiples of the
    cadence and the last step."""
    best = {}
    for cadence in every:
        rows = [i for i, r in enumerate(trace) if r["steps"] % cadence == 0 or r["steps"] == total]
        best[cadence] = min(rows, key=lambda i: trace[i]["score"])
    return best


def fit_with_selection(
    model: Any, train: Any, trainer: Any, *, every: Sequence[int], score: Callable[[Any], float]
) -> tuple[Any, dict[int, Any], list[dict[str, float]]]:
    """Train ``model`` with ``trainer`` in chunks of ``gcd(every)`` steps; score after each chunk.

    Returns the model at the end of the run, ``{cadence: best-scoring model}`` (loaded from
    disk) and the trace ``[{"steps", "score", "alpha", "loss", "score_cpu_s"}, ...]``.
    """
    total = trainer.total_steps
    base, stops = _grid(every, total)
    trace: list[dict[str, float]] = []
    with tempfile.TemporaryDirectory(prefix="dsr_select_") as tmp:
        work = Path(tmp)
        for stop in stops:
            chunk = attrs.evolve(trainer, checkpoint_dir=str(work / "ckpt"), checkpoint_every=base,
                                 resume=True, max_steps=stop, restore_best=False)
            model.fit(train, trainer=chunk)
            history = model.train_result.history
            t0 = time.process_time()
            value = score(model)
            row = {"steps": stop, "score": round(value, 4), "alpha": round(float(history["alpha"].values[-1]), 4),
                   "loss": float(history["loss"].values[-1]), "score_cpu_s": round(time.process_time() - t0, 2)}
            trace.append(row)
            print("  select", row, flush=True)
            for cadence, index in best_per_cadence(trace, every, total).items():
                if index == len(trace) - 1:  # the newest row is this cadence's best so far
                    model.save(work / f"best_{cadence}")
        bests = {c: type(model).load(work / f"best_{c}") for c in every}
    return model, bests, trace


@contextlib.contextmanager
def _weight_snapshots(every: int) -> Iterator[dict[int, list[tuple[int, dict[str, torch.Tensor]]]]]:
    """Within the block, ``fit_ensemble`` members' weights are copied every ``every`` steps (and at
    the last step) into the yielded ``{id(model): [(steps, state_dict), ...]}``."""
    from chaoskit_models.training import ensemble

    modules: dict[int, torch.nn.Module] = {}
    store: dict[int, list[tuple[int, dict[str, torch.Tensor]]]] = {}
    original = ensemble.run_ensemble

    def recording(trainer: Any, members: list[Any]) -> Any:
        modules.update({id(m.model): m.problem.module for m in members})
        return original(trainer, members)

    def epoch_end(model: Any, trainer: Any, epoch: int, logs: Any) -> None:
        steps = int(logs["steps"])
        if id(model) in modules and (steps % every == 0 or steps == trainer.total_steps):
            state = {k: v.detach().clone() for k, v in modules[id(model)].state_dict().items()}
            store.setdefault(id(model), []).append((steps, state))

    plugin = types.ModuleType("dsr_select_snapshots")
    plugin.CHAOSKIT_PLUGIN_API = chaoskit.plugins.PLUGIN_API  # type: ignore[attr-defined]
    plugin.chaoskit_train_epoch_end = chaoskit.hookimpl(epoch_end)  # type: ignore[attr-defined]
    host = chaoskit.plugins.host
    host.ensure_loaded()
    host.load_plugin(plugin.__name__, plugin)
    ensemble.run_ensemble = recording
    try:
        yield store
    finally:
        ensemble.run_ensemble = original
        host.pm.unregister(plugin)
        host.records.pop(plugin.__name__, None)


def with_weights(model: Any, state: dict[str, torch.Tensor], train: Any) -> Any:
    """A copy of the fitted DSR ``model`` with the cell weights ``state``; its latent state on
    the attractor (``dynamics().initial_state``) recomputed from the training data's tail as
    ``fit`` does."""
    from chaoskit_models.dsr.fitted import feature_values
    from chaoskit_models.dsr.rollout import warm_up

    clone = copy.deepcopy(model)
    fitted = clone.__dict__["_dsr"]
    fitted.cell.load_state_dict(state)
    tail = feature_values(train, "train")[-1:, -clone.sequence_length :]
    with torch.no_grad():
        fitted.last_state = warm_up(fitted.cell, fitted.scale(tail))[0].cpu().numpy().astype(np.float64)
    return clone


def fit_ensemble_with_selection(
    models: list[Any], train: Any, trainer: Any, *, every: Sequence[int], score: Callable[[Any], float]
) -> list[tuple[Any, dict[int, Any], list[dict[str, float]]]]:
    """Train ``models`` (seeds of one configuration) as one ``fit_ensemble``, copying their
    weights every ``gcd(every)`` steps; then score every copy. Per model, as
    :func:`fit_with_selection`: ``(final model, {cadence: best model}, trace)`` (the trace's
    ``alpha`` and ``loss`` are those of the epoch that ends at the step)."""
    from chaoskit_models.training import fit_ensemble

    total = trainer.total_steps
    base, stops = _grid(every, total)
    if base % trainer.batches_per_epoch:
        raise ValueError(f"the cadences {every} must be multiples of an epoch ({trainer.batches_per_epoch} steps)")
    with _weight_snapshots(base) as store:
        fit_ensemble(models, train, None, trainer)
    out = []
    for model in models:
        snapshots = store.get(id(model), [])
        if [s for s, _ in snapshots] != stops:
            raise RuntimeError(f"weight copies at steps {[s for s, _ in snapshots]}, expected {stops}")
        history = model.train_result.history
        by_steps = {int(s): i for i, s in enumerate(history["steps"].values)}
        trace, candidates = [], []
        for steps, state in snapshots:
            candidate = with_weights(model, state, train)
            t0 = time.process_time()
            value = score(candidate)
            epoch = by_steps[steps]
            trace.append({"steps": steps, "score": round(value, 4),
                          "alpha": round(float(history["alpha"].values[epoch]), 4),
                          "loss": float(history["loss"].values[epoch]),
                          "score_cpu_s": round(time.process_time() - t0, 2)})
            candidates.append(candidate)
        best = best_per_cadence(trace, every, total)
        print(f"  seed {model.seed}: selected", {c: trace[i]["steps"] for c, i in best.items()}, flush=True)
        out.append((model, {c: candidates[i] for c, i in best.items()}, trace))
    return out
