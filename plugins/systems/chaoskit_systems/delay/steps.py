"""The method of steps for delay equations ``x'(t) = f(t, x(t), x(t − τ))``: fixed-step RK4.

The step is ``h = τ/m`` for a whole number ``m`` of steps per delay, so the delayed arguments of
the RK4 stages fall on stored points: the stages at ``t`` and ``t + h`` need ``x(t − τ)`` and
``x(t + h − τ)``, which are earlier grid points, and the two stages at ``t + h/2`` need
``x(t + h/2 − τ)``, a *half step*. Every step stores its own half-step value, taken from RK4's
continuous extension at ``θ = 1/2``::

    x(t + h/2) ≈ x + h·(5/24·k1 + 1/6·k2 + 1/6·k3 − 1/24·k4)

(order 3 locally, i.e. an O(h⁴) error per value, which keeps the method of order 4 overall: the
delayed value enters each step multiplied by ``h``). So the buffer holds the history at spacing
``h/2`` over ``[t − τ, t]``: ``2m + 1`` values per component. No interpolation between stored
points is ever needed; breaking points of the solution (``t = 0, τ, 2τ, …``, where the
derivative of a constant history jumps) fall on step boundaries, so they cost no order.

Output times off the grid are served by the same continuous extension (weights
``b1 = θ − 3θ²/2 + 2θ³/3``, ``b2 = b3 = θ² − 2θ³/3``, ``b4 = −θ²/2 + 2θ³/3``), which is exact at
``θ = 0`` and ``θ = 1``.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np
import torch

from ..integrators.result import IntegrationResult, mark_nonfinite

__all__ = ["DelayRHS", "delay_rk4_step", "dense_weights", "integrate_steps", "shift_history"]

DelayRHS = Callable[[Any, torch.Tensor, torch.Tensor], torch.Tensor]
"""``f(t, x, x_delayed)``: states ``(members, d)`` (any leading dims), ``t`` a Python float."""

_HALF = (5.0 / 24.0, 1.0 / 6.0, 1.0 / 6.0, -1.0 / 24.0)  # continuous extension at θ = 1/2


def delay_rk4_step(
    rhs: DelayRHS, t: float, x: torch.Tensor, lag0: torch.Tensor, lag_half: torch.Tensor,
    lag1: torch.Tensor, h: float,
) -> tuple[torch.Tensor, torch.Tensor, tuple[torch.Tensor, ...]]:
    """One RK4 step of the delay equation from ``(t, x)``.

    ``lag0``, ``lag_half``, ``lag1`` are ``x(t − τ)``, ``x(t + h/2 − τ)`` and ``x(t + h − τ)``.
    Returns ``(x_half, x_new, (k1, k2, k3, k4))``: the half-step value (continuous extension at
    ``θ = 1/2``), the new state and the stage derivatives. Out-of-place arithmetic only, so the
    step is differentiable and composes with :mod:`torch.func`.
    """
    half = 0.5 * h
    k1 = rhs(t, x, lag0)
    k2 = rhs(t + half, torch.add(x, k1, alpha=half), lag_half)
    k3 = rhs(t + half, torch.add(x, k2, alpha=half), lag_half)
    k4 = rhs(t + h, torch.add(x, k3, alpha=h), lag1)
    x_new = torch.add(x, torch.add(k1 + k4, k2 + k3, alpha=2.0), alpha=h / 6.0)
    mid = _HALF[0] * k1 + _HALF[1] * (k2 + k3) + _HALF[3] * k4
    x_half = torch.add(x, mid, alpha=h)
    return x_half, x_new, (k1, k2, k3, k4)


def dense_weights(theta: np.ndarray) -> np.ndarray:
    """RK4's continuous-extension weights ``(len(θ), 4)`` at ``θ ∈ [0, 1]`` (order 3)."""
    th = np.asarray(theta, dtype=np.float64)[:, None]
    b1 = th - 1.5 * th**2 + (2.0 / 3.0) * th**3
    b2 = th**2 - (2.0 / 3.0) * th**3
    b4 = -0.5 * th**2 + (2.0 / 3.0) * th**3
    return np.concatenate((b1, b2, b2, b4), axis=1)


def shift_history(
    rhs: DelayRHS, t: float, history: torch.Tensor, h: float
) -> torch.Tensor:
    """Advance a history ``(..., 2m + 1, d)`` (oldest first, spacing ``h/2``) by one step ``h``.

    Functional form of the ring buffer of :func:`integrate_steps` (same arithmetic, so the same
    numbers): drop the two oldest values, append the half-step value and the new state.
    """
    x = history[..., -1, :]
    x_half, x_new, _ = delay_rk4_step(
        rhs, t, x, history[..., 0, :], history[..., 1, :], history[..., 2, :], h
    )
    return torch.cat((history[..., 2:, :], x_half.unsqueeze(-2), x_new.unsqueeze(-2)), dim=-2)


@torch.no_grad()
def integrate_steps(
    rhs: DelayRHS, history: torch.Tensor, t_out: np.ndarray, *, m: int, tau: float,
) -> IntegrationResult:
    """Integrate a delay equation by the method of steps; states at the output times.

    Parameters
    ----------
    rhs
        ``f(t, x, x_delayed)``, batched over members (see :data:`DelayRHS`).
    history
        The initial history ``(members, 2m + 1, d)``: ``x`` at ``t = −τ + j·h/2``,
        ``j = 0 … 2m`` (the last is ``x(0)``); dtype and device are used throughout.
    t_out
        Output times ``(n,)``, non-decreasing from ``t_out[0] ≥ 0``.
    m, tau
        Steps per delay and the delay: the step is ``h = τ/m``.

    Returns
    -------
    IntegrationResult
        ``state`` ``(members, n, d)``; output times on the grid (within 1e-9 relative) take the
        grid value, others RK4's continuous extension. ``info``: ``steps`` (RK4 steps taken)
        and the members that went non-finite (NaN from then on).
    """
    members, length, dim = history.shape
    if length != 2 * m + 1:
        raise ValueError(f"history must hold 2m + 1 = {2 * m + 1} points, got {length}")
    h = tau / m
    times = np.asarray(t_out, dtype=np.float64)
    ratio = times / h
    nearest = np.rint(ratio)
    on_grid = np.abs(ratio - nearest) <= 1e-9 * np.maximum(1.0, nearest)
    # output k is served by step n_k (from t_n to t_n + h) at θ_k ∈ (0, 1]; t = 0 by no step
    step_of = np.where(on_grid, nearest - 1, np.ceil(ratio) - 1).astype(np.int64)
    theta = np.where(on_grid, 1.0, ratio - step_of)
    total = int(step_of.max()) + 1 if times.size else 0
    out = history.new_full((members, times.size, dim), math.nan)
    at_start = step_of < 0
    if at_start.any():
        out[:, torch.as_tensor(np.flatnonzero(at_start), device=history.device)] = history[:, -1:, :]
    plan: dict[int, tuple[torch.Tensor, torch.Tensor | None]] = {}
    for n in np.unique(step_of[~at_start]).tolist():
        cols = np.flatnonzero(step_of == n)
        weights = None
        if not np.all(theta[cols] == 1.0):
            weights = torch.as_tensor(dense_weights(theta[cols]), dtype=history.dtype,
                                      device=history.device)
        plan[n] = (torch.as_tensor(cols, device=history.device), weights)

    size = 2 * m + 1
    # ring buffer: the value at half-index j (time j·h/2) lives in slot j mod (2m + 1); the
    # history's point i is half-index i − 2m, i.e. slot (i + 1) mod (2m + 1): a roll by one
    ring = torch.roll(history, shifts=1, dims=1)
    x = history[:, -1].clone()
    for n in range(total):
        j = 2 * n
        t = n * h
        x_half, x_new, stages = delay_rk4_step(
            rhs, t, x, ring[:, (j - 2 * m) % size], ring[:, (j - 2 * m + 1) % size],
            ring[:, (j - 2 * m + 2) % size], h,
        )
        job = plan.get(n)
        if job is not None:
            columns, weights = job
            if weights is None:
                out[:, columns] = x_new.unsqueeze(1)
            else:  # x + h Σ_i b_i(θ) k_i for every output of this step
                k = torch.stack(stages, dim=1)  # (members, 4, d)
                out[:, columns] = x.unsqueeze(1) + h * torch.einsum("pi,mid->mpd", weights, k)
        ring[:, (j + 1) % size] = x_half
        ring[:, (j + 2) % size] = x_new
        x = x_new
    failed, when = mark_nonfinite(out, torch.as_tensor(times))
    info: dict[str, Any] = {
        "steps": total,
        "failed_members": failed,
        "failed_times": when,
        "failed_reasons": ["non-finite state"] * len(failed),
    }
    return IntegrationResult(state=out, info=info)
