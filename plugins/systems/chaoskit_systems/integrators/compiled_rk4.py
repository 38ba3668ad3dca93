"""Fixed-step RK4 with chunks of :data:`CHUNK` steps per ``torch.compile``-d call.

The step schedule is that of :func:`.rk4.integrate_rk4` — every output interval split into
the fewest equal substeps of size at most ``step`` — flattened into one sequence of
``(t_j, h_j)`` and cut into chunks; the last chunk is padded with steps of size 0 (which leave
a finite state unchanged). Each compiled call takes one chunk's times, steps and output
columns and writes the states after the steps that end an output interval into the output
buffer itself. Times reach the vector field as one float per member (``(members,)`` tensors).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Hashable
from typing import Any

import numpy as np
import torch

from ..compiled import callable_key, compiled
from .result import RHS, IntegrationResult, mark_nonfinite
from .rk4 import substeps

__all__ = ["CHUNK", "integrate_rk4_compiled"]

CHUNK = 16
"""RK4 steps per compiled call."""
_OPTIONS = {"cpp_wrapper": True, "memory_planning": True}  # see compiled_adaptive


def _build_chunk(rhs: RHS) -> Callable[..., torch.Tensor]:
    def chunk(
        y: torch.Tensor, starts: torch.Tensor, steps: torch.Tensor, columns: torch.Tensor,
        out_flat: torch.Tensor,
    ) -> torch.Tensor:
        members = y.shape[0]
        spare = out_flat.shape[0] - 1
        base = torch.arange(members, device=y.device) * (spare // members)
        for j in range(CHUNK):
            t, h = starts[j], steps[j]
            half = 0.5 * h
            mid = (t + half).to(y.dtype).expand(members)
            hh, hd = half.to(y.dtype), h.to(y.dtype)
            k1 = rhs(t.to(y.dtype).expand(members), y)
            k2 = rhs(mid, y + hh * k1)
            k3 = rhs(mid, y + hh * k2)
            k4 = rhs((t + h).to(y.dtype).expand(members), y + hd * k3)
            y = y + (hd / 6.0) * ((k1 + k4) + 2.0 * (k2 + k3))
            rows = torch.where(columns[j] >= 0, base + columns[j], spare)
            out_flat.index_put_((rows,), y)
        return y

    return chunk


def _schedule(
    times: list[float], t0: float, step: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, list[int]]:
    """Start times, steps and output columns (−1: none) of every substep (padded to whole
    chunks), the columns whose output is the initial state, and the substeps of every output
    interval after the first (as :func:`.rk4.integrate_rk4` reports them)."""
    starts: list[float] = []
    sizes: list[float] = []
    columns: list[int] = []
    initial: list[int] = []
    inner: list[int] = []
    t = t0
    for k, t_next in enumerate(times):
        m = substeps(t_next - t, step)
        if m == 0:
            initial.append(k)  # only t_out[0] == t0 can take no step
        else:
            h = (t_next - t) / m
            starts.extend(t + j * h for j in range(m))
            sizes.extend([h] * m)
            columns.extend([-1] * (m - 1) + [k])
            if k:
                inner.append(m)
        t = t_next
    pad = (-len(starts)) % CHUNK
    starts += [times[-1]] * pad
    sizes += [0.0] * pad
    columns += [-1] * pad
    return (np.asarray(starts), np.asarray(sizes), np.asarray(columns, dtype=np.int64),
            np.asarray(initial, dtype=np.int64), inner)


@torch.no_grad()
def integrate_rk4_compiled(
    rhs: RHS, x0: torch.Tensor, t_out: torch.Tensor, *, t0: float, step: float,
    key: Hashable | None = None,
) -> IntegrationResult:
    """:func:`.rk4.integrate_rk4` with chunks of steps compiled (same arguments and result);
    ``key`` identifies ``rhs`` completely for the cache of :mod:`..compiled` (default
    :func:`..compiled.callable_key`).

    Not differentiable (runs without gradients); ``info["compiled"]`` is true.
    """
    members, dim = x0.shape
    device = x0.device
    key = callable_key(rhs) if key is None else key
    run = compiled(("rk4", key, members, CHUNK, *sorted(_OPTIONS)),  # static members, see
                   lambda: _build_chunk(rhs), options=_OPTIONS)      # compiled_adaptive
    times = t_out.detach().to(device="cpu", dtype=torch.float64).tolist()
    n = len(times)
    starts, sizes, columns, initial, inner = _schedule(times, float(t0), float(step))
    out_flat = torch.full((members * n + 1, dim), math.nan, dtype=x0.dtype, device=device)
    out = out_flat[: members * n].view(members, n, dim)
    out[:, torch.as_tensor(initial, device=device)] = x0.unsqueeze(1)
    torch._dynamo.mark_dynamic(out_flat, 0)  # one compiled chunk for any number of outputs
    start_t = torch.as_tensor(starts, dtype=torch.float64, device=device).view(-1, CHUNK)
    size_t = torch.as_tensor(sizes, dtype=torch.float64, device=device).view(-1, CHUNK)
    column_t = torch.as_tensor(columns, device=device).view(-1, CHUNK)
    y = x0
    for c in range(start_t.shape[0]):
        y = run(y, start_t[c], size_t[c], column_t[c], out_flat)
    members_failed, when = mark_nonfinite(out, t_out.detach().to(torch.float64))
    real = len(sizes) - int((sizes == 0).sum())
    sub = max(inner) if inner else 1
    spacing = (times[-1] - times[0]) / max(1, n - 1)
    info: dict[str, Any] = {
        "integrator": "rk4",
        "compiled": True,
        "step": spacing / sub if inner else float(step),
        "substeps": sub,
        "steps": real,
        "failed_members": members_failed,
        "failed_times": when,
        "failed_reasons": ["non-finite state"] * len(members_failed),
    }
    return IntegrationResult(state=out, info=info)

