"""The adaptive driver of :mod:`.adaptive` with its iterations compiled by ``torch.compile``.

One compiled call does what :data:`UNROLL` iterations of :func:`.adaptive.integrate_adaptive`
do — the attempt of every member (:mod:`.fused`), its error norm, the step-size controller,
accept or reject, and the dense output for a window of the next :data:`WINDOW` output times of
each member, scattered into the output buffer — and returns the three flags the Python loop
needs (one device sync per call). When a member's accepted step covers more than the window,
the rest of that call's iterations change nothing and the eager emission of :mod:`.adaptive`
serves the outputs the window missed. The controller, its constants and the output rule are
those of the eager driver, so both take the same steps up to rounding (the step budget is
checked per call, so it may be exceeded by up to ``UNROLL − 1`` attempts). The dense-output
stages of DOP853 are evaluated on every attempt (a graph has no branch): three right-hand
sides more per step.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Hashable
from typing import Any

import torch

from ..compiled import callable_key, compiled
from .adaptive import (
    _TINY_H,
    Scheme,
    _emit,
    _too_many_steps,
    default_max_steps,
    run_info,
    start_state,
    step_factor,
)
from .fused import FUSED, FusedScheme
from .result import RHS, IntegrationResult

__all__ = ["WINDOW", "integrate_adaptive_compiled"]

WINDOW = 8
"""Output times served per member and iteration inside the compiled function."""
UNROLL = 4
"""Iterations per compiled call (one device sync each)."""
_F64 = torch.float64
# a C++ wrapper and one memory pool for all intermediates: 5× less time per call at one
# member than the default Python wrapper that allocates every intermediate buffer
_OPTIONS = {"cpp_wrapper": True, "memory_planning": True}


def _build_block(rhs: RHS, fused: FusedScheme, exponent: float, unroll: int) -> Callable[..., Any]:
    """The eager function that ``torch.compile`` turns into ``unroll`` iterations of the driver.

    After an iteration where a member's step passes the whole output window, the remaining
    iterations of the block change nothing (``halt``), and that iteration's step is returned
    for the eager emission of the outputs the window missed.
    """

    def one(state: list[torch.Tensor], out_flat: torch.Tensor, t_pad: torch.Tensor,
            limits: torch.Tensor) -> list[torch.Tensor]:
        (t, y, f, h, nxt, active, no_growth, accepted, rejected, iterations, halt,
         stalled_any, stall_finite, saved_coefficients, saved_t, saved_h, saved_t_new,
         saved_accept) = state
        rtol, atol, t_end, dt_max = limits.unbind()
        members, n = y.shape[0], t_pad.shape[0] - WINDOW - 1
        go = ~halt
        remaining = t_end - t
        last = h >= remaining
        h_try = torch.where(last, remaining, h)
        y_new, f_new, err, coefficients = fused.attempt(
            rhs, t, y, h_try, f, rtol.to(y.dtype), atol.to(y.dtype)
        )
        finite = torch.isfinite(err)
        accept = active & finite & (err <= 1.0) & go
        t_new = torch.where(last, t_end, t + h_try)
        ahead = nxt.unsqueeze(-1) + torch.arange(WINDOW, device=t.device)  # (members, W)
        t_ahead = t_pad[ahead]
        covered = (t_ahead <= t_new.unsqueeze(-1)) & accept.unsqueeze(-1)
        overflow = (accept & (t_pad[nxt + WINDOW] <= t_new)).any()
        safe_h = torch.where(accept, h_try, 1.0).unsqueeze(-1)
        theta = torch.where(covered, (t_ahead - t.unsqueeze(-1)) / safe_h, 0.0)
        values = fused.evaluate(coefficients, theta)  # (members, W, d)
        rows = torch.arange(members, device=t.device).unsqueeze(-1) * n + ahead
        rows = torch.where(covered, rows, members * n)  # the spare last row takes the rest
        out_flat.index_put_((rows.reshape(-1),), values.reshape(-1, y.shape[-1]))
        h_next = (h_try * step_factor(err, finite, no_growth, exponent)).clamp_max(dt_max)
        stalled = active & ~accept & (h_next <= _TINY_H * t.abs()) & go
        still = torch.where(go, active & ~(accept & last) & ~stalled, active)
        keep = accept.unsqueeze(-1)
        return [
            torch.where(accept, t_new, t), torch.where(keep, y_new, y),
            torch.where(keep, f_new, f), torch.where(go, torch.where(still, h_next, 0.0), h),
            nxt + covered.sum(dim=-1), still, torch.where(go, ~accept, no_growth),
            accepted + accept, rejected + (active & go & ~accept),
            iterations + (go & active.any()), halt | overflow, stalled_any | stalled,
            torch.where(stalled, finite, stall_finite),
            torch.where(overflow, coefficients, saved_coefficients),
            torch.where(overflow, t, saved_t), torch.where(overflow, h_try, saved_h),
            torch.where(overflow, t_new, saved_t_new), torch.where(overflow, accept, saved_accept),
        ]

    def block(core: list[torch.Tensor], out_flat: torch.Tensor, t_pad: torch.Tensor,
              limits: torch.Tensor) -> tuple[list[torch.Tensor], torch.Tensor]:
        t, y, active = core[0], core[1], core[5]
        no = torch.zeros_like(active)
        state = [*core, no.any(), no, no, y.new_zeros((fused.coefficients, *y.shape)), t, t, t, no]
        for _ in range(unroll):
            state = one(state, out_flat, t_pad, limits)
        flags = torch.stack((state[10], state[11].any(), state[5].any()))
        return state, flags

    return block


@torch.no_grad()
def integrate_adaptive_compiled(
    rhs: RHS,
    x0: torch.Tensor,
    t_out: torch.Tensor,
    *,
    scheme: Scheme,
    t0: float,
    rtol: float,
    atol: float,
    dt_max: float | None = None,
    first_step: float | None = None,
    max_steps: int | None = None,
    key: Hashable | None = None,
) -> IntegrationResult:
    """:func:`.adaptive.integrate_adaptive` with the iteration compiled (same arguments and
    result); ``key`` identifies ``rhs`` completely for the cache of :mod:`..compiled`
    (default :func:`..compiled.callable_key`).

    ``info["compiled"]`` is true. The first call for a new key, dtype, device or number of
    members compiles (seconds; inductor caches on disk for later processes).
    """
    members, dim = x0.shape
    dtype, device = x0.dtype, x0.device
    fused = FUSED[scheme.name]
    exponent = 1.0 / (scheme.error_order + 1)
    key = callable_key(rhs) if key is None else key
    block = compiled(
        # one function per number of members: static member loops (dynamic ones compile to
        # index expressions deep enough to overflow inductor's printer)
        ("adaptive", scheme.name, key, members, exponent, WINDOW, UNROLL, *sorted(_OPTIONS)),
        lambda: _build_block(rhs, fused, exponent, UNROLL), options=_OPTIONS,
    )
    t_out = t_out.to(device=device, dtype=_F64)
    n, t_end = t_out.numel(), float(t_out[-1])
    budget = default_max_steps(t0, t_out) if max_steps is None else int(max_steps)
    out_flat = torch.full((members * n + 1, dim), math.nan, dtype=dtype, device=device)
    out = out_flat[: members * n].view(members, n, dim)
    start = int((t_out <= t0).sum())
    out[:, :start] = x0.unsqueeze(1)
    accepted = torch.zeros(members, dtype=torch.long, device=device)
    rejected = torch.zeros_like(accepted)
    failures: dict[int, tuple[float, str]] = {}
    iterations = 0
    t_pad = torch.cat((t_out, torch.full((WINDOW + 1,), math.inf, dtype=_F64, device=device)))
    for tensor in (out_flat, t_pad):  # one compiled block for any number of output times
        torch._dynamo.mark_dynamic(tensor, 0)

    if start < n:
        t, y, f, h = start_state(rhs, x0, scheme, t0=t0, t_end=t_end, rtol=rtol, atol=atol,
                                 dt_max=dt_max, first_step=first_step)
        limits = torch.tensor(
            (rtol, atol, t_end, math.inf if dt_max is None else dt_max), dtype=_F64, device=device
        )
        nxt = torch.full((members,), start, dtype=torch.long, device=device)
        active = torch.ones(members, dtype=torch.bool, device=device)
        state = [t, y, f, h, nxt, active, torch.zeros_like(active), accepted, rejected,
                 torch.zeros((), dtype=torch.long, device=device)]
        while True:
            state, flags = block(state[:10], out_flat, t_pad, limits)
            overflow, any_stalled, any_left = flags.tolist()
            t, h, nxt, active = state[0], state[3], state[4], state[5]
            if overflow:  # a step passed the whole window: the rest of its outputs, eager
                coefficients, t_old, h_used, t_new, accept = state[13:18]
                count = torch.where(
                    accept, torch.searchsorted(t_out, t_new, right=True) - nxt, 0
                )
                _emit(out, t_out, nxt, count, int(count.max()), t_old, h_used, coefficients,
                      scheme.dense_eval)
                state[4] = nxt + count
            if any_stalled:
                for b in torch.nonzero(state[11]).flatten().tolist():
                    why = "step size underflow" if bool(state[12][b]) else "non-finite state"
                    failures[b] = (float(t[b]), why)
            if not any_left:
                break
            if int(state[9]) >= budget:
                _too_many_steps(scheme.name, budget, active, t, h, t_end)
        accepted, rejected, iterations = state[7], state[8], int(state[9])

    info = run_info(scheme, rtol, atol, accepted, rejected, iterations, failures, compiled=True)
    return IntegrationResult(state=out, info=info)
