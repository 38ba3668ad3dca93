"""The ``chaoskit`` command.

Errors are one line on stderr: exit status 2 for usage errors (bad arguments, unknown names,
bad parameter values), 1 for failures while working.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib.metadata as importlib_metadata
import json
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import attrs

from . import __version__
from .errors import ChaoskitError, ConfigError, ParameterError, UnknownNameError
from .plugins import host
from .report import format_table

KINDS = ("systems", "models", "metrics", "trainers")
_CORE_DEPENDENCIES = ("numpy", "xarray", "attrs", "pluggy", "matplotlib", "tqdm")


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit status."""
    parser = _parser()
    args = parser.parse_args(argv)
    if not hasattr(args, "run"):
        parser.print_help()
        return 2
    try:
        return int(args.run(args) or 0)
    except (UnknownNameError, ParameterError, ConfigError) as exc:
        print(f"chaoskit {args.command}: error: {exc}", file=sys.stderr)
        return 2
    except ChaoskitError as exc:
        print(f"chaoskit {args.command}: error: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("chaoskit: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:  # the reader left early (`chaoskit list systems | head`)
        # no second error when Python flushes stdout at exit; 141 = 128 + SIGPIPE, as a shell tool
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 141


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="chaoskit", description="Learn, forecast and evaluate chaotic systems.")
    parser.add_argument("--version", action="version", version=f"chaoskit {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    p = sub.add_parser("plugins", help="installed plugins, their versions and failures")
    p.add_argument("--json", action="store_true", help="machine-readable output")
    p.add_argument("--requirements", action="store_true",
                   help="print name==version pins of chaoskit, its dependencies and its plugins (for a paper bundle)")
    p.set_defaults(run=_plugins)

    p = sub.add_parser("list", help="list registered systems, models, metrics or trainers")
    p.add_argument("kind", choices=KINDS)
    p.add_argument("--tag", help="only items carrying this tag")
    p.add_argument("--provider", help="only items of this plugin")
    p.set_defaults(run=_list)

    p = sub.add_parser("info", help="describe one registered item")
    p.add_argument("name", help="a name, alias or provider/name")
    p.set_defaults(run=_info)

    p = sub.add_parser("simulate", help="simulate a system and write NetCDF (or Zarr)")
    p.add_argument("name")
    p.add_argument("--steps", type=int, required=True, help="number of output points")
    p.add_argument("--members", type=int, default=None, help="trajectories (default: the sweep's length, else 1)")
    p.add_argument("--dt", type=float, default=None, help="sampling interval (default: the system's)")
    p.add_argument("--transient", type=float, default=0.0, help="time units to discard first")
    p.add_argument("--seed", type=int, default=None)
    p.add_argument("--method", default=None, help="integrator (default: the system's)")
    p.add_argument("--dtype", default="float64", choices=("float64", "float32"))
    p.add_argument("--device", default="cpu")
    p.add_argument("--param", action="append", default=[], metavar="NAME=VALUE", help="a parameter value (repeatable)")
    p.add_argument("--sweep", action="append", default=[], metavar="NAME=V1,V2,...",
                   help="one value per member for a parameter, in one batched call (repeatable)")
    p.add_argument("--noise", type=float, default=0.0, help="dynamical noise amplitude (Euler-Maruyama)")
    p.add_argument("--noise-kind", default="additive", choices=("additive", "multiplicative"))
    p.add_argument("--observation-noise", type=float, default=0.0,
                   help="measurement noise, relative to each variable's standard deviation")
    p.add_argument("--standardize", action="store_true", help="z-score each variable (statistics kept in attrs)")
    p.add_argument("--out", required=True, help="output file: .nc for NetCDF, .zarr for Zarr")
    p.set_defaults(run=_simulate)

    p = sub.add_parser("bench", help="run a benchmark: systems x models x seeds x data settings, scored by metrics")
    p.add_argument("config", nargs="?", default=None,
                   help="TOML config (default: the built-in default benchmark; see docs/benchmarks.md)")
    p.add_argument("--store", default=None, help="store directory (default: results/bench-NAME); rerun to resume")
    where = p.add_mutually_exclusive_group()
    where.add_argument("--workers", type=int, default=None, metavar="N", help="run on N local processes (default: serial)")
    where.add_argument("--dask", default=None, metavar="ADDRESS", help="run on the Dask cluster at this scheduler address")
    p.add_argument("--force", action="store_true", help="accept a config that differs from the store's")
    p.add_argument("--retry-failed", action="store_true", help="run again the cells recorded as failed")
    p.add_argument("--no-progress", action="store_true", help="no progress bar")
    p.set_defaults(run=_bench)

    p = sub.add_parser("report", help="write a Markdown and HTML report of a benchmark store")
    p.add_argument("store", help="a store directory written by `chaoskit bench` (or its result.nc)")
    p.add_argument("--out", default=None, help="output directory (default: STORE/report)")
    p.set_defaults(run=_report)

    p = sub.add_parser("validate", help="strictly check the plugin(s) of an installed distribution or source tree")
    p.add_argument("dist", help="distribution name (e.g. chaoskit-systems) or a directory with a pyproject.toml")
    p.set_defaults(run=_validate)
    return parser


# ---------------------------------------------------------------------------- commands
def _plugins(args: argparse.Namespace) -> int:
    host.ensure_loaded()
    records = list(host.records.values())
    if args.requirements:
        pins = {"chaoskit": __version__}
        for dep in _CORE_DEPENDENCIES:
            with contextlib.suppress(importlib_metadata.PackageNotFoundError):
                pins[dep] = importlib_metadata.version(dep)
        pins.update(host.collect_versions())
        for name, version in sorted(pins.items(), key=lambda kv: kv[0].lower()):
            print(f"{name}=={version}")
        return 0
    if args.json:
        print(json.dumps([attrs.asdict(r) for r in records], indent=2))
        return 0
    rows = [
        (r.name, r.distribution or "-", r.version or "-", r.status,
         ", ".join(f"{n} {k}" for k, n in r.counts.items() if n) or "-")
        for r in records
    ]
    print(format_table(rows, ("plugin", "distribution", "version", "status", "registers")))
    failed = [r for r in records if r.status == "failed"]
    for r in failed:
        print(f"\n{r.name}: {(r.error or '').splitlines()[0]}")
    return 0


def _list(args: argparse.Namespace) -> int:
    registry = host.registries[args.kind]
    entries = registry.list(tag=args.tag, provider=args.provider)
    rows = [(e.qualified_name, ", ".join(e.aliases) or "-", ", ".join(e.tags) or "-", e.summary) for e in entries]
    print(format_table(rows, ("name", "aliases", "tags", "summary")))
    return 0


def _info(args: argparse.Namespace) -> int:
    found = []
    for kind in KINDS:
        registry = host.registries[kind]
        if args.name in registry:
            found.append((kind, registry))
    if not found:
        import difflib

        known = {e.qualified_name: e for k in KINDS for e in host.registries[k].list()}
        keys = {n.lower(): q for q, e in known.items() for n in (q, e.name, *e.aliases)}
        close = sorted({keys[c] for c in difflib.get_close_matches(args.name.lower(), list(keys), n=5, cutoff=0.6)})
        hint = f"; did you mean {', '.join(close)}?" if close else ""
        raise UnknownNameError(f"no system, model, metric or trainer is named {args.name!r}{hint} "
                               "`chaoskit list KIND` shows every name.")
    for kind, registry in found:
        entry = registry.info(args.name)
        print(f"{entry.qualified_name}  ({kind[:-1]})")
        print(f"  target:  {entry.target}")
        if entry.aliases:
            print(f"  aliases: {', '.join(entry.aliases)}")
        if entry.tags:
            print(f"  tags:    {', '.join(entry.tags)}")
        if entry.summary:
            print(f"  summary: {entry.summary}")
        cls = registry.get(entry.qualified_name)
        doc = (cls.__doc__ or "").strip().split("\n\n")[0]
        if doc:
            print("\n  " + "\n  ".join(line.strip() for line in doc.splitlines()))
        if attrs.has(cls):
            fields = [(f.name, _default(f)) for f in attrs.fields(cls) if f.init]
            if fields:
                print("\n  parameters:")
                for name, default in fields:
                    print(f"    {name} = {default}")
        if kind == "systems":
            system = cls()  # an instance: some systems size their variables from parameters
            meta = system.metadata
            print(f"\n  dt = {meta.dt}, period = {meta.period}, kind = {system.kind}, "
                  f"variables = {', '.join(system.variables)}")
            for key, ref in meta.references.items():
                unc = f" ± {ref.uncertainty}" if ref.uncertainty is not None else ""
                print(f"  {key}: {ref.value}{unc}  [{ref.source}]")
            if meta.citation:
                print(f"  citation: {meta.citation}")
    return 0


def _default(field: Any) -> str:
    if field.default is attrs.NOTHING:
        return "(required)"
    if isinstance(field.default, attrs.Factory):  # type: ignore[arg-type]
        return "(factory)"
    return repr(field.default)


def _simulate(args: argparse.Namespace) -> int:
    params = dict(_parse_param(p) for p in args.param)
    system = host.registries["systems"].create(args.name, **params)
    sweep = dict(_parse_sweep(s) for s in args.sweep)
    ds = system.trajectory(
        args.steps, members=args.members, dt=args.dt, transient=args.transient, seed=args.seed,
        method=args.method, dtype=args.dtype, device=args.device, parameters=sweep or None,
        noise=args.noise, noise_kind=args.noise_kind, observation_noise=args.observation_noise,
        standardize=args.standardize,
    )
    out = Path(args.out)
    if out.suffix == ".zarr":
        try:
            ds.to_zarr(out, mode="w")
        except ImportError:
            raise ChaoskitError("writing Zarr needs the zarr package: pip install zarr") from None
    elif out.suffix in (".nc", ".nc4", ".netcdf"):
        out.parent.mkdir(parents=True, exist_ok=True)
        ds.to_netcdf(out)
    else:
        raise ParameterError(f"--out {out}: use a .nc (NetCDF) or .zarr file name")
    print(f"wrote {out}: {dict(ds['state'].sizes)} of {system.name}, dt = {ds.chaos.dt}")
    return 0


def _parse_param(text: str) -> tuple[str, Any]:
    name, sep, value = text.partition("=")
    if not sep or not name:
        raise ParameterError(f"--param {text!r}: expected NAME=VALUE, e.g. --param rho=30")
    try:
        parsed: Any = json.loads(value)
    except json.JSONDecodeError:
        parsed = value
    return name.strip(), parsed


def _parse_sweep(text: str) -> tuple[str, list[Any]]:
    name, sep, values = text.partition("=")
    try:
        parsed = [float(v) for v in values.split(",") if v.strip()]
    except ValueError:
        parsed = []
    if not sep or not name or not parsed:
        raise ParameterError(f"--sweep {text!r}: expected NAME=V1,V2,... with numbers, e.g. --sweep rho=20,24,28")
    return name.strip(), parsed


def _bench(args: argparse.Namespace) -> int:
    from .bench import Benchmark, load_config

    config = load_config(args.config)
    store = Path(args.store) if args.store else Path("results") / f"bench-{config.name}"
    bench = Benchmark(config, store=store, force=args.force, workers=args.workers, dask=args.dask,
                      progress=not args.no_progress, retry_failed=args.retry_failed)
    result = bench.run()
    from .reporting import summary_lines

    print("\n".join(summary_lines(result)))
    print(f"\nstore: {store}   report: chaoskit report {store}")
    return 0


def _report(args: argparse.Namespace) -> int:
    from .reporting import write_report

    paths = write_report(args.store, args.out)
    for path in paths:
        print(f"wrote {path}")
    return 0


def _validate(args: argparse.Namespace) -> int:
    from .plugincheck import validate_distribution

    problems, lines = validate_distribution(args.dist)
    print("\n".join(lines))
    if problems:
        print(f"\n{problems} problem(s) found in {args.dist}", file=sys.stderr)
        return 1
    print(f"\n{args.dist}: all checks passed")
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
