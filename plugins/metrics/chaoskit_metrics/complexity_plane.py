"""The complexity–entropy plane: its bounding curves C_min(H), C_max(H) and a plot.

For ``N = n!`` states every distribution's ``(H, C)`` lies between two curves (Martín, Plastino
& Rosso 2006; Rosso et al. 2007):

- ``C_min``: distributions with one probability ``p ∈ [1/N, 1]`` and the other ``N − 1`` equal;
- ``C_max``: for ``k = 0 … N − 2`` zero probabilities, one probability ``p ∈ [0, 1/(N − k)]``
  and the remaining ``N − k − 1`` equal; the upper envelope of these families.

Periodic signals sit low at small H, white noise at ``(1, 0)``, chaotic signals high in the
middle (e.g. the logistic map at r = 4, n = 6: H ≈ 0.63, C ≈ 0.48; ``C_max(n=6) ≈ 0.497``).
"""

from __future__ import annotations

from math import factorial
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
from chaoskit import ParameterError

from .ordinal import MAX_ORDER

if TYPE_CHECKING:
    from matplotlib.figure import Figure

__all__ = ["complexity_bounds", "max_complexity", "plot_complexity_entropy_plane"]


def _family(states: int, zeros: np.ndarray, p: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``(H, C)`` of distributions with ``zeros`` zeros, one ``p`` and the rest equal (vectorized)."""
    rest = states - zeros - 1  # number of equal entries
    q = (1.0 - p) / rest
    log_n = np.log(float(states))

    def xlogx(v: np.ndarray) -> np.ndarray:
        return np.where(v > 0, v * np.log(np.where(v > 0, v, 1.0)), 0.0)

    s_p = -(xlogx(p) + rest * xlogx(q))
    u = 1.0 / states
    s_m = -(xlogx(0.5 * (p + u)) + rest * xlogx(0.5 * (q + u)) + zeros * xlogx(np.full_like(p, 0.5 * u)))
    h = s_p / log_n
    big = float(states)
    q0 = -2.0 / ((big + 1.0) / big * np.log(big + 1.0) - 2.0 * np.log(2.0 * big) + np.log(big))
    return h, q0 * (s_m - 0.5 * s_p - 0.5 * log_n) * h


def complexity_bounds(n: int = 5, steps: int = 200) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """``(H_min, C_min, H_max, C_max)``: the lower and upper bounding curves, sorted by H.

    Parameters
    ----------
    n
        Pattern size (``N = n!`` states), 2 ≤ n ≤ 8 (the upper family has ``(N − 1) · steps``
        points).
    steps
        Points per family segment.
    """
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or not 2 <= n <= min(MAX_ORDER, 8):
        raise ParameterError(f"complexity_bounds: n must be an integer in [2, 8], got {n!r}")
    states = factorial(n)
    p = np.linspace(1.0 / states, 1.0, steps)
    h_min, c_min = _family(states, np.zeros(steps), p)
    zeros = np.repeat(np.arange(states - 1, dtype=float), steps)
    fraction = np.tile(np.linspace(0.0, 1.0, steps), states - 1)
    p_max = fraction / (states - zeros)  # p ∈ [0, 1/(N − k)] for k zeros
    h_max, c_max = _family(states, zeros, p_max)
    order_min, order_max = np.argsort(h_min), np.argsort(h_max)
    return h_min[order_min], c_min[order_min], h_max[order_max], c_max[order_max]


def max_complexity(n: int = 5, steps: int = 400) -> float:
    """The largest statistical complexity any distribution over ``n!`` patterns reaches."""
    return float(np.max(complexity_bounds(n, steps)[3]))


def plot_complexity_entropy_plane(
    h: Any = None,
    c: Any = None,
    *,
    n: int = 5,
    labels: Any = None,
    path: str | Path | None = None,
    ax: Any = None,
    title: str | None = None,
) -> Figure:
    """Draw the complexity–entropy plane for pattern size ``n`` with its bounding curves.

    Parameters
    ----------
    h, c
        Points to mark (array-likes of the same shape), e.g. from
        :func:`chaoskit_metrics.ordinal.complexity_entropy`; ``None`` draws the empty plane.
    n
        Pattern size the points were computed with (sets the bounds).
    labels
        One label per point (legend entries), optional.
    path
        Write the figure there (format from the suffix) when given.
    ax
        Draw into this Axes instead of a new figure.
    title
        Axes title; default ``"complexity–entropy plane, n = {n}"``.

    Returns
    -------
    matplotlib.figure.Figure
    """
    import matplotlib

    if ax is None:
        if path is not None:
            matplotlib.use("Agg", force=False)
        import matplotlib.pyplot as plt

        fig, ax = plt.subplots(figsize=(5.5, 4.2))
    else:
        fig = ax.figure
    h_min, c_min, h_max, c_max = complexity_bounds(n)
    ax.plot(h_min, c_min, color="0.4", lw=1.0, label="C_min, C_max")
    ax.plot(h_max, c_max, color="0.4", lw=1.0)
    if h is not None and c is not None:
        hs, cs = np.atleast_1d(np.asarray(h, float)).ravel(), np.atleast_1d(np.asarray(c, float)).ravel()
        if hs.shape != cs.shape:
            raise ParameterError(f"plot_complexity_entropy_plane: h has {hs.size} values but c has {cs.size}")
        names = [None] * hs.size if labels is None else list(np.atleast_1d(labels))
        for x, y, label in zip(hs, cs, names):
            ax.scatter([x], [y], s=28, zorder=3, label=label)
    ax.set_xlim(0.0, 1.0)
    ax.set_ylim(0.0, max(0.05, 1.08 * float(c_max.max())))
    ax.set_xlabel("normalized permutation entropy H")
    ax.set_ylabel("statistical complexity C")
    ax.set_title(title if title is not None else f"complexity–entropy plane, n = {n}")
    if labels is not None:
        ax.legend(fontsize="small", frameon=False)
    if path is not None:
        fig.savefig(path, dpi=120, bbox_inches="tight")
    return fig
