"""Per-system settings of the reference invariants, and the escalation that finds them.

The override table is the ``"overrides"`` object of the data file (next to ``"systems"``, so
the settings and the entries they produced travel together)::

    "overrides": {"dequan_li": {"periods": 480.0, "why": "--converge: ..."},
                  "henon_heiles": {"periods": 120.0, "status": "zero_exponent", "why": "..."}}

Each row's settings (any field of :class:`~chaoskit_systems.tools.invariant_runs.InvariantSettings`)
are merged over the global ones; ``why`` says why (required); ``status`` (optional) is a
structural verdict (:data:`~chaoskit_systems.tools.invariant_runs.VERDICTS`) for a spectrum
that cannot converge, set by hand with its evidence. The merged settings enter the entry's
fingerprint, so ``--check`` flags an entry whose override changed.

:func:`converge` (``--converge``) reruns a system with the counted time multiplied — flows and
delay equations ``periods``, maps ``map_iterations`` — until its λ1 converges or the next run
would exceed a CPU budget, and returns the row that records the settings it ended with.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from typing import Any

import attrs
import chaoskit

from .invariant_runs import VERDICTS, InvariantSettings, compute_entry, fingerprint

__all__ = ["OVERRIDES", "converge", "settings_for", "validate"]

OVERRIDES = "overrides"
_META = ("why", "status")


def validate(overrides: Mapping[str, Mapping[str, Any]]) -> None:
    """Raise :class:`chaoskit.ConfigError` for an unknown setting or verdict, or a row without ``why``."""
    fields = {f.name for f in attrs.fields(InvariantSettings)}
    for name, row in overrides.items():
        unknown = set(row) - fields - set(_META)
        if unknown:
            raise chaoskit.ConfigError(
                f"invariant override of {name!r}: unknown key(s) {sorted(unknown)}; expected settings "
                f"among {sorted(fields)} and 'why'/'status'"
            )
        if not str(row.get("why", "")).strip():
            raise chaoskit.ConfigError(f"invariant override of {name!r}: give the reason in 'why'")
        if "status" in row and row["status"] not in VERDICTS:
            raise chaoskit.ConfigError(
                f"invariant override of {name!r}: status {row['status']!r} is not one of {sorted(VERDICTS)}"
            )


def settings_for(base: InvariantSettings, row: Mapping[str, Any] | None) -> InvariantSettings:
    """``base`` with the settings of one override row (its ``why``/``status`` ignored), typed
    by the field (``4`` for a float field becomes ``4.0``) and validated."""
    if not row:
        return base
    fields = {f.name: f for f in attrs.fields(InvariantSettings)}
    changes = {}
    for key, value in row.items():
        if key in _META:
            continue
        if key not in fields:
            raise chaoskit.ConfigError(f"invariant override: unknown setting {key!r}; expected one of {sorted(fields)}")
        kind = type(fields[key].default)
        changes[key] = kind(value) if kind in (int, float) and isinstance(value, (int, float)) else value
    try:
        return attrs.evolve(base, **changes)
    except (TypeError, ValueError) as exc:
        raise chaoskit.ConfigError(f"invariant override {dict(row)!r}: {exc}") from None


def _counted(kind: str) -> str:
    return "map_iterations" if kind == "map" else "periods"


def _counted_fraction(s: InvariantSettings, kind: str) -> float:
    """The share of a run's cost that scales with the counted time (the rest: transients and
    the correlation-dimension sample)."""
    if kind == "map":
        fixed = s.map_transient + s.map_tangent_transient + s.d2_points / s.d2_members
        return s.map_iterations / (s.map_iterations + fixed)
    fixed = s.transient_periods + s.tangent_transient_periods + s.d2_points / s.members / s.d2_samples_per_period
    return s.periods / (s.periods + fixed)


def _growth(entry: Mapping[str, Any], s: InvariantSettings, max_factor: float) -> float:
    """Factor on the counted time expected to meet the criterion (×1.3 for safety): the ratio
    of SE(λ1) to its threshold, squared (SE ∝ 1/√T for chaos), between 2 and ``max_factor``."""
    spec = entry["lyapunov_spectrum"]
    lam, se = abs(spec["value"][0]), spec["uncertainty"][0]
    threshold = s.max_relative_se * lam if lam > 3 * se else s.zero_tolerance * max(
        max(abs(v) for v in spec["value"]), 1.0 / entry["lyapunov_settings"]["time_per_member"])
    need = 1.3 * (se / threshold) ** 2 if threshold > 0 else max_factor
    return float(min(max(need, 2.0), max_factor))


def converge(
    name: str, base: InvariantSettings, row: Mapping[str, Any] | None, budget: float, *,
    max_factor: float = 16.0, compute: Callable[..., dict[str, Any]] = compute_entry,
    log: Callable[[str], None] = print, previous: Mapping[str, Any] | None = None,
) -> tuple[dict[str, Any], dict[str, Any]]:
    """Rerun ``name`` with a growing counted time until its λ1 converges.

    Starts from ``base`` merged with ``row``; after a ``not_converged`` run, multiplies the
    counted time by :func:`_growth` and reruns, unless the predicted CPU time of the next run
    (its counted part scaled) would take the total past ``budget`` seconds, or the last
    growth ``k`` shrank SE(λ1) by less than ``k^(1/4)`` (``√k`` expected for chaos, ``k`` for
    a zero exponent): more time does not help members that sit on different attractors or
    whose chaos is transient (look at ``lambda1_members``). Returns the last
    entry and the override row with the settings it was computed with and a ``why`` that
    records the runs (a hand-set ``status`` is kept; the row is returned unchanged when the
    stored entry needed no run). ``previous``: the stored entry, taken as the first run (not
    recomputed) when its fingerprint matches the merged settings.
    """
    row = dict(row or {})
    system = chaoskit.systems.create(name)
    key = _counted(system.kind)
    spent, runs, last, computed = 0.0, [], None, 0
    while True:
        settings = settings_for(base, row)
        if previous is not None and previous.get("fingerprint") == fingerprint(system, settings):
            entry, previous = dict(previous), None  # already computed: its CPU time was spent before
        else:
            entry, previous = compute(name, settings, row), None
            spent, computed = spent + entry["cpu_seconds"], computed + 1
        spec = entry.get("lyapunov_spectrum") or {"value": [math.nan], "uncertainty": [math.nan]}
        runs.append(f"{key}={getattr(settings, key):g}: {entry['status']}, λ1 = {spec['value'][0]:.4g} ± "
                    f"{spec['uncertainty'][0]:.2g} ({entry['cpu_seconds']:.0f} s)")
        log(f"{name}: {runs[-1]}")
        if entry["status"] != "not_converged":
            break
        counted, se = getattr(settings, key), spec["uncertainty"][0]
        if last is not None and se > last[1] * (counted / last[0]) ** -0.25:
            runs.append(f"stopped: SE(λ1) fell {last[1] / se:.3g}× for ×{counted / last[0]:.3g} the time "
                        f"(√ of it expected): see lambda1_members for members on different attractors")
            break
        last = (counted, se)
        grow = _growth(entry, settings, max_factor)
        cost = entry["cpu_seconds"] * (1.0 + _counted_fraction(settings, entry["kind"]) * (grow - 1.0))
        if spent + cost > budget:
            runs.append(f"stopped: the next run (×{grow:.3g}, ~{cost:.0f} s) would exceed the {budget:g} s budget")
            break
        value = getattr(settings, key) * grow
        row[key] = math.ceil(value) if key == "map_iterations" else float(f"{value:.4g}")
    if not computed:  # the stored entry was already settled: nothing to record
        return entry, row
    done = "converged" if entry["status"] == "converged" else f"ended {entry['status']}"
    note = f"--converge ({done}, {spent:.0f} CPU s): " + "; ".join(runs)
    hand = str(row.get("why", ""))
    row["why"] = note if not hand or hand.startswith("--converge") else f"{hand} | {note}"
    entry["overrides"] = dict(row)  # the verdict's note is refreshed by the caller's judge()
    return entry, row
