"""The training loop of an ensemble: E models of one configuration, one batched unroll per step.

Each member keeps everything a single run keeps (window generator, optimizer, schedule,
monitor, counters, history, best weights); only the unroll of the cells is shared: one ensemble
view of the stacked cells (:class:`~chaoskit_models.training.protocol.StackableCell`) runs over
windows ``(E, B, T, N)`` under the ensemble runtime of the teacher forcing. The loss of each
member is then its model's own loss closure, fed its slice of the predictions through a
per-member forcing stand-in (:class:`~.ensemble_forcing.MemberForcing`), so it is the single fit's loss in the
same operations. Members that stop early or diverge leave the ensemble: their parameters and
optimizer state no longer change, and the view is built from the active members only.
"""

from __future__ import annotations

import math
import time
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, cast

import attrs
import numpy as np
import torch
from chaoskit import TrainResult
from chaoskit.errors import TrainingDivergedError
from chaoskit.plugins import call_hook

from .ensemble_forcing import MemberForcing
from .history import History
from .optim import clip_gradients, make_optimizer
from .precision import Precision
from .protocol import StackableCell, TrainingProblem
from .runstate import RunState, describe, load_trained, progress_bar, trainable_state
from .validation import Monitor, validation_due, validation_metric
from .windows import WindowSampler, validation_windows

if TYPE_CHECKING:
    from .trainer import GradientTrainer

__all__ = ["Member", "run_ensemble"]


@attrs.define(eq=False)
class Member:
    """One model of the ensemble and the state of its run."""

    index: int
    model: Any
    problem: TrainingProblem
    data_attrs: Mapping[str, Any]
    variables: Sequence[str]
    trainer: GradientTrainer  # its own resolved trainer: the per-member settings come from it
    seed: int = 0
    status: str = "active"  # "stopped" (early stopping) or "diverged"
    diverged_at: int = -1
    reason: str = ""
    state: RunState = attrs.field(factory=lambda: RunState(history=History()))
    parts: dict[str, Any] = attrs.field(factory=dict)  # sampler, optimizer, schedule, monitor, valid, proxy


def run_ensemble(trainer: GradientTrainer, members: list[Member]) -> list[TrainResult]:
    """Train the members' modules in place; their :class:`chaoskit.TrainResult` in order."""
    run = _EnsembleRun(trainer, members)
    device = members[0].problem.train.device
    with torch.random.fork_rng(devices=[device.index or 0] if device.type == "cuda" else []):
        return run.execute()


class _EnsembleRun:
    def __init__(self, trainer: GradientTrainer, members: list[Member]) -> None:
        self.t, self.members = trainer, members
        self.step = 0

    def _setup(self) -> None:
        t, first = self.t, self.members[0].problem
        self.precision = Precision(t.precision, first.train.device, first.train.dtype)
        self.forcing = t.teacher_forcing.start_ensemble(len(self.members))
        for m in self.members:
            problem, parts, own = m.problem, m.parts, m.trainer
            seed = own.seed if own.seed is not None else getattr(m.model, "seed", None)
            if seed is None:  # SeedSequence() draws its entropy from the OS: an int
                seed = cast(int, np.random.SeedSequence().entropy) % 2**63
            m.seed = int(seed)
            if t.warm_start:
                load_trained(m.model, problem.module, "warm_start")
            params = [p for p in problem.module.parameters() if p.requires_grad]
            parts["optimizer"] = make_optimizer(t.optimizer, params, lr=own.lr, weight_decay=own.weight_decay,
                                                options=t.optimizer_options)
            parts["schedule"] = t.schedule.start(own.lr, own.lr_end, t.total_steps)
            parts["sampler"] = WindowSampler(problem.train, t.window, t.batch_size, noise=own.noise,
                                             generator=torch.Generator().manual_seed(m.seed))
            has_valid = problem.valid is not None
            valid_window = t.valid_window or t.window
            valid = problem.valid
            parts["valid"] = (
                None if valid is None else validation_windows(valid, valid_window, t.valid_windows)
            )
            parts["monitor"] = Monitor(t.monitor, problem, has_valid=has_valid, window=valid_window,
                                       context=t.valid_context)
            parts["proxy"] = MemberForcing(self.forcing, m.index)
            parts["config"] = {**describe(own), "seed": m.seed, "total_steps": t.total_steps, "resumed_from": None,
                               "ensemble_size": len(self.members), "ensemble_member": m.index}

    def elapsed(self) -> float:
        return time.perf_counter() - self.t0

    def _active(self) -> list[Member]:
        return [m for m in self.members if m.status == "active"]

    def _predict(self, active: list[Member], windows: torch.Tensor) -> torch.Tensor:
        self.forcing.active = [m.index for m in active]
        # run_ensemble's callers check that the modules are StackableCells (ensemble.py)
        cell = cast(StackableCell, active[0].problem.module)
        view = cell.stack_members([m.problem.module for m in active])
        return self.forcing.unroll(view, windows)

    # ------------------------------------------------------------------ the run
    def execute(self) -> list[TrainResult]:
        self.t0 = time.perf_counter()
        self._setup()
        torch.manual_seed(self.members[0].seed)
        for m in self.members:
            call_hook("chaoskit_train_start", model=m.model, trainer=m.trainer, config=m.parts["config"])
            m.problem.module.train()
        with progress_bar(self.t.progress, self.t.total_steps, 0) as bar:
            self._epochs(bar)
        return [self._finish(m) for m in self.members]

    def _epochs(self, bar: Any) -> None:
        t = self.t
        for _ in range(t.epochs):
            for _ in range(t.batches_per_epoch):
                if (t.max_steps is not None and self.step >= t.max_steps) or not self._active():
                    return
                self._step()
                bar.update(1)
                if self.step % 10 == 0 and self._active():
                    loss = np.mean([m.state.last_loss for m in self._active()])
                    bar.set_postfix(loss=f"{loss:.4g}", alpha=f"{self.forcing.alpha:.3f}", refresh=False)
            active = self._active()
            if not active:
                return
            self._epoch_end(active)

    def _step(self) -> None:
        active = self._active()
        for m in active:
            lr = m.parts["schedule"].lr(m.state.step)
            for group in m.parts["optimizer"].param_groups:
                group["lr"] = lr
            m.state.lr = lr
            m.parts["optimizer"].zero_grad(set_to_none=True)
        windows = torch.stack([m.parts["sampler"].sample() for m in active])
        with self.precision.autocast():
            # unbind, not preds[i]: one backward node for all members instead of E zero-filled copies
            preds = self._predict(active, windows).unbind(0)
            losses = [m.parts["proxy"].loss(m.problem, x, p)
                      for m, x, p in zip(active, windows.unbind(0), preds, strict=True)]
        values = torch.stack([v.detach().double() for v in losses]).tolist()
        kept = []
        for m, loss, value in zip(active, losses, values, strict=True):
            if math.isfinite(value):
                kept.append((m, loss, value))
            else:
                self._diverged(m, f"the loss became {value}")
        if not kept:
            return
        torch.stack([loss for _, loss, _ in kept]).sum().backward()
        for m, _, value in kept:
            clip_gradients(m.parts["optimizer"], m.trainer.grad_clip)
            m.parts["optimizer"].step()
            s = m.state
            s.step += 1
            s.batches += 1
            s.loss_sum += value
            s.last_loss = value
        self.step += 1

    def _diverged(self, m: Member, what: str) -> None:
        s = m.state
        m.status, m.diverged_at = "diverged", s.step + 1
        m.reason = f"member {m.index} (seed {m.seed}) diverged at step {s.step + 1} (epoch {s.epoch + 1}): {what}"
        if all(other.status == "diverged" for other in self.members):
            steps = ", ".join(str(other.diverged_at) for other in self.members)
            raise TrainingDivergedError(
                f"training of the ensemble of {len(self.members)} {type(m.model).__name__} models diverged: "
                f"every member's loss became non-finite (at steps {steps}); lower lr, set grad_clip, "
                "or use teacher forcing",
                step=max(other.diverged_at for other in self.members), checkpoint=None,
            )

    def _epoch_end(self, active: list[Member]) -> None:
        t = self.t
        records = []
        for m in active:
            s = m.state
            records.append({"loss": s.loss_sum / max(s.batches, 1), "alpha": self.forcing.alphas[m.index],
                            "lr": s.lr})
        validate = active[0].parts["valid"] is not None and validation_due(
            active[0].state.epoch + 1, t.valid_every, t.epochs)
        if validate:
            self._validate(active, records)
        for m, record in zip(active, records, strict=True):
            s, monitor = m.state, m.parts["monitor"]
            record["steps"] = s.step
            record["time"] = self.elapsed()
            score = monitor.score(record) if validate or not monitor.uses_valid else None
            if score is not None:
                m.parts["schedule"].epoch_end(score)
            if s.close_epoch(record, score, t.min_delta) and t.restore_best:
                s.best_state = trainable_state(m.problem.module)
            call_hook("chaoskit_train_epoch_end", model=m.model, trainer=m.trainer, epoch=s.epoch,
                      logs=dict(record))
            if t.patience is not None and s.bad_epochs >= t.patience:
                m.status = "stopped"

    def _validate(self, active: list[Member], records: list[dict[str, float]]) -> None:
        t = self.t
        for m in active:
            m.problem.module.eval()
        windows = torch.stack([m.parts["valid"] for m in active])
        with torch.no_grad(), self.forcing.frozen(), self.precision.autocast():
            preds = self._predict(active, windows).unbind(0)
            for m, record, x, p in zip(active, records, windows.unbind(0), preds, strict=True):
                record["valid_loss"] = float(m.parts["proxy"].loss(m.problem, x, p))
        for m, record in zip(active, records, strict=True):
            monitor = m.parts["monitor"]
            if monitor.metric is not None:
                record[monitor.name] = validation_metric(
                    monitor.metric, m.problem, m.problem.module, m.parts["valid"], context=t.valid_context,
                    attrs=m.data_attrs, variables=m.variables,
                )
            m.problem.module.train()

    def _finish(self, m: Member) -> TrainResult:
        s, module = m.state, m.problem.module
        best_epoch = None
        if self.t.restore_best and s.best_state is not None:
            module.load_state_dict(s.best_state, strict=False)
            best_epoch = s.best_epoch
        module.eval()
        model_class = f"{type(m.model).__module__}:{type(m.model).__qualname__}"
        result = s.result(
            config=m.parts["config"], model_class=model_class, monitor=m.parts["monitor"].name,
            best_epoch=best_epoch, stopped_early=m.status == "stopped", checkpoint=None, wall=self.elapsed(),
            extra={"ensemble_size": len(self.members), "ensemble_member": m.index,
                   "diverged_at_step": m.diverged_at, "diverged": m.reason},
        )
        call_hook("chaoskit_train_end", model=m.model, trainer=m.trainer, result=result)
        return result
