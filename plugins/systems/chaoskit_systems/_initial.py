"""Seeded default initial states, shared by every system class of chaoskit-systems.

Private to this package; :class:`~chaoskit_systems.base.TorchSystem` (flows) and
:class:`~chaoskit_systems.maps.base.MapSystem` (maps) mix :class:`DefaultInitialStates` in.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, ClassVar

import numpy as np

__all__ = ["DefaultInitialStates", "default_initial_states"]


def default_initial_states(
    x0: Any, members: int, seed: int | None, perturbation: float,
    unbounded: Sequence[int] = (),
) -> tuple[np.ndarray, float]:
    """``members`` initial states around ``x0`` and the perturbation scale used.

    Member 0 is ``x0`` itself; member ``k ≥ 1`` is ``x0 + s·ξ_k`` with ``ξ_k`` standard Gaussian
    drawn by ``numpy.random.default_rng(seed)`` as one ``(members − 1, dimension)`` array (so
    member ``k`` does not depend on how many members follow, and CPU and GPU runs start
    identically) and ``s = perturbation · max|x0ᵢ|`` over the bounded components ``i`` — those
    not listed in ``unbounded`` (phases and clocks, whose size says nothing about the
    attractor's scale: a forcing phase of 6381 would otherwise throw the other components far
    off the attractor); ``s = perturbation`` when those are all 0 or there are none.
    Returns float64 states ``(members, dimension)`` and ``s``.
    """
    x0 = np.asarray(x0, dtype=np.float64)
    bounded = np.delete(np.abs(x0), [i for i in unbounded if 0 <= i < x0.size])
    largest = float(np.max(bounded)) if bounded.size else 0.0
    scale = perturbation * (largest or 1.0)
    states = np.repeat(x0[None, :], members, axis=0)
    if members > 1:
        rng = np.random.default_rng(seed)
        states[1:] += scale * rng.standard_normal((members - 1, x0.size))
    return states, scale


class DefaultInitialStates:
    """Mixin: ``_initial_states(members, seed)`` from ``metadata.initial_state``.

    The class attribute ``perturbation`` (default ``1e-2``) sets the relative scale and
    ``metadata.unbounded_indices`` the components left out of it; see
    :func:`default_initial_states`. A system with other needs (positive populations, lattices)
    overrides ``_initial_states``.
    """

    __slots__ = ()
    perturbation: ClassVar[float] = 1e-2

    def _initial_states(self, members: int, seed: int | None) -> tuple[np.ndarray, float]:
        """Default initial states ``(members, dimension)`` and the perturbation scale used."""
        meta = self.metadata  # type: ignore[attr-defined]
        return default_initial_states(
            meta.initial_state, members, seed, self.perturbation, meta.unbounded_indices
        )

    def _start_states(self, request: Any) -> tuple[np.ndarray, dict[str, Any]]:
        """Initial states ``(members, dimension)`` of a ``TrajectoryRequest`` and their provenance.

        ``request.initial_state`` when given; in a parameter sweep, member 0's default state
        for every member (so member ``k`` equals an unswept call with its values); otherwise
        :meth:`_initial_states`. The provenance is ``{"initial_perturbation": s}`` for default
        states (0 in a sweep).
        """
        if request.initial_state is not None:
            return np.asarray(request.initial_state), {}
        if request.parameters:
            first, _ = self._initial_states(1, request.seed)
            return np.repeat(first[:1], request.members, axis=0), {"initial_perturbation": 0.0}
        states, scale = self._initial_states(request.members, request.seed)
        return states, {"initial_perturbation": scale}
