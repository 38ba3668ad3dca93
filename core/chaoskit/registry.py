"""Lazy registries of systems, models, metrics and trainers.

An entry maps a name to a ``"module:attr"`` target that is imported on first use. Lookups accept
``provider/name`` always, a bare name when it is unique, any case, and aliases.
"""

from __future__ import annotations

import builtins
import difflib
import importlib
import re
from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING, Any

import attrs

from .errors import AmbiguousNameError, ParameterError, PluginError, UnknownNameError

if TYPE_CHECKING:
    from .plugins import PluginHost

__all__ = ["Entry", "Registry", "StagingRegistry"]

_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.\-]*$")
_TARGET = re.compile(r"^[A-Za-z_][\w.]*:[A-Za-z_][\w.]*$")


@attrs.frozen(kw_only=True)
class Entry:
    """One registered item: where it comes from and where its code lives."""

    kind: str
    provider: str
    name: str
    target: str
    summary: str = ""
    tags: tuple[str, ...] = ()
    aliases: tuple[str, ...] = ()

    @property
    def qualified_name(self) -> str:
        """``provider/name``, which always identifies the entry."""
        return f"{self.provider}/{self.name}"

    def keys(self) -> tuple[str, ...]:
        """Lower-cased lookup keys: the name and every alias."""
        return tuple(dict.fromkeys(k.lower() for k in (self.name, *self.aliases)))


def check_entry_fields(kind: str, provider: str, name: Any, target: Any, tags: Any, aliases: Any) -> None:
    """Raise :class:`PluginError` naming the bad field of a registration."""
    where = f"{provider}: {kind} registration {name!r}"
    if not isinstance(name, str) or not _NAME.match(name):
        raise PluginError(f"{where}: the name must be letters, digits, '_', '-' or '.', without '/'")
    if not isinstance(target, str) or not _TARGET.match(target):
        raise PluginError(
            f"{where}: the target must be a 'package.module:Attribute' string, got {target!r}"
        )
    for label, values in (("tags", tags), ("aliases", aliases)):
        if isinstance(values, (str, bytes)) or not all(isinstance(v, str) and _NAME.match(v) for v in values):
            raise PluginError(f"{where}: {label} must be a list of names, got {values!r}")


class StagingRegistry:
    """What a plugin's registration hook receives: collects entries, commits nothing itself.

    The plugin host commits the staged entries only when the whole plugin registered without
    error, so a failing plugin leaves nothing half-registered.
    """

    def __init__(self, kind: str, provider: str) -> None:
        self.kind = kind
        self.provider = provider
        self.entries: list[Entry] = []

    def add(
        self,
        name: str,
        target: str,
        *,
        summary: str = "",
        tags: Iterable[str] = (),
        aliases: Iterable[str] = (),
    ) -> None:
        """Register ``name`` → ``target`` (a ``"module:attr"`` string, imported on first use)."""
        check_entry_fields(self.kind, self.provider, name, target, tags, aliases)
        tags, aliases = tuple(tags), tuple(aliases)
        self.entries.append(Entry(kind=self.kind, provider=self.provider, name=name, target=target,
                                  summary=str(summary), tags=tags, aliases=aliases))


class Registry:
    """The installed items of one kind (``chaoskit.systems``, ``.models``, ``.metrics``, ``.trainers``).

    Discovery of plugins happens on first access and is cached; :meth:`refresh` repeats it.
    """

    def __init__(self, kind: str, base: type, host: PluginHost) -> None:
        self.kind = kind
        self.base = base
        self._host = host
        self._entries: dict[str, Entry] = {}
        self._loaded: dict[str, Any] = {}

    # ------------------------------------------------------------------ host side
    def _clear(self) -> None:
        self._entries.clear()
        self._loaded.clear()

    def _conflicts(self, entries: Iterable[Entry]) -> tuple[list[str], list[str]]:
        """(errors, ambiguities) that committing ``entries`` would cause."""
        errors: list[str] = []
        ambiguous: list[str] = []
        seen: dict[str, str] = {}
        for entry in entries:
            if entry.qualified_name.lower() in self._entries:
                errors.append(f"{self.kind} {entry.qualified_name!r} is already registered")
            for key in entry.keys():
                if key in seen:
                    errors.append(f"{self.kind} name {key!r} is used twice ({seen[key]} and {entry.name})")
                seen[key] = entry.name
                for other in self._entries.values():
                    if other.provider != entry.provider and key in other.keys():
                        ambiguous.append(
                            f"{self.kind} {key!r} is registered by both {other.qualified_name!r} and "
                            f"{entry.qualified_name!r}; the bare name is now ambiguous, use the qualified names"
                        )
        return errors, ambiguous

    def _commit(self, entries: Iterable[Entry]) -> None:
        for entry in entries:
            self._entries[entry.qualified_name.lower()] = entry

    def _remove_provider(self, provider: str) -> None:
        for key in [k for k, e in self._entries.items() if e.provider == provider]:
            del self._entries[key]
            self._loaded.pop(key, None)

    # ------------------------------------------------------------------ user side
    def register(
        self,
        name: str,
        target: str | type,
        *,
        provider: str = "user",
        summary: str = "",
        tags: Iterable[str] = (),
        aliases: Iterable[str] = (),
        replace: bool = False,
    ) -> Entry:
        """Register an item from a notebook or a test: ``target`` is a class or ``"module:attr"``.

        Raises :class:`PluginError` if ``provider/name`` exists, unless ``replace=True``.
        """
        self._host.ensure_loaded()
        obj = None
        if not isinstance(target, str):
            obj = target
            self._check_type(obj, f"{provider}/{name}")
            target = f"{obj.__module__}:{obj.__qualname__}"
        check_entry_fields(self.kind, provider, name, target, tags, aliases)
        tags, aliases = tuple(tags), tuple(aliases)
        entry = Entry(kind=self.kind, provider=provider, name=name, target=target,
                      summary=summary, tags=tags, aliases=aliases)
        key = entry.qualified_name.lower()
        if key in self._entries and not replace:
            raise PluginError(f"{self.kind} {entry.qualified_name!r} is already registered; pass replace=True")
        self._entries.pop(key, None)
        self._loaded.pop(key, None)
        self._commit([entry])
        if obj is not None:
            self._loaded[key] = obj
        self._host._remember_manual(entry, obj)
        return entry

    def refresh(self) -> None:
        """Discover the installed plugins again (all registries)."""
        self._host.refresh()

    def list(self, tag: str | None = None, provider: str | None = None) -> list[Entry]:
        """Entries sorted by qualified name, optionally only those with ``tag`` or from ``provider``."""
        self._host.ensure_loaded()
        out = [
            e for e in self._entries.values()
            if (tag is None or tag.lower() in (t.lower() for t in e.tags))
            and (provider is None or e.provider.lower() == provider.lower())
        ]
        return sorted(out, key=lambda e: e.qualified_name.lower())

    def names(self, tag: str | None = None, provider: str | None = None) -> builtins.list[str]:
        """Qualified names of :meth:`list`."""
        return [e.qualified_name for e in self.list(tag=tag, provider=provider)]

    def info(self, name: str) -> Entry:
        """The entry that ``name`` resolves to (nothing is imported)."""
        return self._resolve(name)

    def get(self, name: str) -> Any:
        """The registered class (or object) that ``name`` resolves to, imported on first use."""
        entry = self._resolve(name)
        key = entry.qualified_name.lower()
        if key not in self._loaded:
            obj = _import_target(entry)
            self._check_type(obj, entry.qualified_name)
            self._loaded[key] = obj
        return self._loaded[key]

    def create(self, name: str, **params: Any) -> Any:
        """An instance of ``name`` built with ``params`` (parameters or hyperparameters)."""
        cls = self.get(name)
        if attrs.has(cls):
            known = {f.name for f in attrs.fields(cls) if f.init}
            unknown = sorted(set(params) - known)
            if unknown:
                raise ParameterError(
                    f"{self._resolve(name).qualified_name} has no parameter {', '.join(map(repr, unknown))}; "
                    f"it takes {sorted(known)}"
                )
        return cls(**params)

    def __contains__(self, name: object) -> bool:
        if not isinstance(name, str):
            return False
        try:
            self._resolve(name)
        except UnknownNameError:
            return False
        return True

    def __iter__(self) -> Iterator[Entry]:
        return iter(self.list())

    def __len__(self) -> int:
        self._host.ensure_loaded()
        return len(self._entries)

    def __repr__(self) -> str:
        return f"<chaoskit {self.kind} registry>"

    # ------------------------------------------------------------------ lookup
    def _resolve(self, name: str) -> Entry:
        if not isinstance(name, str) or not name:
            raise ParameterError(f"{self.kind}: a name must be a non-empty string, got {name!r}")
        self._host.ensure_loaded()
        provider, _, bare = name.rpartition("/")
        key = bare.lower()
        matches = [
            e for e in self._entries.values()
            if key in e.keys() and (not provider or e.provider.lower() == provider.lower())
        ]
        exact = [e for e in matches if e.name.lower() == key]
        if len(matches) > 1 and len(exact) == 1 and provider:
            matches = exact
        if len(matches) == 1:
            return matches[0]
        if matches:
            names = " and ".join(sorted(repr(e.qualified_name) for e in matches))
            raise AmbiguousNameError(f"{self.kind} name {name!r} is ambiguous: it matches {names}; use one of those")
        raise UnknownNameError(self._unknown_message(name))

    def _unknown_message(self, name: str) -> str:
        candidates: dict[str, str] = {}
        for e in self._entries.values():
            for k in (e.name, *e.aliases, e.qualified_name):
                candidates[k.lower()] = e.qualified_name
        close = difflib.get_close_matches(name.lower(), list(candidates), n=5, cutoff=0.6)
        suggestion = sorted({candidates[c] for c in close})
        providers = self._host.provider_names()
        msg = f"unknown {self.kind[:-1]} {name!r}"
        if suggestion:
            msg += f"; did you mean {', '.join(suggestion)}?"
        msg += f" Installed providers: {', '.join(providers) if providers else 'none'}"
        msg += f"; `chaoskit list {self.kind}` shows every name."
        return msg

    def _check_type(self, obj: Any, qualified: str) -> None:
        if not (isinstance(obj, type) and issubclass(obj, self.base)):
            raise PluginError(
                f"{self.kind} {qualified!r} resolves to {obj!r}, which is not a subclass of "
                f"chaoskit.{self.base.__name__}"
            )


def _import_target(entry: Entry) -> Any:
    module_name, _, attr_path = entry.target.partition(":")
    try:
        obj: Any = importlib.import_module(module_name)
        for part in attr_path.split("."):
            obj = getattr(obj, part)
    except Exception as exc:  # noqa: BLE001 - any failure of third-party code is reported the same way
        raise PluginError(
            f"{entry.kind} {entry.qualified_name!r}: cannot load its target {entry.target!r} "
            f"({type(exc).__name__}: {exc}); the plugin {entry.provider!r} is broken or incomplete"
        ) from exc
    return obj
