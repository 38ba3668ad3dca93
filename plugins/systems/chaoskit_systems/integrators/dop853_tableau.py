"""The Dormand–Prince 8(5,3) tableau, its stage function, error norm and continuous extension.

Coefficients of Hairer's ``DOP853`` code (E. Hairer, S. P. Nørsett & G. Wanner, *Solving
Ordinary Differential Equations I*, 2nd ed., 1993, §II.10; the method of Dormand & Prince,
"High order embedded Runge–Kutta formulae", J. Comput. Appl. Math. 7 (1981) 67–75, as
improved by Hairer): twelve stages give the 8th-order solution; its error is estimated by an
embedded 5th-order and a 3rd-order formula combined as in Hairer's code; the thirteenth stage
``f(t + h, y_new)`` is the first stage of the next step (FSAL). The continuous extension of
order 7 takes three more stages, evaluated only for steps that cover an output time.
"""

from __future__ import annotations

from typing import Any, TypedDict

import attrs
import torch

from .result import RHS

__all__ = ["DOP853", "Tableau853", "combine_error", "dense_coefficients", "dense_eval", "dop853_step", "error_norm"]

# nodes: 12 stages, the FSAL stage (c = 1) and the three stages of the dense output
_C = (
    0.0, 0.526001519587677318785587544488e-01, 0.789002279381515978178381316732e-01,
    0.118350341907227396726757197510, 0.281649658092772603273242802490,
    0.333333333333333333333333333333, 0.25, 0.307692307692307692307692307692,
    0.651282051282051282051282051282, 0.6, 0.857142857142857142857142857142, 1.0,
    1.0, 0.1, 0.2, 0.777777777777777777777777777778,
)

# stage weights a[i][j] (j < i), rows 1..11 (solution stages), 12 (= the 8th-order weights b),
# 13..15 (dense-output stages, which also use the FSAL stage 12); unlisted entries are 0
_A_SPARSE: dict[int, dict[int, float]] = {
    1: {0: 5.26001519587677318785587544488e-2},
    2: {0: 1.97250569845378994544595329183e-2, 1: 5.91751709536136983633785987549e-2},
    3: {0: 2.95875854768068491816892993775e-2, 2: 8.87627564304205475450678981324e-2},
    4: {0: 2.41365134159266685502369798665e-1, 2: -8.84549479328286085344864962717e-1,
        3: 9.24834003261792003115737966543e-1},
    5: {0: 3.7037037037037037037037037037e-2, 3: 1.70828608729473871279604482173e-1,
        4: 1.25467687566822425016691814123e-1},
    6: {0: 3.7109375e-2, 3: 1.70252211019544039314978060272e-1,
        4: 6.02165389804559606850219397283e-2, 5: -1.7578125e-2},
    7: {0: 3.70920001185047927108779319836e-2, 3: 1.70383925712239993810214054705e-1,
        4: 1.07262030446373284651809199168e-1, 5: -1.53194377486244017527936158236e-2,
        6: 8.27378916381402288758473766002e-3},
    8: {0: 6.24110958716075717114429577812e-1, 3: -3.36089262944694129406857109825,
        4: -8.68219346841726006818189891453e-1, 5: 2.75920996994467083049415600797e1,
        6: 2.01540675504778934086186788979e1, 7: -4.34898841810699588477366255144e1},
    9: {0: 4.77662536438264365890433908527e-1, 3: -2.48811461997166764192642586468,
        4: -5.90290826836842996371446475743e-1, 5: 2.12300514481811942347288949897e1,
        6: 1.52792336328824235832596922938e1, 7: -3.32882109689848629194453265587e1,
        8: -2.03312017085086261358222928593e-2},
    10: {0: -9.3714243008598732571704021658e-1, 3: 5.18637242884406370830023853209,
         4: 1.09143734899672957818500254654, 5: -8.14978701074692612513997267357,
         6: -1.85200656599969598641566180701e1, 7: 2.27394870993505042818970056734e1,
         8: 2.49360555267965238987089396762, 9: -3.0467644718982195003823669022},
    11: {0: 2.27331014751653820792359768449, 3: -1.05344954667372501984066689879e1,
         4: -2.00087205822486249909675718444, 5: -1.79589318631187989172765950534e1,
         6: 2.79488845294199600508499808837e1, 7: -2.85899827713502369474065508674,
         8: -8.87285693353062954433549289258, 9: 1.23605671757943030647266201528e1,
         10: 6.43392746015763530355970484046e-1},
    12: {0: 5.42937341165687622380535766363e-2, 5: 4.45031289275240888144113950566,
         6: 1.89151789931450038304281599044, 7: -5.8012039600105847814672114227,
         8: 3.1116436695781989440891606237e-1, 9: -1.52160949662516078556178806805e-1,
         10: 2.01365400804030348374776537501e-1, 11: 4.47106157277725905176885569043e-2},
    13: {0: 5.61675022830479523392909219681e-2, 6: 2.53500210216624811088794765333e-1,
         7: -2.46239037470802489917441475441e-1, 8: -1.24191423263816360469010140626e-1,
         9: 1.5329179827876569731206322685e-1, 10: 8.20105229563468988491666602057e-3,
         11: 7.56789766054569976138603589584e-3, 12: -8.298e-3},
    14: {0: 3.18346481635021405060768473261e-2, 5: 2.83009096723667755288322961402e-2,
         6: 5.35419883074385676223797384372e-2, 7: -5.49237485713909884646569340306e-2,
         10: -1.08347328697249322858509316994e-4, 11: 3.82571090835658412954920192323e-4,
         12: -3.40465008687404560802977114492e-4, 13: 1.41312443674632500278074618366e-1},
    15: {0: -4.28896301583791923408573538692e-1, 5: -4.69762141536116384314449447206,
         6: 7.68342119606259904184240953878, 7: 4.06898981839711007970213554331,
         8: 3.56727187455281109270669543021e-1, 12: -1.39902416515901462129418009734e-3,
         13: 2.9475147891527723389556272149, 14: -9.15095847217987001081870187138},
}


def _row(i: int, width: int) -> tuple[float, ...]:
    return tuple(_A_SPARSE.get(i, {}).get(j, 0.0) for j in range(width))


_A = tuple(_row(i, i) for i in range(16))
_B = _row(12, 12)  # 8th-order weights
# 5th-order error estimate: weights of (8th − embedded 5th order) over the 12 stages
_E5 = (
    0.1312004499419488073250102996e-1, 0.0, 0.0, 0.0, 0.0, -0.1225156446376204440720569753e1,
    -0.4957589496572501915214079952, 0.1664377182454986536961530415e1,
    -0.3503288487499736816886487290, 0.3341791187130174790297318841,
    0.8192320648511571246570742613e-1, -0.2235530786388629525884427845e-1,
)
# 3rd-order error estimate: 8th-order weights minus Hairer's bhh (stages 1, 9 and 12)
_BHH = {0: 0.244094488188976377952755905512, 8: 0.733846688281611857341361741547,
        11: 0.220588235294117647058823529412e-1}
_E3 = tuple(b - _BHH.get(i, 0.0) for i, b in enumerate(_B))
# dense output: rows give F[3..6] = h·Σ_i d[k][i]·k_i over the 16 stages (Hairer's contd8)
_D_SPARSE: tuple[dict[int, float], ...] = (
    {0: -0.84289382761090128651353491142e1, 5: 0.56671495351937776962531783590,
     6: -0.30689499459498916912797304727e1, 7: 0.23846676565120698287728149680e1,
     8: 0.21170345824450282767155149946e1, 9: -0.87139158377797299206789907490,
     10: 0.22404374302607882758541771650e1, 11: 0.63157877876946881815570249290,
     12: -0.88990336451333310820698117400e-1, 13: 0.18148505520854727256656404962e2,
     14: -0.91946323924783554000451984436e1, 15: -0.44360363875948939664310572000e1},
    {0: 0.10427508642579134603413151009e2, 5: 0.24228349177525818288430175319e3,
     6: 0.16520045171727028198505394887e3, 7: -0.37454675472269020279518312152e3,
     8: -0.22113666853125306036270938578e2, 9: 0.77334326684722638389603898808e1,
     10: -0.30674084731089398182061213626e2, 11: -0.93321305264302278729567221706e1,
     12: 0.15697238121770843886131091075e2, 13: -0.31139403219565177677282850411e2,
     14: -0.93529243588444783865713862664e1, 15: 0.35816841486394083752465898540e2},
    {0: 0.19985053242002433820987653617e2, 5: -0.38703730874935176555105901742e3,
     6: -0.18917813819516756882830838328e3, 7: 0.52780815920542364900561016686e3,
     8: -0.11573902539959630126141871134e2, 9: 0.68812326946963000169666922661e1,
     10: -0.10006050966910838403183860980e1, 11: 0.77771377980534432092869265740,
     12: -0.27782057523535084065932004339e1, 13: -0.60196695231264120758267380846e2,
     14: 0.84320405506677161018159903784e2, 15: 0.11992291136182789328035130030e2},
    {0: -0.25693933462703749003312586129e2, 5: -0.15418974869023643374053993627e3,
     6: -0.23152937917604549567536039109e3, 7: 0.35763911791061412378285349910e3,
     8: 0.93405324183624310003907691704e2, 9: -0.37458323136451633156875139351e2,
     10: 0.10409964950896230045147246184e3, 11: 0.29840293426660503123344363579e2,
     12: -0.43533456590011143754432175058e2, 13: 0.96324553959188282948394950600e2,
     14: -0.39177261675615439165231486172e2, 15: -0.14972683625798562581422125276e3},
)
_D = tuple(tuple(row.get(j, 0.0) for j in range(16)) for row in _D_SPARSE)


class DOP853Coefficients(TypedDict):
    """The types of :data:`DOP853`'s entries: nodes, stage rows, weights and dense rows."""

    c: tuple[float, ...]
    a: tuple[tuple[float, ...], ...]
    b: tuple[float, ...]
    e5: tuple[float, ...]
    e3: tuple[float, ...]
    d: tuple[tuple[float, ...], ...]


DOP853: DOP853Coefficients = {"c": _C, "a": _A, "b": _B, "e5": _E5, "e3": _E3, "d": _D}
"""The raw coefficients (Python floats), for inspection and tests."""


@attrs.frozen
class Tableau853:
    """The weights as tensors of one dtype on one device (built once per integration); the
    nodes stay Python floats (they only scale times, kept in float64)."""

    a: tuple[torch.Tensor, ...]
    b: torch.Tensor
    e: torch.Tensor  # (2, 12): rows E5, E3
    d: torch.Tensor  # (4, 16)

    @classmethod
    def build(cls, dtype: torch.dtype, device: torch.device) -> Tableau853:
        """Build the stage, error and dense-output weights in ``dtype`` on ``device``."""
        def tensor(values: Any) -> torch.Tensor:
            return torch.tensor(values, dtype=dtype, device=device)

        return cls(a=tuple(tensor(row) for row in _A), b=tensor(_B),
                   e=tensor((_E5, _E3)), d=tensor(_D))


def _stages(
    rhs: RHS, t: Any, h: Any, y: torch.Tensor, flat: torch.Tensor, rows: range,
    tab: Tableau853, hs: Any,
) -> torch.Tensor:
    """Fill ``flat[i] = h·f(t + c_i h, y + Σ_j a_ij·flat[j])`` for ``i`` in ``rows``; return
    the last stage's derivative."""
    members, dim = y.shape
    per_member = isinstance(h, torch.Tensor)
    base = y.reshape(-1)
    f_i = y
    for i in rows:
        y_i = torch.addmv(base, flat[:i].t(), tab.a[i]).view(members, dim)
        t_i = torch.add(t, h, alpha=_C[i]).to(y.dtype) if per_member else t + _C[i] * h
        f_i = rhs(t_i, y_i)
        torch.mul(f_i, hs, out=flat[i].view(members, dim))
    return f_i


def _step_tensor(h: Any, y: torch.Tensor) -> Any:
    """The step as a full ``(members, d)`` tensor (same-shape products are fastest)."""
    members, dim = y.shape
    if isinstance(h, torch.Tensor):
        return h.to(y.dtype).unsqueeze(-1).expand(members, dim).contiguous()
    return h


def dop853_step(
    rhs: RHS, t: Any, y: torch.Tensor, h: Any, f0: torch.Tensor, tab: Tableau853
) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """Take one DOP853 step of every member from ``(t, y)`` with step ``h``.

    Parameters
    ----------
    rhs
        The batched vector field.
    t, h
        Start time and step: Python floats (one for all members) or float64 tensors of shape
        ``(members,)`` (one per member).
    y, f0
        States ``(members, d)`` and ``rhs(t, y)`` (the previous step's FSAL stage).
    tab
        :meth:`Tableau853.build` for ``y``'s dtype and device.

    Returns
    -------
    y_new, stages, f_new
        The 8th-order solution ``(members, d)``; the stage derivatives times the step,
        ``h·k_i``, in a buffer ``(16, members, d)`` whose first 13 rows are filled (the 13th is
        ``h·f_new``; rows 13–15 are filled by :func:`dense_coefficients`); and
        ``f_new = rhs(t + h, y_new)``.

    Notes
    -----
    The stage sums are matrix–vector products over a contiguous buffer written with ``out=``:
    this function is not differentiable with autograd.
    """
    members, dim = y.shape
    stages = y.new_empty((16, members, dim))
    flat = stages.view(16, members * dim)
    hs = _step_tensor(h, y)
    torch.mul(f0, hs, out=stages[0])
    _stages(rhs, t, h, y, flat, range(1, 12), tab, hs)
    y_new = torch.addmv(y.reshape(-1), flat[:12].t(), tab.b).view(members, dim)
    t_new = torch.add(t, h).to(y.dtype) if isinstance(h, torch.Tensor) else t + h
    f_new = rhs(t_new, y_new)
    torch.mul(f_new, hs, out=stages[12])
    return y_new, stages, f_new


def error_norm(
    y: torch.Tensor, y_new: torch.Tensor, stages: torch.Tensor, rtol: float, atol: float,
    tab: Tableau853,
) -> torch.Tensor:
    """Hairer's DOP853 error norm per member (float64).

    With ``w = atol + rtol·max(|y|, |y_new|)``, ``e5 = ‖h·Σ E5_i k_i / w‖²`` and
    ``e3 = ‖h·Σ E3_i k_i / w‖²`` (sums of squares over the ``d`` components):
    ``err = e5 / sqrt(d·(e5 + 0.01·e3))`` (0 when both vanish). The 5th-order estimate sets
    the size, the 3rd-order one guards it against accidental cancellation.
    """
    members, dim = y.shape
    scale = torch.maximum(y.abs(), y_new.abs()).mul_(rtol).add_(atol)
    both = torch.mm(tab.e, stages.view(16, -1)[:12]).view(2, members, dim).div_(scale)
    sq = both.square().sum(dim=-1).to(torch.float64)  # (2, members)
    return combine_error(sq[0], sq[1], dim)


def combine_error(e5: torch.Tensor, e3: torch.Tensor, dim: int) -> torch.Tensor:
    """``e5 / sqrt(d·(e5 + 0.01·e3))`` from the two sums of squares, 0 when both vanish.

    A non-finite stage gives NaN (never 0), so the driver rejects the step and shrinks it.
    """
    denominator = (e5 + 0.01 * e3) * dim
    zero = denominator == 0
    return torch.where(zero, 0.0, e5 / torch.where(zero, 1.0, denominator).sqrt())


def dense_coefficients(
    rhs: RHS, t: Any, h: Any, y: torch.Tensor, y_new: torch.Tensor, stages: torch.Tensor,
    tab: Tableau853,
) -> torch.Tensor:
    """Coefficients ``F`` ``(8, members, d)`` of the order-7 continuous extension of a step.

    Computes the three extra stages (rows 13–15 of ``stages``) and returns
    ``F = (y, Δ, h·k1 − Δ, 2Δ − h·(k1 + k13), h·Σ d_0i k_i, …, h·Σ d_3i k_i)`` with
    ``Δ = y_new − y``, so that :func:`dense_eval` gives
    ``y(θ) = y + θ(F1 + (1−θ)(F2 + θ(F3 + (1−θ)(F4 + θ(F5 + (1−θ)(F6 + θ·F7))))))``
    (Hairer's ``contd8``): exact at ``θ = 0`` and ``θ = 1``, error O(h⁸) per step.
    """
    members, dim = y.shape
    flat = stages.view(16, members * dim)
    _stages(rhs, t, h, y, flat, range(13, 16), tab, _step_tensor(h, y))
    diff = y_new - y
    hk1, hk13 = stages[0], stages[12]
    high = torch.mm(tab.d, flat).view(4, members, dim)
    first = hk1 - diff
    return torch.cat(
        (torch.stack((y, diff, first, diff - hk13 - first)), high), dim=0
    )


def dense_eval(coefficients: torch.Tensor, theta: torch.Tensor) -> torch.Tensor:
    """Evaluate the extension: ``F`` ``(8, P, d)``, ``θ`` ``(P,)`` → ``(P, d)``."""
    th = theta.to(coefficients.dtype).unsqueeze(-1).expand_as(coefficients[0]).contiguous()
    one_minus = 1.0 - th
    value = coefficients[7]
    for k in range(6, 0, -1):  # F6 … F1, alternating factors θ and 1 − θ
        value = torch.addcmul(coefficients[k], value, th if k % 2 == 0 else one_minus)
    return torch.addcmul(coefficients[0], value, th)
