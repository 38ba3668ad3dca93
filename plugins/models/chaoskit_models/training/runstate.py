"""Bookkeeping of a training run: counters, best weights, fingerprints, the progress bar."""

from __future__ import annotations

import contextlib
import json
import math
import sys
from collections.abc import Iterator, Mapping
from typing import Any

import attrs
import torch
from chaoskit import ParameterError, TrainResult, encode_attrs

from .history import History

__all__ = [
    "RunState", "describe", "fingerprint", "frozen_checksum", "load_trained", "progress_bar", "trainable_names",
    "trainable_state",
]

#: trainer settings that do not change the sequence of optimizer steps, so a checkpoint may be
#: resumed with other values of them
_RESUMABLE = frozenset({
    "progress", "checkpoint_dir", "checkpoint_every", "resume", "max_steps", "patience",
    "min_delta", "restore_best",
})


@attrs.define
class RunState:
    """Counters of a run; everything but the modules' and optimizer's tensors."""

    history: History
    step: int = 0
    epoch: int = 0  # completed epochs
    batches: int = 0  # steps done in the current epoch
    loss_sum: float = 0.0
    last_loss: float = math.nan
    lr: float = math.nan
    best_score: float = math.inf
    best_epoch: int | None = None
    bad_epochs: int = 0
    best_state: dict[str, torch.Tensor] | None = None
    wall_before: float = 0.0  # seconds spent before the last resume

    def state_dict(self, wall: float) -> dict[str, Any]:
        return {
            "history": self.history.state_dict(), "step": self.step, "epoch": self.epoch,
            "batches": self.batches, "loss_sum": self.loss_sum, "last_loss": self.last_loss,
            "lr": self.lr, "best_score": self.best_score,
            "best_epoch": -1 if self.best_epoch is None else self.best_epoch,
            "bad_epochs": self.bad_epochs, "best_state": self.best_state, "wall": wall,
        }

    def close_epoch(self, record: Mapping[str, float], score: float | None, min_delta: float) -> bool:
        """Record the epoch, reset the per-epoch counters; ``True`` when ``score`` is a new best
        (``None``: the epoch was not scored, e.g. not validated, and does not compete)."""
        self.history.append(record)
        self.epoch += 1
        self.batches, self.loss_sum = 0, 0.0
        if score is None:
            return False
        if score < self.best_score - min_delta:
            self.best_score, self.best_epoch, self.bad_epochs = score, self.epoch, 0
            return True
        self.bad_epochs += 1
        return False

    def result(
        self, *, config: Mapping[str, Any], model_class: str, monitor: str, best_epoch: int | None,
        stopped_early: bool, checkpoint: str | None, wall: float, extra: Mapping[str, Any] | None = None,
    ) -> TrainResult:
        """The run's :class:`chaoskit.TrainResult` (history attrs: settings, best epoch, …)."""
        attrs_ = encode_attrs({
            "trainer": config, "model": model_class, "monitor": monitor,
            "best_epoch": -1 if best_epoch is None else best_epoch, "stopped_early": int(stopped_early),
            "steps": self.step, **(extra or {}),
        })
        return TrainResult(
            history=self.history.to_dataset(attrs_), best_epoch=best_epoch, checkpoint=checkpoint,
            wall_time=wall, stopped_early=stopped_early,
        )

    def load_state_dict(self, state: Mapping[str, Any]) -> None:
        self.history.load_state_dict(state["history"])
        self.step, self.epoch, self.batches = int(state["step"]), int(state["epoch"]), int(state["batches"])
        self.loss_sum, self.last_loss, self.lr = float(state["loss_sum"]), float(state["last_loss"]), float(state["lr"])
        self.best_score = float(state["best_score"])
        self.best_epoch = None if int(state["best_epoch"]) < 0 else int(state["best_epoch"])
        self.bad_epochs = int(state["bad_epochs"])
        self.best_state = state["best_state"]
        self.wall_before = float(state["wall"])


def _plain(value: Any) -> Any:
    """A JSON-safe description: attrs objects become ``{"type": ..., fields...}``."""
    if attrs.has(type(value)):
        fields = {f.name: _plain(getattr(value, f.name)) for f in attrs.fields(type(value))}
        return {"type": type(value).__name__, **fields}
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    return str(value)


def describe(trainer: Any) -> dict[str, Any]:
    """The trainer's settings as a JSON-safe dict (for hooks, history attrs, fingerprints)."""
    return json.loads(json.dumps(_plain(trainer), default=str))


def fingerprint(model: Any, trainer: Any) -> dict[str, Any]:
    """What must match for a checkpoint to be resumed: model hyperparameters and trainer settings."""
    settings = {k: v for k, v in describe(trainer).items() if k not in _RESUMABLE}
    hyper = {k: v for k, v in _plain(model.hyperparameters()).items() if k != "device"}
    return json.loads(json.dumps({"model": hyper, "trainer": settings}, default=str))


def load_trained(model: Any, module: torch.nn.Module, what: str) -> None:
    """Load ``model.module_state()`` (its last trained weights) into ``module`` for ``what``."""
    state = model.module_state()
    if state is None:
        raise ParameterError(
            f"{what} starts from trained weights, but {type(model).__name__} has none; "
            "fit it first (without lora / warm_start)"
        )
    try:
        module.load_state_dict(state)
    except RuntimeError as exc:
        raise ParameterError(
            f"{what}: the trained weights of {type(model).__name__} do not fit the module "
            f"its hyperparameters build now ({str(exc).splitlines()[0]}); fine-tune the model "
            "with the hyperparameters it was trained with"
        ) from None


def trainable_names(module: torch.nn.Module) -> set[str]:
    """``state_dict`` keys of the trainable parameters and of the persistent buffers.

    Taken from ``state_dict`` itself, so a non-persistent buffer (a constant mask rebuilt by the
    module's constructor) is never expected in a checkpoint."""
    trainable = {n for n, p in module.named_parameters() if p.requires_grad}
    buffers = {n for n, _ in module.named_buffers()}
    return {k for k in module.state_dict() if k in trainable or k in buffers}


def trainable_state(module: torch.nn.Module) -> dict[str, torch.Tensor]:
    """Copies of the trainable parameters and of all buffers (what a checkpoint must hold)."""
    keep = trainable_names(module)
    return {k: v.detach().clone() for k, v in module.state_dict().items() if k in keep}


def frozen_checksum(module: torch.nn.Module) -> float:
    """A float64 checksum of the frozen parameters (0.0 when every parameter is trained)."""
    total = 0.0
    with torch.no_grad():
        for p in module.parameters():
            if not p.requires_grad:
                d = p.detach().double()
                total += float(d.sum()) + float((d * d).sum())
    return total


@contextlib.contextmanager
def progress_bar(enabled: bool, total: int, initial: int) -> Iterator[Any]:
    """A tqdm bar over optimizer steps (loss, α, rate, time left), or a silent stand-in."""
    if enabled and sys.stderr.isatty():
        from tqdm.auto import tqdm

        bar = tqdm(total=total, initial=initial, unit="step", dynamic_ncols=True, desc="training")
        try:
            yield bar
        finally:
            bar.close()
    else:
        yield _Silent()


class _Silent:
    def update(self, n: int = 1) -> None:
        pass

    def set_postfix(self, **kwargs: Any) -> None:
        pass
