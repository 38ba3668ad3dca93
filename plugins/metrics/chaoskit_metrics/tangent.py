"""Tangent-space propagation with QR re-orthonormalization (Benettin et al. 1980; Shimada & Nagashima 1979).

The engine behind :mod:`chaoskit_metrics.lyapunov`. All members (initial conditions) advance
together: one batched call of the dynamics per step, one batched QR per re-orthonormalization;
the only Python loop is over time steps, which is inherent to the method.

For each member the orbit runs ``transient`` steps alone, then ``tangent_transient`` steps with
``k`` tangent vectors re-orthonormalized but not counted (they align with the Lyapunov vectors),
then ``steps`` steps in which ``log |diag R|`` of every QR is accumulated. Exponent ``i`` of a
member is that sum divided by ``steps · dt`` (``window="uniform"``), or a weighted mean of the
per-step growth rates (``window="parabolic"``, see :func:`window_factors`).

Tangent vectors are pushed through one step by

- ``"jvp"``: the dynamics' own ``jvp(x, V)``: exact. For chaoskit-systems flows with an analytic
  Jacobian that is RK4 of the variational equation (``FlowMap.variational``), ~6× cheaper than
  forward-mode AD through the step, which other torch dynamics use; ``jacobian @ V`` for numpy
  dynamics;
- ``"difference"``: central differences of ``step`` along each normalized column,
  ``J v ≈ (Φ(x + εv) − Φ(x − εv)) / 2ε`` with ``ε = δ · max(1, ‖x‖∞)^(1/3)``,
  ``δ = ∛(machine ε)``, all members and columns in one call of ``step``. The cube root balances
  rounding (``∝ ‖x‖∞ / ε``) against truncation (``∝ ε²``) when a component is large (a forcing
  phase); relative error ~3e-10 per step in float64 on Lorenz-63, so the exponents move by
  ~1e-9 per time unit; needs only ``step``;
- ``"auto"`` (default): ``"difference"`` for torch dynamics in float64 (12× faster than
  ``torch.func.jvp`` in eager mode on Lorenz-63 and 1.7× faster than the variational path at a
  few hundred members: dispatch-bound small tensors favour one batched call), ``"jvp"``
  otherwise (float32 models, numpy dynamics whose ``jvp`` is usually an analytic Jacobian).

The step functions live in :mod:`chaoskit_metrics.tangent_push`; ``compile=True`` fuses the
step of a torch dynamics with ``torch.compile`` (``docs/metrics.md``, *Speed*). Columns fresh
from a QR are unit vectors already, so the difference step skips their normalization there.
"""

from __future__ import annotations

from typing import Any

import attrs
import numpy as np
from chaoskit import Dynamics, ParameterError

from .tangent_backend import TangentBackend
from .tangent_push import TANGENT_MODES, pusher, resolve_mode

__all__ = ["TANGENT_MODES", "WINDOWS", "TangentRun", "initial_basis", "propagate", "window_factors"]

WINDOWS = ("parabolic", "uniform")
_CHECK_EVERY = 32  # QRs between divergence checks (each check copies the state to numpy)


@attrs.frozen(kw_only=True)
class TangentRun:
    """What :func:`propagate` returns (numpy arrays).

    Attributes
    ----------
    log_growth
        ``(members, k)``: sums of ``log |R_ii|`` over the counted steps, each QR's term weighted
        by :func:`window_factors` (all 1 for the uniform window), so that ``log_growth /
        (steps · dt)`` is the exponent; NaN for diverged members.
    diverged_at
        ``(members,)``: step index (from the start, transient included) of the divergence
        check that found the member non-finite (checks run every 32 re-orthonormalizations, at
        the end of each phase and after the orbit transient); ``-1`` where it stayed finite.
    tangent
        The tangent mode actually used (``"jvp"`` or ``"difference"``).
    """

    log_growth: np.ndarray
    diverged_at: np.ndarray
    tangent: str


def propagate(
    dynamics: Dynamics,
    states: np.ndarray,
    *,
    k: int,
    steps: int,
    transient: int,
    tangent_transient: int,
    qr_every: int = 1,
    tangent: str = "auto",
    window: str = "uniform",
    seed: int | None = 0,
    dtype: str = "float64",
    device: str | None = None,
    compile: bool = False,
) -> TangentRun:
    """Run the orbits and tangent vectors of every member; see the module docstring.

    Parameters
    ----------
    dynamics
        The one-step map.
    states
        Initial states ``(members, dimension)`` (float64 numpy array).
    k
        Number of tangent vectors (exponents), ``1 ≤ k ≤ dimension``.
    steps, transient, tangent_transient
        Counted steps; orbit-only steps; uncounted tangent steps (all ≥ 0, ``steps ≥ 1``).
    qr_every
        Re-orthonormalize every ``qr_every`` steps (and at the end of each phase).
    tangent
        ``"auto"``, ``"jvp"`` or ``"difference"``.
    window
        ``"uniform"`` or ``"parabolic"``: the weights of the counted steps
        (:func:`window_factors`).
    seed
        Seed of the random orthonormal tangent vectors each member starts from
        (:func:`initial_basis`).
    dtype, device
        Precision and device of the computation (``device`` for torch dynamics only).
    compile
        Fuse the tangent step of a torch dynamics with ``torch.compile``
        (:mod:`chaoskit_metrics.tangent_push`).

    Raises
    ------
    CapabilityError
        ``tangent="jvp"`` on a dynamics that provides no Jacobian; ``compile=True`` without
        chaoskit-systems.
    """
    backend = TangentBackend(dynamics.backend, dtype, device)
    mode = resolve_mode(tangent, dynamics.backend, dtype)
    if window not in WINDOWS:
        raise ParameterError(f"window must be one of {list(WINDOWS)}, got {window!r}")
    push = pusher(dynamics, backend, mode, compile=compile)
    members = states.shape[0]
    x = backend.array(states)
    diverged_at = np.full(members, -1, dtype=np.int64)
    with backend.quiet():
        for _ in range(transient):
            x = dynamics.step(x)
        x = _mark(backend, x, diverged_at, transient)
        if (diverged_at >= 0).all():  # every orbit left during the transient: NaN, recorded
            return TangentRun(log_growth=np.full((members, k), np.nan), diverged_at=diverged_at,
                              tangent=mode)
        v = backend.array(initial_basis(members, dynamics.dimension, k, seed))
        counted_sum = backend.zeros(members, k)  # log |R_ii| summed over counted steps
        health = backend.zeros(members, k)  # all steps: NaN/inf flags a diverged member
        start, qrs = transient, 0
        for phase_steps, counted in ((tangent_transient, False), (steps, True)):
            previous = 0  # steps of this phase covered by the QRs so far
            unit = True  # the columns of v are orthonormal (fresh from a QR, or initial)
            for j in range(phase_steps):
                x, v = push(x, v, unit)
                last = j == phase_steps - 1
                if (j + 1) % qr_every and not last:
                    unit = False
                    continue
                v, logs = backend.qr_logs(v)
                unit = True
                health = backend.accumulate(health, logs, 1.0)
                if counted:
                    factor = window_factors(window, steps, previous, j + 1)
                    counted_sum = backend.accumulate(counted_sum, logs, factor)
                previous = j + 1
                qrs += 1
                if qrs % _CHECK_EVERY and not last:
                    continue
                bad = _newly_diverged(backend, x, health, diverged_at)
                if bad.any():  # recorded at the check, at most _CHECK_EVERY QRs late
                    diverged_at[bad] = start + j
                    if (diverged_at >= 0).all():
                        return TangentRun(log_growth=np.full((members, k), np.nan),
                                          diverged_at=diverged_at, tangent=mode)
                    alive = diverged_at < 0
                    x, v = _reset(backend, x, v, alive)
                    health = backend.where_rows(alive, health, backend.zeros(members, k))
            start += phase_steps
    log_growth = backend.numpy(counted_sum).astype(np.float64)
    log_growth[diverged_at >= 0] = np.nan
    return TangentRun(log_growth=log_growth, diverged_at=diverged_at, tangent=mode)


def initial_basis(members: int, d: int, k: int, seed: int | None = 0) -> np.ndarray:
    """``(members, d, k)`` random orthonormal columns (QR of a standard Gaussian matrix).

    Not the identity: a coordinate vector can lie in an invariant subspace of the tangent
    dynamics and never meet the most expanding direction. A forced oscillator whose state
    carries the forcing phase is the common case: nothing feeds back into the phase, so vectors
    starting without a phase component keep none, the neutral phase direction is found last,
    and the exponents come out in the wrong order (λ1 = −0.097 instead of 0 on the forced van
    der Pol oscillator). Random vectors have a component along every direction.
    """
    gaussian = np.random.default_rng(seed).standard_normal((members, d, k))
    return np.linalg.qr(gaussian)[0]


def window_factors(window: str, n: int, a: int, b: int) -> float:
    """The weight of a QR's ``log |R_ii|`` covering counted steps ``a+1 … b`` of ``n``.

    The exponent is ``Σ_s p_s r_s``, a weighted mean of the per-step growth rates
    ``r_s = log-growth / dt`` with weights ``p_s`` summing to 1; one QR's growth is spread
    evenly over the ``L = b − a`` steps it covers, so its term is ``log |R_ii| · n P / L`` in a
    sum divided by ``n · dt``, ``P`` the weight of its steps.

    - ``"uniform"``: ``p_s = 1/n`` (factor 1): the classic Benettin average.
    - ``"parabolic"``: ``p_s ∝ s (n + 1 − s)``, which makes the exponent the least-squares
      slope of the cumulative log growth against time (Welch's window). The end points, where
      a segment's estimate carries a bounded but large fluctuation of the tangent vectors'
      log-norm, get small weight: on Lorenz-63 the variance of a 40-time-unit segment
      estimate of λ1 falls 2.3× (of λ2, 8×) while its mean is unchanged; the sum of the
      exponents is still the weighted mean of the volume growth rate.
    """
    if window == "uniform":
        return 1.0

    def cumulative(m: int) -> float:  # Σ_{s=1}^{m} s (n + 1 − s)
        return (n + 1) * m * (m + 1) / 2.0 - m * (m + 1) * (2 * m + 1) / 6.0

    share = (cumulative(b) - cumulative(a)) / cumulative(n)
    return n * share / (b - a)


def _newly_diverged(backend: TangentBackend, x: Any, health: Any, diverged_at: np.ndarray) -> np.ndarray:
    ok = backend.finite_rows(x) & backend.finite_rows(health)
    return ~ok & (diverged_at < 0)


def _mark(backend: TangentBackend, x: Any, diverged_at: np.ndarray, step: int) -> Any:
    """After the orbit transient: record non-finite members and park them on a healthy state."""
    bad = ~backend.finite_rows(x)
    if not bad.any():
        return x
    diverged_at[bad] = step
    if bad.all():  # nothing left to park on: the caller returns NaN for every member
        return x
    good = int(np.argmin(bad))
    return backend.where_rows(~bad, x, x[good : good + 1])


def _reset(backend: TangentBackend, x: Any, v: Any, alive: np.ndarray) -> tuple[Any, Any]:
    """Park diverged members on a healthy member's state with fresh tangent vectors.

    They keep being computed (the batch shape stays fixed) but are no longer counted.
    """
    good = int(np.argmax(alive))
    x = backend.where_rows(alive, x, x[good : good + 1])
    fresh = backend.eye(v.shape[0], v.shape[-2], v.shape[-1])
    return x, backend.where_rows(alive, v, fresh)
