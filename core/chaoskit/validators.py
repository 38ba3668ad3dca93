"""attrs validators for parameters and hyperparameters: each error names the field and the allowed values.

Plugins use them on their own attrs fields, e.g. ``rho: float = attrs.field(default=28.0, validator=positive)``.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Callable, Iterable
from typing import Any

import numpy as np

from .errors import ParameterError

__all__ = ["boolean", "choice", "finite", "in_interval", "integer", "nonnegative", "positive", "probability"]

Validator = Callable[[Any, Any, Any], None]


def _owner(instance: Any) -> str:
    return type(instance).__name__


def _number(instance: Any, attribute: Any, value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) and not hasattr(value, "__float__"):
        raise ParameterError(
            f"{_owner(instance)}.{attribute.name} must be a number, got {type(value).__name__} {value!r}"
        )
    try:
        return float(value)
    except (TypeError, ValueError):  # arrays, tensors with several elements
        raise ParameterError(
            f"{_owner(instance)}.{attribute.name} must be a scalar number, got {value!r}"
        ) from None


def finite(instance: Any, attribute: Any, value: Any) -> None:
    """A finite real number."""
    if not math.isfinite(_number(instance, attribute, value)):
        raise ParameterError(f"{_owner(instance)}.{attribute.name} must be finite, got {value!r}")


def positive(instance: Any, attribute: Any, value: Any) -> None:
    """A finite number > 0."""
    x = _number(instance, attribute, value)
    if not (math.isfinite(x) and x > 0):
        raise ParameterError(f"{_owner(instance)}.{attribute.name} must be > 0, got {value!r}")


def nonnegative(instance: Any, attribute: Any, value: Any) -> None:
    """A finite number >= 0."""
    x = _number(instance, attribute, value)
    if not (math.isfinite(x) and x >= 0):
        raise ParameterError(f"{_owner(instance)}.{attribute.name} must be >= 0, got {value!r}")


def probability(instance: Any, attribute: Any, value: Any) -> None:
    """A number in [0, 1]."""
    x = _number(instance, attribute, value)
    if not 0.0 <= x <= 1.0:
        raise ParameterError(f"{_owner(instance)}.{attribute.name} must lie in [0, 1], got {value!r}")


def integer(minimum: int | None = None, *, optional: bool = False) -> Validator:
    """An int (not a bool), at least ``minimum``; ``None`` allowed when ``optional``."""

    def check(instance: Any, attribute: Any, value: Any) -> None:
        if value is None and optional:
            return
        if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Integral):
            raise ParameterError(
                f"{_owner(instance)}.{attribute.name} must be an integer, got {type(value).__name__} {value!r}"
            )
        if minimum is not None and value < minimum:
            raise ParameterError(f"{_owner(instance)}.{attribute.name} must be >= {minimum}, got {value}")

    return check


def choice(options: Iterable[Any]) -> Validator:
    """One of ``options``."""
    allowed = tuple(options)

    def check(instance: Any, attribute: Any, value: Any) -> None:
        if value not in allowed:
            raise ParameterError(
                f"{_owner(instance)}.{attribute.name} must be one of {list(allowed)}, got {value!r}"
            )

    return check


def in_interval(
    low: float, high: float, *, closed_low: bool = False, closed_high: bool = True
) -> Validator:
    """A real number in the interval from ``low`` to ``high`` (default ``(low, high]``)."""
    left = "[" if closed_low else "("
    right = "]" if closed_high else ")"

    def check(instance: Any, attribute: Any, value: Any) -> None:
        where = f"{type(instance).__name__}.{attribute.name}"
        if isinstance(value, bool) or not isinstance(value, numbers.Real):
            raise ParameterError(
                f"{where} must be a number in {left}{low}, {high}{right}, got {value!r}"
            )
        x = float(value)
        above = x >= low if closed_low else x > low
        below = x <= high if closed_high else x < high
        if not (math.isfinite(x) and above and below):
            raise ParameterError(f"{where} must lie in {left}{low}, {high}{right}, got {value!r}")

    return check


def boolean(instance: Any, attribute: Any, value: Any) -> None:
    """``True`` or ``False`` (not a truthy stand-in such as ``1`` or ``"yes"``)."""
    if not isinstance(value, (bool, np.bool_)):
        raise ParameterError(
            f"{type(instance).__name__}.{attribute.name} must be True or False, "
            f"got {type(value).__name__} {value!r}"
        )
