"""Ordinal patterns (Bandt & Pompe 2002): pattern codes, distributions, entropy and complexity.

A window ``(x_t, x_{t+ℓ}, …, x_{t+(n−1)ℓ})`` of ``n`` values ``ℓ`` samples apart is replaced by
its ordinal pattern. chaoskit labels a pattern by the Lehmer code of its rank vector,
``code = Σ_i c_i · (n−1−i)!`` with ``c_i = #{j > i : x_j < x_i}``, an integer in ``[0, n!)``;
``code = 0`` is the increasing window and ``n! − 1`` the decreasing one. Labels do not change
any entropy; :func:`pattern_of` turns a code back into its rank vector.

Ties: equal values are ranked by time, the earlier one lower (``x_j < x_i`` is strict), which
is the rule of a stable ``argsort`` (Bandt & Pompe's convention for continuous data, PECCARY's
``argsort(kind="stable")``). A constant window is therefore the increasing pattern.

The codes come from the ``n(n−1)/2`` pairwise comparisons of shifted views, vectorized over
every leading axis (members, variables), so 10⁶ points take milliseconds.

Entropy and complexity (Rosso et al. 2007), with ``N = n!`` and ``P_e`` uniform:
``H = S(P) / ln N``; ``C = Q_0 · J(P, P_e) · H`` with the Jensen–Shannon divergence
``J = S((P + P_e)/2) − S(P)/2 − S(P_e)/2`` and ``Q_0 = −2 / [((N+1)/N) ln(N+1) − 2 ln(2N) + ln N]``
(so that ``0 ≤ Q_0 J ≤ 1``).
"""

from __future__ import annotations

from math import factorial

import numpy as np
from chaoskit import DataError, ParameterError

__all__ = [
    "MAX_ORDER", "complexity_entropy", "jensen_shannon_complexity", "missing_patterns",
    "ordinal_distribution", "ordinal_patterns", "pattern_of", "permutation_entropy",
]

MAX_ORDER = 10  # 10! = 3,628,800 patterns


def _check(n: int, lag: int) -> None:
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or not 2 <= n <= MAX_ORDER:
        raise ParameterError(f"ordinal patterns: pattern size n must be an integer in [2, {MAX_ORDER}], got {n!r}")
    if isinstance(lag, bool) or not isinstance(lag, (int, np.integer)) or lag < 1:
        raise ParameterError(f"ordinal patterns: sampling interval lag must be a positive integer, got {lag!r}")


def ordinal_patterns(x: np.ndarray, n: int = 5, lag: int = 1) -> np.ndarray:
    """Pattern codes of every window along the last axis.

    Parameters
    ----------
    x
        Real array ``(..., T)``, finite.
    n
        Pattern size (embedding dimension), 2 ≤ n ≤ 10.
    lag
        Sampling interval ℓ between the window's points (embedding delay), in samples.

    Returns
    -------
    numpy.ndarray
        int64 codes in ``[0, n!)`` of shape ``(..., T − (n−1)·lag)``; see the module docstring.
    """
    _check(n, lag)
    x = np.asarray(x)
    if np.iscomplexobj(x) or x.dtype.kind not in "iuf":
        raise DataError(f"ordinal patterns need a real array, got dtype {x.dtype}")
    windows = x.shape[-1] - (n - 1) * lag
    if windows < 1:
        raise DataError(
            f"ordinal patterns: a series of {x.shape[-1]} points has no window of size n = {n} at "
            f"lag {lag} (needs at least {(n - 1) * lag + 1}); use a longer series or a smaller n or lag"
        )
    if x.dtype.kind == "f" and not np.isfinite(x).all():
        raise DataError("ordinal patterns: the series holds non-finite values; drop or repair them first")
    columns = [x[..., i * lag: i * lag + windows] for i in range(n)]
    code = np.zeros(x.shape[:-1] + (windows,), dtype=np.int64)
    smaller = np.empty(code.shape, dtype=np.int64)
    for i in range(n - 1):
        smaller.fill(0)
        for j in range(i + 1, n):
            smaller += columns[j] < columns[i]
        code += smaller * factorial(n - 1 - i)
    return code


def pattern_of(code: int, n: int) -> tuple[int, ...]:
    """The rank vector (0 = smallest value of the window) of a pattern code."""
    if not 0 <= code < factorial(n):
        raise ParameterError(f"pattern_of: code must lie in [0, {factorial(n)}) for n = {n}, got {code}")
    digits, rest = [], int(code)
    for i in range(n):
        base = factorial(n - 1 - i)
        digits.append(rest // base)
        rest %= base
    free, ranks = list(range(n)), []
    for d in digits:  # c_i counts the later, smaller values: the rank is the c_i-th free rank
        ranks.append(free.pop(d))
    return tuple(ranks)


def ordinal_distribution(x: np.ndarray, n: int = 5, lag: int = 1, *, counts: bool = False) -> np.ndarray:
    """Relative frequencies (or counts) of the ``n!`` patterns of each series along the last axis.

    Returns an array ``(..., n!)`` indexed by pattern code; probabilities sum to 1 per series.
    """
    codes = ordinal_patterns(x, n, lag)
    states = factorial(n)
    lead = codes.shape[:-1]
    batch = int(np.prod(lead)) if lead else 1
    flat = codes.reshape(batch, -1) + (np.arange(batch, dtype=np.int64) * states)[:, None]
    histogram = np.bincount(flat.ravel(), minlength=batch * states).reshape(*lead, states)
    if counts:
        return histogram
    return histogram / codes.shape[-1]


def missing_patterns(x: np.ndarray, n: int = 5, lag: int = 1) -> np.ndarray:
    """Number of the ``n!`` patterns never observed, per series (forbidden or unsampled)."""
    return (ordinal_distribution(x, n, lag, counts=True) == 0).sum(axis=-1)


def _shannon(p: np.ndarray) -> np.ndarray:
    """Shannon entropy in nats along the last axis, ``0 ln 0 = 0``."""
    with np.errstate(divide="ignore", invalid="ignore"):
        terms = np.where(p > 0, p * np.log(np.where(p > 0, p, 1.0)), 0.0)
    return -terms.sum(axis=-1)


def _q0(states: int) -> float:
    big = float(states)
    return -2.0 / ((big + 1.0) / big * np.log(big + 1.0) - 2.0 * np.log(2.0 * big) + np.log(big))


def permutation_entropy(x: np.ndarray, n: int = 5, lag: int = 1) -> np.ndarray:
    """Normalized permutation entropy ``H = S(P) / ln n!`` in [0, 1] of each series (last axis)."""
    p = ordinal_distribution(x, n, lag)
    return _shannon(p) / np.log(float(factorial(n)))


def jensen_shannon_complexity(p: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``(H, C)`` of probability vectors ``p`` (last axis: the ``N`` states), Rosso et al. 2007."""
    p = np.asarray(p, dtype=float)
    states = p.shape[-1]
    s_p = _shannon(p)
    log_n = np.log(float(states))
    h = s_p / log_n
    mixture = 0.5 * (p + 1.0 / states)
    divergence = _shannon(mixture) - 0.5 * s_p - 0.5 * log_n
    return h, _q0(states) * divergence * h


def complexity_entropy(x: np.ndarray, n: int = 5, lag: int = 1) -> tuple[np.ndarray, np.ndarray]:
    """``(H, C)``: normalized permutation entropy and Jensen–Shannon complexity per series."""
    return jensen_shannon_complexity(ordinal_distribution(x, n, lag))
