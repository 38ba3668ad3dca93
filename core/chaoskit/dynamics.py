"""The one-step map interface shared by systems and trained models.

A :class:`Dynamics` is a differentiable map ``x_{k+1} = Φ(x_k)`` advancing a state by one step
of ``dt`` time units (one iteration for maps). Systems expose it through
``System.dynamics(dt)``, models through ``Model.dynamics()``; the Lyapunov and FTLE metrics
consume it without knowing where it came from.
"""

from __future__ import annotations

import abc
from collections.abc import Callable
from typing import Any, ClassVar

import numpy as np

from .errors import CapabilityError, DataError

__all__ = ["Dynamics", "finite_difference_jacobian"]


def finite_difference_jacobian(f: Callable[[np.ndarray], Any], x: Any, *, rel_step: float = 1e-6) -> np.ndarray:
    """Central-difference Jacobian of ``f`` at ``x`` (shape ``(..., d)``) in float64.

    Returns ``(..., m, d)`` with ``J[..., i, j] ≈ ∂f_i/∂x_j``; the step is ``rel_step·max(1, |x_j|)``.
    The reference against which analytic and automatic Jacobians are tested.
    """
    x = np.asarray(x, dtype=float)
    eps = rel_step * np.maximum(1.0, np.abs(x))
    columns = []
    for j in range(x.shape[-1]):
        e = np.zeros_like(x)
        e[..., j] = eps[..., j]
        diff = np.asarray(f(x + e), dtype=float) - np.asarray(f(x - e), dtype=float)
        columns.append(diff / (2 * eps[..., j : j + 1]))
    return np.stack(columns, axis=-1)


class Dynamics(abc.ABC):
    """A batched one-step map with its Jacobian.

    Attributes
    ----------
    dimension
        Size ``d`` of the state vector.
    dt
        Time advanced by one step, in the system's time units (``1.0`` for maps).
    backend
        ``"numpy"`` or ``"torch"``: the array type ``step`` takes and returns.

    Contract
    --------
    ``step(x)`` takes an array of shape ``(..., d)`` in the dynamics' backend and returns the
    state one step later, same shape and dtype, batched over all leading dims. For the torch
    backend it is differentiable with autograd. ``jacobian(x)`` returns ``(..., d, d)`` with
    ``J[..., i, j] = ∂Φ_i/∂x_j``; ``jvp(x, v)`` returns ``(Φ(x), J(x) v)`` for tangent vectors
    ``v`` of shape ``(..., d, k)``. ``lift`` and ``observe`` translate between the system's
    state and the map's (identity unless the map's state is larger, e.g. a delay history).
    """

    backend: ClassVar[str] = "numpy"

    def __init__(self, dimension: int, dt: float) -> None:
        self.dimension = int(dimension)
        self.dt = float(dt)

    def step(self, x: Any) -> Any:
        """Advance ``x`` of shape ``(..., dimension)`` by one step."""
        self._check(x)
        return self._step(x)

    def jacobian(self, x: Any) -> Any:
        """The Jacobian of one step at ``x``: shape ``(..., dimension, dimension)``.

        Default: central finite differences in float64 (numpy backend only); torch dynamics
        override it with automatic differentiation.
        """
        self._check(x)
        return self._jacobian(x)

    def jvp(self, x: Any, v: Any) -> tuple[Any, Any]:
        """``(Φ(x), J(x) @ v)`` for ``v`` of shape ``(..., dimension, k)``.

        Default: ``jacobian(x) @ v``; backends with forward-mode AD override it.
        """
        self._check(x)
        return self._step(x), self._jacobian(x) @ v

    def lift(self, x: Any) -> Any:
        """The map's state for a system state ``x`` ``(..., d_system)``; default: ``x`` itself.

        Maps whose state is larger than the system's — a delay equation's discretized history,
        a model's latent or reservoir state — override this and :meth:`observe`.
        """
        return x

    def observe(self, state: Any) -> Any:
        """The system state ``(..., d_system)`` seen in a map state; default: ``state`` itself."""
        return state

    def _check(self, x: Any) -> None:
        shape = tuple(getattr(x, "shape", ()))
        if not shape or shape[-1] != self.dimension:
            raise DataError(
                f"{type(self).__name__}: expected a state of shape (..., {self.dimension}), got {shape}"
            )

    @abc.abstractmethod
    def _step(self, x: Any) -> Any:
        """Advance a validated state by one step (batched over leading dims)."""

    def _jacobian(self, x: Any) -> Any:
        if self.backend != "numpy":
            raise CapabilityError(f"{type(self).__name__} provides no Jacobian")
        return finite_difference_jacobian(self._step, x)
