"""The catalog of chaoskit-systems as a Markdown table, generated from the registry.

::

    python -m chaoskit_systems.tools.catalog                  # print the table
    python -m chaoskit_systems.tools.catalog --update docs/systems.md
    python -m chaoskit_systems.tools.catalog --check docs/systems.md

``--update`` rewrites the part of the file between the lines ``<!-- catalog:start -->`` and
``<!-- catalog:end -->``; ``--check`` exits with status 1 when that part is out of date (a test
runs it, so the documentation follows the database).
"""

from __future__ import annotations

import argparse
import re
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import chaoskit

__all__ = ["END", "START", "catalog_rows", "catalog_table", "main", "splice"]

START, END = "<!-- catalog:start -->", "<!-- catalog:end -->"
_YEAR = re.compile(r"\b(1[5-9]\d\d|20\d\d)\b")
_COLUMNS = ("name", "aliases", "kind", "dim", "λ1", "Lyapunov time", "period", "flags", "reference")


def _short_citation(text: str) -> str:
    """First author and year: ``"Lorenz, Edward N (1963). …"`` → ``"Lorenz 1963"``."""
    author = re.split(r",| \(|;", text.strip(), maxsplit=1)[0].strip()
    parts = author.split(". ")
    if all(len(p) <= 2 for p in parts[:-1]):
        author = parts[-1]  # initials first: "V. I. Arnold" → "Arnold"
    else:
        author = parts[0]  # "Meleshko & Aref. A blinking rotlet model …" → "Meleshko & Aref"
    if len(author) > 24:
        author = author.split()[0]  # no separator: "Sprott Physics Letters A 2014" → "Sprott"
    year = _YEAR.search(text)
    return f"{author} {year.group(1)}" if year else author


def _number(value: float | None, digits: int = 4) -> str:
    return "—" if value is None else f"{value:.{digits}g}"


def catalog_rows(provider: str = "systems") -> list[dict[str, Any]]:
    """One row per registered system of ``provider``, sorted by name (imports every class)."""
    rows = []
    for entry in sorted(chaoskit.systems.list(provider=provider), key=lambda e: e.name):
        system = chaoskit.systems.create(entry.qualified_name)
        meta = system.metadata
        flags = sorted(meta.flags - {"unbounded"})
        if meta.unbounded_indices:
            flags.append("unbounded " + ",".join(system.variables[i] for i in meta.unbounded_indices))
        rows.append({
            "name": entry.name,
            "aliases": ", ".join(entry.aliases),
            "kind": system.kind,
            "dim": system.dimension,
            "λ1": _number(meta.max_lyapunov),
            "Lyapunov time": _number(meta.lyapunov_time),
            "period": _number(meta.period),
            "flags": ", ".join(flags),
            "reference": _short_citation(meta.citation),
        })
    return rows


def catalog_table(provider: str = "systems") -> str:
    """The Markdown table of :func:`catalog_rows`, with a one-line summary above it."""
    rows = catalog_rows(provider)
    kinds: dict[str, int] = {}
    for row in rows:
        kinds[row["kind"]] = kinds.get(row["kind"], 0) + 1
    counts = ", ".join(f"{n} {k}{'s' if n > 1 else ''}" for k, n in sorted(kinds.items()))
    lines = [
        (f"{len(rows)} systems ({counts}). λ1: largest Lyapunov exponent at the default "
         "parameters (1/time unit; per iteration for maps), where known; Lyapunov time 1/λ1."),
        "",
        "| " + " | ".join(_COLUMNS) + " |",
        "|" + "|".join("---" for _ in _COLUMNS) + "|",
    ]
    for row in rows:
        lines.append("| " + " | ".join(str(row[c]).replace("|", "\\|") for c in _COLUMNS) + " |")
    return "\n".join(lines) + "\n"


def splice(document: str, table: str) -> str:
    """``document`` with the text between :data:`START` and :data:`END` replaced by ``table``."""
    if START not in document or END not in document:
        raise ValueError(f"the document has no {START} … {END} section")
    head, rest = document.split(START, 1)
    _, tail = rest.split(END, 1)
    return f"{head}{START}\n{table}{END}{tail}"


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point; see the module docstring."""
    parser = argparse.ArgumentParser(prog="python -m chaoskit_systems.tools.catalog")
    group = parser.add_mutually_exclusive_group()
    group.add_argument("--update", metavar="FILE", help="rewrite the catalog section of FILE")
    group.add_argument("--check", metavar="FILE", help="exit 1 if FILE's catalog is out of date")
    args = parser.parse_args(argv)
    table = catalog_table()
    if args.update or args.check:
        path = Path(args.update or args.check)
        text = path.read_text(encoding="utf-8")
        new = splice(text, table)
        if args.check:
            if new != text:
                print(f"{path}: the catalog is out of date; run python -m "
                      f"chaoskit_systems.tools.catalog --update {path}", file=sys.stderr)
                return 1
            return 0
        path.write_text(new, encoding="utf-8")
        return 0
    sys.stdout.write(table)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
