"""The computation behind ``python -m chaoskit_systems.tools.invariants``: one system's entry.

Every system is computed with the global settings (:class:`InvariantSettings`) merged with its
row of the override table (:mod:`~chaoskit_systems.tools.invariant_overrides`), measured in its
own time scale — periods for flows and delay equations (``metadata.period``), iterations for
maps — and the metrics come from the registry (``lyapunov_spectrum``, ``kaplan_yorke``,
``correlation_dimension`` of chaoskit-metrics), so this module imports no other plugin.
"""

from __future__ import annotations

import hashlib
import json
import math
import time
import warnings
from typing import Any

import attrs
import chaoskit
import numpy as np
from chaoskit.validators import choice, in_interval, integer, positive

from .invariant_status import STATUSES, VERDICTS, judge

__all__ = ["JUDGING", "STATUSES", "VERDICTS", "InvariantSettings", "compute_entry", "fingerprint", "judge"]


@attrs.frozen(kw_only=True)
class InvariantSettings:
    """The settings of a run: global, with a system's overrides merged (both recorded in the data file).

    Lyapunov spectra (tangent-space QR, chaoskit-metrics' ``lyapunov_spectrum``):

    - flows: ``members`` copies of ``metadata.initial_state`` moved by ``perturbation`` (relative)
      run ``transient_periods`` and then the correlation-dimension sample (below) by RK4 with
      the system's ``default_max_step``; from their last states, the map
      ``dynamics(period / steps_per_period)`` runs ``tangent_transient_periods`` of uncounted
      QR steps, then ``periods`` counted, averaged with ``window``; all exponents;
    - delay equations: the same in periods, on the discretized history (``DelayDynamics`` at the
      sampling interval nearest ``period / steps_per_period`` on the step grid), ``delay_members``
      members and the ``delay_exponents`` leading exponents;
    - maps: ``map_members`` members, ``map_transient`` + ``map_tangent_transient`` +
      ``map_iterations`` iterations, exact Jacobian-vector products (``tangent="jvp"``: central
      differences would straddle the angle reduction of circle and torus maps).

    Correlation dimension (Grassberger–Procaccia, ``correlation_dimension``): ``d2_points``
    points pooled from the trajectories of the members (flows: the ``members`` above; maps and
    delay equations: ``d2_members`` of their own), sampled ``d2_samples_per_period`` times per
    period after ``transient_periods`` (maps: every iteration after ``map_transient``), the
    bounded variables only; a delay equation's scalar ``x(t)`` is delay-embedded in
    ``d2_delay_embedding`` dimensions with a lag of a quarter period, a one-dimensional map's
    orbit as the pairs ``(x_n, x_n+1)``.

    Members start as copies of one state, so they are independent only once chaos has spread
    them: an entry notes when ``λ1 ×`` (time before counting) ``< 2 ln(1 / perturbation)``, in
    which case the standard error may be too small.

    Convergence: λ1 has converged when its standard error is at most ``max_relative_se`` of
    ``|λ1|``, or, when λ1 is indistinguishable from 0 (within 3 standard errors, or below
    ``zero_tolerance`` times the scale ``max(max |λ_i|, 1/T)``, ``T`` the counted time per
    member), at most ``zero_tolerance`` times that scale.
    """

    members: int = attrs.field(default=64, validator=integer(2))
    steps_per_period: int = attrs.field(default=20, validator=integer(1))
    transient_periods: float = attrs.field(default=15.0, validator=positive)
    tangent_transient_periods: float = attrs.field(default=5.0, validator=positive)
    periods: float = attrs.field(default=30.0, validator=positive)
    perturbation: float = attrs.field(default=1e-2, validator=positive)
    window: str = attrs.field(default="parabolic", validator=choice(("parabolic", "uniform")))
    map_members: int = attrs.field(default=256, validator=integer(2))
    map_iterations: int = attrs.field(default=2000, validator=integer(1))
    map_transient: int = attrs.field(default=200, validator=integer(0))
    map_tangent_transient: int = attrs.field(default=50, validator=integer(0))
    delay_members: int = attrs.field(default=32, validator=integer(2))
    delay_exponents: int = attrs.field(default=4, validator=integer(1))
    d2_points: int = attrs.field(default=10_000, validator=integer(200))
    d2_members: int = attrs.field(default=20, validator=integer(1))
    d2_samples_per_period: int = attrs.field(default=20, validator=integer(4))
    d2_delay_embedding: int = attrs.field(default=5, validator=integer(2))
    max_relative_se: float = attrs.field(default=0.05, validator=in_interval(0.0, 1.0))
    zero_tolerance: float = attrs.field(default=1e-3, validator=in_interval(0.0, 1.0))
    seed: int = attrs.field(default=0, validator=integer(0))

    @classmethod
    def from_overrides(cls, pairs: list[str]) -> InvariantSettings:
        """Settings with ``key=value`` overrides (command line ``--set``), typed by the field."""
        fields = {f.name: f for f in attrs.fields(cls)}
        changes: dict[str, Any] = {}
        for pair in pairs:
            key, sep, raw = pair.partition("=")
            if not sep or key not in fields:
                raise chaoskit.ParameterError(
                    f"--set expects key=value with key one of {sorted(fields)}, got {pair!r}"
                )
            kind = type(fields[key].default)
            try:
                changes[key] = kind(raw)
            except ValueError:
                raise chaoskit.ParameterError(f"--set {key}: expected a {kind.__name__}, got {raw!r}") from None
        return cls(**changes)


#: settings that only judge the result (the status), not what is computed
JUDGING = ("max_relative_se", "zero_tolerance")


def fingerprint(system: chaoskit.System, settings: InvariantSettings) -> str:
    """A short hash of what an entry depends on: the system's class, parameters, initial state,
    period and RK4 step, and the settings that enter the computation (not the convergence
    thresholds of :data:`JUDGING`). A stored entry whose fingerprint differs is stale."""
    meta = system.metadata
    step = system.default_max_step() if hasattr(system, "default_max_step") else None
    payload = {
        "class": f"{type(system).__module__}:{type(system).__qualname__}",
        "parameters": {k: _plain(v) for k, v in system.parameters.items()},
        "initial_state": list(meta.initial_state), "period": meta.period,
        "max_step": None if system.kind == "map" else step,
        "settings": {k: v for k, v in attrs.asdict(settings).items() if k not in JUDGING},
    }
    text = json.dumps(payload, sort_keys=True, default=repr)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def compute_entry(
    name: str, settings: InvariantSettings, override: dict[str, Any] | None = None
) -> dict[str, Any]:
    """The invariants entry of the registered system ``name`` (never raises: a failure is recorded).

    ``settings`` are the ones to run (the global ones merged with the system's override);
    ``override`` (the system's row of the override table, recorded in the entry as
    ``overrides``) may carry a structural ``status`` (:data:`VERDICTS`) with its ``why``.
    """
    start = time.process_time()
    system = chaoskit.systems.create(name)
    entry: dict[str, Any] = {"kind": system.kind, "dimension": system.dimension,
                             "fingerprint": fingerprint(system, settings), "notes": []}
    if override:
        entry["overrides"] = dict(override)
    notes: list[str] = entry["notes"]
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        on_attractor = None
        try:
            dimension, last = _dimension(system, settings, notes)
            entry.update(dimension)
            on_attractor = last if system.kind == "flow" else None  # the transient, already run
        except Exception as exc:  # noqa: BLE001 - recorded, never hidden; the spectrum still runs
            notes.append(f"correlation dimension failed: {_error(exc)}")
            entry["correlation_dimension"] = {"value": None, "reason": f"failed: {_error(exc)}"}
        try:
            entry.update(_lyapunov(system, settings, notes, on_attractor))
            judge(entry, settings, system.metadata.flags)
        except Exception as exc:  # noqa: BLE001 - recorded; the run goes on with the next system
            entry["status"] = "failed"
            notes.append(f"Lyapunov spectrum failed: {_error(exc)}")
    for w in caught:
        if issubclass(w.category, chaoskit.DivergenceWarning):
            notes.append(f"warning: {str(w.message).splitlines()[0][:200]}")
    entry["cpu_seconds"] = round(time.process_time() - start, 2)
    return entry


# --------------------------------------------------------------------------- Lyapunov spectrum
def _lyapunov(
    system: chaoskit.System, s: InvariantSettings, notes: list[str], start: np.ndarray | None
) -> dict[str, Any]:
    """The spectrum; ``start``: on-attractor states ``(members, d)`` that skip the orbit transient."""
    meta = system.metadata
    x0 = np.asarray(meta.initial_state, dtype=np.float64)
    before = 0.0  # time from the copies of x0 to the first counted step
    if system.kind == "map":
        dyn = system.dynamics(1)
        run: dict[str, Any] = {
            "members": s.map_members, "steps": s.map_iterations, "transient": s.map_transient,
            "tangent_transient": s.map_tangent_transient, "tangent": "jvp",
        }
        before = float(s.map_transient + s.map_tangent_transient)
    else:
        period = _period(system)
        dt = period / s.steps_per_period
        if system.kind == "delay":
            dt = system.commensurate_dt(dt)  # type: ignore[attr-defined]
        dyn = system.dynamics(dt)
        per_period = period / dyn.dt
        run = {
            "members": s.delay_members if system.kind == "delay" else s.members,
            "steps": math.ceil(s.periods * per_period),
            "transient": 0 if start is not None else math.ceil(s.transient_periods * per_period),
            "tangent_transient": math.ceil(s.tangent_transient_periods * per_period),
            "tangent": _flow_tangent(system, dyn),
        }
        before = (s.transient_periods + s.tangent_transient_periods) * period
        if start is not None:
            before += math.ceil(s.d2_points / s.members) * period / s.d2_samples_per_period
    if start is None:
        start = dyn.lift(x0) if system.kind == "delay" else x0
    k = min(s.delay_exponents, dyn.dimension) if system.kind == "delay" else dyn.dimension
    metric = chaoskit.metrics.create(
        "lyapunov_spectrum", exponents=k, window=s.window, perturbation=s.perturbation,
        seed=s.seed, per_member=True, **run,
    )
    segments = metric.estimate(dyn, initial_states=start)
    values = segments.values
    valid = np.isfinite(values).all(axis=1)
    n = int(valid.sum())
    if n < 2:
        raise chaoskit.DataError(f"{n} member(s) stayed finite: no spectrum")
    mean = values[valid].mean(axis=0)
    se = values[valid].std(axis=0, ddof=1) / np.sqrt(n)
    diverged = int((~valid).sum())
    if diverged:
        notes.append(f"{diverged} of {len(valid)} members diverged and were dropped")
    spread = 2.0 * math.log(1.0 / s.perturbation)
    if mean[0] > 0 and mean[0] * before < spread:
        notes.append(f"members may not have decorrelated before counting (λ1 × {before:.4g} = "
                     f"{mean[0] * before:.2g} < {spread:.2g}): the standard error may be too small")
    ky_metric = chaoskit.metrics.create("kaplan_yorke")
    per_member_ky = np.asarray(ky_metric.estimate(segments[valid]).values, dtype=float)
    ky = float(ky_metric.estimate(segments[valid].mean("member")).values)
    out: dict[str, Any] = {
        "lyapunov_spectrum": {"value": _round(mean), "uncertainty": _round(se, 3),
                              "exponents": k, "members_used": n, "members_diverged": diverged,
                              # min, quartiles, max of the members' λ1: groups = multistability
                              "lambda1_members": _round(np.quantile(values[valid, 0],
                                                                    [0, 0.25, 0.5, 0.75, 1]), 4)},
        "kaplan_yorke_dimension": {"value": _round(ky), "uncertainty": _round(
            per_member_ky.std(ddof=1) / np.sqrt(n), 3)},
        "lyapunov_settings": {
            "dt": dyn.dt, "substeps": int(getattr(dyn, "substeps", 1)), "members": len(valid),
            "steps": run["steps"], "transient": run["transient"],
            "tangent_transient": run["tangent_transient"], "qr_every": 1, "time_before_counting": before,
            "tangent": segments.attrs["tangent_used"], "window": s.window,
            "perturbation": s.perturbation, "seed": s.seed,
            "time_per_member": run["steps"] * dyn.dt, "state_dimension": dyn.dimension,
        },
    }
    if system.kind == "delay":
        if ky >= k:
            out["kaplan_yorke_dimension"] = {"value": None, "lower_bound": k}
            notes.append(f"the {k} leading exponents sum to ≥ 0: the Kaplan-Yorke dimension exceeds {k}")
        notes.append(f"leading {k} exponents of the discretized history (dimension {dyn.dimension})")
    return out


def _flow_tangent(system: chaoskit.System, dyn: Any) -> str:
    """Exact variational tangents where the flow has an analytic Jacobian and a component that
    grows without bound (a clock or phase, whose size degrades central differences); else
    central differences (exact to ~1e-9 in the exponents, and the cheapest path)."""
    if system.kind == "flow" and system.metadata.unbounded_indices and getattr(dyn, "variational", False):
        return "jvp"
    return "difference"


def _period(system: chaoskit.System) -> float:
    period = system.metadata.period
    if period is None:
        raise chaoskit.DataError(f"{system.name} has no period in its metadata: no time scale")
    return float(period)


# --------------------------------------------------------------------------- correlation dimension
def _dimension(
    system: chaoskit.System, s: InvariantSettings, notes: list[str]
) -> tuple[dict[str, Any], np.ndarray | None]:
    """The correlation dimension (and mean divergence) from the members' trajectories, and
    their last states (``None`` when none stayed finite)."""
    meta = system.metadata
    members = s.members if system.kind == "flow" else s.d2_members
    per_member = math.ceil(s.d2_points / members)
    kw: dict[str, Any] = {"members": members, "seed": s.seed}  # copies moved by the system's 1e-2
    lag = None
    if system.kind == "map":
        ds = system.trajectory(per_member, transient=s.map_transient, **kw)
        sampling = 1.0
    else:
        period = _period(system)
        dt = period / s.d2_samples_per_period
        if system.kind == "delay":
            dt = system.commensurate_dt(dt)  # type: ignore[attr-defined]
            lag = max(1, round(period / dt / 4))
        else:
            kw["method"] = "rk4"
        ds = system.trajectory(per_member, dt=dt, transient=s.transient_periods * period, **kw)
        sampling = dt
    states = np.asarray(ds["state"].values, dtype=np.float64)  # (members, time, variable)
    finite = np.isfinite(states).all(axis=(1, 2))
    last = states[finite, -1] if finite.sum() >= 2 else None
    keep = [i for i in range(states.shape[-1]) if i not in meta.unbounded_indices]
    names = [system.variables[i] for i in keep]
    why = ("every trajectory became non-finite" if not finite.any()
           else "every component is unbounded: no attractor to measure" if not keep else "")
    if why:
        notes.append(f"correlation dimension: {why}")
        return {"correlation_dimension": {"value": None, "reason": why}}, last
    points = states[finite][..., keep]
    out: dict[str, Any] = {}
    if system.kind == "flow" and not meta.unbounded_indices:
        trace = np.trace(np.asarray(system.jacobian(0.0, points.reshape(-1, states.shape[-1]))),
                         axis1=-2, axis2=-1)
        out["mean_divergence"] = {"value": _round(float(trace.mean())),
                                  "std": _round(float(trace.std()), 3)}
    embedding = None
    if points.shape[-1] == 1:  # a scalar series: delay vectors per member, then pooled
        from chaoskit_metrics.embedding import delay_embed

        # a delay equation's x(t): d2_delay_embedding dimensions, lag a quarter period;
        # a 1-D map: (x_n, x_n+1), the graph of the map
        m, lag = (s.d2_delay_embedding, lag) if lag is not None else (2, 1)
        points = delay_embed(points, m, lag)
        names = [f"{names[0]}(t+{j}·lag)" for j in range(m)]
        embedding = {"dimension": m, "lag_samples": lag}
    pooled = points.reshape(1, -1, points.shape[-1])
    data = chaoskit.make_dataset(pooled, time=np.arange(pooled.shape[1]) * sampling,
                                 variables=tuple(f"v{i}" for i in range(pooled.shape[-1])),
                                 attrs={"dt": sampling})
    # never thinned below what was asked for (the metric's default thins beyond 20,000 points)
    d2 = chaoskit.metrics.create("correlation_dimension", max_points=max(s.d2_points, 20_000)).estimate(data)
    value = float(d2.values[0])
    record: dict[str, Any] = {
        "value": None if not np.isfinite(value) else _round(value),
        "uncertainty": _round(float(d2["uncertainty"].values[0]), 3),
        "takens": _round(float(d2["takens"].values[0])),
        "fit_r_min": _round(float(d2["fit_r_min"].values[0]), 4),
        "fit_r_max": _round(float(d2["fit_r_max"].values[0]), 4),
        "points": int(d2["points"].values[0]), "trajectories": int(finite.sum()),
        "sampling_interval": sampling, "variables": names, "estimator": "gp",
        "scaling_region": "flattest one-decade window of radii with >= 500 pairs and C <= 0.1",
    }
    if embedding:
        record["embedding"] = embedding
    reason = str(d2["reason"].values[0])
    if reason:
        record["reason"] = reason
        notes.append(f"correlation dimension: {reason}")
    out["correlation_dimension"] = record
    return out, last


def _error(exc: Exception) -> str:
    return f"{type(exc).__name__}: {str(exc).splitlines()[0][:300] if str(exc) else ''}"


def _round(values: Any, digits: int = 6) -> Any:
    """Significant digits for the JSON file: ``digits`` for values, fewer for uncertainties."""
    def one(v: float) -> float | None:
        if not np.isfinite(v):
            return None
        return float(f"{v:.{digits}g}")

    if np.ndim(values) == 0:
        return one(float(values))
    return [one(float(v)) for v in np.asarray(values).ravel()]


def _plain(value: Any) -> Any:
    if isinstance(value, (np.ndarray, list, tuple)):
        return np.asarray(value, dtype=float).tolist()
    return value
