"""Tensor helpers shared inside chaoskit-systems: dtypes, devices, numpy↔torch, batched Jacobians.

Private to this package; the public entry points are :class:`~chaoskit_systems.base.TorchSystem`
and :class:`~chaoskit_systems.dynamics.TorchDynamics`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import torch
from chaoskit import ParameterError, torch_device

__all__ = [
    "as_tensor", "batched_jacobian", "resolve_device", "same_kind", "time_like", "torch_dtype",
]

_DTYPES = {"float32": torch.float32, "float64": torch.float64}


def torch_dtype(name: str) -> torch.dtype:
    """The torch dtype for ``"float32"`` or ``"float64"``."""
    try:
        return _DTYPES[name]
    except KeyError:
        raise ParameterError(f"dtype must be one of {sorted(_DTYPES)}, got {name!r}") from None


def resolve_device(name: str | torch.device) -> torch.device:
    """A usable torch device, or a clear error when it is malformed or absent on this machine."""
    return torch_device(name)


def as_tensor(
    x: Any, *, dtype: torch.dtype | None = None, device: torch.device | str | None = None
) -> torch.Tensor:
    """``x`` as a floating tensor; numpy float32 stays float32, other numbers become float64."""
    if isinstance(x, torch.Tensor):
        if dtype is None and not x.is_floating_point():
            dtype = torch.float64
        return x.to(dtype=dtype or x.dtype, device=device or x.device)
    array = np.asarray(x)
    if dtype is None:
        dtype = torch.float32 if array.dtype == np.float32 else torch.float64
    return torch.as_tensor(array, dtype=dtype, device=device)


def same_kind(x: Any, fn: Callable[[torch.Tensor], torch.Tensor]) -> Any:
    """Apply the tensor function ``fn`` to ``x`` and return the kind that came in.

    A tensor goes through untouched (autograd included); a numpy array or a nested sequence is
    converted to a tensor and the result returned as a numpy array.
    """
    if isinstance(x, torch.Tensor):
        return fn(x)
    return fn(as_tensor(x)).detach().cpu().numpy()


def time_like(t: Any, x: torch.Tensor) -> float | torch.Tensor:
    """A time for a right-hand side: a Python float, or a tensor on ``x``'s device and dtype."""
    if isinstance(t, torch.Tensor):
        return t.to(dtype=x.dtype, device=x.device)
    if isinstance(t, np.ndarray) and t.ndim > 0:
        return torch.as_tensor(t, dtype=x.dtype, device=x.device)
    return float(t)


def batched_jacobian(
    f: Callable[[Any, torch.Tensor], torch.Tensor], t: Any, x: torch.Tensor
) -> torch.Tensor:
    """``∂f(t, x)/∂x`` for states ``x`` of shape ``(..., d)`` by reverse-mode AD: ``(..., m, d)``.

    ``f`` must accept a single state of shape ``(d,)``; the leading dims are mapped with
    :func:`torch.func.vmap` (no Python loop). ``t`` is a number or a tensor broadcastable to
    ``x.shape[:-1]`` (one time per state).
    """
    lead, d = x.shape[:-1], x.shape[-1]
    flat = x.reshape(-1, d)
    t = time_like(t, x)
    if isinstance(t, torch.Tensor) and t.ndim > 0:
        times = torch.broadcast_to(t, lead).reshape(-1)
        jac: torch.Tensor = torch.func.vmap(torch.func.jacrev(f, argnums=1))(times, flat)
    else:
        jac = torch.func.vmap(torch.func.jacrev(lambda y: f(t, y)))(flat)
    return jac.reshape(*lead, jac.shape[-2], d)
