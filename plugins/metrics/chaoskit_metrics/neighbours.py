"""Nearest neighbours outside a Theiler window, for every member at once, with one k-d tree.

The points of all members go into one :class:`scipy.spatial.cKDTree` with an extra coordinate
``member · offset`` (``offset`` ten times the data's extent plus one), so a point's nearest
neighbours are always in its own member and one query serves every member (no dense N × N
distance matrix, no loop over members). Candidates closer in time than the Theiler window, at
distance 0 (duplicates) or in another member are skipped; rows that still lack neighbours are
queried again with four times as many candidates, up to ``4 (2w + 1 + count) + 64`` candidates
(``w`` the largest Theiler window; at most the member's size): a point whose neighbours are not
among those is left without (index ``-1``), which only happens with many duplicate points.
"""

from __future__ import annotations

import numpy as np
from scipy.spatial import cKDTree

__all__ = ["neighbours_outside_window"]


def neighbours_outside_window(
    points: np.ndarray, count: int, theiler: np.ndarray, usable: np.ndarray | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """The ``count`` nearest neighbours of every usable point, excluding ``|i − j| ≤ theiler``.

    Parameters
    ----------
    points
        ``(members, n, D)``.
    count
        Neighbours per point.
    theiler
        ``(members,)`` Theiler window in samples (a pair ``i, j`` needs ``|i − j| > theiler``).
    usable
        ``(members, n)`` bool: the points that may be queried and chosen (default: every finite
        point). Non-finite points are never usable.

    Returns
    -------
    index, distance
        ``(members, n, count)`` neighbour indices within the member (``-1`` where none was found
        or the point is not usable) and their distances (``inf`` there).
    """
    members, n, dim = points.shape
    flat = points.reshape(-1, dim)
    finite = np.isfinite(flat).all(axis=1)
    if usable is not None:
        finite &= np.asarray(usable, bool).reshape(-1)
    pool = np.flatnonzero(finite)
    total = members * n
    index = np.full((total, count), -1, dtype=np.int64)
    distance = np.full((total, count), np.inf)
    if pool.size == 0:
        return index.reshape(members, n, count), distance.reshape(members, n, count)
    extent = float(np.ptp(flat[pool], axis=0).max())
    owner = np.repeat(np.arange(members), n)
    tagged = np.column_stack([flat[pool], owner[pool] * (10.0 * extent + 1.0)])
    tree = cKDTree(tagged)
    window = np.asarray(theiler, dtype=np.int64)[owner]
    limit = min(pool.size, 4 * (2 * int(np.max(theiler, initial=0)) + 1 + count) + 64)
    pending = np.arange(pool.size)  # positions in the pool
    k = count + 8
    while pending.size:
        kk = min(k, limit)
        d, j = tree.query(tagged[pending], k=kk)
        d, j = d.reshape(pending.size, kk), j.reshape(pending.size, kk)
        me = pool[pending]
        other = pool[np.minimum(j, pool.size - 1)]
        ok = (
            (j < pool.size)
            & (owner[other] == owner[me, None])
            & (np.abs(other - me[:, None]) > window[me, None])
            & (d > 0)
        )
        enough = ok.sum(axis=1) >= count
        done = enough | (kk >= limit)
        rows = me[enough]
        if rows.size:
            first = np.argsort(~ok[enough], axis=1, kind="stable")[:, :count]
            index[rows] = np.take_along_axis(other[enough], first, axis=1) - (owner[rows] * n)[:, None]
            distance[rows] = np.take_along_axis(d[enough], first, axis=1)
        pending = pending[~done]
        k *= 4
    return index.reshape(members, n, count), distance.reshape(members, n, count)
