"""Registration tables of chaoskit-metrics, one module per group of metrics.

Each module defines ``ENTRIES``: a list of ``registry.add`` keyword dicts (name, target,
summary, tags, aliases). The hooks module registers them all; these modules import nothing
heavy. A new metric is one file in the package and one entry in its group's table.
"""

from __future__ import annotations

import importlib
import pkgutil
from typing import Any


def entries() -> list[dict[str, Any]]:
    """Every entry of every table in this package, in module-name order."""
    out: list[dict[str, Any]] = []
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        module = importlib.import_module(f"{__name__}.{info.name}")
        out.extend(dict(e) for e in module.ENTRIES)
    return out
