"""Dormand–Prince attempts written for ``torch.compile``: elementwise, coefficients as constants.

The eager schemes (:mod:`.dopri5_tableau`, :mod:`.dop853_tableau`) sum their stages with
matrix–vector products over one buffer, which is fastest op by op but opaque to inductor. Here
each stage sum is a chain of ``y + a·k`` with the tableau's Python floats (zeros skipped), so
a compiled attempt fuses into a few loops over the members. Same coefficients, same formulas
(error norms, continuous extensions): results agree with the eager schemes to rounding.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import attrs
import torch

from .dop853_tableau import DOP853, combine_error
from .dopri5_tableau import DP5
from .result import RHS

__all__ = ["FUSED", "FusedScheme"]

Weights = tuple[tuple[int, float], ...]


def _sparse(row: Sequence[float]) -> Weights:
    return tuple((j, float(w)) for j, w in enumerate(row) if w != 0.0)


def _combine(base: torch.Tensor | None, ks: Sequence[torch.Tensor], weights: Weights) -> Any:
    total = base
    for j, w in weights:
        total = w * ks[j] if total is None else total + w * ks[j]
    return total


def _stage(
    rhs: RHS, t: torch.Tensor, h: torch.Tensor, hs: torch.Tensor, y: torch.Tensor,
    ks: list[torch.Tensor], c: float, weights: Weights,
) -> torch.Tensor:
    """Append ``h·f(t + c·h, y + Σ a_j·k_j)`` to ``ks``; return ``f``."""
    f = rhs((t + c * h).to(y.dtype), _combine(y, ks, weights))
    ks.append(hs * f)
    return f


@attrs.frozen(kw_only=True)
class FusedScheme:
    """One embedded pair as the compiled driver uses it.

    ``attempt(rhs, t, y, h, f0, rtol, atol) -> (y_new, f_new, err, coefficients)`` for every
    member at once (``t``, ``h`` float64 ``(members,)``; ``err`` float64 ``(members,)``,
    accepted when ≤ 1; ``coefficients`` ``(K, members, d)`` of the continuous extension, the
    layout of the eager scheme's ``dense``), and ``evaluate(coefficients, theta)`` with
    ``theta`` ``(members, W)`` → ``(members, W, d)``.
    """

    name: str
    coefficients: int
    attempt: Any
    evaluate: Any


_DP_A = tuple(_sparse(row) for row in DP5["a"])
_DP_E, _DP_D = _sparse(DP5["e"]), _sparse(DP5["d"])


def _dopri5_attempt(
    rhs: RHS, t: torch.Tensor, y: torch.Tensor, h: torch.Tensor, f0: torch.Tensor,
    rtol: torch.Tensor, atol: torch.Tensor,
) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor]:
    hs = h.to(y.dtype).unsqueeze(-1)
    ks = [hs * f0]
    f = f0
    for i in range(1, 7):
        f = _stage(rhs, t, h, hs, y, ks, DP5["c"][i], _DP_A[i])
    y_new = _combine(y, ks, _DP_A[6])
    scale = atol + rtol * torch.maximum(y.abs(), y_new.abs())
    err = (_combine(None, ks, _DP_E) / scale).square().mean(dim=-1).sqrt().to(torch.float64)
    diff, ends, r = y_new - y, ks[0] + ks[6], _combine(None, ks, _DP_D)
    coefficients = torch.stack(
        (y, ks[0], 3.0 * diff - ks[0] - ends + r, ends - 2.0 * (diff + r), r)
    )
    return y_new, f, err, coefficients


def _dopri5_evaluate(coefficients: torch.Tensor, theta: torch.Tensor) -> torch.Tensor:
    th = theta.to(coefficients.dtype).unsqueeze(-1)  # (members, W, 1)
    value = coefficients[4].unsqueeze(1)
    for k in (3, 2, 1, 0):
        value = coefficients[k].unsqueeze(1) + value * th
    return value


_C8 = DOP853["c"]
_A8 = tuple(_sparse(row) for row in DOP853["a"])
_B8, _E5, _E3 = _sparse(DOP853["b"]), _sparse(DOP853["e5"]), _sparse(DOP853["e3"])
_D8 = tuple(_sparse(row) for row in DOP853["d"])


def _dop853_attempt(
    rhs: RHS, t: torch.Tensor, y: torch.Tensor, h: torch.Tensor, f0: torch.Tensor,
    rtol: torch.Tensor, atol: torch.Tensor,
) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor]:
    hs = h.to(y.dtype).unsqueeze(-1)
    ks = [hs * f0]
    for i in range(1, 12):
        _stage(rhs, t, h, hs, y, ks, _C8[i], _A8[i])
    y_new = _combine(y, ks, _B8)
    f_new = rhs((t + h).to(y.dtype), y_new)
    ks.append(hs * f_new)
    scale = atol + rtol * torch.maximum(y.abs(), y_new.abs())
    e5 = (_combine(None, ks, _E5) / scale).square().sum(dim=-1).to(torch.float64)
    e3 = (_combine(None, ks, _E3) / scale).square().sum(dim=-1).to(torch.float64)
    err = combine_error(e5, e3, y.shape[-1])
    for i in range(13, 16):  # the dense-output stages (always: a compiled graph has no branch)
        _stage(rhs, t, h, hs, y, ks, _C8[i], _A8[i])
    diff = y_new - y
    first = ks[0] - diff
    coefficients = torch.stack(
        (y, diff, first, diff - ks[12] - first, *(_combine(None, ks, row) for row in _D8))
    )
    return y_new, f_new, err, coefficients


def _dop853_evaluate(coefficients: torch.Tensor, theta: torch.Tensor) -> torch.Tensor:
    th = theta.to(coefficients.dtype).unsqueeze(-1)  # (members, W, 1)
    one_minus = 1.0 - th
    value = coefficients[7].unsqueeze(1)
    for k in range(6, 0, -1):  # F6 … F1, alternating factors θ and 1 − θ
        value = coefficients[k].unsqueeze(1) + value * (th if k % 2 == 0 else one_minus)
    return coefficients[0].unsqueeze(1) + value * th


FUSED: dict[str, FusedScheme] = {
    "dopri5": FusedScheme(name="dopri5", coefficients=5, attempt=_dopri5_attempt, evaluate=_dopri5_evaluate),
    "dop853": FusedScheme(name="dop853", coefficients=8, attempt=_dop853_attempt, evaluate=_dop853_evaluate),
}
"""The compile-friendly attempts by method name."""
