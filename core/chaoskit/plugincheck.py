"""``chaoskit validate``: strict checks of a plugin distribution before it is published."""

from __future__ import annotations

import contextlib
import importlib.metadata as importlib_metadata
import sys
import warnings
from pathlib import Path
from typing import Any

from .errors import UnknownNameError
from .plugins import GROUP, host
from .testing.fakes import entry_points_of, plugin_path

__all__ = ["validate_distribution"]

_HEAVY = ("torch", "jax", "tensorflow")


def _entry_points(dist: str, stack: contextlib.ExitStack) -> list[Any]:
    path = Path(dist)
    if path.is_dir():
        if not (path / "pyproject.toml").is_file():
            raise UnknownNameError(f"{dist} is a directory without a pyproject.toml")
        stack.enter_context(plugin_path(path))
        return list(entry_points_of(path))
    try:
        distribution = importlib_metadata.distribution(dist)
    except importlib_metadata.PackageNotFoundError:
        raise UnknownNameError(
            f"no installed distribution named {dist!r}; install it (pip install -e PATH) or pass its source directory"
        ) from None
    return [ep for ep in distribution.entry_points if ep.group == GROUP]


def validate_distribution(dist: str) -> tuple[int, list[str]]:
    """Load the plugins of ``dist`` alone and check every item they register.

    Returns the number of problems and the report lines. Checks: the distribution declares an
    entry point in group ``chaoskit.plugins``; each hooks module loads without warning or error
    and imports no heavy framework; every target imports, is a subclass of the right chaoskit
    interface and can be created with its default parameters; every item has a summary.
    """
    lines: list[str] = []
    problems = 0
    with contextlib.ExitStack() as stack:
        eps = _entry_points(dist, stack)
        if not eps:
            return 1, [f"FAIL {dist} declares no entry point in group {GROUP!r}"]
        heavy_before = {m for m in _HEAVY if m in sys.modules}
        isolated = stack.enter_context(host.isolated(eps, strict=False))
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            isolated.ensure_loaded()
        for w in caught:
            problems += 1
            lines.append(f"FAIL {w.message}")
        heavy = sorted({m for m in _HEAVY if m in sys.modules} - heavy_before)
        if heavy:
            problems += 1
            lines.append(f"FAIL the hooks module imports {', '.join(heavy)}; import it inside the targets instead")
        for record in isolated.records.values():
            status = "ok  " if record.status == "loaded" else "FAIL"
            if record.status != "loaded" and not any(record.name in line for line in lines):
                problems += 1
                lines.append(f"FAIL plugin {record.name}: {record.error}")
            lines.append(f"{status} plugin {record.name} (plugin API {record.api})")
        for kind, registry in isolated.registries.items():
            for entry in registry.list():
                try:
                    cls = registry.get(entry.qualified_name)
                    cls()
                except Exception as exc:  # noqa: BLE001 - report whatever the plugin raises
                    problems += 1
                    lines.append(f"FAIL {kind[:-1]} {entry.qualified_name}: {type(exc).__name__}: {exc}")
                    continue
                if not entry.summary:
                    problems += 1
                    lines.append(f"FAIL {kind[:-1]} {entry.qualified_name}: registered without a summary")
                    continue
                lines.append(f"ok   {kind[:-1]} {entry.qualified_name} -> {entry.target}")
    return problems, lines
