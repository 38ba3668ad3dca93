"""Euler–Maruyama for Itô SDEs ``dx = f(t, x) dt + σ g(x) dW``, batched over members.

``g(x) = 1`` (additive noise) or ``g(x) = x`` (multiplicative, componentwise): every component
has its own Wiener process. Strong order 1/2, weak order 1 (Kloeden & Platen 1992, §10.2 and
§14.1); for additive noise the strong order is 1.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import torch
from chaoskit import ParameterError

from .result import RHS, IntegrationResult, mark_nonfinite
from .rk4 import substeps

__all__ = ["NOISE_KINDS", "count_steps", "integrate_euler_maruyama"]

NOISE_KINDS = ("additive", "multiplicative")


def count_steps(t0: float, t_out: Any, step: float) -> int:
    """The number of steps :func:`integrate_euler_maruyama` takes (draws it asks for)."""
    total, t = 0, float(t0)
    for t_next in (float(v) for v in t_out):
        total += substeps(t_next - t, step)
        t = t_next
    return total


def integrate_euler_maruyama(
    rhs: RHS,
    x0: torch.Tensor,
    t_out: torch.Tensor,
    *,
    t0: float,
    step: float,
    noise: float,
    kind: str,
    increments: Callable[[], torch.Tensor],
) -> IntegrationResult:
    """Integrate the SDE from ``(t0, x0)`` and return the states at ``t_out``.

    Parameters
    ----------
    rhs
        The drift ``f(t, x)``, called with a Python float ``t`` (see :data:`.result.RHS`).
    x0
        Initial states ``(members, d)``.
    t_out
        Increasing output times ``(n,)`` with ``t_out[0] >= t0``.
    t0
        Start time.
    step
        Largest step: every output interval (and ``[t0, t_out[0]]``) is split into the fewest
        equal steps ``h ≤ step``, as :func:`.rk4.integrate_rk4` does.
    noise
        ``σ ≥ 0``.
    kind
        ``"additive"``: ``x ← x + h f + σ √h ξ``; ``"multiplicative"``: ``x ← x + h f + σ x √h ξ``.
    increments
        Returns standard normal ``ξ`` ``(members, d)`` for the next step (one call per step,
        in order); see :class:`chaoskit_systems._noise.GaussianIncrements`.

    Returns
    -------
    IntegrationResult
        States ``(members, n, d)``; ``info`` with the step (``step``, ``substeps``), the total
        number of steps and the members that went non-finite (NaN from then on).
    """
    if kind not in NOISE_KINDS:
        raise ParameterError(f"noise kind must be one of {list(NOISE_KINDS)}, got {kind!r}")
    if not (math.isfinite(step) and step > 0):
        raise ParameterError(f"step must be a positive finite number, got {step!r}")
    times = t_out.detach().to(device="cpu", dtype=torch.float64).tolist()
    out = x0.new_empty((x0.shape[0], len(times), x0.shape[1]))
    y, t = x0, float(t0)
    total, inner = 0, []
    multiplicative = kind == "multiplicative"
    for k, t_next in enumerate(times):
        m = substeps(t_next - t, step)
        if m:
            h = (t_next - t) / m
            amplitude = noise * math.sqrt(h)
            for j in range(m):
                kick = increments() * amplitude
                if multiplicative:
                    kick = kick * y
                y = torch.add(y, rhs(t + j * h, y), alpha=h) + kick
            total += m
            if k:
                inner.append(m)
        out[:, k] = y
        t = t_next
    members, when = mark_nonfinite(out, t_out.detach().to(torch.float64))
    spacing = (times[-1] - times[0]) / max(1, len(times) - 1)
    sub = max(inner) if inner else 1
    info: dict[str, Any] = {
        "integrator": "euler_maruyama",
        "step": spacing / sub if inner else float(step),
        "substeps": sub,
        "steps": total,
        "failed_members": members,
        "failed_times": when,
        "failed_reasons": ["non-finite state"] * len(members),
    }
    return IntegrationResult(state=out, info=info)
