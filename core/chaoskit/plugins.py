"""Plugin discovery and isolation.

Plugins are found through ``importlib.metadata.entry_points(group="chaoskit.plugins")`` on the
first registry access (and again on :meth:`PluginHost.refresh`). Each entry point names a light
hooks module that declares ``CHAOSKIT_PLUGIN_API`` and implements hooks of
:mod:`chaoskit.hookspecs`. A plugin that fails — on import, in a hook, with an incompatible API
version or a name that is already taken — is skipped whole, warned about and recorded; it never
breaks ``import chaoskit`` or another plugin.

Environment variables
---------------------
``CHAOSKIT_DISABLE_PLUGINS``
    Comma-separated plugin names not to load, or ``all``.
``CHAOSKIT_PLUGINS``
    Comma-separated allow-list: load only these.
``CHAOSKIT_STRICT_PLUGINS``
    ``1``/``true``: raise :class:`~chaoskit.errors.PluginError` instead of warning.
"""

from __future__ import annotations

import contextlib
import importlib.metadata as importlib_metadata
import inspect
import os
import traceback
import warnings
from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import Any

import attrs
import pluggy

from . import hookspecs
from .errors import PluginError, PluginWarning
from .metric import Metric
from .model import Model
from .registry import Entry, Registry, StagingRegistry
from .system import System
from .trainer import Trainer

__all__ = ["GROUP", "PLUGIN_API", "PluginHost", "PluginRecord", "call_hook", "host"]

GROUP = "chaoskit.plugins"
PLUGIN_API = "1.0"
KINDS: dict[str, type] = {"systems": System, "models": Model, "metrics": Metric, "trainers": Trainer}
_TRUE = {"1", "true", "yes", "on"}


@attrs.define(kw_only=True)
class PluginRecord:
    """What happened to one plugin: ``status`` is ``loaded``, ``failed`` or ``disabled``."""

    name: str
    value: str
    distribution: str | None = None
    version: str | None = None
    status: str = "loaded"
    api: str | None = None
    error: str | None = None
    counts: dict[str, int] = attrs.field(factory=dict)


def _split(value: str | None) -> frozenset[str] | None:
    if value is None or not value.strip():
        return None
    return frozenset(v.strip().lower() for v in value.split(",") if v.strip())


class PluginHost:
    """Discovers, loads and isolates plugins; owns the four registries.

    Parameters
    ----------
    entry_points
        A callable returning the entry points to load (default: the installed ones of group
        ``chaoskit.plugins``). Tests pass fakes (see :mod:`chaoskit.testing`).
    allow, disable, strict
        Override ``CHAOSKIT_PLUGINS``, ``CHAOSKIT_DISABLE_PLUGINS``, ``CHAOSKIT_STRICT_PLUGINS``.
    """

    def __init__(
        self,
        entry_points: Callable[[], Iterable[Any]] | None = None,
        *,
        allow: Iterable[str] | None = None,
        disable: Iterable[str] | None = None,
        strict: bool | None = None,
    ) -> None:
        self.registries = {kind: Registry(kind, base, self) for kind, base in KINDS.items()}
        self._configure(entry_points, allow, disable, strict)
        self._manual: list[tuple[Entry, Any]] = []

    def _configure(self, entry_points: Any, allow: Any, disable: Any, strict: Any) -> None:
        self._entry_points = entry_points or (lambda: importlib_metadata.entry_points(group=GROUP))
        self._allow = None if allow is None else frozenset(a.lower() for a in allow)
        self._disable = None if disable is None else frozenset(d.lower() for d in disable)
        self._strict = strict
        self._reset()

    def _reset(self) -> None:
        self.pm = pluggy.PluginManager("chaoskit")
        self.pm.add_hookspecs(hookspecs)
        self.records: dict[str, PluginRecord] = {}
        for registry in self.registries.values():
            registry._clear()
        self._loaded = False
        self._loading = False

    # ------------------------------------------------------------------ settings
    @property
    def strict(self) -> bool:
        if self._strict is not None:
            return self._strict
        return os.environ.get("CHAOSKIT_STRICT_PLUGINS", "").strip().lower() in _TRUE

    def _enabled(self, name: str) -> bool:
        allow = self._allow if self._allow is not None else _split(os.environ.get("CHAOSKIT_PLUGINS"))
        disable = self._disable if self._disable is not None else _split(os.environ.get("CHAOSKIT_DISABLE_PLUGINS"))
        if disable and ("all" in disable or name.lower() in disable):
            return False
        return allow is None or name.lower() in allow

    # ------------------------------------------------------------------ loading
    def ensure_loaded(self) -> None:
        """Discover and load the plugins once (called by every registry access)."""
        if self._loaded or self._loading:
            return
        self._loading = True
        try:
            for ep in self._entry_points():
                self._load_entry_point(ep)
            for entry, obj in self._manual:
                registry = self.registries[entry.kind]
                registry._commit([entry])
                if obj is not None:
                    registry._loaded[entry.qualified_name.lower()] = obj
        finally:
            self._loading = False
            self._loaded = True

    def refresh(self) -> None:
        """Forget what was loaded and discover the plugins again (manual registrations stay)."""
        for name in list(self.records):
            if self.pm.get_plugin(name) is not None:
                self.pm.unregister(name=name)
        self._reset()
        self.ensure_loaded()

    def _remember_manual(self, entry: Entry, obj: Any) -> None:
        self._manual = [(e, o) for e, o in self._manual if e.qualified_name != entry.qualified_name]
        self._manual.append((entry, obj))

    def _load_entry_point(self, ep: Any) -> None:
        dist = getattr(ep, "dist", None)
        record = PluginRecord(
            name=ep.name, value=getattr(ep, "value", ""),
            distribution=getattr(dist, "name", None), version=getattr(dist, "version", None),
        )
        if ep.name in self.records:
            other = self.records[ep.name]
            self.records[f"{ep.name} ({record.distribution or record.value})"] = record
            self._fail(record, f"the plugin name {ep.name!r} is already taken by "
                               f"{other.distribution or other.value}; rename one of the entry points")
            return
        self.records[ep.name] = record
        if not self._enabled(ep.name):
            record.status = "disabled"
            return
        try:
            module = ep.load()
        except Exception as exc:  # noqa: BLE001 - isolate any failure of third-party code
            self._fail(record, f"import of {record.value!r} failed: {type(exc).__name__}: {exc}", exc)
            return
        self.load_plugin(ep.name, module, record=record)

    def load_plugin(self, name: str, module: Any, *, record: PluginRecord | None = None) -> PluginRecord:
        """Load an already imported hooks module as plugin ``name`` (all or nothing)."""
        if record is None:
            record = PluginRecord(name=name, value=getattr(module, "__name__", repr(module)))
            if name in self.records:
                self._fail(record, f"the plugin name {name!r} is already taken")
                return record
            self.records[name] = record
        api = getattr(module, "CHAOSKIT_PLUGIN_API", None)
        record.api = None if api is None else str(api)
        problem = _api_problem(api)
        if problem:
            self._fail(record, problem)
            return record
        routines = [a for a in dir(module) if a.startswith("chaoskit_") and inspect.isroutine(getattr(module, a))]
        unknown = [a for a in routines if not hasattr(self.pm.hook, a)]
        if unknown:
            self._fail(record, f"implements unknown hooks {unknown}; the hooks are listed in chaoskit.hookspecs")
            return record
        unmarked = [a for a in routines if self.pm.parse_hookimpl_opts(module, a) is None]
        if unmarked:
            self._fail(record, f"hook functions {unmarked} lack the marker; decorate them with @chaoskit.hookimpl")
            return record
        try:
            self.pm.register(module, name=name)
        except Exception as exc:  # noqa: BLE001 - pluggy validation errors, name clashes
            self._fail(record, f"invalid hook implementation: {exc}", exc)
            return record
        staged: dict[str, StagingRegistry] = {}
        try:
            for kind in self.registries:
                staging = staged[kind] = StagingRegistry(kind, name)
                caller = getattr(self.pm.hook, f"chaoskit_register_{kind}")
                for impl in caller.get_hookimpls():
                    if impl.plugin is module:
                        impl.function(registry=staging)
        except Exception as exc:  # noqa: BLE001
            self.pm.unregister(module)
            self._fail(record, f"its registration hook raised {type(exc).__name__}: {exc}", exc)
            return record
        errors: list[str] = []
        ambiguities: list[str] = []
        for kind, staging in staged.items():
            e, a = self.registries[kind]._conflicts(staging.entries)
            errors += e
            ambiguities += a
        if errors:
            self.pm.unregister(module)
            self._fail(record, "; ".join(errors) + "; rename the item or uninstall the other plugin")
            return record
        for kind, staging in staged.items():
            self.registries[kind]._commit(staging.entries)
            record.counts[kind] = len(staging.entries)
        record.status = "loaded"
        for message in ambiguities:
            warnings.warn(f"plugin {name!r}: {message}", PluginWarning, stacklevel=3)
        return record

    def _fail(self, record: PluginRecord, reason: str, exc: BaseException | None = None) -> None:
        record.status = "failed"
        record.error = reason
        message = f"chaoskit plugin {record.name!r} ({record.distribution or record.value}) was not loaded: {reason}"
        if self.strict:
            raise PluginError(message) from exc
        if exc is not None:
            record.error += "\n" + "".join(traceback.format_exception(exc)).rstrip()
        warnings.warn(message, PluginWarning, stacklevel=4)

    # ------------------------------------------------------------------ queries and hooks
    def provider_names(self) -> list[str]:
        """Names of the loaded plugins and of manual providers."""
        self.ensure_loaded()
        names = {n for n, r in self.records.items() if r.status == "loaded"}
        names |= {e.provider for e, _ in self._manual}
        return sorted(names)

    def call_hook(self, name: str, **kwargs: Any) -> list[Any]:
        """Call hook ``name`` of every loaded plugin, isolating failures; return non-None results."""
        self.ensure_loaded()
        caller = getattr(self.pm.hook, name, None)
        if caller is None:
            raise PluginError(f"no hook named {name!r}; see chaoskit.hookspecs")
        results = []
        for impl in caller.get_hookimpls():
            try:
                out = impl.function(**{k: kwargs[k] for k in impl.argnames})
            except Exception as exc:  # noqa: BLE001
                message = f"chaoskit plugin {impl.plugin_name!r}: hook {name} raised {type(exc).__name__}: {exc}"
                if self.strict:
                    raise PluginError(message) from exc
                warnings.warn(message, PluginWarning, stacklevel=2)
                continue
            if out is not None:
                results.append(out)
        return results

    def collect_versions(self) -> dict[str, str]:
        """``{distribution: version}`` of every loaded plugin, plus what ``chaoskit_provenance`` adds."""
        self.ensure_loaded()
        versions = {
            r.distribution: r.version for r in self.records.values()
            if r.status == "loaded" and r.distribution and r.version
        }
        for extra in self.call_hook("chaoskit_provenance"):
            if isinstance(extra, Mapping):
                versions.update({str(k): str(v) for k, v in extra.items()})
        return dict(sorted(versions.items()))

    @contextlib.contextmanager
    def isolated(
        self,
        entry_points: Iterable[Any] = (),
        *,
        allow: Iterable[str] | None = None,
        disable: Iterable[str] | None = None,
        strict: bool | None = None,
    ) -> Iterator[PluginHost]:
        """Temporarily replace discovery by ``entry_points`` (none by default); restore afterwards."""
        saved = (self._entry_points, self._allow, self._disable, self._strict, self.pm, self.records,
                 self._loaded, self._manual, {k: (dict(r._entries), dict(r._loaded)) for k, r in self.registries.items()})
        fixed = list(entry_points)
        self._manual = []
        self._configure(lambda: fixed, allow, disable, strict)
        try:
            yield self
        finally:
            (self._entry_points, self._allow, self._disable, self._strict, self.pm, self.records,
             self._loaded, self._manual, regs) = saved
            for kind, (entries, loaded) in regs.items():
                self.registries[kind]._entries = entries
                self.registries[kind]._loaded = loaded


def _api_problem(api: Any) -> str | None:
    major, minor = (int(p) for p in PLUGIN_API.split("."))
    if api is None:
        return f"its hooks module declares no CHAOSKIT_PLUGIN_API; add CHAOSKIT_PLUGIN_API = {PLUGIN_API!r}"
    try:
        p_major, p_minor = (int(p) for p in str(api).split(".")[:2])
    except ValueError:
        return f"CHAOSKIT_PLUGIN_API = {api!r} is not a 'MAJOR.MINOR' version such as {PLUGIN_API!r}"
    if p_major != major:
        return (f"it was written for plugin API {api}, this chaoskit speaks {PLUGIN_API}; "
                f"install a {'newer' if p_major > major else 'matching older'} chaoskit or update the plugin")
    if p_minor > minor:
        return f"it needs plugin API {api} but this chaoskit speaks {PLUGIN_API}; upgrade chaoskit"
    return None


host = PluginHost()


def call_hook(name: str, **kwargs: Any) -> list[Any]:
    """Call a hook of every loaded plugin on the global host (see :meth:`PluginHost.call_hook`)."""
    return host.call_hook(name, **kwargs)
