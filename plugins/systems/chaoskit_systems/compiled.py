"""A small cache of functions compiled with ``torch.compile`` (inductor), with an eager fallback.

>>> step = compiled(("lorenz", "dop853", torch.float64), lambda: make_step(...))  # doctest: +SKIP

``compiled(key, build)`` returns the compiled form of ``build()`` and builds it once per
hashable ``key``: the key must name everything the function closes over (system class and
parameters, method, dtype, device, …). Where inductor cannot compile — no C++ compiler for the
CPU backend, a torch without dynamo support — the function is returned eager with a
:class:`chaoskit.PluginWarning`, so a caller never depends on a compiler being installed; the
same happens if a call of a compiled function fails (compilation errors surface at the first
call with new shapes) while the eager one succeeds.
Compilation itself is lazy: the first call with new input shapes pays it (seconds), later calls
and later processes (inductor's on-disk cache) much less.
"""

from __future__ import annotations

import functools
import shutil
import sys
import types
import warnings
from collections.abc import Callable, Hashable, Mapping
from typing import Any

import torch
from chaoskit import PluginWarning

__all__ = ["callable_key", "compile_available", "compiled"]

_CACHE: dict[Hashable, Callable[..., Any]] = {}
_COMPILE_RECURSION = 20_000


@functools.cache
def compile_available() -> bool:
    """Whether ``torch.compile`` with inductor can run here (a C++ compiler is on the path).

    The GPU backend (triton) is not probed: a CUDA device without it falls back on first call.
    """
    if not hasattr(torch, "compile"):
        return False
    try:
        from torch._inductor import cpp_builder

        return shutil.which(cpp_builder.get_cpp_compiler()) is not None
    except Exception:  # noqa: BLE001 - private API moved, or no compiler configured
        return any(shutil.which(name) for name in ("g++", "c++", "clang++"))


def compiled(
    key: Hashable, build: Callable[[], Callable[..., Any]], *,
    options: Mapping[str, Any] | None = None,
) -> Callable[..., Any]:
    """Return ``torch.compile(build())`` cached under ``key`` (eager, with a warning, if not
    possible).

    Parameters
    ----------
    key
        A hashable that identifies the function completely: two calls with equal keys get the
        same compiled function, whatever ``build`` they pass.
    build
        Makes the eager function; called once per key.
    options
        Inductor options of ``torch.compile`` (for example ``{"cpp_wrapper": True}``: a C++
        wrapper, less overhead per call, longer compilation). ``key`` must tell them apart.

    Returns
    -------
    Callable
        The compiled function, or the eager one when :func:`compile_available` is false or
        a compiled call fails. Shapes are specialized at the first call, except the
        dimensions the caller marks with ``torch._dynamo.mark_dynamic`` before it; a call with
        other shapes compiles again with the changed dimensions symbolic (torch's automatic
        dynamic shapes).
    """
    try:
        return _CACHE[key]
    except KeyError:
        pass
    except TypeError:
        raise TypeError(f"compiled(): the key must be hashable, got {key!r}") from None
    eager = build()
    if not compile_available():
        warnings.warn(
            "torch.compile is not available (no C++ compiler found for inductor): running "
            "eager. Install g++ (or set CXX) to compile", PluginWarning, stacklevel=2,
        )
        _CACHE[key] = eager
        return eager
    fast = torch.compile(_own_code(eager), options=dict(options or {}))
    function = _EagerFallback(key, fast, eager)
    _CACHE[key] = function
    return function


def callable_key(function: Callable[..., Any]) -> Hashable:
    """A cache key for a function: equal for bound methods of equal (hashable) objects.

    ``Lorenz().rhs`` and ``Lorenz()._rhs`` of another instance with the same parameters give
    the same key, so a new instance reuses the compiled code; any other callable is its own
    key (the cache keeps it alive, so its identity is never reused).
    """
    owner, func = getattr(function, "__self__", None), getattr(function, "__func__", None)
    if owner is not None and func is not None:
        try:
            hash(owner)
        except TypeError:
            return function
        return (type(owner), owner, func)
    return function


def _own_code(function: Callable[..., Any]) -> Callable[..., Any]:
    """A copy of a Python function with its own code object.

    Dynamo keeps compiled graphs (and counts recompilations against its limit) per code
    object, so closures of one ``def`` built for many keys would share one cache and soon run
    eager; a copy per key keeps them apart.
    """
    if not isinstance(function, types.FunctionType):
        return function
    copy = types.FunctionType(
        function.__code__.replace(), function.__globals__, function.__name__,
        function.__defaults__, function.__closure__,
    )
    copy.__kwdefaults__, copy.__qualname__ = function.__kwdefaults__, function.__qualname__
    return copy


class _EagerFallback:
    """Call the compiled function; if a call fails (compilation happens at the first call and
    again for new shapes or dtypes) where the eager function works, warn and stay eager for
    this key. An error of the function itself is raised by the eager call."""

    def __init__(
        self, key: Hashable, fast: Callable[..., Any], eager: Callable[..., Any]
    ) -> None:
        self.key, self.fast, self.eager = key, fast, eager

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        if self.fast is self.eager:
            return self.eager(*args, **kwargs)
        limit = sys.getrecursionlimit()
        try:
            # inductor prints index expressions recursively: large fused graphs (DOP853 at a
            # thousand members) need more depth than Python's default 1,000 while compiling
            sys.setrecursionlimit(max(limit, _COMPILE_RECURSION))
            return self.fast(*args, **kwargs)
        except Exception as exc:  # noqa: BLE001 - any compiler failure: try eager
            value = self.eager(*args, **kwargs)
            first = str(exc).splitlines()[0] if str(exc) else ""
            warnings.warn(
                f"torch.compile failed for {self.key!r} ({type(exc).__name__}: {first[:200]}); "
                "running eager", PluginWarning, stacklevel=2,
            )
            self.fast = self.eager
            return value
        finally:
            sys.setrecursionlimit(limit)
