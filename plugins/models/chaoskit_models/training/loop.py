"""The training loop of :class:`~chaoskit_models.training.GradientTrainer`."""

from __future__ import annotations

import json
import math
import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

import numpy as np
import torch
from chaoskit import DataError, ParameterError, TrainResult
from chaoskit.errors import TrainingDivergedError
from chaoskit.plugins import call_hook

from .checkpoint import read_checkpoint, write_checkpoint
from .history import History
from .lora import apply_lora, remove_lora
from .optim import clip_gradients, make_optimizer
from .precision import Precision
from .protocol import TrainingProblem
from .runstate import (
    RunState,
    describe,
    fingerprint,
    frozen_checksum,
    load_trained,
    progress_bar,
    trainable_names,
    trainable_state,
)
from .validation import Monitor, validation_due, validation_loss, validation_metric
from .windows import WindowSampler, validation_windows

if TYPE_CHECKING:
    from .trainer import GradientTrainer

__all__ = ["run_training"]


def run_training(
    trainer: GradientTrainer,
    model: Any,
    problem: TrainingProblem,
    *,
    data_attrs: Mapping[str, Any],
    variables: Sequence[str],
) -> TrainResult:
    """Train ``problem.module`` in place; return the :class:`chaoskit.TrainResult`."""
    run = _Run(trainer, model, problem, data_attrs=data_attrs, variables=variables)
    device = problem.train.device
    devices = [device.index or 0] if device.type == "cuda" else []
    with torch.random.fork_rng(devices=devices):
        return run.execute()


class _Run:
    def __init__(self, trainer: GradientTrainer, model: Any, problem: TrainingProblem, *,
                 data_attrs: Mapping[str, Any], variables: Sequence[str]) -> None:
        self.t, self.model, self.problem = trainer, model, problem
        self.data_attrs, self.variables = data_attrs, variables
        self.module = problem.module
        self.device = problem.train.device
        if trainer.window < problem.min_window:
            raise ParameterError(
                f"GradientTrainer.window = {trainer.window} is shorter than the {problem.min_window} "
                f"time points {type(model).__name__}'s loss needs; use window >= {problem.min_window}"
            )
        seed = trainer.seed if trainer.seed is not None else getattr(model, "seed", None)
        if seed is None:  # SeedSequence() draws its entropy from the OS: an int
            seed = cast(int, np.random.SeedSequence().entropy) % 2**63
        self.seed = int(seed)
        self.generator = torch.Generator().manual_seed(self.seed)
        self.model_class = f"{type(model).__module__}:{type(model).__qualname__}"
        self.fingerprint = fingerprint(model, trainer)
        self.fingerprint_json = json.dumps(self.fingerprint, sort_keys=True)
        self.dir = Path(trainer.checkpoint_dir) if trainer.checkpoint_dir else None
        self.last_checkpoint: str | None = None
        self.best_checkpoint: str | None = None

    # ------------------------------------------------------------------ set-up
    def _setup(self) -> None:
        t, module = self.t, self.module
        if t.lora is not None or t.warm_start:
            load_trained(self.model, module, "LoRA fine-tuning" if t.lora is not None else "warm_start")
        self.requires_grad = {n: p.requires_grad for n, p in module.named_parameters()}
        if t.lora is not None:
            apply_lora(module, t.lora, self.generator)
        dtype = self.problem.train.dtype
        self.precision = Precision(t.precision, self.device, dtype)
        self.optimizer = make_optimizer(
            t.optimizer, [p for p in module.parameters() if p.requires_grad],
            lr=t.lr, weight_decay=t.weight_decay, options=t.optimizer_options,
        )
        self.schedule = t.schedule.start(t.lr, t.lr_end, t.total_steps)
        self.forcing = t.teacher_forcing.start()
        self.sampler = WindowSampler(self.problem.train, t.window, t.batch_size, noise=t.noise,
                                     generator=self.generator)
        has_valid = self.problem.valid is not None
        valid_window = t.valid_window or t.window
        valid = self.problem.valid
        self.valid = (
            validation_windows(valid, valid_window, t.valid_windows) if valid is not None else None
        )
        self.monitor = Monitor(t.monitor, self.problem, has_valid=has_valid, window=valid_window,
                               context=t.valid_context)
        self.frozen_sum = frozen_checksum(module)
        self.state = RunState(history=History())

    def _resume_path(self) -> Path | None:
        resume = self.t.resume
        if resume is False:
            return None
        if resume is True:
            if self.dir is None:
                raise ParameterError("GradientTrainer(resume=True) needs checkpoint_dir=...")
            path = self.dir / "last.pt"
            return path if path.is_file() else None
        return Path(resume)

    def _restore(self, path: Path) -> None:
        ckpt = read_checkpoint(path, model_class=self.model_class, fingerprint=self.fingerprint)
        if float(ckpt["frozen_checksum"]) != self.frozen_sum:
            raise DataError(
                f"{path} was trained on other frozen (base) weights than this model has now; "
                "resume from the model the run started from"
            )
        expected = trainable_names(self.module)
        if set(ckpt["module"]) != expected:
            raise DataError(
                f"{path} holds the weights {sorted(ckpt['module'])}, but this run trains {sorted(expected)}; "
                "it was written by another version of the model or another LoRA set-up"
            )
        self.module.load_state_dict(ckpt["module"], strict=False)
        self.optimizer.load_state_dict(ckpt["optimizer"])
        self.schedule.load_state_dict(ckpt["schedule"])
        self.precision.load_state_dict(ckpt["precision"])
        self.forcing.load_state_dict(ckpt["forcing"])
        self.generator.set_state(ckpt["generator"])
        torch.set_rng_state(ckpt["torch_rng"])
        if self.device.type == "cuda" and ckpt.get("cuda_rng") is not None:
            torch.cuda.set_rng_state(ckpt["cuda_rng"], self.device)
        self.seed = int(ckpt["seed"])
        self.state.load_state_dict(ckpt["run"])
        self.last_checkpoint = str(path)
        if self.dir is not None and (self.dir / "best.pt").is_file():
            self.best_checkpoint = str(self.dir / "best.pt")

    def _checkpoint(self) -> None:
        assert self.dir is not None
        for name, p in self.module.named_parameters():
            if p.requires_grad and not bool(torch.isfinite(p).all()):
                self._diverged(f"parameter {name} became non-finite", self.state.step)
        state = {
            "model_class": self.model_class, "fingerprint": self.fingerprint_json,
            "frozen_checksum": self.frozen_sum, "seed": self.seed,
            "module": trainable_state(self.module), "optimizer": self.optimizer.state_dict(),
            "schedule": self.schedule.state_dict(), "precision": self.precision.state_dict(),
            "forcing": self.forcing.state_dict(), "generator": self.generator.get_state(),
            "torch_rng": torch.get_rng_state(),
            "cuda_rng": torch.cuda.get_rng_state(self.device) if self.device.type == "cuda" else None,
            "run": self.state.state_dict(self.elapsed()),
        }
        self.last_checkpoint = str(write_checkpoint(self.dir / "last.pt", state))

    def _diverged(self, what: str, step: int) -> None:
        s = self.state
        kept = (f"the last good checkpoint is {self.last_checkpoint}" if self.last_checkpoint
                else "no checkpoint was written (set checkpoint_dir= to keep one)")
        raise TrainingDivergedError(
            f"training of {type(self.model).__name__} diverged at step {step} "
            f"(epoch {s.epoch + 1}): {what}; {kept}. Lower lr, set grad_clip, or use teacher forcing",
            step=step, checkpoint=self.last_checkpoint,
        )

    def elapsed(self) -> float:
        return self.state.wall_before + time.perf_counter() - self.t0

    # ------------------------------------------------------------------ the run
    def execute(self) -> TrainResult:
        self.t0 = time.perf_counter()
        self._setup()
        torch.manual_seed(self.seed)
        path = self._resume_path()
        if path is not None:
            self._restore(path)
        t = self.t
        config = {**describe(t), "seed": self.seed, "total_steps": t.total_steps,
                  "resumed_from": None if path is None else str(path)}
        call_hook("chaoskit_train_start", model=self.model, trainer=t, config=config)
        self.module.train()
        with progress_bar(t.progress, t.total_steps, self.state.step) as bar:
            stopped_early = self._epochs(bar)
        result = self._finish(stopped_early, config)
        call_hook("chaoskit_train_end", model=self.model, trainer=t, result=result)
        return result

    def _epochs(self, bar: Any) -> bool:
        t, s = self.t, self.state
        while s.epoch < t.epochs:
            while s.batches < t.batches_per_epoch:
                if t.max_steps is not None and s.step >= t.max_steps:
                    if self.dir is not None:
                        self._checkpoint()
                    return False
                self._step()
                if self.dir is not None and s.step % t.checkpoint_every == 0:
                    self._checkpoint()
                bar.update(1)
                if s.step % 10 == 0:
                    bar.set_postfix(loss=f"{s.last_loss:.4g}", alpha=f"{self.forcing.alpha:.3f}", refresh=False)
            if self._epoch_end():
                return True
        return False

    def _step(self) -> None:
        s, module = self.state, self.module
        lr = self.schedule.lr(s.step)
        for group in self.optimizer.param_groups:
            group["lr"] = lr
        windows = self.sampler.sample()
        self.optimizer.zero_grad(set_to_none=True)
        with self.precision.autocast():
            loss = self.problem.loss(module, windows, self.forcing)
        value = float(loss.detach())
        if not math.isfinite(value):
            self._diverged(f"the loss became {value}", s.step + 1)
        self.precision.backward(loss)
        self.precision.step(self.optimizer, self._clip)
        s.step += 1
        s.batches += 1
        s.loss_sum += value
        s.last_loss, s.lr = value, lr

    def _clip(self) -> None:
        clip_gradients(self.optimizer, self.t.grad_clip)

    def _epoch_end(self) -> bool:
        t, s, module = self.t, self.state, self.module
        record = {"loss": s.loss_sum / max(s.batches, 1), "alpha": self.forcing.alpha, "lr": s.lr}
        validate = self.valid is not None and validation_due(s.epoch + 1, t.valid_every, t.epochs)
        if validate:
            assert self.valid is not None  # validate implies it
            module.eval()
            with self.precision.autocast():
                record["valid_loss"] = validation_loss(self.problem, module, self.valid, self.forcing)
            if self.monitor.metric is not None:
                record[self.monitor.name] = validation_metric(
                    self.monitor.metric, self.problem, module, self.valid, context=t.valid_context,
                    attrs=self.data_attrs, variables=self.variables,
                )
            module.train()
        record["steps"] = s.step
        record["time"] = self.elapsed()
        score = self.monitor.score(record) if validate or not self.monitor.uses_valid else None
        if score is not None:
            self.schedule.epoch_end(score)
        if s.close_epoch(record, score, t.min_delta) and (t.restore_best or self.dir is not None):
            s.best_state = trainable_state(module)
            if self.dir is not None:
                self.best_checkpoint = str(write_checkpoint(
                    self.dir / "best.pt",
                    {"model_class": self.model_class, "fingerprint": self.fingerprint_json,
                     "epoch": s.epoch, "score": s.best_score, "module": s.best_state},
                ))
        call_hook("chaoskit_train_epoch_end", model=self.model, trainer=t, epoch=s.epoch, logs=dict(record))
        return t.patience is not None and s.bad_epochs >= t.patience

    def _finish(self, stopped_early: bool, config: Mapping[str, Any]) -> TrainResult:
        t, s, module = self.t, self.state, self.module
        best_epoch = None
        if t.restore_best and s.best_state is not None:
            module.load_state_dict(s.best_state, strict=False)
            best_epoch = s.best_epoch
        if t.lora is not None:
            remove_lora(module, merge=True)
            for name, p in module.named_parameters():
                p.requires_grad_(self.requires_grad.get(name, True))
        module.eval()
        return s.result(
            config=config, model_class=self.model_class, monitor=self.monitor.name, best_epoch=best_epoch,
            stopped_early=stopped_early, checkpoint=self.best_checkpoint or self.last_checkpoint,
            wall=self.elapsed(),
        )
