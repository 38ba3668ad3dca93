"""Find the line of a key (or of a value inside a list) in TOML text, for error messages.

``tomllib`` gives no positions, so this scans the text: table headers (``[data]``,
``[models.esn]``), ``key = value`` lines (dotted keys included) and string literals. It is a
best effort for hand-written configs; when a position cannot be found the message just omits
the line.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path

__all__ = ["Locator"]

_HEADER = re.compile(r"^\s*\[\[?\s*([^\[\]]+?)\s*\]\]?\s*(?:#.*)?$")
_KEY = re.compile(r"""^\s*((?:[A-Za-z0-9_\-]+|"[^"]*"|'[^']*')(?:\s*\.\s*(?:[A-Za-z0-9_\-]+|"[^"]*"|'[^']*'))*)\s*=""")
_PART = re.compile(r"""[A-Za-z0-9_\-]+|"[^"]*"|'[^']*'""")


def _parts(dotted: str) -> tuple[str, ...]:
    return tuple(p.strip("\"'") for p in _PART.findall(dotted))


class Locator:
    """Positions of keys in a TOML document, and the prefix of error messages about it.

    Parameters
    ----------
    source
        The file name shown in messages (``"<default>"``, ``"<mapping>"`` …).
    text
        The TOML text, or ``None`` when the config did not come from text (no line numbers).
    """

    def __init__(self, source: str | Path, text: str | None) -> None:
        self.source = str(source)
        self.text = text
        self._lines: dict[tuple[str, ...], int] = {}
        self._rows = (text or "").splitlines()
        table: tuple[str, ...] = ()
        for number, row in enumerate(self._rows, start=1):
            header = _HEADER.match(row)
            if header:
                table = _parts(header.group(1))
                self._lines.setdefault(table, number)
                continue
            key = _KEY.match(row)
            if key:
                self._lines.setdefault(table + _parts(key.group(1)), number)

    def line(self, path: Sequence[str], value: object = None) -> int | None:
        """The line of ``path`` (the nearest enclosing key found), or of ``value`` after it."""
        path = tuple(path)
        found = None
        for end in range(len(path), 0, -1):
            if path[:end] in self._lines:
                found = self._lines[path[:end]]
                break
        if found is None or not isinstance(value, str):
            return found
        for quote in ('"', "'"):
            literal = f"{quote}{value}{quote}"
            for offset, row in enumerate(self._rows[found - 1 : found + 200]):
                if literal in row:
                    return found + offset
        return found

    def where(self, path: Sequence[str], value: object = None) -> str:
        """``"FILE, line N: [table] key"`` for messages (line omitted when unknown)."""
        line = self.line(path, value)
        head = self.source if line is None else f"{self.source}, line {line}"
        return f"{head}: {describe_path(path)}"


def describe_path(path: Sequence[str]) -> str:
    """``("data", "horizon")`` → ``"[data] horizon"``; ``("models", "esn")`` → ``"[models.esn]"``."""
    path = tuple(path)
    if not path:
        return "the config"
    if len(path) == 1:
        return f"[{path[0]}]"
    if path[0] in ("systems", "models", "metrics") and len(path) >= 2:
        table, rest = path[:2], path[2:]
    else:
        table, rest = path[:1], path[1:]
    text = "[" + ".".join(table) + "]"
    return f"{text} {'.'.join(rest)}" if rest else text
