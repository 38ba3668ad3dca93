"""Helpers for flow modules: array-valued parameters, Jacobians assembled from rows, and
variable names that depend on the parameters (a system whose dimension is a parameter).

Array parameters (coupling matrices, Fourier coefficients, breakpoints) are stored as nested
tuples of floats, so a system stays immutable and hashable; :class:`ArrayParameterSystem`
reports them as nested lists in ``parameters``, the form they take in the metadata JSON and
after a NetCDF round trip of a dataset's provenance.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import torch
from chaoskit import ParameterError

from ..base import TorchSystem

__all__ = ["ArrayParameterSystem", "finite_array", "float_array", "matrix", "sized_variables"]


def float_array(value: Any) -> Any:
    """attrs converter: a number or a (nested) sequence of numbers as (nested) tuples of floats."""
    try:
        array = np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError):
        return value  # the validator names the field
    return _tuples(array.tolist())


def _tuples(value: Any) -> Any:
    return tuple(_tuples(v) for v in value) if isinstance(value, list) else value


def _lists(value: Any) -> Any:
    return [_lists(v) for v in value] if isinstance(value, tuple) else value


def finite_array(
    ndim: int, shape: Sequence[int | None] | None = None
) -> Callable[[Any, Any, Any], None]:
    """attrs validator: a finite float array of ``ndim`` dims, with ``shape`` where not ``None``."""

    def check(instance: Any, attribute: Any, value: Any) -> None:
        where = f"{type(instance).__name__}.{attribute.name}"
        try:
            array = np.asarray(value, dtype=np.float64)
        except (TypeError, ValueError):
            raise ParameterError(
                f"{where} must be a {ndim}-D array of numbers, got {value!r}"
            ) from None
        if array.ndim != ndim or array.size == 0:
            raise ParameterError(
                f"{where} must be a non-empty {ndim}-D array of numbers, got shape {array.shape}"
            )
        if shape is not None and any(s is not None and s != n for s, n in zip(shape, array.shape)):
            wanted = tuple("any" if s is None else s for s in shape)
            raise ParameterError(f"{where} must have shape {wanted}, got {array.shape}")
        if not all(math.isfinite(v) for v in array.ravel()):
            raise ParameterError(f"{where} must hold finite numbers only, got {value!r}")

    return check


class ArrayParameterSystem(TorchSystem):
    """A :class:`TorchSystem` with array-valued parameters (tuples), reported as lists."""

    __slots__ = ()

    @property
    def parameters(self) -> dict[str, Any]:
        """The parameter values, by name; array parameters as nested lists of floats."""
        return {key: _lists(value) for key, value in super().parameters.items()}

    def _tensor(self, value: Any, like: torch.Tensor) -> torch.Tensor:
        """An array parameter as a tensor of ``like``'s dtype and device."""
        return torch.as_tensor(value, dtype=like.dtype, device=like.device)


def matrix(rows: Sequence[Sequence[Any]], like: torch.Tensor) -> torch.Tensor:
    """Stack Jacobian rows of tensors (shaped like ``like``) and numbers into ``(..., m, n)``."""

    def entry(e: Any) -> torch.Tensor:
        return e if isinstance(e, torch.Tensor) else torch.full_like(like, float(e))

    return torch.stack([torch.stack([entry(e) for e in row], dim=-1) for row in rows], dim=-2)


class sized_variables:
    """Like ``property``, for ``variables`` that depend on the parameters (Lorenz-96's ``n``).

    On an instance it calls ``names(self)``; on the class (``Cls.variables``, as ``chaoskit info``
    reads it) it gives the names of the default instance, so class-level readers still see a tuple.
    """

    def __init__(self, names: Callable[[Any], tuple[str, ...]]) -> None:
        self.names = names
        self.__doc__ = names.__doc__

    def __get__(self, instance: Any, owner: type) -> tuple[str, ...]:
        return self.names(owner() if instance is None else instance)
