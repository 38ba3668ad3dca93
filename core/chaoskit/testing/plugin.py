"""The chaoskit pytest plugin (entry point ``pytest11``): fixtures for plugin authors.

Fixtures
--------
``chaoskit_isolated``
    The global plugin host with no plugins at all; restored afterwards.
``chaoskit_load_plugins``
    A function ``load(*entry_points, strict=None) -> PluginHost`` that replaces the installed
    plugins by the given (fake) entry points for the rest of the test.
``chaoskit_plugin_tree``
    A function ``load(path, strict=None)`` that loads an uninstalled plugin from its source tree
    (the directory holding its ``pyproject.toml``) as if it were installed.

This module must stay light: it is imported in every pytest session of an environment where
chaoskit is installed.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from .fakes import entry_points_of, isolated_plugins, plugin_path


@pytest.fixture
def chaoskit_isolated() -> Iterator[Any]:
    """The plugin host with no plugins; the installed ones come back after the test."""
    with isolated_plugins() as host:
        yield host


@pytest.fixture
def chaoskit_load_plugins() -> Iterator[Callable[..., Any]]:
    """Load only the given entry points for the rest of the test."""
    with contextlib.ExitStack() as stack:
        def load(*entry_points: Any, strict: bool | None = None) -> Any:
            host = stack.enter_context(isolated_plugins(*entry_points, strict=strict))
            host.ensure_loaded()
            return host

        yield load


@pytest.fixture
def chaoskit_plugin_tree() -> Iterator[Callable[..., Any]]:
    """Load an uninstalled plugin from its source tree for the rest of the test."""
    with contextlib.ExitStack() as stack:
        def load(path: str | Path, strict: bool | None = None) -> Any:
            stack.enter_context(plugin_path(path))
            host = stack.enter_context(isolated_plugins(*entry_points_of(path), strict=strict))
            host.ensure_loaded()
            return host

        yield load
