"""Candidate libraries Θ(x) of SINDy: polynomial, Fourier, custom functions, sums and products.

A library is a frozen, hashable description; ``library.terms(d)`` expands it into the
:class:`~.terms.Term` objects for ``d`` state variables, ``library.names(variables)`` writes
them with the data's variable names, and ``library.transform(x)`` evaluates them on states
``(..., d)`` — numpy arrays (the fit) or torch tensors (the forecast). ``a + b`` concatenates
two libraries, ``a * b`` takes their tensor product (every term of ``a`` times every term of
``b``), as in pysindy.
"""

from __future__ import annotations

import abc
import importlib
import inspect
import itertools
import string
import sys
import types
from collections.abc import Callable, Sequence
from typing import Any, ClassVar

import attrs
from chaoskit import ParameterError
from chaoskit.validators import boolean, integer

from .config import component, to_config
from .terms import Custom, Monomial, Product, Term, Trig, evaluate

__all__ = [
    "LIBRARIES",
    "ConcatLibrary",
    "CustomLibrary",
    "FourierLibrary",
    "Library",
    "PolynomialLibrary",
    "TensorLibrary",
    "as_library",
]


class Library(abc.ABC):
    """A set of candidate functions of the state (see the module docstring)."""

    kind: ClassVar[str] = ""

    @abc.abstractmethod
    def terms(self, n_variables: int) -> tuple[Term, ...]:
        """The library's terms for ``n_variables`` state variables, in a fixed order."""

    def n_terms(self, n_variables: int) -> int:
        """The number of terms for ``n_variables`` state variables."""
        return len(self.terms(n_variables))

    def names(self, variables: Sequence[str]) -> list[str]:
        """The terms written with ``variables`` (e.g. ``["1", "x", "y", "x^2", "x y", …]``)."""
        return [t.name(list(variables)) for t in self.terms(len(variables))]

    def transform(self, x: Any) -> Any:
        """The feature matrix ``(..., n_terms)`` of states ``x`` ``(..., d)`` (numpy or torch)."""
        return evaluate(self.terms(int(x.shape[-1])), x)

    def to_config(self) -> dict[str, Any]:
        """The library as plain data (``{"kind": ..., ...}``), readable by :func:`as_library`."""
        return to_config(self)

    @property
    def portable(self) -> bool:
        """Whether :meth:`to_config` describes the library completely (no lambdas)."""
        return True

    def __add__(self, other: Library) -> ConcatLibrary:
        if not isinstance(other, Library):
            return NotImplemented
        return ConcatLibrary(parts=(*_parts(self, ConcatLibrary), *_parts(other, ConcatLibrary)))

    def __mul__(self, other: Library) -> TensorLibrary:
        if not isinstance(other, Library):
            return NotImplemented
        return TensorLibrary(parts=(*_parts(self, TensorLibrary), *_parts(other, TensorLibrary)))


def _parts(lib: Library, cls: type) -> tuple[Library, ...]:
    return lib.parts if isinstance(lib, cls) else (lib,)  # type: ignore[attr-defined]


# --------------------------------------------------------------------------- polynomial
@attrs.frozen(kw_only=True)
class PolynomialLibrary(Library):
    """All monomials of the state variables up to ``degree`` (pysindy's default library).

    Ordered as scikit-learn's ``PolynomialFeatures`` and pysindy: ``1``, then degree 1, 2, …,
    each degree in lexicographic order of the variables (``x^2, x y, x z, y^2, y z, z^2``).

    Parameters
    ----------
    degree
        Highest total degree (≥ 0).
    include_bias
        Include the constant term ``1``.
    include_interaction
        Include products of different variables; ``False`` keeps only powers ``x_j^k``.
    """

    kind: ClassVar[str] = "polynomial"
    degree: int = attrs.field(default=2, validator=integer(0))
    include_bias: bool = attrs.field(default=True, validator=boolean)
    include_interaction: bool = attrs.field(default=True, validator=boolean)

    def terms(self, n_variables: int) -> tuple[Term, ...]:
        out: list[Term] = []
        for deg in range(0 if self.include_bias else 1, self.degree + 1):
            for combo in itertools.combinations_with_replacement(range(n_variables), deg):
                if not self.include_interaction and len(set(combo)) > 1:
                    continue
                powers = [0] * n_variables
                for j in combo:
                    powers[j] += 1
                out.append(Monomial(tuple(powers)))
        return tuple(out)


# --------------------------------------------------------------------------- Fourier
def _one_of_sin_cos(instance: FourierLibrary, attribute: Any, value: bool) -> None:
    boolean(instance, attribute, value)
    if attribute.name == "include_cos" and not (instance.include_sin or value):
        raise ParameterError("FourierLibrary needs include_sin or include_cos (or both) to be True")


@attrs.frozen(kw_only=True)
class FourierLibrary(Library):
    """``sin(k·x_j)`` and ``cos(k·x_j)`` for ``k = 1 … frequencies`` and every variable.

    Ordered as pysindy: by frequency, then variable, ``sin`` before ``cos``.
    """

    kind: ClassVar[str] = "fourier"
    frequencies: int = attrs.field(default=1, validator=integer(1))
    include_sin: bool = attrs.field(default=True, validator=boolean)
    include_cos: bool = attrs.field(default=True, validator=_one_of_sin_cos)

    def terms(self, n_variables: int) -> tuple[Term, ...]:
        funcs = [f for f, on in (("sin", self.include_sin), ("cos", self.include_cos)) if on]
        return tuple(
            Trig(f, k, j)
            for k in range(1, self.frequencies + 1)
            for j in range(n_variables)
            for f in funcs
        )


# --------------------------------------------------------------------------- custom
def _functions(value: Any) -> tuple[Callable[..., Any], ...]:
    items = (value,) if callable(value) or isinstance(value, str) else tuple(value)
    return tuple(_resolve(f) if isinstance(f, str) else f for f in items)


def _resolve(path: str) -> Callable[..., Any]:
    """The function named ``"module:qualname"``, from a module that is already imported.

    Modules of chaoskit_models are imported on demand; any other module must have been imported
    by the caller, so reading a saved model never imports code the user did not load.
    """
    if path.startswith("<unsaveable"):
        raise ParameterError(
            f"CustomLibrary: {path} was a lambda or nested function when the configuration was "
            "written, so it cannot be rebuilt; give a module-level function instead"
        )
    module_name, _, qualname = path.partition(":")
    if not module_name or not qualname:
        raise ParameterError(
            f"CustomLibrary: function {path!r} is not of the form 'module:qualname'"
        )
    module = sys.modules.get(module_name)
    if module is None and module_name.split(".")[0] == "chaoskit_models":
        module = importlib.import_module(module_name)
    if module is None:
        raise ParameterError(
            f"CustomLibrary: function {path!r} lives in module {module_name!r}, which is not "
            "imported; import it before creating or loading the model"
        )
    obj: Any = module
    for part in qualname.split("."):
        obj = getattr(obj, part, None)
    if not isinstance(obj, types.FunctionType):
        raise ParameterError(f"CustomLibrary: {path!r} does not name a Python function")
    return obj


def _path(fn: Callable[..., Any]) -> str | None:
    """``"module:qualname"`` when ``fn`` can be found again by that name, else ``None``."""
    module, qualname = getattr(fn, "__module__", None), getattr(fn, "__qualname__", "")
    if not module or "<" in qualname or not isinstance(fn, types.FunctionType):
        return None
    obj: Any = sys.modules.get(module)
    for part in qualname.split("."):
        obj = getattr(obj, part, None)
    return f"{module}:{qualname}" if obj is fn else None


def _arity(fn: Callable[..., Any]) -> int:
    try:
        params = inspect.signature(fn).parameters.values()
    except (TypeError, ValueError):
        return 1
    kinds = (inspect.Parameter.POSITIONAL_ONLY, inspect.Parameter.POSITIONAL_OR_KEYWORD)
    return max(
        1, sum(1 for p in params if p.kind in kinds and p.default is inspect.Parameter.empty)
    )


def _check_functions(instance: CustomLibrary, attribute: Any, value: tuple[Any, ...]) -> None:
    if not value or not all(callable(f) for f in value):
        raise ParameterError(
            f"CustomLibrary.functions must be a non-empty sequence of callables or "
            f"'module:qualname' strings, got {value!r}"
        )


def _check_labels(instance: CustomLibrary, attribute: Any, value: tuple[str, ...] | None) -> None:
    if value is None:
        return
    if len(value) != len(instance.functions) or not all(isinstance(n, str) for n in value):
        raise ParameterError(
            f"CustomLibrary.labels must hold one format string per function "
            f"({len(instance.functions)}), got {value!r}"
        )
    for fn, template in zip(instance.functions, value, strict=True):
        fields = [f for _, f, _, _ in string.Formatter().parse(template) if f is not None]
        if len(fields) != _arity(fn) or any(f not in ("",) for f in fields):
            raise ParameterError(
                f"CustomLibrary.labels: {template!r} must hold exactly {_arity(fn)} empty "
                f"placeholder(s) '{{}}', one per argument of {getattr(fn, '__name__', fn)!r}"
            )


@attrs.frozen(kw_only=True)
class CustomLibrary(Library):
    """User functions applied to the state variables.

    A function of ``k`` positional arguments is applied to every combination of ``k``
    distinct variables (in order: ``f(x)``, ``f(y)``, … for ``k = 1``; ``g(x, y)``,
    ``g(x, z)``, ``g(y, z)`` for ``k = 2``), as pysindy's ``CustomLibrary`` does by default.
    Functions receive numpy arrays during the fit and torch tensors during the forecast and in
    ``dynamics()``: write them with arithmetic operators or with the array-generic functions of
    :mod:`chaoskit_models.sindy.terms` (``sin``, ``cos``, ``exp``, ``tanh``, ``square``).

    Parameters
    ----------
    functions
        Callables, or ``"module:qualname"`` strings naming module-level functions. A library
        whose functions are all module-level functions can be saved; lambdas cannot.
    labels
        One ``str.format`` template per function, with one ``{}`` per argument (e.g.
        ``"exp({})"``, ``"{}/{}"``); default ``"name(x)"``, ``"name(x, y)"``.
    """

    kind: ClassVar[str] = "custom"
    functions: tuple[Callable[..., Any], ...] = attrs.field(
        converter=_functions, validator=_check_functions
    )
    labels: tuple[str, ...] | None = attrs.field(
        default=None, converter=attrs.converters.optional(tuple), validator=_check_labels
    )

    def templates(self) -> tuple[str, ...]:
        """The name template of each function."""
        if self.labels is not None:
            return self.labels
        out = []
        for i, fn in enumerate(self.functions):
            label = getattr(fn, "__name__", "") or f"f{i}"
            label = f"f{i}" if label == "<lambda>" else label
            out.append(f"{label}({', '.join(['{}'] * _arity(fn))})")
        return tuple(out)

    def terms(self, n_variables: int) -> tuple[Term, ...]:
        return tuple(
            Custom(fn, combo, template)
            for fn, template in zip(self.functions, self.templates(), strict=True)
            for combo in itertools.combinations(range(n_variables), _arity(fn))
        )

    def to_config(self) -> dict[str, Any]:
        functions = [
            _path(f) or f"<unsaveable {getattr(f, '__qualname__', repr(f))}>"
            for f in self.functions
        ]
        labels = None if self.labels is None else list(self.labels)
        return {"kind": self.kind, "functions": functions, "labels": labels}

    @property
    def portable(self) -> bool:
        return all(_path(f) is not None for f in self.functions)


# --------------------------------------------------------------------------- combinations
def _libraries(value: Any) -> tuple[Library, ...]:
    return tuple(as_library(v) for v in value)


def _at_least_one(instance: Any, attribute: Any, value: tuple[Library, ...]) -> None:
    if not value:
        raise ParameterError(f"{type(instance).__name__}.parts must hold at least one library")


@attrs.frozen(kw_only=True)
class ConcatLibrary(Library):
    """The terms of several libraries one after the other (``a + b``)."""

    kind: ClassVar[str] = "concat"
    parts: tuple[Library, ...] = attrs.field(converter=_libraries, validator=_at_least_one)

    def terms(self, n_variables: int) -> tuple[Term, ...]:
        return tuple(t for part in self.parts for t in part.terms(n_variables))

    def to_config(self) -> dict[str, Any]:
        return {"kind": self.kind, "parts": [p.to_config() for p in self.parts]}

    @property
    def portable(self) -> bool:
        return all(p.portable for p in self.parts)


@attrs.frozen(kw_only=True)
class TensorLibrary(Library):
    """Every product of one term from each part (``a * b``), the first part varying slowest."""

    kind: ClassVar[str] = "tensor"
    parts: tuple[Library, ...] = attrs.field(converter=_libraries, validator=_at_least_one)

    def terms(self, n_variables: int) -> tuple[Term, ...]:
        out: list[Term] = list(self.parts[0].terms(n_variables))
        for part in self.parts[1:]:
            right = part.terms(n_variables)
            out = [Product(a, b) for a in out for b in right]
        return tuple(out)

    def to_config(self) -> dict[str, Any]:
        return {"kind": self.kind, "parts": [p.to_config() for p in self.parts]}

    @property
    def portable(self) -> bool:
        return all(p.portable for p in self.parts)


LIBRARIES: dict[str, type] = {
    cls.kind: cls
    for cls in (PolynomialLibrary, FourierLibrary, CustomLibrary, ConcatLibrary, TensorLibrary)
}
"""The library kinds by name, for configs (``{"kind": "polynomial", "degree": 3}``)."""


def as_library(value: Any) -> Library:
    """A :class:`Library` from an instance, a kind name or a config dict (see :data:`LIBRARIES`)."""
    if isinstance(value, Library):
        return value
    return component(value, LIBRARIES, "library")
