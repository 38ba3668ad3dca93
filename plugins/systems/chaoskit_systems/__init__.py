"""chaoskit-systems: chaotic dynamical systems, simulated in batches with torch on CPU or GPU.

The package itself imports nothing heavy (chaoskit imports ``chaoskit_systems.hooks`` during
plugin discovery); the public names below are loaded on first access:

- :class:`TorchSystem` — base class of systems written in torch (``chaoskit_systems.base``);
- :class:`TorchDynamics` — their differentiable one-step map (``chaoskit_systems.dynamics``);
- :class:`DelaySystem` — base class of delay equations, simulated by the method of steps
  (``chaoskit_systems.delay.base``);
- :func:`integrate`, :data:`METHODS` — the batched integrators (``chaoskit_systems.integrators``);
- :func:`load_metadata` — system metadata from package data (``chaoskit_systems.metadata``).
"""

from __future__ import annotations

import importlib
from typing import Any

__version__ = "0.1.0"
__all__ = ["METHODS", "DelaySystem", "MapSystem", "TorchDynamics", "TorchSystem", "__version__",
           "integrate", "load_metadata"]

_LAZY = {
    "TorchSystem": "chaoskit_systems.base",
    "DelaySystem": "chaoskit_systems.delay.base",
    "MapSystem": "chaoskit_systems.maps.base",
    "TorchDynamics": "chaoskit_systems.dynamics",
    "integrate": "chaoskit_systems.integrators",
    "METHODS": "chaoskit_systems.integrators",
    "load_metadata": "chaoskit_systems.metadata",
}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'chaoskit_systems' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(__all__)
