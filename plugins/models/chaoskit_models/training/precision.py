"""Mixed precision: autocast to bfloat16 or float16, with loss scaling for float16.

``"float"`` trains in the model's dtype. ``"bf16"`` and ``"fp16"`` run the loss's forward pass
under :func:`torch.autocast` (matrix products and the like in half precision, reductions and
the weights in float32); ``"fp16"`` adds a :class:`torch.amp.GradScaler`, since float16
gradients underflow without it. Autocast only casts float32 tensors, so mixed precision needs
a float32 model (``dtype="float32"``); bf16 works on the CPU and on recent GPUs, fp16 on GPUs
(and on the CPU in recent torch, slowly).
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Mapping
from typing import Any

import torch
from chaoskit import ParameterError

__all__ = ["PRECISIONS", "Precision"]

PRECISIONS = ("float", "bf16", "fp16")
_HALF = {"bf16": torch.bfloat16, "fp16": torch.float16}


class Precision:
    """Autocast context, backward pass and optimizer step for one precision setting.

    Parameters
    ----------
    kind
        ``"float"``, ``"bf16"`` or ``"fp16"``.
    device, dtype
        The model's device and parameter dtype.
    """

    def __init__(self, kind: str, device: torch.device, dtype: torch.dtype) -> None:
        if kind not in PRECISIONS:
            raise ParameterError(f"precision must be one of {list(PRECISIONS)}, got {kind!r}")
        if kind != "float" and dtype != torch.float32:
            raise ParameterError(
                f"precision={kind!r} needs a float32 model, got a {dtype} model: autocast does not "
                "cast float64 operations; create the model with dtype='float32' or use precision='float'"
            )
        self.kind = kind
        self.device_type = device.type
        self.scaler = torch.amp.GradScaler(device.type, enabled=kind == "fp16") if kind == "fp16" else None

    def autocast(self) -> contextlib.AbstractContextManager[Any]:
        """The context in which the loss is computed."""
        if self.kind == "float":
            return contextlib.nullcontext()
        return torch.autocast(self.device_type, dtype=_HALF[self.kind])

    def backward(self, loss: torch.Tensor) -> None:
        """Back-propagate ``loss`` (scaled for fp16)."""
        if self.scaler is not None:
            self.scaler.scale(loss).backward()
        else:
            loss.backward()

    def step(self, optimizer: torch.optim.Optimizer, before_step: Callable[[], None]) -> None:
        """Unscale the gradients, call ``before_step`` (gradient clipping), step the optimizer.

        With fp16 a step whose gradients overflowed is skipped and the scale reduced.
        """
        if self.scaler is not None:
            self.scaler.unscale_(optimizer)
            before_step()
            self.scaler.step(optimizer)
            self.scaler.update()
        else:
            before_step()
            optimizer.step()

    def state_dict(self) -> dict[str, Any]:
        return {} if self.scaler is None else dict(self.scaler.state_dict())

    def load_state_dict(self, state: Mapping[str, Any]) -> None:
        if self.scaler is not None and state:
            self.scaler.load_state_dict(dict(state))
