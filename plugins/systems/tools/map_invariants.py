"""Recompute the Lyapunov spectra of chaoskit's maps (tangent-space QR), optionally into the data files.

    python plugins/systems/tools/map_invariants.py henon ikeda            # print
    python plugins/systems/tools/map_invariants.py --all-maps --write     # store

For each map: ``members`` orbits from the system's default initial states (seeded
perturbations), ``transient`` iterations discarded, then ``iterations`` steps of the tangent
dynamics ``Q ← qr(J(x) Q)`` in float64 with the system's own Jacobian, batched over members.
The value is the mean of the members' exponents, the uncertainty its standard error (members
whose orbit became non-finite are dropped). ``--write`` stores ``lyapunov_spectrum`` (and
``kaplan_yorke_dimension`` when λ₁ > 0 and the map is dissipative) in the system's data file,
never replacing a reference whose ``source`` is not ``computed``.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
import time
from pathlib import Path

import chaoskit
import numpy as np
import torch

DATA = Path(__file__).resolve().parents[1] / "chaoskit_systems" / "data"


def spectrum(
    system: chaoskit.System, *, members: int, transient: int, iterations: int, seed: int
) -> tuple[np.ndarray, np.ndarray, int]:
    """Per-exponent mean and standard error over members, and the number of members kept."""
    ds = system.trajectory(1, members=members, seed=seed, transient=float(transient))
    x = torch.as_tensor(ds["state"].values[:, 0], dtype=torch.float64)
    d = system.dimension
    q = torch.eye(d, dtype=torch.float64).expand(members, d, d).clone()
    logs = torch.zeros(members, d, dtype=torch.float64)
    with torch.inference_mode():
        for _ in range(iterations):
            jac = system.jacobian(0.0, x)
            x = system.step(x)
            q, r = torch.linalg.qr(jac @ q)
            logs += torch.log(torch.abs(torch.diagonal(r, dim1=-2, dim2=-1)))
    per_member = (logs / iterations).numpy()
    keep = np.isfinite(per_member).all(axis=1)
    per_member = per_member[keep]
    mean = per_member.mean(axis=0)
    sem = per_member.std(axis=0, ddof=1) / math.sqrt(len(per_member))
    return mean, sem, int(keep.sum())


def kaplan_yorke(values: np.ndarray) -> float | None:
    """The Kaplan–Yorke dimension of a sorted spectrum, or ``None`` when it is not defined."""
    cumulative = np.cumsum(values)
    if values[0] <= 0 or cumulative[-1] >= -1e-3 * values[0]:  # regular, or conservative
        return None
    k = int(np.nonzero(cumulative >= 0)[0][-1])
    return float(k + 1 + cumulative[k] / abs(values[k + 1]))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("names", nargs="*", help="registry names of maps")
    parser.add_argument("--all-maps", action="store_true", help="every map of the provider 'systems'")
    parser.add_argument("--members", type=int, default=256)
    parser.add_argument("--transient", type=int, default=1000)
    parser.add_argument("--iterations", type=int, default=20000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--write", action="store_true", help="store the results in data/*.json")
    args = parser.parse_args()
    torch.set_num_threads(1)
    names = list(args.names)
    if args.all_maps:
        names += [e.name for e in chaoskit.systems.list(provider="systems") if "map" in e.tags]
    if not names:
        parser.error("give map names or --all-maps")
    command = (
        f"python plugins/systems/tools/map_invariants.py NAME --members {args.members} "
        f"--transient {args.transient} --iterations {args.iterations} --seed {args.seed}"
    )
    method = (
        f"tangent-space QR with the map's Jacobian, float64, {args.members} members from the "
        f"default initial states (seed {args.seed}), {args.transient} transient iterations, "
        f"{args.iterations} iterations; uncertainty: standard error over members"
    )
    results = {}
    for name in names:
        system = chaoskit.systems.create(name)
        if system.kind != "map":
            print(f"skipped {name}: a {system.kind}, not a map", file=sys.stderr)
            continue
        start = time.perf_counter()
        mean, sem, kept = spectrum(system, members=args.members, transient=args.transient,
                                   iterations=args.iterations, seed=args.seed)
        seconds = time.perf_counter() - start
        entry = {"lyapunov_spectrum": {"value": [round(float(v), 5) for v in mean],
                                       "uncertainty": [float(f"{s:.1g}") for s in sem],
                                       "method": method, "source": f"computed: {command}"}}
        ky = kaplan_yorke(mean)
        if ky is not None:
            entry["kaplan_yorke_dimension"] = {"value": round(ky, 4), "uncertainty": None,
                                               "method": "Kaplan-Yorke formula on the computed spectrum",
                                               "source": f"computed: {command}"}
        results[system.metadata.name] = entry
        print(f"{name:24s} {np.round(mean, 5)} ± {np.round(sem, 5)}  KY {ky}  "
              f"({kept}/{args.members} members, {seconds:.1f} s)")
        if args.write:
            write(system.metadata.name, entry)
    if not args.write:
        print(json.dumps(results, indent=2))


def write(key: str, entry: dict) -> None:
    for path in sorted(DATA.glob("*.json")):
        data = json.loads(path.read_text(encoding="utf-8"))
        if key not in data["systems"]:
            continue
        refs = data["systems"][key]["references"]
        for invariant, value in entry.items():
            old = refs.get(invariant)
            if old is not None and not str(old.get("source", "")).startswith("computed"):
                print(f"  kept the {old['source']!r} {invariant} of {key}")
                continue
            refs[invariant] = value
        path.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        return
    raise SystemExit(f"no data file holds {key!r}")


if __name__ == "__main__":
    main()
