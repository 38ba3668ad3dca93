"""Seeded default initial states, shared by every system class of chaoskit-systems.

Private to this package; :class:`~chaoskit_systems.base.TorchSystem` (flows) and
:class:`~chaoskit_systems.maps.base.MapSystem` (maps) mix :class:`DefaultInitialStates` in.
"""

from __future__ import annotations

from typing import Any, ClassVar

import numpy as np

__all__ = ["DefaultInitialStates", "default_initial_states"]


def default_initial_states(
    x0: Any, members: int, seed: int | None, perturbation: float
) -> tuple[np.ndarray, float]:
    """``members`` initial states around ``x0`` and the perturbation scale used.

    Member 0 is ``x0`` itself; member ``k ≥ 1`` is ``x0 + s·ξ_k`` with ``ξ_k`` standard Gaussian
    drawn by ``numpy.random.default_rng(seed)`` as one ``(members − 1, dimension)`` array (so
    member ``k`` does not depend on how many members follow, and CPU and GPU runs start
    identically) and ``s = perturbation · max|x0|`` (``s = perturbation`` when ``x0 = 0``).
    Returns float64 states ``(members, dimension)`` and ``s``.
    """
    x0 = np.asarray(x0, dtype=np.float64)
    scale = perturbation * (float(np.max(np.abs(x0))) or 1.0)
    states = np.repeat(x0[None, :], members, axis=0)
    if members > 1:
        rng = np.random.default_rng(seed)
        states[1:] += scale * rng.standard_normal((members - 1, x0.size))
    return states, scale


class DefaultInitialStates:
    """Mixin: ``_initial_states(members, seed)`` from ``metadata.initial_state``.

    The class attribute ``perturbation`` (default ``1e-2``) sets the relative scale; see
    :func:`default_initial_states`. A system with other needs (positive populations, lattices)
    overrides ``_initial_states``.
    """

    __slots__ = ()
    perturbation: ClassVar[float] = 1e-2

    def _initial_states(self, members: int, seed: int | None) -> tuple[np.ndarray, float]:
        """Default initial states ``(members, dimension)`` and the perturbation scale used."""
        return default_initial_states(
            self.metadata.initial_state, members, seed, self.perturbation  # type: ignore[attr-defined]
        )
