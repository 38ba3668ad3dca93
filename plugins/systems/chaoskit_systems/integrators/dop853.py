"""Adaptive Dormand–Prince 8(5,3) (Hairer's DOP853) with per-member error control and dense
output of order 7.

The same design as :mod:`.dopri5` (the driver is shared, see :mod:`.adaptive`): every member
has its own step, error norm and accept/reject decision; outputs come from the continuous
extension and never shorten a step. Specific to DOP853 (:mod:`.dop853_tableau`): the 8th-order
solution is propagated, the error norm combines the 5th- and 3rd-order estimates as in Hairer's
code, the controller scales the step by ``0.9·err^(−1/8)`` within [0.2, 10] (no growth right
after a rejection), the initial-step heuristic uses the exponent 1/8, and the three extra
stages of the order-7 dense output are evaluated only for steps that cover an output time.
"""

from __future__ import annotations

from typing import Any

import torch

from .adaptive import Scheme, integrate_adaptive
from .dop853_tableau import Tableau853, dense_coefficients, dense_eval, dop853_step, error_norm
from .result import RHS, IntegrationResult

__all__ = ["DOP853_SCHEME", "integrate_dop853"]


def _dense(
    rhs: RHS, t: torch.Tensor, h: torch.Tensor, y: torch.Tensor, y_new: torch.Tensor,
    stages: torch.Tensor, f_new: torch.Tensor, tab: Tableau853,
) -> torch.Tensor:
    return dense_coefficients(rhs, t, h, y, y_new, stages, tab)


DOP853_SCHEME = Scheme(
    name="dop853",
    error_order=7,
    dense_output="DOP853 order-7 continuous extension (Hairer's contd8)",
    tableau=Tableau853.build,
    step=dop853_step,
    error=error_norm,
    dense=_dense,
    dense_eval=dense_eval,
)
"""DOP853 as a :class:`~.adaptive.Scheme`: controller exponent 1/8."""


def integrate_dop853(
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
    """Integrate ``x' = rhs(t, x)`` from ``(t0, x0)`` with DOP853; states at ``t_out``.

    Parameters and result as :func:`.dopri5.integrate_dopri5`; the per-member error norm is
    Hairer's (see :func:`.dop853_tableau.error_norm`), ``info["integrator"] = "dop853"``.
    """
    options: dict[str, Any] = {"dt_max": dt_max, "first_step": first_step, "max_steps": max_steps}
    return integrate_adaptive(
        rhs, x0, t_out, scheme=DOP853_SCHEME, t0=t0, rtol=rtol, atol=atol, **options
    )
