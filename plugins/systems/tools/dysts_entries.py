"""Write metadata entries for dysts systems into a family file of ``chaoskit_systems/data/``.

Takes the figures (parameters, initial conditions, dt, period, citation, description, flags)
from the dysts database (``shared/data/dysts/*.json``, commit 4b4d9de); the equations are
written by hand in the family's module. dysts' invariant estimates are not copied (they are
rough, see shared/REFERENCES.md); chaoskit recomputes its own.

    python plugins/systems/tools/dysts_entries.py --family sprott --module flows.sprott \
        SprottA SprottB ...

A map whose dysts name is also a flow's (Duffing) gets the key ``<Name>Map`` and the registry
name ``<snake>_map``. Existing entries of the family file are kept unless ``--overwrite``.
"""

from __future__ import annotations

import argparse
import json
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
DYSTS = ROOT.parent / "shared" / "data" / "dysts"
DATA = Path(__file__).resolve().parents[1] / "chaoskit_systems" / "data"
SCHEMA = "chaoskit-systems/metadata/1"
COMMIT = "4b4d9de939699deb2ba84555c1c27dc1e00d2679"


def snake(name: str) -> str:
    """``HenonHeiles`` → ``henon_heiles``, ``SprottA`` → ``sprott_a``, ``Lorenz96`` → ``lorenz96``."""
    s = re.sub(r"(?<=[a-z0-9])([A-Z])", r"_\1", name)
    s = re.sub(r"(?<=[A-Z])([A-Z][a-z])", r"_\1", s)
    return s.lower()


def load_dysts() -> tuple[dict, dict]:
    flows = json.loads((DYSTS / "chaotic_attractors.json").read_text())
    maps = json.loads((DYSTS / "discrete_maps.json").read_text())
    return flows, maps


def entry(dysts_name: str, module: str, flows: dict, maps: dict, *, as_map: bool) -> tuple[str, dict]:
    raw = (maps if as_map else flows)[dysts_name]
    key, name = dysts_name, snake(dysts_name)
    if as_map and dysts_name in flows:
        key, name = f"{dysts_name}Map", f"{snake(dysts_name)}_map"
    flags = [f for f in ("hamiltonian", "nonautonomous") if raw.get(f)]
    if raw.get("unbounded_indices"):
        flags.append("unbounded")
    kind = "map" if as_map else ("delay" if raw.get("delay") else "flow")
    cls = key
    out = {
        "name": name,
        "target": f"chaoskit_systems.{module}:{cls}",
        "aliases": [],
        "tags": ["chaotic", "dysts"],
        "kind": kind,
        "description": raw.get("description", ""),
        "citation": raw.get("citation", ""),
        "parameters": raw.get("parameters", {}),
        "initial_state": raw["initial_conditions"],
        "dt": raw.get("dt", 1.0),
        "period": raw.get("period"),
        "flags": flags,
        "references": {},
        "sources": {"dysts": {"name": dysts_name, "commit": COMMIT,
                              "fields": ["description", "citation", "parameters", "initial_state", "dt", "period"]}},
    }
    if raw.get("unbounded_indices"):
        out["unbounded_indices"] = list(raw["unbounded_indices"])
    return key, out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("names", nargs="+", help="dysts names")
    parser.add_argument("--family", required=True, help="data file stem: data/<family>.json")
    parser.add_argument("--module", required=True, help="module under chaoskit_systems, e.g. flows.sprott")
    parser.add_argument("--maps", action="store_true", help="take the names from discrete_maps.json")
    parser.add_argument("--overwrite", action="store_true")
    args = parser.parse_args()
    flows, maps = load_dysts()
    path = DATA / f"{args.family}.json"
    data = json.loads(path.read_text()) if path.exists() else {"schema": SCHEMA, "systems": {}}
    for dysts_name in args.names:
        key, value = entry(dysts_name, args.module, flows, maps, as_map=args.maps)
        if key in data["systems"] and not args.overwrite:
            print(f"kept existing {key}")
            continue
        data["systems"][key] = value
        print(f"wrote {key} -> {value['name']} ({value['kind']}, {len(value['initial_state'])}-D)")
    path.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main()
