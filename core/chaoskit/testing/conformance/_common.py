"""Shared machinery of the conformance suites: parametrization over registry items, backends."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, ClassVar

import numpy as np
import pytest

from ..._optional import require
from ...registry import Registry


class RegistrySuite:
    """Base of the conformance suites: parametrizes ``item_name`` over registered items.

    Subclass attributes
    -------------------
    provider
        Check every item this provider (plugin name) registers.
    names
        Or check exactly these names.
    params
        ``{name: {parameter: value}}`` used when creating an item (e.g. small sizes for speed).
    skip
        ``{name: reason}`` items deliberately not checked, with the reason shown in the report.
    """

    registry_name: ClassVar[str] = ""
    provider: ClassVar[str | None] = None
    names: ClassVar[Sequence[str]] = ()
    params: ClassVar[Mapping[str, Mapping[str, Any]]] = {}
    skip: ClassVar[Mapping[str, str]] = {}

    @classmethod
    def _registry(cls) -> Registry:
        import chaoskit

        return getattr(chaoskit, cls.registry_name)

    @classmethod
    def _items(cls) -> list[str]:
        registry = cls._registry()
        if cls.names:
            return [registry.info(n).qualified_name for n in cls.names]
        found = registry.names(provider=cls.provider)
        if not found:
            raise pytest.UsageError(
                f"{cls.__name__}: no {cls.registry_name} registered"
                + (f" by provider {cls.provider!r}" if cls.provider else "")
                + "; is the plugin installed (see `chaoskit plugins`)?"
            )
        return found

    def pytest_generate_tests(self, metafunc: pytest.Metafunc) -> None:
        if "item_name" in metafunc.fixturenames:
            items = self._items()
            marks = [
                pytest.param(n, marks=pytest.mark.skip(reason=self.skip[n])) if n in self.skip else n
                for n in items
            ]
            metafunc.parametrize("item_name", marks)

    def create(self, name: str, **extra: Any) -> Any:
        registry = self._registry()
        entry = registry.info(name)
        kwargs = {**self.params.get(entry.name, {}), **self.params.get(entry.qualified_name, {}), **extra}
        return registry.create(entry.qualified_name, **kwargs)


def devices(backend: str) -> list[str]:
    """``["cpu"]`` plus ``"cuda"`` when the backend is torch and a GPU is present."""
    if backend != "torch":
        return ["cpu"]
    torch = require("torch", "a torch-backed item")
    return ["cpu", "cuda"] if torch.cuda.is_available() else ["cpu"]


def to_backend(x: np.ndarray, backend: str, device: str = "cpu") -> Any:
    if backend == "torch":
        torch = require("torch", "a torch-backed item")
        return torch.as_tensor(np.asarray(x), dtype=torch.float64, device=device)
    return np.asarray(x, dtype=float)


def to_numpy(x: Any) -> np.ndarray:
    if hasattr(x, "detach"):
        x = x.detach().cpu().numpy()
    return np.asarray(x)


def synthetic_dataset(members: int = 2, n: int = 600, dt: float = 0.05) -> Any:
    """A smooth three-variable quasi-periodic trajectory set (no plugin needed)."""
    from ...data import make_dataset

    t = np.arange(n) * dt
    phase = np.linspace(0.0, 1.0, members)[:, None]
    x = np.sin(t + phase)
    y = np.cos(1.3 * (t + phase))
    z = 0.5 * np.sin(0.7 * (t + phase)) * np.cos(t + phase)
    state = np.stack([x, y, z], axis=-1)
    return make_dataset(state, time=t, variables=("x", "y", "z"),
                        attrs={"dt": dt, "lyapunov_time": 1.0, "system": "synthetic"})
