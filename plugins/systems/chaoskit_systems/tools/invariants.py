"""Reference invariants of every registered system, computed by chaoskit itself.

::

    python -m chaoskit_systems.tools.invariants                      # compute all, print a summary
    python -m chaoskit_systems.tools.invariants --systems lorenz henon --update
    python -m chaoskit_systems.tools.invariants --check              # exit 1 if stale or missing
    python -m chaoskit_systems.tools.invariants --report docs/systems.md
    python -m chaoskit_systems.tools.invariants --converge --update --budget 300

For each system (flows, maps, delay equations): the Lyapunov spectrum with its standard error
across members (delay equations: the leading exponents of the discretized history), the
Kaplan–Yorke dimension, the correlation dimension (Grassberger–Procaccia, with its scaling
region) and, for flows, the mean divergence along the orbit (the sum the spectrum must match);
the settings used (:class:`~chaoskit_systems.tools.invariant_runs.InvariantSettings`, global,
measured in periods or iterations, merged with the system's row of the override table,
:mod:`~chaoskit_systems.tools.invariant_overrides`), a status (``converged``,
``not_converged``, ``diverged``, ``failed``, or a structural verdict of the override table:
``zero_exponent``, ``multistable``, ``transient_chaos``) with notes, the CPU time, and a
fingerprint of the system and its merged settings.

``--update`` merges the computed entries into the data file (default: the package's
``data/invariants.json``; ``--data`` another). ``--check`` computes nothing: it lists the
registered systems whose entry is missing or whose fingerprint no longer matches (parameters,
initial state, period, RK4 step or settings changed) and exits with status 1 if there are any.
``--rejudge`` recomputes nothing either: it re-derives every stored entry's status and
character under the current convergence thresholds (which the fingerprint leaves out) and
rewrites the data file. ``--converge`` reruns the systems given (default: those stored as
``not_converged``) with the counted time multiplied until λ1 converges or the next run would
take the system past ``--budget`` CPU seconds, and (with ``--update``) stores the last entry
and the settings it used in the override table. ``--report FILE`` writes the comparison with dysts' stored estimates and with published values
(:mod:`~chaoskit_systems.tools.invariant_report`) between the lines
``<!-- invariants:start -->`` and ``<!-- invariants:end -->`` of FILE (``-``: print it).

Data file (schema ``chaoskit-systems/invariants/1``): ``{"schema", "generated": {"command",
"date", "versions", "settings"}, "overrides": {name: row}, "systems": {name: entry}}``
(``settings``: the global ones); an entry holds ``overrides`` (its row, when it has one), ``kind``,
``dimension``, ``lyapunov_spectrum`` (``value``, ``uncertainty``, ``exponents``,
``members_used``, ``members_diverged``), ``kaplan_yorke_dimension``, ``correlation_dimension``
(``value``, ``uncertainty``, ``takens``, the fit range, points, variables, sampling),
``mean_divergence`` (bounded flows), ``lyapunov_settings``, ``status``, ``character``
(``chaotic``, ``hyperchaotic`` or ``regular`` at the default parameters), ``notes``,
``cpu_seconds``, ``fingerprint``, ``version`` and ``date``. Units: per time unit (per iteration
for maps).
"""

from __future__ import annotations

import argparse
import datetime as _dt
import json
import sys
import time
from collections.abc import Sequence
from importlib import metadata as _meta
from pathlib import Path
from typing import Any

import attrs
import chaoskit

from ..metadata import INVARIANTS_FILE, INVARIANTS_SCHEMA
from .invariant_overrides import OVERRIDES, converge, settings_for, validate
from .invariant_runs import InvariantSettings, compute_entry, fingerprint, judge

__all__ = ["default_path", "main", "read", "stale", "write"]


def default_path() -> Path:
    """The package data file ``chaoskit_systems/data/invariants.json``."""
    return Path(__file__).resolve().parent.parent / "data" / INVARIANTS_FILE


def read(path: Path) -> dict[str, Any]:
    """The data file's contents (an empty database when it does not exist yet)."""
    if not path.exists():
        return {"schema": INVARIANTS_SCHEMA, "generated": {}, OVERRIDES: {}, "systems": {}}
    data = json.loads(path.read_text(encoding="utf-8"))
    if data.get("schema") != INVARIANTS_SCHEMA:
        raise chaoskit.ConfigError(f"{path}: expected schema {INVARIANTS_SCHEMA!r}, got {data.get('schema')!r}")
    data.setdefault(OVERRIDES, {})
    validate(data[OVERRIDES])
    return data


def write(path: Path, data: dict[str, Any]) -> None:
    """Write atomically, systems sorted by name, one entry's lists on one line where short."""
    data = {"schema": data["schema"], "generated": data.get("generated", {}),
            OVERRIDES: dict(sorted(data.get(OVERRIDES, {}).items())),
            "systems": dict(sorted(data["systems"].items()))}
    tmp = path.with_suffix(".json.tmp")
    tmp.write_text(json.dumps(data, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    tmp.replace(path)


def registered(names: Sequence[str] | None = None) -> list[str]:
    """Registry names of the chaoskit-systems systems (all, or the given ones resolved)."""
    if names:
        return [chaoskit.systems.info(n).name for n in names]
    return sorted(e.name for e in chaoskit.systems.list(provider="systems"))


def stale(data: dict[str, Any], names: Sequence[str], settings: InvariantSettings) -> dict[str, str]:
    """``{name: why}`` for every system whose entry is missing or out of date (under
    ``settings`` merged with the system's override)."""
    out: dict[str, str] = {}
    for name in names:
        entry = data["systems"].get(name)
        if entry is None:
            out[name] = "missing"
            continue
        merged = settings_for(settings, data.get(OVERRIDES, {}).get(name))
        now = fingerprint(chaoskit.systems.create(name), merged)
        if entry.get("fingerprint") != now:
            out[name] = f"stale (fingerprint {entry.get('fingerprint')} != {now}: the system or the settings changed)"
    return out


def _versions() -> dict[str, str]:
    out = {}
    for dist in ("chaoskit", "chaoskit-systems", "chaoskit-metrics", "torch", "numpy", "scipy"):
        try:
            out[dist] = _meta.version(dist)
        except _meta.PackageNotFoundError:
            out[dist] = "not installed"
    return out


def _summary(name: str, entry: dict[str, Any]) -> str:
    spec = entry.get("lyapunov_spectrum")
    if not spec:
        return f"{name:28s} {entry['status']:13s} {'; '.join(entry['notes'])}"
    lam = ", ".join(f"{v:.4g}" for v in spec["value"][:4])
    d2 = (entry.get("correlation_dimension") or {}).get("value")
    return (f"{name:28s} {entry['status']:13s} λ = [{lam}] ± {spec['uncertainty'][0]:.2g}  "
            f"KY {entry['kaplan_yorke_dimension'].get('value')}  D2 {d2}  {entry['cpu_seconds']:.1f} s")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m chaoskit_systems.tools.invariants", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--systems", nargs="+", metavar="NAME", help="only these systems (default: all)")
    parser.add_argument("--update", action="store_true", help="write the computed entries to the data file")
    parser.add_argument("--check", action="store_true", help="list missing or stale entries; exit 1 if any")
    parser.add_argument("--rejudge", action="store_true", help="re-derive the stored statuses; compute nothing")
    parser.add_argument("--report", metavar="FILE", help="write the dysts comparison into FILE ('-': print)")
    parser.add_argument("--dysts", metavar="DIR", help="folder of dysts' metadata JSON for --report "
                        "(default: $CHAOSKIT_DYSTS_DATA, else the installed dysts package)")
    parser.add_argument("--data", type=Path, default=None, help=f"data file (default: the package's {INVARIANTS_FILE})")
    parser.add_argument("--set", nargs="+", default=[], metavar="KEY=VALUE", help="override a setting")
    parser.add_argument("--converge", action="store_true", help="rerun with longer counted time until "
                        "converged (default systems: the stored not_converged ones)")
    parser.add_argument("--budget", type=float, default=300.0, metavar="SECONDS",
                        help="CPU seconds per system for --converge (default 300)")
    args = parser.parse_args(argv)
    path = args.data or default_path()
    settings = InvariantSettings.from_overrides(args.set)
    data = read(path)
    if args.converge and not args.systems:
        names = [n for n, e in sorted(data["systems"].items()) if e["status"] == "not_converged"]
    else:
        names = registered(args.systems)
    rows = data[OVERRIDES]
    if args.check:
        bad = stale(data, names, settings)
        for name, why in bad.items():
            print(f"{name}: {why}")
        print(f"{len(names) - len(bad)} of {len(names)} entries up to date in {path}")
        return 1 if bad else 0
    if args.rejudge:
        for name in names:
            if name in data["systems"]:
                entry = data["systems"][name]
                entry.pop(OVERRIDES, None)
                if name in rows:
                    entry[OVERRIDES] = dict(rows[name])
                judge(entry, settings_for(settings, rows.get(name)),
                      chaoskit.systems.create(name).metadata.flags)
        write(path, data)
        print(f"re-derived the status of {len(names)} entries in {path}")
        return 0
    if args.report:
        from .invariant_report import report, splice

        text = report(data, args.dysts)
        if args.report == "-":
            print(text)
        else:
            target = Path(args.report)
            target.write_text(splice(target.read_text(encoding="utf-8"), text), encoding="utf-8")
            print(f"wrote the invariants report into {target}")
        return 0
    import torch  # small batched tensors: one intra-op thread is several times faster

    torch.set_num_threads(1)
    started, date = time.time(), _dt.date.today().isoformat()
    version = _versions()
    for name in names:
        merged = settings_for(settings, rows.get(name))
        if args.converge:
            entry, row = converge(name, settings, rows.get(name), args.budget,
                                  previous=data["systems"].get(name))
            if row:
                rows[name] = row
            merged = settings_for(settings, row)
            judge(entry, merged, chaoskit.systems.create(name).metadata.flags)
        else:
            entry = compute_entry(name, merged, rows.get(name))
        entry.update(version=version["chaoskit-systems"], date=date)
        print(_summary(name, entry), flush=True)
        if args.update:  # after every system, so an interrupted run keeps what it finished
            data["systems"][name] = entry
            data["generated"] = {
                "command": "python -m chaoskit_systems.tools.invariants --update"
                + (f" --set {' '.join(args.set)}" if args.set else ""),
                "date": date, "versions": version, "settings": attrs.asdict(settings),
            }
            write(path, data)
    print(f"{len(names)} systems in {time.time() - started:.0f} s wall"
          + (f"; written to {path}" if args.update else " (not written: pass --update)"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
