"""The Dormand–Prince 5(4) tableau, its stage function and its continuous extension.

Coefficients from Dormand & Prince (1980), "A family of embedded Runge–Kutta formulae",
J. Comput. Appl. Math. 6, 19–26, and the order-4 dense output of Hairer, Nørsett & Wanner,
*Solving Ordinary Differential Equations I* (2nd ed., 1993), §II.6. The method has the FSAL
property: the seventh stage ``f(t + h, y_new)`` is the first stage of the next step.
"""

from __future__ import annotations

from typing import Any, TypedDict

import attrs
import torch

from .result import RHS

__all__ = ["DP5", "Tableau", "dense_coefficients", "dense_eval", "dopri5_step"]

_C = (0.0, 1 / 5, 3 / 10, 4 / 5, 8 / 9, 1.0, 1.0)
_A = (
    (),
    (1 / 5,),
    (3 / 40, 9 / 40),
    (44 / 45, -56 / 15, 32 / 9),
    (19372 / 6561, -25360 / 2187, 64448 / 6561, -212 / 729),
    (9017 / 3168, -355 / 33, 46732 / 5247, 49 / 176, -5103 / 18656),
    (35 / 384, 0.0, 500 / 1113, 125 / 192, -2187 / 6784, 11 / 84),  # = the 5th-order weights
)
# error weights: 5th-order weights minus the embedded 4th-order ones
_E = (71 / 57600, 0.0, -71 / 16695, 71 / 1920, -17253 / 339200, 22 / 525, -1 / 40)
# weights of the order-4 continuous extension (Hairer, Nørsett & Wanner's dopri5 code)
_D = (
    -12715105075 / 11282082432, 0.0, 87487479700 / 32700410799, -10690763975 / 1880347072,
    701980252875 / 199316789632, -1453857185 / 822651844, 69997945 / 29380423,
)


@attrs.frozen
class Tableau:
    """The weights as tensors of one dtype on one device (built once per integration); the
    nodes ``c`` stay Python floats, they only scale times (kept in float64)."""

    a: tuple[torch.Tensor, ...]
    e: torch.Tensor
    d: torch.Tensor

    @classmethod
    def build(cls, dtype: torch.dtype, device: torch.device) -> Tableau:
        """Build the stage, error and dense-output weights in ``dtype`` on ``device``."""
        def vec(values: tuple[float, ...]) -> torch.Tensor:
            return torch.tensor(values, dtype=dtype, device=device)

        return cls(a=tuple(vec(row) for row in _A), e=vec(_E), d=vec(_D))


class DP5Coefficients(TypedDict):
    """The types of :data:`DP5`'s entries: nodes, stage rows, error and dense weights."""

    c: tuple[float, ...]
    a: tuple[tuple[float, ...], ...]
    e: tuple[float, ...]
    d: tuple[float, ...]


DP5: DP5Coefficients = {"c": _C, "a": _A, "e": _E, "d": _D}
"""The raw coefficients (Python floats), for inspection and tests."""


def dopri5_step(
    rhs: RHS, t: Any, y: torch.Tensor, h: Any, f0: torch.Tensor, tab: Tableau
) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor]:
    """Take one Dormand–Prince step of every member from ``(t, y)`` with step ``h``.

    Parameters
    ----------
    rhs
        The batched vector field.
    t, h
        Start time and step: Python floats (one for all members) or float64 tensors of shape
        ``(members,)`` (one per member).
    y, f0
        States ``(members, d)`` and ``rhs(t, y)`` (the previous step's last stage, FSAL).
    tab
        :meth:`Tableau.build` for ``y``'s dtype and device.

    Returns
    -------
    y_new, err, stages, f_new
        The 5th-order solution ``(members, d)``; the error estimate (5th minus embedded 4th
        order) ``(members, d)``; the seven stage derivatives times the step, ``h·k_i``, as one
        tensor ``(7, members, d)``; and ``f_new = rhs(t + h, y_new)`` (the next step's ``f0``).

    Notes
    -----
    The stage sums are matrix–vector products over a contiguous ``(7, members·d)`` buffer,
    written with ``out=``: this function is not differentiable with autograd.
    """
    members, dim = y.shape
    stages = y.new_empty((7, members, dim))
    flat = stages.view(7, members * dim)
    per_member = isinstance(h, torch.Tensor)
    # the step as a full (members, d) tensor: same-shape products are much faster than broadcasts
    hs: Any = h.to(y.dtype).unsqueeze(-1).expand(members, dim).contiguous() if per_member else h
    torch.mul(f0, hs, out=stages[0])
    base = y.reshape(-1)
    y_i, f_i = y, f0
    for i in range(1, 7):
        y_i = torch.addmv(base, flat[:i].t(), tab.a[i]).view(members, dim)
        t_i = torch.add(t, h, alpha=_C[i]).to(y.dtype) if per_member else t + _C[i] * h
        f_i = rhs(t_i, y_i)
        torch.mul(f_i, hs, out=stages[i])
    err = torch.mv(flat.t(), tab.e).view(members, dim)
    return y_i, err, stages, f_i


def dense_coefficients(
    y: torch.Tensor, y_new: torch.Tensor, stages: torch.Tensor, tab: Tableau
) -> torch.Tensor:
    """Coefficients ``C`` ``(5, members, d)`` of the continuous extension ``y(θ) = Σ_k θ^k C[k]``.

    The order-4 extension of Hairer, Nørsett & Wanner's dopri5 is the cubic Hermite interpolant
    of ``(y, h·k1)`` and ``(y_new, h·k7)`` plus ``θ²(1 − θ)²·h·Σ_i d_i k_i``; expanded in powers
    of ``θ`` it reads ``C = (y, h·k1, 3Δ − 2h·k1 − h·k7 + r, −2Δ + h·k1 + h·k7 − 2r, r)`` with
    ``Δ = y_new − y`` and ``r = h·Σ_i d_i k_i``. ``stages`` are the ``h·k_i`` of
    :func:`dopri5_step`. The interpolant is exact at both ends and its error is O(h⁵) per step,
    so output times never constrain the step size.
    """
    diff = y_new - y
    hk1, hk7 = stages[0], stages[6]
    r = torch.mv(stages.view(7, -1).t(), tab.d).view_as(y)
    ends = hk1 + hk7
    c2 = 3.0 * diff - hk1 - ends + r
    c3 = ends - 2.0 * (diff + r)
    return torch.stack((y, hk1, c2, c3, r))


def dense_eval(coefficients: torch.Tensor, theta: torch.Tensor) -> torch.Tensor:
    """Evaluate ``Σ_k θ^k C[k]`` (Horner): ``C`` ``(5, P, d)``, ``θ`` ``(P,)`` → ``(P, d)``."""
    th = theta.to(coefficients.dtype).unsqueeze(-1).expand_as(coefficients[0]).contiguous()
    value = coefficients[4]
    for k in (3, 2, 1, 0):
        value = torch.addcmul(coefficients[k], value, th)
    return value
