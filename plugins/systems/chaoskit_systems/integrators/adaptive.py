"""The per-member adaptive driver shared by the embedded Runge–Kutta pairs (dopri5, dop853).

Every member of the batch carries its own time, step size and accept/reject decision: the
batch advances in lock-step iterations, but in each iteration member ``b`` tries a step of its
own size ``h[b]`` and keeps it only if its own error norm is ≤ 1. No step is ever shared, so a
fast or stiff member changes neither the accuracy nor the step count of the others. Output
times are served by the scheme's continuous extension and never shorten a step; only the final
time does. Finished members ride along with a zero step until the last one is done, so a
right-hand side may hold per-member parameters of shape ``(members, …)``.

A method is a :class:`Scheme`: its step function, error norm and dense output. This module holds
everything else — Hairer's initial-step heuristic, the step-size controller, the output
bookkeeping, the step budget — once for all schemes.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import attrs
import torch
from chaoskit import ChaoskitError

from .result import RHS, IntegrationResult

__all__ = [
    "FAC_MAX", "FAC_MIN", "SAFETY", "Scheme", "default_max_steps", "initial_step",
    "integrate_adaptive", "run_info", "start_state", "step_factor",
]

SAFETY, FAC_MIN, FAC_MAX = 0.9, 0.2, 10.0
_F64 = torch.float64
_TINY_H = 16 * torch.finfo(_F64).eps  # relative to |t|: a smaller step no longer moves t
_WINDOW = 4  # upcoming output times checked per member and step without a binary search


@attrs.frozen(kw_only=True)
class Scheme:
    """An embedded Runge–Kutta pair as the adaptive driver uses it.

    Attributes
    ----------
    name
        The method's name (``info["integrator"]``, error messages).
    error_order
        Order ``q`` of the error estimate: the controller scales the step by
        ``0.9·err^(−1/(q+1))`` and the initial-step heuristic uses the exponent ``1/(q+1)``.
    dense_output
        A description of the continuous extension (``info["dense_output"]``).
    tableau
        ``tableau(dtype, device)``: the coefficients as tensors, built once per integration.
    step
        ``step(rhs, t, y, h, f0, tab) -> (y_new, stages, f_new)`` for every member at once, with
        ``t``, ``h`` float64 tensors ``(members,)`` and ``f0 = rhs(t, y)`` (FSAL); ``stages`` is
        whatever ``error`` and ``dense`` need.
    error
        ``error(y, y_new, stages, rtol, atol, tab) -> err`` ``(members,)``: the scaled error norm
        (a step is accepted when ``err ≤ 1``).
    dense
        ``dense(rhs, t, h, y, y_new, stages, f_new, tab) -> coefficients``: the continuous
        extension of the step (``coefficients[:, b]`` belongs to member ``b``).
    dense_eval
        ``dense_eval(coefficients, theta) -> (P, d)``: the extension at ``θ ∈ [0, 1]`` for
        coefficients ``(K, P, d)`` of ``P`` (member, time) pairs and ``θ`` ``(P,)``.
    """

    name: str
    error_order: int
    dense_output: str
    tableau: Callable[[torch.dtype, torch.device], Any]
    step: Callable[..., tuple[torch.Tensor, Any, torch.Tensor]]
    error: Callable[..., torch.Tensor]
    dense: Callable[..., torch.Tensor]
    dense_eval: Callable[[torch.Tensor, torch.Tensor], torch.Tensor]


def _rms(x: torch.Tensor) -> torch.Tensor:
    return x.square().mean(dim=-1).sqrt().to(_F64)


def initial_step(
    rhs: RHS, t0: torch.Tensor, y0: torch.Tensor, f0: torch.Tensor, *,
    rtol: float, atol: float, cap: float, order: int = 5,
) -> torch.Tensor:
    """Choose a first step per member (Hairer, Nørsett & Wanner, §II.4), at most ``cap``.

    ``order`` is the exponent's denominator of the heuristic ``(0.01 / max(d1, d2))^(1/order)``:
    5 for dopri5, 8 for dop853 (as in Hairer's codes).
    """
    scale = atol + rtol * y0.abs()
    d0, d1 = _rms(y0 / scale), _rms(f0 / scale)
    h0 = torch.where((d0 < 1e-5) | (d1 < 1e-5), 1e-6, 0.01 * d0 / d1).clamp_max(cap)
    f1 = rhs((t0 + h0).to(y0.dtype), y0 + h0.to(y0.dtype).unsqueeze(-1) * f0)
    d2 = _rms((f1 - f0) / scale) / h0
    dmax = torch.maximum(d1, d2)
    h1 = torch.where(
        dmax <= 1e-15, torch.clamp(h0 * 1e-3, min=1e-6), (0.01 / dmax) ** (1.0 / order)
    )
    h = torch.minimum(100.0 * h0, h1).clamp_max(cap)
    return torch.where(torch.isfinite(h) & (h > 0), h, h0)


def default_max_steps(t0: float, t_out: torch.Tensor) -> int:
    """Return 100,000 attempted steps plus 1,000 per (average) output interval of the span."""
    n = t_out.numel()
    span = float(t_out[-1]) - t0
    spacing = (float(t_out[-1]) - float(t_out[0])) / (n - 1) if n > 1 else span
    intervals = math.ceil(span / spacing) if spacing > 0 else 1
    return 100_000 + 1_000 * intervals


def step_factor(
    err: torch.Tensor, finite: torch.Tensor, no_growth: torch.Tensor, exponent: float = 0.2
) -> torch.Tensor:
    """``0.9·err^(−exponent)`` within [0.2, 10]; ≤ 1 right after a rejection; 0.2 if not finite."""
    fac = (SAFETY * err.clamp_min(1e-12).pow(-exponent)).clamp(FAC_MIN, FAC_MAX)
    fac = torch.where(no_growth, fac.clamp_max(1.0), fac)
    return torch.where(finite, fac, FAC_MIN)


@torch.no_grad()
def integrate_adaptive(
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
) -> IntegrationResult:
    """Integrate ``x' = rhs(t, x)`` from ``(t0, x0)`` with ``scheme`` and return the states at
    ``t_out``.

    Parameters
    ----------
    rhs
        The batched vector field, called with one time per member (see :data:`.result.RHS`).
    x0
        Initial states ``(members, d)``; dtype and device are used throughout (times are
        kept in float64 whatever the state dtype).
    t_out
        Increasing output times ``(n,)``, ``t_out[0] >= t0``.
    scheme
        The method (:class:`Scheme`).
    t0
        Start time.
    rtol, atol
        Tolerances of the per-member error norm (the scheme's, with the weights
        ``atol + rtol·max(|y|, |y_new|)``); a step is accepted if ≤ 1.
    dt_max
        Largest step allowed (``None``: unbounded).
    first_step
        First step for every member (``None``: chosen per member, see :func:`initial_step`).
    max_steps
        Attempted steps allowed per member (``None``: :func:`default_max_steps`). Exceeding it
        raises :class:`chaoskit.ChaoskitError` naming the member furthest behind.

    Returns
    -------
    IntegrationResult
        ``info`` holds ``steps_accepted`` and ``steps_rejected`` per member, ``iterations``
        (batch iterations = the largest number of attempts of any member) and the failed
        members. A member whose step underflows (typically after non-finite trial states) is
        stopped: its remaining outputs are NaN and it is listed with its time and the reason.
    """
    members, dim = x0.shape
    dtype, device = x0.dtype, x0.device
    tab = scheme.tableau(dtype, device)
    exponent = 1.0 / (scheme.error_order + 1)
    t_out = t_out.to(device=device, dtype=_F64)
    n, t_end = t_out.numel(), float(t_out[-1])
    budget = default_max_steps(t0, t_out) if max_steps is None else int(max_steps)
    out = torch.full((members, n, dim), math.nan, dtype=dtype, device=device)
    start = int((t_out <= t0).sum())
    out[:, :start] = x0.unsqueeze(1)
    accepted = torch.zeros(members, dtype=torch.long, device=device)
    rejected = torch.zeros_like(accepted)
    failures: dict[int, tuple[float, str]] = {}
    iterations = 0
    # output times padded with +inf, so a window of upcoming ones is read without bounds checks
    t_pad = torch.cat((t_out, torch.full((_WINDOW,), math.inf, dtype=_F64, device=device)))
    window = torch.arange(_WINDOW, device=device)

    if start < n:
        t, y, f, h = start_state(rhs, x0, scheme, t0=t0, t_end=t_end, rtol=rtol, atol=atol,
                                 dt_max=dt_max, first_step=first_step)
        nxt = torch.full((members,), start, dtype=torch.long, device=device)  # next output
        active = torch.ones(members, dtype=torch.bool, device=device)
        no_growth = torch.zeros_like(active)
        while True:
            iterations += 1
            remaining = t_end - t
            last = h >= remaining
            h = torch.where(last, remaining, h)
            y_new, stages, f_new = scheme.step(rhs, t, y, h, f, tab)
            err = scheme.error(y, y_new, stages, rtol, atol, tab)
            finite = torch.isfinite(err)
            accept = active & finite & (err <= 1.0)
            t_new = torch.where(last, t_end, t + h)
            passed = t_pad[nxt.unsqueeze(-1) + window] <= t_new.unsqueeze(-1)
            count = torch.where(accept, passed.sum(dim=-1), 0)  # outputs this step covers
            h_next = h * step_factor(err, finite, no_growth, exponent)
            if dt_max is not None:
                h_next = h_next.clamp_max(dt_max)
            stalled = active & ~accept & (h_next <= _TINY_H * t.abs())
            still = active & ~(accept & last) & ~stalled
            flags = torch.stack((count.max(), stalled.any(), still.any()))  # one device sync
            most, any_stalled, any_left = flags.tolist()

            if most >= _WINDOW:  # some member passed the whole window: count exactly
                count = torch.where(accept, torch.searchsorted(t_out, t_new, right=True) - nxt, 0)
                most = int(count.max())
            if most > 0:
                coefficients = scheme.dense(rhs, t, h, y, y_new, stages, f_new, tab)
                _emit(out, t_out, nxt, count, most, t, h, coefficients, scheme.dense_eval)
            nxt = nxt + count
            keep = accept.unsqueeze(-1).expand_as(y).contiguous()  # same-shape where: fast
            y = torch.where(keep, y_new, y)
            f = torch.where(keep, f_new, f)
            t = torch.where(accept, t_new, t)
            accepted += accept
            rejected += active ^ accept
            no_growth = ~accept
            if any_stalled:
                for b in torch.nonzero(stalled).flatten().tolist():
                    why = "step size underflow" if bool(finite[b]) else "non-finite state"
                    failures[b] = (float(t[b]), why)
            active = still
            h = torch.where(active, h_next, 0.0)
            if not any_left:
                break
            if iterations >= budget:
                _too_many_steps(scheme.name, budget, active, t, h, t_end)

    return IntegrationResult(
        state=out, info=run_info(scheme, rtol, atol, accepted, rejected, iterations, failures)
    )


def start_state(
    rhs: RHS, x0: torch.Tensor, scheme: Scheme, *, t0: float, t_end: float, rtol: float,
    atol: float, dt_max: float | None, first_step: float | None,
) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor]:
    """``(t, y, f, h)`` at the start: times (float64), states, ``rhs`` there (FSAL), first steps."""
    t = torch.full((x0.shape[0],), float(t0), dtype=_F64, device=x0.device)
    y = x0.clone()
    f = rhs(t.to(x0.dtype), y)
    cap = min(t_end - t0, dt_max or math.inf)
    if first_step is None:
        h = initial_step(rhs, t, y, f, rtol=rtol, atol=atol, cap=cap, order=scheme.error_order + 1)
    else:
        h = torch.full_like(t, min(first_step, cap))
    return t, y, f, h


def run_info(
    scheme: Scheme, rtol: float, atol: float, accepted: torch.Tensor, rejected: torch.Tensor,
    iterations: int, failures: dict[int, tuple[float, str]], **extra: Any,
) -> dict[str, Any]:
    """The ``info`` of an adaptive run (``extra`` entries follow ``dense_output``)."""
    failed = sorted(failures)
    return {
        "integrator": scheme.name,
        "rtol": float(rtol),
        "atol": float(atol),
        "dense_output": scheme.dense_output,
        **extra,
        "steps_accepted": accepted.tolist(),
        "steps_rejected": rejected.tolist(),
        "iterations": iterations,
        "failed_members": failed,
        "failed_times": [failures[b][0] for b in failed],
        "failed_reasons": [failures[b][1] for b in failed],
    }


def _emit(
    out: torch.Tensor, t_out: torch.Tensor, nxt: torch.Tensor, count: torch.Tensor, most: int,
    t: torch.Tensor, h: torch.Tensor, coefficients: torch.Tensor,
    dense_eval: Callable[[torch.Tensor, torch.Tensor], torch.Tensor],
) -> None:
    """Write the dense output of this step for every (member, output time) pair it covers."""
    pairs = torch.nonzero(torch.arange(most, device=out.device) < count.unsqueeze(-1))
    who, ahead = pairs.unbind(-1)
    cols = nxt[who] + ahead
    theta = (t_out[cols] - t[who]) / h[who]
    out[who, cols] = dense_eval(coefficients[:, who], theta)


def _too_many_steps(
    name: str, budget: int, active: torch.Tensor, t: torch.Tensor, h: torch.Tensor, t_end: float
) -> None:
    b = int(torch.where(active, t, math.inf).argmin())
    step, at = float(h[b]), float(t[b])
    cause = (
        "The problem may be stiff — chaoskit's integrators are explicit: integrate a stiff "
        "system with an implicit method, e.g. scipy.integrate.solve_ivp(system.rhs, (t0, t1), x0, "
        "method='Radau' or 'LSODA') (rhs takes numpy states), or change the parameters that make "
        "it stiff — or the tolerances too tight for the dtype: raise max_steps, loosen rtol/atol, "
        "or use a fixed-step method"
    )
    raise ChaoskitError(
        f"{name}: member {b} did not reach t = {t_end:g} within max_steps = {budget} attempted "
        f"steps; it is at t = {at:.6g} with step size {step:.3g} "
        f"({int(active.sum())} member(s) unfinished). {cause}"
    )
