"""Checkpoint selection for the DSR benchmark: train in chunks, keep the model with the best short D_stsp.

The Durstewitz lab's AL-RNN code scores the model every 20-25 epochs by D_stsp of a free run
against the training data (Julia ``train_!`` writes a checkpoint with the score, the Python
tutorial returns the best-scoring model). :func:`fit_with_selection` does the same with
chaoskit's public trainer API: the run is cut into chunks of ``every`` steps with
``GradientTrainer(max_steps=..., resume=True)`` (an exact resume: optimizer, schedule, forcing
state and random streams continue as in one uninterrupted run), the model is scored after each
chunk and the best one is kept on disk.
"""

from __future__ import annotations

import math
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import attrs
import chaoskit
import numpy as np


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


def fit_with_selection(
    model: Any, train: Any, trainer: Any, *, every: int, score: Callable[[Any], float]
) -> tuple[Any, Any, list[dict[str, float]]]:
    """Train ``model`` with ``trainer`` in chunks of ``every`` steps; score after each chunk.

    Returns the model at the end of the run, the best-scoring model (loaded from disk), and the
    trace ``[{"steps", "score", "alpha", "loss"}, ...]``.
    """
    total = trainer.total_steps
    trace: list[dict[str, float]] = []
    best_score = math.inf
    with tempfile.TemporaryDirectory(prefix="dsr_select_") as tmp:
        work = Path(tmp)
        best_dir = work / "best"
        for stop in [*range(every, total, every), total]:
            chunk = attrs.evolve(trainer, checkpoint_dir=str(work / "ckpt"), checkpoint_every=every,
                                 resume=True, max_steps=stop, restore_best=False)
            model.fit(train, trainer=chunk)
            history = model.train_result.history
            t0 = time.process_time()
            value = score(model)
            row = {"steps": stop, "score": round(value, 4), "alpha": round(float(history["alpha"].values[-1]), 4),
                   "loss": float(history["loss"].values[-1]), "score_cpu_s": round(time.process_time() - t0, 2)}
            trace.append(row)
            print("  select", row, flush=True)
            if value < best_score:
                best_score = value
                model.save(best_dir)
        best = type(model).load(best_dir) if best_dir.exists() else model
    return model, best, trace
