"""Training checkpoints: plain state dicts written atomically, read with ``weights_only=True``.

A checkpoint is a dict of tensors, numbers, strings, lists and dicts (no pickled objects), so
``torch.load(..., weights_only=True)`` reads it. It names the model class and carries a
fingerprint of the model's hyperparameters and of the trainer settings that shape the run; a
checkpoint of another class or of a different configuration is refused with the differences.
"""

from __future__ import annotations

import json
import os
import pickle
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import torch
from chaoskit import DataError

__all__ = ["FORMAT", "read_checkpoint", "write_checkpoint"]

FORMAT = "chaoskit-train-checkpoint/1"


def write_checkpoint(path: str | os.PathLike[str], state: Mapping[str, Any]) -> Path:
    """Write ``state`` to ``path`` atomically (temporary file, fsync, rename)."""
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(target.name + ".tmp")
    with open(tmp, "wb") as fh:
        torch.save({"format": FORMAT, **state}, fh)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, target)
    return target


def read_checkpoint(
    path: str | os.PathLike[str], *, model_class: str, fingerprint: Mapping[str, Any]
) -> dict[str, Any]:
    """Read a checkpoint written by :func:`write_checkpoint` and check that it fits this run.

    Raises
    ------
    DataError
        When the file is missing, unreadable or not a chaoskit training checkpoint, when it
        was written for another model class, or when the model's hyperparameters or the
        trainer's settings differ (the message lists them).
    """
    file = Path(path)
    if not file.is_file():
        raise DataError(f"no training checkpoint at {file}; train with checkpoint_dir=... first")
    try:
        state = torch.load(file, map_location="cpu", weights_only=True)
    except (pickle.UnpicklingError, RuntimeError, EOFError, OSError, ValueError) as exc:
        raise DataError(
            f"{file} is not a readable chaoskit training checkpoint ({type(exc).__name__}: "
            f"{str(exc).splitlines()[0] if str(exc) else ''}); delete it or point resume elsewhere"
        ) from None
    if not isinstance(state, dict) or state.get("format") != FORMAT:
        got = state.get("format") if isinstance(state, dict) else type(state).__name__
        raise DataError(f"{file}: unknown checkpoint format {got!r}, expected {FORMAT!r}")
    if state["model_class"] != model_class:
        raise DataError(
            f"{file} is a checkpoint of a {state['model_class']} model, not of {model_class}; "
            "resume with the model class that wrote it, or start a fresh run (resume=False)"
        )
    saved = json.loads(state["fingerprint"])
    differences = _differences(saved, dict(fingerprint))
    if differences:
        raise DataError(
            f"{file} was written with another configuration ({'; '.join(differences)}); "
            "resume with the settings that wrote it, or start a fresh run in another checkpoint_dir"
        )
    return state


def _differences(saved: Mapping[str, Any], current: Mapping[str, Any], prefix: str = "") -> list[str]:
    out = []
    for key in sorted(set(saved) | set(current)):
        a, b = saved.get(key, "<absent>"), current.get(key, "<absent>")
        if isinstance(a, Mapping) and isinstance(b, Mapping):
            out += _differences(a, b, f"{prefix}{key}.")
        elif a != b:
            out.append(f"{prefix}{key}: checkpoint {a!r}, now {b!r}")
    return out
