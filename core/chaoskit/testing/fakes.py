"""Fake entry points and isolated plugin hosts, so tests load plugins without installing them."""

from __future__ import annotations

import contextlib
import importlib
import sys
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import attrs

from ..plugins import PluginHost, host

__all__ = ["FakeDistribution", "FakeEntryPoint", "entry_points_of", "isolated_plugins", "plugin_path", "write_dist_info"]


@attrs.frozen
class FakeDistribution:
    """Stands in for ``importlib.metadata.Distribution`` (name and version only)."""

    name: str
    version: str = "0.0.0"


@attrs.frozen
class FakeEntryPoint:
    """Stands in for an ``importlib.metadata.EntryPoint`` of group ``chaoskit.plugins``.

    ``load()`` returns ``obj`` when given (a module object or any namespace holding hooks), else
    imports ``value`` (``"package.module"`` or ``"package.module:attr"``) like the real thing.
    """

    name: str
    value: str = ""
    obj: Any = None
    dist: FakeDistribution | None = None
    group: str = "chaoskit.plugins"

    def load(self) -> Any:
        if self.obj is not None:
            return self.obj
        module_name, _, attr = self.value.partition(":")
        module = importlib.import_module(module_name)
        for part in filter(None, attr.split(".")):
            module = getattr(module, part)
        return module


@contextlib.contextmanager
def isolated_plugins(
    *entry_points: Any, strict: bool | None = None, target: PluginHost | None = None
) -> Iterator[PluginHost]:
    """Run with only ``entry_points`` as plugins (none by default) on the global host.

    The installed plugins and any manual registrations are restored on exit.
    """
    with (target or host).isolated(entry_points, strict=strict) as isolated:
        yield isolated


@contextlib.contextmanager
def plugin_path(directory: str | Path) -> Iterator[None]:
    """Make the packages in ``directory`` importable (a plugin's source tree, uninstalled)."""
    directory = str(Path(directory).resolve())
    before = set(sys.modules)
    sys.path.insert(0, directory)
    try:
        yield
    finally:
        sys.path.remove(directory)
        for name in set(sys.modules) - before:
            module = sys.modules.get(name)
            if str(getattr(module, "__file__", "") or "").startswith(directory):
                del sys.modules[name]


def entry_points_of(distribution_dir: str | Path) -> Iterable[FakeEntryPoint]:
    """The ``chaoskit.plugins`` entry points declared in a source tree's ``pyproject.toml``."""
    import tomllib

    data = tomllib.loads((Path(distribution_dir) / "pyproject.toml").read_text())
    project = data.get("project", {})
    dist = FakeDistribution(project.get("name", Path(distribution_dir).name), project.get("version", "0.0.0"))
    group = project.get("entry-points", {}).get("chaoskit.plugins", {})
    return [FakeEntryPoint(name, value, dist=dist) for name, value in group.items()]


def write_dist_info(source_dir: str | Path, site_dir: str | Path) -> Path:
    """Make a plugin source tree look installed, without pip.

    Writes ``<name>-<version>.dist-info`` (``METADATA`` and ``entry_points.txt`` from the tree's
    ``pyproject.toml``) into ``site_dir``. With both ``site_dir`` and ``source_dir`` on the
    path (``PYTHONPATH``), ``importlib.metadata`` discovers the plugin like an installed one —
    so a subprocess can run ``chaoskit plugins`` or the plugin's own tests against it.
    """
    import tomllib

    source = Path(source_dir)
    project = tomllib.loads((source / "pyproject.toml").read_text())["project"]
    name, version = project["name"], project.get("version", "0.0.0")
    info = Path(site_dir) / f"{name.replace('-', '_')}-{version}.dist-info"
    info.mkdir(parents=True, exist_ok=True)
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n")
    groups = project.get("entry-points", {})
    lines = []
    for group, entries in groups.items():
        lines.append(f"[{group}]")
        lines += [f"{key} = {value}" for key, value in entries.items()]
        lines.append("")
    (info / "entry_points.txt").write_text("\n".join(lines))
    return info
