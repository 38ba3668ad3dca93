"""Cross-check every chaoskit system that comes from dysts against dysts' own equations.

chaoskit's right-hand sides (and map steps) are written from the cited papers; this script
compares them with dysts' implementations at the same parameters, at random states around
each system's default initial state, as an independent check of the transcriptions.

Run in an environment with both chaoskit and dysts (`make bench` installs dysts into .venv):

    .venv/bin/python benchmarks/crosscheck_dysts.py [--points 20] [--tolerance 1e-9]

Prints one line per system (max relative difference) and exits non-zero if any differ.
"""

from __future__ import annotations

import argparse
import sys
import warnings

import chaoskit
import numpy as np
from chaoskit_systems import metadata as md


def dysts_model(name: str, kind: str, params: dict) -> object:
    import dysts.flows
    import dysts.maps

    module = dysts.maps if kind == "map" else dysts.flows
    model = getattr(module, name)()
    params = {k: np.asarray(v) if isinstance(v, (list, tuple)) else v for k, v in params.items()}
    model.params.update(params)
    model.__dict__.update(params)  # dysts reads parameters as attributes and from param_list
    model.param_list = [model.params[key] for key in sorted(model.params)]
    return model


def _worst_difference(system: chaoskit.System, model: object, states: np.ndarray, times: np.ndarray) -> float:
    worst = 0.0
    for x, t in zip(states, times, strict=True):
        if system.kind == "map":
            ours = np.asarray(system.step(x[None]))[0]
            if x.size == 1:  # dysts' one-dimensional maps: call the scalar formula directly
                theirs = np.atleast_1d(np.asarray(model._rhs(x[0], *model.param_list), float))  # type: ignore[attr-defined]
            else:
                theirs = np.asarray(model.rhs(x), float)  # type: ignore[attr-defined]
        else:
            ours = np.asarray(system.rhs(t, x[None]))[0]
            theirs = np.asarray(model.rhs(x, t), float)  # type: ignore[attr-defined]
        scale = max(np.abs(theirs).max(), 1e-12)
        worst = max(worst, float(np.abs(ours - theirs).max() / scale))
    return worst


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--points", type=int, default=20)
    parser.add_argument("--tolerance", type=float, default=1e-9)
    args = parser.parse_args()
    warnings.simplefilter("ignore")
    rng = np.random.default_rng(0)
    failures = 0
    rows = []
    for entry in chaoskit.systems.list(provider="systems"):
        system = chaoskit.systems.create(entry.qualified_name)
        raw = md.entry(system.metadata.name)
        source = raw.get("sources", {}).get("dysts")
        if source is None or system.kind == "delay":
            continue
        try:
            model = dysts_model(source["name"], system.kind, system.parameters)
        except Exception as exc:  # noqa: BLE001 - dysts lacks some entries
            rows.append((entry.name, "skipped", f"dysts: {type(exc).__name__}: {exc}"))
            continue
        x0 = np.asarray(system.metadata.initial_state, float)
        states = x0 + 0.1 * np.maximum(np.abs(x0), 1e-3) * rng.standard_normal((args.points, x0.size))
        times = rng.uniform(0.0, 10.0, args.points)
        try:
            worst = _worst_difference(system, model, states, times)
        except Exception as exc:  # noqa: BLE001 - report and go on
            rows.append((entry.name, "skipped", f"comparison failed: {type(exc).__name__}: {exc}"))
            continue
        ok = worst <= args.tolerance
        failures += not ok
        rows.append((entry.name, "ok" if ok else "DIFFERS", f"{worst:.2e}"))
    for name, status, detail in rows:
        print(f"{name:32s} {status:8s} {detail}")
    print(f"\n{sum(r[1] == 'ok' for r in rows)} agree, {failures} differ, "
          f"{sum(r[1] == 'skipped' for r in rows)} skipped")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
