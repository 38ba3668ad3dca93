"""Optional heavy dependencies, imported on first use only.

The core never imports torch at module level (a test checks this in a subprocess); the few
conveniences that hand out tensors ask for it here, and get a clear error where it is missing.
"""

from __future__ import annotations

import importlib
from types import ModuleType

from .errors import CapabilityError


def require(module: str, purpose: str) -> ModuleType:
    """Import ``module`` now, or raise :class:`CapabilityError` saying what needs it and how to get it."""
    try:
        return importlib.import_module(module)
    except ImportError:
        raise CapabilityError(f"{purpose} needs {module}; install it with `pip install {module}`") from None
