"""The classic fourth-order Runge–Kutta method with a fixed step, batched over members."""

from __future__ import annotations

import math
from typing import Any

import torch

from .result import RHS, IntegrationResult, mark_nonfinite

__all__ = ["integrate_rk4", "rk4_step", "substeps"]


def rk4_step(rhs: RHS, t: Any, y: torch.Tensor, h: float) -> torch.Tensor:
    """One classic RK4 step of size ``h`` from ``(t, y)`` for every member at once.

    Out-of-place arithmetic only, so the step is differentiable with autograd and composes with
    :mod:`torch.func` transforms (``vmap``, ``jacrev``, ``jvp``).
    """
    half = 0.5 * h
    k1 = rhs(t, y)
    k2 = rhs(t + half, torch.add(y, k1, alpha=half))
    k3 = rhs(t + half, torch.add(y, k2, alpha=half))
    k4 = rhs(t + h, torch.add(y, k3, alpha=h))
    slope = torch.add(k1 + k4, k2 + k3, alpha=2.0)
    return torch.add(y, slope, alpha=h / 6.0)


def substeps(span: float, step: float) -> int:
    """The number of equal substeps of size ≤ ``step`` that cover ``span`` (0 for an empty span)."""
    if span <= 0.0:
        return 0
    return max(1, math.ceil(span / step * (1.0 - 1e-12)))


def integrate_rk4(
    rhs: RHS, x0: torch.Tensor, t_out: torch.Tensor, *, t0: float, step: float
) -> IntegrationResult:
    """Integrate ``x' = rhs(t, x)`` from ``(t0, x0)`` with RK4 and return the states at ``t_out``.

    Parameters
    ----------
    rhs
        The batched vector field, called with a Python float ``t`` (see :data:`RHS`).
    x0
        Initial states, shape ``(members, d)``; its dtype and device are used throughout.
    t_out
        Increasing output times ``(n,)`` with ``t_out[0] >= t0``.
    t0
        Start time.
    step
        Largest internal step. Every interval between consecutive output times (and the
        interval from ``t0`` to ``t_out[0]``) is split into the fewest equal substeps of size
        at most ``step``, so outputs fall exactly on step boundaries without interpolation.

    Returns
    -------
    IntegrationResult
        ``state`` of shape ``(members, n, d)``; ``info`` with the step used per output interval
        (``step``, ``substeps``), ``steps`` (total RK4 steps) and the members that went
        non-finite (their remaining outputs are NaN).
    """
    times = t_out.detach().to(device="cpu", dtype=torch.float64).tolist()
    out = x0.new_empty((x0.shape[0], len(times), x0.shape[1]))
    y, t = x0, float(t0)
    total = 0
    inner: list[int] = []
    for k, t_next in enumerate(times):
        m = substeps(t_next - t, step)
        if m:
            h = (t_next - t) / m
            for j in range(m):
                y = rk4_step(rhs, t + j * h, y, h)
            total += m
            if k:
                inner.append(m)
        out[:, k] = y
        t = t_next
    members, when = mark_nonfinite(out, t_out.detach().to(torch.float64))
    spacing = (times[-1] - times[0]) / max(1, len(times) - 1)
    sub = max(inner) if inner else 1
    info: dict[str, Any] = {
        "integrator": "rk4",
        "step": spacing / sub if inner else float(step),
        "substeps": sub,
        "steps": total,
        "failed_members": members,
        "failed_times": when,
        "failed_reasons": ["non-finite state"] * len(members),
    }
    return IntegrationResult(state=out, info=info)
