"""Adaptive Dormand–Prince 5(4) with per-member error control and dense output.

Every member of the batch carries its own time, step size and accept/reject decision (see
:mod:`.adaptive`, the driver shared with dop853): no step is ever shared, so a fast or stiff
member changes neither the accuracy nor the step count of the others. Output times are served
by the order-4 continuous extension (see :mod:`.dopri5_tableau`) and never shorten a step.
"""

from __future__ import annotations

import math
from typing import Any

import torch

from .adaptive import (
    FAC_MAX,
    FAC_MIN,
    SAFETY,
    Scheme,
    default_max_steps,
    initial_step,
    integrate_adaptive,
)
from .dopri5_tableau import Tableau, dense_coefficients, dense_eval, dopri5_step
from .result import RHS, IntegrationResult

__all__ = [
    "DOPRI5", "FAC_MAX", "FAC_MIN", "SAFETY", "default_max_steps", "initial_step",
    "integrate_dopri5",
]


def _step(
    rhs: RHS, t: torch.Tensor, y: torch.Tensor, h: torch.Tensor, f0: torch.Tensor, tab: Tableau
) -> tuple[torch.Tensor, tuple[torch.Tensor, torch.Tensor], torch.Tensor]:
    y_new, err_vec, stages, f_new = dopri5_step(rhs, t, y, h, f0, tab)
    return y_new, (err_vec, stages), f_new


def _error(
    y: torch.Tensor, y_new: torch.Tensor, aux: tuple[torch.Tensor, torch.Tensor],
    rtol: float, atol: float, tab: Tableau,
) -> torch.Tensor:
    """``sqrt(mean((err / (atol + rtol·max(|y|, |y_new|)))²))`` per member (float64)."""
    err_vec = aux[0]
    scale = torch.maximum(y.abs(), y_new.abs()).mul_(rtol).add_(atol)
    norm = torch.linalg.vector_norm(err_vec.div_(scale), dim=-1).to(torch.float64)
    return norm / math.sqrt(y.shape[-1])


def _dense(
    rhs: RHS, t: torch.Tensor, h: torch.Tensor, y: torch.Tensor, y_new: torch.Tensor,
    aux: tuple[torch.Tensor, torch.Tensor], f_new: torch.Tensor, tab: Tableau,
) -> torch.Tensor:
    return dense_coefficients(y, y_new, aux[1], tab)


DOPRI5 = Scheme(
    name="dopri5",
    error_order=4,
    dense_output="Dormand-Prince order-4 continuous extension",
    tableau=Tableau.build,
    step=_step,
    error=_error,
    dense=_dense,
    dense_eval=dense_eval,
)
"""Dormand–Prince 5(4) as a :class:`~.adaptive.Scheme`: controller exponent 1/5."""


def integrate_dopri5(
    rhs: RHS,
    x0: torch.Tensor,
    t_out: torch.Tensor,
    *,
    t0: float,
    rtol: float,
    atol: float,
    dt_max: float | None = None,
    first_step: float | None = None,
    max_steps: int | None = None,
) -> IntegrationResult:
    """Integrate ``x' = rhs(t, x)`` from ``(t0, x0)`` and return the states at ``t_out``.

    Parameters
    ----------
    rhs
        The batched vector field, called with one time per member (see :data:`.result.RHS`).
    x0
        Initial states ``(members, d)``; dtype and device are used throughout (times are
        kept in float64 whatever the state dtype).
    t_out
        Increasing output times ``(n,)``, ``t_out[0] >= t0``.
    t0
        Start time.
    rtol, atol
        Tolerances of the per-member error norm
        ``sqrt(mean((err / (atol + rtol·max(|y|, |y_new|)))²))``; a step is accepted if ≤ 1.
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
    options: dict[str, Any] = {"dt_max": dt_max, "first_step": first_step, "max_steps": max_steps}
    return integrate_adaptive(
        rhs, x0, t_out, scheme=DOPRI5, t0=t0, rtol=rtol, atol=atol, **options
    )
