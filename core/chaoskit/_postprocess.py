"""What ``System.trajectory`` does to a simulated state array: observation noise, z-scoring.

Private to the core, except :func:`member_generators` (re-exported by :mod:`chaoskit.system`),
which providers use for dynamical noise so that every random stream of a call follows one rule.
"""

from __future__ import annotations

import contextlib
import warnings
from collections.abc import Iterator

import numpy as np

__all__ = ["DYNAMICAL_NOISE", "OBSERVATION_NOISE", "member_generators", "observation_noise", "standardize"]

DYNAMICAL_NOISE = 1
"""Stream number of dynamical (Brownian) noise in :func:`member_generators`."""
OBSERVATION_NOISE = 2
"""Stream number of observation noise in :func:`member_generators`."""


def member_generators(seed: int | None, stream: int, members: int) -> list[np.random.Generator]:
    """One independent numpy generator per member for the random ``stream`` of a call.

    Member ``k`` draws from ``SeedSequence(seed, spawn_key=(stream, k))``: its numbers depend
    on ``seed``, ``stream`` and ``k`` only — not on how many members there are, nor on the
    device — and streams of different numbers are independent (``1``: dynamical noise,
    ``2``: observation noise; the default initial states use ``default_rng(seed)`` itself).
    ``seed=None`` draws fresh entropy (a different result every call).
    """
    entropy = np.random.SeedSequence(seed).entropy
    return [
        np.random.default_rng(np.random.SeedSequence(entropy, spawn_key=(stream, k)))
        for k in range(members)
    ]


def observation_noise(
    state: np.ndarray, level: float, kind: str, seed: int | None
) -> tuple[np.ndarray, np.ndarray]:
    """``state`` plus Gaussian measurement noise, and the noise's standard deviations.

    ``kind="relative"`` (dysts' convention): member ``m``'s variable ``i`` gets noise of standard
    deviation ``level · std(state[m, ..., i])``, the standard deviation of that member's clean
    variable over time (and space); ``kind="absolute"``: ``level`` itself. Draws come from
    :func:`member_generators` (stream :data:`OBSERVATION_NOISE`). Complex fields get complex
    noise with independent real and imaginary parts of variance ``σ²/2`` each. Returns the noisy
    array (dtype kept) and the deviations ``(members, variables)``.
    """
    members, d = state.shape[0], state.shape[-1]
    inner = tuple(range(1, state.ndim - 1))
    if kind == "relative":
        with np.errstate(invalid="ignore"):
            scale = level * _nanstd(state, inner)
    else:
        scale = np.full((members, d), float(level))
    noisy = np.array(state, copy=True)
    complex_ = np.iscomplexobj(state)
    for m, gen in enumerate(member_generators(seed, OBSERVATION_NOISE, members)):
        draw = gen.standard_normal(state.shape[1:])
        if complex_:
            draw = (draw + 1j * gen.standard_normal(state.shape[1:])) / np.sqrt(2.0)
        noisy[m] += (scale[m] * draw).astype(state.dtype, copy=False)
    return noisy, scale


def standardize(state: np.ndarray, *others: np.ndarray) -> tuple[list[np.ndarray], np.ndarray, np.ndarray]:
    """Z-score every variable of ``state`` over (member, time, space); apply the same to ``others``.

    Non-finite entries (members that diverged) are ignored in the statistics; a variable that is
    constant (or entirely non-finite) keeps a scale of 1. Returns the standardized arrays (dtype
    kept), and the per-variable ``mean`` and ``std`` used: ``x = z · std + mean`` undoes it.
    """
    axes = tuple(range(state.ndim - 1))
    finite = np.where(np.isfinite(state), state, np.nan)
    with np.errstate(invalid="ignore"), _quiet():
        mean = np.nanmean(finite, axis=axes)
        std = np.nanstd(finite, axis=axes)
    mean = np.where(np.isfinite(mean), mean, 0.0)
    std = np.where(np.isfinite(std) & (std > 0), std, 1.0)
    out = [((a - mean) / std).astype(a.dtype, copy=False) for a in (state, *others)]
    return out, mean, std


def _nanstd(state: np.ndarray, axes: tuple[int, ...]) -> np.ndarray:
    finite = np.where(np.isfinite(state), state, np.nan)
    with _quiet():
        std = np.nanstd(finite, axis=axes)
    return np.where(np.isfinite(std), std, 0.0)


@contextlib.contextmanager
def _quiet() -> Iterator[None]:
    """Silence numpy's 'mean of empty slice' warnings for all-NaN (diverged) members."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        yield
