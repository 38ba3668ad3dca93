"""The Markdown report of ``python -m chaoskit_systems.tools.invariants --report``.

Five parts: the per-system settings (the override table); chaoskit's values against published ones (the metadata references whose source is
the literature or exact); the systems whose λ1 differs from dysts' stored estimate
(``maximum_lyapunov_estimated``) by more than ``max(3 SE, 10 %)``, each with its likely reason;
the systems that agree; the systems that did not converge; and the full table.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np

from ..metadata import catalog

__all__ = ["END", "START", "compare_dysts", "dysts_estimates", "report", "splice"]

START, END = "<!-- invariants:start -->", "<!-- invariants:end -->"
_DYSTS_FILES = ("chaotic_attractors.json", "discrete_maps.json")


def dysts_estimates(folder: str | Path | None = None) -> tuple[dict[str, dict[str, Any]], str]:
    """dysts' stored metadata by dysts name, and where it was read from.

    ``folder`` (or the environment variable ``CHAOSKIT_DYSTS_DATA``) holds dysts'
    ``chaotic_attractors.json`` and ``discrete_maps.json``; otherwise the installed ``dysts``
    package's data. Empty when neither is available.
    """
    folder = folder or os.environ.get("CHAOSKIT_DYSTS_DATA")
    if folder is None:
        try:
            folder = Path(str(resources.files("dysts").joinpath("data")))
        except ModuleNotFoundError:
            return {}, "dysts not available"
    out: dict[str, dict[str, Any]] = {}
    for name in _DYSTS_FILES:
        file = Path(folder) / name
        if file.exists():
            out.update(json.loads(file.read_text(encoding="utf-8")))
    return out, str(folder)


def _dysts_names() -> dict[str, tuple[str, str, list[str]]]:
    """Registry name → (dysts name, the recorded differences from dysts, chaoskit's flags)."""
    out = {}
    for raw in catalog().values():
        source = raw.get("sources", {}).get("dysts")
        if source:
            out[raw["name"]] = (source["name"], source.get("differences", ""), list(raw["flags"]))
    return out


def compare_dysts(data: Mapping[str, Any], dysts: Mapping[str, Any]) -> list[dict[str, Any]]:
    """One row per system with a dysts λ1 estimate: both values, agreement and the likely reason."""
    rows = []
    names = _dysts_names()
    for name, entry in sorted(data["systems"].items()):
        if name not in names or "lyapunov_spectrum" not in entry:
            continue
        dname, differences, flags = names[name]
        ref = dysts.get(dname, {})
        theirs = ref.get("maximum_lyapunov_estimated")
        if theirs is None:
            continue
        lam, se = entry["lyapunov_spectrum"]["value"][0], entry["lyapunov_spectrum"]["uncertainty"][0]
        tolerance = max(3 * se, 0.1 * abs(lam))
        agree = abs(lam - theirs) <= tolerance
        spectrum = ref.get("lyapunov_spectrum_estimated")
        agree_spectrum = bool(spectrum) and abs(lam - spectrum[0]) <= tolerance
        rows.append({"name": name, "dysts_name": dname, "lambda1": lam, "se": se, "dysts": theirs,
                     "dysts_spectrum": spectrum, "agree": agree, "agree_spectrum": agree_spectrum,
                     "reason": "" if agree else _reason(entry, ref, differences, flags, agree_spectrum)})
    return rows


def _material(differences: str) -> str:
    """The recorded differences from dysts that can change the dynamics (not typo or citation
    fixes), shortened."""
    kept = [part.strip() for part in differences.replace("; ", ". ").split(". ")
            if part.strip() and not part.strip().startswith(("Description", "Citation"))]
    text = ". ".join(kept).rstrip(".")
    return text if len(text) <= 160 else text[:157].rsplit(" ", 1)[0] + " …"


def _reason(
    entry: Mapping[str, Any], ref: Mapping[str, Any], differences: str, flags: list[str],
    agree_spectrum: bool,
) -> str:
    """The likely reason(s) why dysts' λ1 differs from chaoskit's."""
    reasons = []
    spec = entry["lyapunov_spectrum"]
    lam, se = spec["value"][0], spec["uncertainty"][0]
    if agree_spectrum:
        reasons.append("dysts' two estimates disagree: chaoskit matches the λ1 of dysts' own "
                       "spectrum, not its separate maximum-exponent estimate")
    material = _material(differences)
    if material:
        reasons.append(f"the system differs from dysts' entry ({material})")
    if entry["kind"] == "delay":
        reasons.append("delay equation: chaoskit's exponents are those of the discretized history; "
                       "dysts' come from a short series")
    if entry.get("character") == "regular" and ref.get("maximum_lyapunov_estimated", 0) > 0:
        reasons.append(f"chaoskit finds no positive exponent (λ1 = {lam:.2g} ± {se:.1g}): regular at "
                       "these parameters, or transient chaos that a short dysts orbit reads as chaos")
    if ref.get("hamiltonian") or {"hamiltonian", "conservative", "area_preserving"} & set(flags):
        reasons.append("conservative: no attractor, exponents in ± pairs, slow convergence")
    if ref.get("nonautonomous") or ref.get("unbounded_indices"):
        reasons.append("non-autonomous or unbounded components")
    divergence = (entry.get("mean_divergence") or {}).get("value")
    theirs = ref.get("lyapunov_spectrum_estimated")
    if divergence is not None and theirs and abs(sum(theirs) - divergence) > 0.1 * max(abs(divergence), 1e-3):
        reasons.append(f"dysts' own spectrum sums to {sum(theirs):.3g}, not the mean divergence "
                       f"{divergence:.3g}: its estimate is not converged")
    if not reasons:
        reasons.append("dysts' estimate comes from one short orbit with a different integrator "
                       "(its Lorenz values are 0.89 and 1.09 against 0.906)")
    if entry.get("status") != "converged":
        reasons.append(f"chaoskit's own estimate: {entry.get('status')}")
    return "; ".join(reasons)


def _overrides(data: Mapping[str, Any]) -> list[str]:
    """The override table: each system's settings that differ from the global ones, and why."""
    rows = data.get("overrides") or {}
    if not rows:
        return []
    lines = [("**Per-system settings** (the `overrides` of the data file, merged over the global "
              "settings; `--converge` writes the counted time that converged, with its runs):"), "",
             "| system | settings | status | why |", "|---|---|---|---|"]
    for name, row in sorted(rows.items()):
        settings = ", ".join(f"{k} = {v:g}" if isinstance(v, (int, float)) else f"{k} = {v}"
                             for k, v in row.items() if k not in ("why", "status"))
        status = data["systems"].get(name, {}).get("status", "—")
        why = str(row.get("why", "")).replace("|", "\\|")  # |λ1| inside a table cell
        lines.append(f"| {name} | {settings or '—'} | {status} | {why} |")
    return [*lines, ""]


def _published(data: Mapping[str, Any]) -> list[str]:
    """Rows comparing chaoskit's values with the metadata's literature or exact references."""
    lines = []
    by_name = {raw["name"]: raw for raw in catalog().values()}
    for name, entry in sorted(data["systems"].items()):
        refs = by_name.get(name, {}).get("references", {})
        for key, ref in refs.items():
            source = str(ref.get("source", ""))
            if not source.startswith(("lit", "exact")):
                continue
            mine = _ours(entry, key)
            if mine is None:
                continue
            value, se = mine
            theirs = np.atleast_1d(np.asarray(ref["value"], dtype=float))
            n = min(len(theirs), len(np.atleast_1d(value)))
            ours = np.atleast_1d(value)[:n]
            delta = np.abs(ours - theirs[:n])
            within = "—"
            if se is not None:  # no finer than the file's 6 significant digits
                err = np.maximum(np.atleast_1d(se)[:n], 5e-6 * np.maximum(np.abs(ours), 1e-6))
                within = ", ".join(f"{d / e:.1f}" for d, e in zip(delta, err))
            cited = source if len(source) <= 40 else source.split(" (")[0].split(",")[0]
            lines.append(f"| {name} | {key} | {_fmt(ours)} | {_fmt(theirs[:n])} | {within} | {cited} |")
    return lines


def _ours(entry: Mapping[str, Any], key: str) -> tuple[Any, Any] | None:
    spec = entry.get("lyapunov_spectrum")
    if spec is None:
        return None
    if key == "lyapunov_spectrum":
        return np.asarray(spec["value"]), np.asarray(spec["uncertainty"])
    if key == "max_lyapunov":
        return spec["value"][0], spec["uncertainty"][0]
    if key == "lyapunov_sum" and len(spec["value"]) == entry["dimension"]:
        return float(np.sum(spec["value"])), float(np.sqrt(np.sum(np.square(spec["uncertainty"]))))
    if key in ("kaplan_yorke_dimension", "correlation_dimension"):
        rec = entry.get(key) or {}
        if rec.get("value") is None:
            return None
        return rec["value"], rec.get("uncertainty")
    return None


def _fmt(values: Any, digits: int = 4) -> str:
    return ", ".join(f"{v:.{digits}g}" for v in np.atleast_1d(values))


def _row(name: str, e: Mapping[str, Any]) -> str:
    spec = e.get("lyapunov_spectrum")
    if spec is None:
        return f"| {name} | {e['kind']} | — | — | — | — | — | {e['status']} |"
    lam, se = spec["value"], spec["uncertainty"]
    shown = _fmt(lam[:4]) + (", …" if len(lam) > 4 else "")
    check = "—"
    div = (e.get("mean_divergence") or {}).get("value")
    if div is not None and len(lam) == e["dimension"]:
        check = f"{sum(lam):.4g} / {div:.4g}"
    ky = (e.get("kaplan_yorke_dimension") or {}).get("value")
    d2 = (e.get("correlation_dimension") or {}).get("value")
    return (f"| {name} | {e['kind']} | {lam[0]:.4g} ± {se[0]:.2g} | {shown} | {check} | "
            f"{'—' if ky is None else f'{ky:.3f}'} | {'—' if d2 is None else f'{d2:.2f}'} | "
            f"{e['status']}, {e.get('character', '')} |")


def report(data: Mapping[str, Any], dysts_folder: str | Path | None = None) -> str:
    """The Markdown of the four parts (see the module docstring)."""
    systems = data["systems"]
    gen = data.get("generated", {})
    dysts, _ = dysts_estimates(dysts_folder)
    rows = compare_dysts(data, dysts)
    status: dict[str, list[str]] = {}
    for name, e in sorted(systems.items()):
        status.setdefault(e["status"], []).append(name)
    cpu = sum(e.get("cpu_seconds", 0.0) for e in systems.values())
    lines = [
        (f"{len(systems)} systems, computed by `{gen.get('command', '?')}` on {gen.get('date', '?')} "
         f"(chaoskit-systems {gen.get('versions', {}).get('chaoskit-systems', '?')}, torch "
         f"{gen.get('versions', {}).get('torch', '?')}) in {cpu / 60:.1f} CPU minutes. Status: "
         + ", ".join(f"{len(v)} {k}" for k, v in sorted(status.items())) + "."),
        "",
        *_overrides(data),
        ("**Published values** (the metadata's literature and exact references; last column but "
         "one: |difference| in standard errors of chaoskit's estimate):"),
        "",
        "| system | invariant | chaoskit | published | |Δ|/SE | source |",
        "|---|---|---|---|---|---|",
        *_published(data),
        "",
    ]
    differ = [r for r in rows if not r["agree"]]
    agree = [r for r in rows if r["agree"]]
    spectrum_only = sum(r["agree_spectrum"] and not r["agree"] for r in rows)
    lines += [
        ("**Against dysts' stored estimates** (`maximum_lyapunov_estimated` of its metadata, "
         f"commit 4b4d9de = dysts 0.96): of {len(rows)} systems with a dysts λ1, "
         f"{len(agree)} agree within max(3 SE, 10 %) and {len(differ)} differ; {spectrum_only} of "
         "these match the λ1 of dysts' own stored spectrum instead, which its maximum-exponent "
         "estimate contradicts:"),
        "",
        "| system | chaoskit λ1 | dysts λ1 (max / spectrum) | likely reason |",
        "|---|---|---|---|",
    ]
    for r in differ:
        spectrum = r["dysts_spectrum"][0] if r["dysts_spectrum"] else float("nan")
        lines.append(f"| {r['name']} | {r['lambda1']:.4g} ± {r['se']:.2g} | {r['dysts']:.4g} / "
                     f"{spectrum:.4g} | {r['reason']} |")
    lines += ["", "Agreeing with dysts: " + ", ".join(r["name"] for r in agree) + ".", ""]
    unsettled = {k: v for k, v in status.items() if k != "converged"}
    if unsettled:
        lines += [("**Not converged, with a structural verdict, diverged or failed** (each entry's "
                   "`notes`; a verdict's evidence: the per-system settings above):"), ""]
        for k, names in sorted(unsettled.items()):
            for name in names:
                # a verdict's evidence is in the per-system settings table above
                note = "; ".join(n for n in systems[name].get("notes", [])
                                 if not n.startswith(("leading", "structural:")))
                lines.append(f"- {name} ({k}): {note}")
        lines.append("")
    lines += [
        ("**All systems** (λ per time unit, per iteration for maps; delay equations: leading "
         "exponents; Σλ / ⟨div⟩: the sum of the spectrum against the mean divergence along the "
         "orbit, for bounded flows):"),
        "",
        "| system | kind | λ1 ± SE | spectrum | Σλ / ⟨div⟩ | KY | D2 | status |",
        "|---|---|---|---|---|---|---|---|",
        *(_row(name, e) for name, e in sorted(systems.items())),
    ]
    return "\n".join(lines)


def splice(text: str, table: str) -> str:
    """``text`` with the part between :data:`START` and :data:`END` replaced by ``table``
    (the markers appended at the end when absent)."""
    block = f"{START}\n{table}\n{END}"
    if START in text and END in text:
        head, rest = text.split(START, 1)
        return head + block + rest.split(END, 1)[1]
    return text.rstrip("\n") + "\n\n" + block + "\n"
