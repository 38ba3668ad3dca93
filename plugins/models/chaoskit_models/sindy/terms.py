"""Candidate terms of a SINDy library, evaluated on numpy arrays and torch tensors alike.

A :class:`Term` maps states ``(..., d)`` to one feature ``(...)``. The same term objects
build the regression matrix during the fit (numpy, float64) and the vector field during the
forecast (torch, on the model's device), so the identified equations are evaluated exactly as
they were fit. The elementwise functions here (:func:`sin`, :func:`cos`, :func:`exp`,
:func:`tanh`, :func:`square`) work on both array types and are the building blocks for custom
libraries that must survive ``save``/``load`` and run in ``dynamics()``.
"""

from __future__ import annotations

import abc
from collections.abc import Callable, Sequence
from typing import Any

import attrs
import numpy as np

__all__ = [
    "Custom",
    "Monomial",
    "Product",
    "Term",
    "Trig",
    "cos",
    "evaluate",
    "exp",
    "sin",
    "square",
    "tanh",
]


# --------------------------------------------------------------------------- elementwise functions
def sin(x: Any) -> Any:
    """``sin(x)`` for a numpy array or a torch tensor."""
    return np.sin(x) if isinstance(x, np.ndarray) else x.sin()


def cos(x: Any) -> Any:
    """``cos(x)`` for a numpy array or a torch tensor."""
    return np.cos(x) if isinstance(x, np.ndarray) else x.cos()


def exp(x: Any) -> Any:
    """``exp(x)`` for a numpy array or a torch tensor."""
    return np.exp(x) if isinstance(x, np.ndarray) else x.exp()


def tanh(x: Any) -> Any:
    """``tanh(x)`` for a numpy array or a torch tensor."""
    return np.tanh(x) if isinstance(x, np.ndarray) else x.tanh()


def square(x: Any) -> Any:
    """``x²`` for a numpy array or a torch tensor."""
    return x * x


# --------------------------------------------------------------------------- terms
class Term(abc.ABC):
    """One candidate function ``θ(x)`` of the state."""

    @abc.abstractmethod
    def __call__(self, x: Any, cache: dict[Any, Any]) -> Any:
        """The feature of states ``x`` ``(..., d)``; ``cache`` shares powers between terms."""

    @abc.abstractmethod
    def name(self, variables: Sequence[str]) -> str:
        """The term written with the data's variable names (``"x y"``, ``"sin(2 z)"``)."""

    @property
    def is_constant(self) -> bool:
        """Whether the term is the constant 1."""
        return False


@attrs.frozen
class Monomial(Term):
    """``∏_j x_j^{p_j}`` with ``powers = (p_1, …, p_d)``; all zeros is the constant 1."""

    powers: tuple[int, ...]

    def __call__(self, x: Any, cache: dict[Any, Any]) -> Any:
        out = None
        for j, p in enumerate(self.powers):
            if p == 0:
                continue
            factor = _power(x, j, p, cache)
            out = factor if out is None else out * factor
        if out is None:
            ones = cache.get("ones")
            if ones is None:
                ones = cache["ones"] = x[..., 0] * 0 + 1
            return ones
        return out

    def name(self, variables: Sequence[str]) -> str:
        parts = [
            v if p == 1 else f"{v}^{p}" for v, p in zip(variables, self.powers, strict=True) if p
        ]
        return " ".join(parts) if parts else "1"

    @property
    def is_constant(self) -> bool:
        return not any(self.powers)


@attrs.frozen
class Trig(Term):
    """``sin(k·x_j)`` or ``cos(k·x_j)``."""

    function: str  # "sin" or "cos"
    frequency: int
    variable: int

    def __call__(self, x: Any, cache: dict[Any, Any]) -> Any:
        arg = x[..., self.variable]
        if self.frequency != 1:
            arg = arg * self.frequency
        return sin(arg) if self.function == "sin" else cos(arg)

    def name(self, variables: Sequence[str]) -> str:
        k = "" if self.frequency == 1 else f"{self.frequency} "
        return f"{self.function}({k}{variables[self.variable]})"


@attrs.frozen
class Custom(Term):
    """A user function of some state components, with a format string for its name."""

    function: Callable[..., Any] = attrs.field(eq=True)
    variables: tuple[int, ...]
    label: str  # str.format template, one {} per argument

    def __call__(self, x: Any, cache: dict[Any, Any]) -> Any:
        return self.function(*(x[..., j] for j in self.variables))

    def name(self, variables: Sequence[str]) -> str:
        return self.label.format(*(variables[j] for j in self.variables))


@attrs.frozen
class Product(Term):
    """The product of two terms (a tensor-product library's entry)."""

    left: Term
    right: Term

    def __call__(self, x: Any, cache: dict[Any, Any]) -> Any:
        if self.left.is_constant:
            return self.right(x, cache)
        if self.right.is_constant:
            return self.left(x, cache)
        return self.left(x, cache) * self.right(x, cache)

    def name(self, variables: Sequence[str]) -> str:
        parts = [t.name(variables) for t in (self.left, self.right) if not t.is_constant]
        return " ".join(parts) if parts else "1"

    @property
    def is_constant(self) -> bool:
        return self.left.is_constant and self.right.is_constant


def _power(x: Any, j: int, p: int, cache: dict[Any, Any]) -> Any:
    key = (j, p)
    value = cache.get(key)
    if value is None:
        if p == 1:
            value = x[..., j]
        else:
            half = _power(x, j, p // 2, cache)
            value = half * half if p % 2 == 0 else half * half * x[..., j]
        cache[key] = value
    return value


def evaluate(terms: Sequence[Term], x: Any) -> Any:
    """The feature matrix ``(..., len(terms))`` of states ``x`` ``(..., d)`` (numpy or torch)."""
    cache: dict[Any, Any] = {}
    columns = [term(x, cache) for term in terms]
    if isinstance(x, np.ndarray):
        if not columns:
            return np.zeros((*x.shape[:-1], 0), dtype=x.dtype)
        return np.stack(columns, axis=-1)
    import torch

    if not columns:
        return x.new_zeros((*x.shape[:-1], 0))
    return torch.stack(columns, dim=-1)
