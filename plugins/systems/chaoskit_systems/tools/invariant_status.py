"""The status of a reference-invariants entry: converged or not, chaotic or regular, and the
structural verdicts an override may set (:data:`VERDICTS`)."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

import chaoskit
import numpy as np

if TYPE_CHECKING:
    from .invariant_runs import InvariantSettings

__all__ = ["STATUSES", "VERDICTS", "judge"]

#: statuses a per-system override may set (with its evidence in ``why``) for a spectrum that
#: cannot converge for a structural reason; they replace ``converged``/``not_converged``
VERDICTS = {
    "zero_exponent": "λ1 is 0 within its error and its SE falls like 1/T, not 1/√T (a regular, "
                     "quasi-periodic or conservative orbit): no relative precision is reachable",
    "multistable": "the members settle on different attractors (their λ1 fall into separate "
                   "groups): the mean over members is not one attractor's exponent",
    "transient_chaos": "the members' chaos is transient: λ1 drifts down as the counted time grows",
}
STATUSES = ("converged", "not_converged", "diverged", "failed", *VERDICTS)


_NOT_CONVERGED = "not converged:"


_SHEAR = "conservative:"
_VERDICT = "structural:"
_CONSERVATIVE = {"conservative", "hamiltonian", "area_preserving"}


def judge(entry: dict[str, Any], settings: InvariantSettings, flags: Any = ()) -> None:
    """Set ``status`` and ``character`` of an entry with a spectrum from its stored values
    (a ``failed`` entry stays failed); the notes of a previous verdict are replaced.

    ``flags`` (the system's metadata flags, stored in the entry): in a conservative system a
    regular orbit's tangent vectors grow linearly (shear), which gives a finite-time exponent
    ``ln(1 + T/a) / T`` after ``a`` time units of tangent transient and ``T`` counted; a λ1
    below that (plus 3 standard errors) is not called chaotic.

    A structural ``status`` in the entry's ``overrides`` (:data:`VERDICTS`, set by hand with the
    evidence in its ``why``) replaces ``converged``/``not_converged``, with a note.
    """
    if "lyapunov_spectrum" not in entry:
        return
    entry["flags"] = sorted(flags)
    entry["notes"] = [n for n in entry["notes"] if not n.startswith((_NOT_CONVERGED, _SHEAR, _VERDICT))]
    entry["status"] = _status(entry, settings)
    override = entry.get("overrides") or {}
    verdict = override.get("status")
    if verdict and entry["status"] in ("converged", "not_converged"):
        if verdict not in VERDICTS:
            raise chaoskit.ConfigError(
                f"override status {verdict!r}: expected one of {sorted(VERDICTS)}; fix the override table"
            )
        entry["status"] = verdict
        entry["notes"].append(f"{_VERDICT} {verdict} ({VERDICTS[verdict]}): {override.get('why', '')}")


def _status(entry: dict[str, Any], s: InvariantSettings) -> str:
    spec = entry["lyapunov_spectrum"]
    lam, se = np.asarray(spec["value"]), np.asarray(spec["uncertainty"])
    run = entry.get("lyapunov_settings", {})
    # the spectrum's own scale, but no finer than what T counted time units resolve (1/T):
    # a spectrum of zeros (a torus) is judged against that
    scale = max(float(np.abs(lam).max()), 1.0 / run.get("time_per_member", 1.0))
    significant = lam > 3 * se
    entry["character"] = (
        "hyperchaotic" if significant[:2].all() and len(lam) > 1 and lam[1] > s.zero_tolerance * scale
        else "chaotic" if significant[0] and lam[0] > s.zero_tolerance * scale
        else "regular"
    )
    if _CONSERVATIVE & set(entry.get("flags", [])) and run and entry["character"] != "regular":
        counted = run["time_per_member"]
        ahead = max(run["tangent_transient"], 1) * run["dt"]
        shear = math.log(1.0 + counted / ahead) / counted
        if lam[0] <= shear + 3 * se[0]:
            entry["character"] = "regular"
            entry["notes"].append(
                f"{_SHEAR} λ1 = {lam[0]:.3g} is within the finite-time exponent of a regular "
                f"orbit's linear shear, ln(1 + T/a)/T = {shear:.3g}: not evidence of chaos"
            )
    if abs(lam[0]) > max(3 * se[0], s.zero_tolerance * scale):
        converged = se[0] <= s.max_relative_se * abs(lam[0])
    else:  # λ1 ≈ 0 (a regular orbit, a neutral phase): an absolute criterion
        converged = se[0] <= s.zero_tolerance * scale
    if spec["members_diverged"] > 0.1 * (spec["members_used"] + spec["members_diverged"]):
        return "diverged"
    if not converged:
        entry["notes"].append(
            f"{_NOT_CONVERGED} SE(λ1) = {se[0]:.3g} for λ1 = {lam[0]:.4g} (threshold "
            f"{s.max_relative_se:g}·|λ1|, or {s.zero_tolerance:g}·max|λ| when λ1 ≈ 0)"
        )
        return "not_converged"
    return "converged"
