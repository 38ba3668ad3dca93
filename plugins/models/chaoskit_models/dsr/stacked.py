"""Ensemble views of the PLRNN-family cells: E cells of one class as one cell with a leading dim.

:func:`stack_cells` stacks the parameters of E cells of the same class and configuration along
a new leading ``ensemble`` dim (``torch.stack``, so gradients flow back to each cell's own
parameters) and returns a view whose methods take states ``(E, ..., M)`` and observations
``(E, ..., N)``. The equations are the cells' own: each cell module states its map and Jacobian
once, for parameters with or without a leading member dim (:mod:`.members`).
Every matrix product is one batched ``bmm``/``baddbmm`` over the members, so a step of E models
costs the same number of operations as a step of one — small recurrent models are bound by
per-operation overhead on the CPU, which an ensemble shares. Member ``e`` of every output equals
what ``cells[e]`` computes on slice ``e`` (up to rounding). The ensemble trainer
(:func:`chaoskit_models.training.fit_ensemble`) builds one view per training step.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import torch
from chaoskit import CapabilityError
from torch import nn

from .alrnn import ALRNNCell, alrnn_jacobian, alrnn_step
from .cell import DSRCell, Observed
from .dendplrnn import DendPLRNNCell, dend_jacobian, dend_step
from .fast_path import Mix, fusable
from .members import linear, per_member
from .observation import AffineObservation, IdentityObservation
from .plrnn import PLRNNCell, plrnn_jacobian, plrnn_step
from .plrnn_unroll import pwl_forced_states
from .shallow_unroll import shallow_unroll
from .shplrnn import ShallowPLRNNCell, shallow_jacobian, shallow_step, shallow_wide

__all__ = ["StackedCell", "stack_cells"]


def _stack(cells: Sequence[nn.Module], name: str) -> torch.Tensor:
    return torch.stack([getattr(c, name) for c in cells])


class _Identity:
    def __init__(self, obs: Sequence[IdentityObservation]) -> None:
        self.obs_dim = obs[0].obs_dim
        self.lift_t = None if obs[0].L is None else _stack(obs, "L").transpose(1, 2)

    def initial(self, x0: torch.Tensor) -> torch.Tensor:
        return x0 if self.lift_t is None else torch.cat([x0, linear(x0, self.lift_t)], dim=-1)

    def observe(self, z: torch.Tensor) -> torch.Tensor:
        return z[..., : self.obs_dim]

    def infer(self, z: torch.Tensor, x: torch.Tensor) -> torch.Tensor:
        return x if self.lift_t is None else torch.cat([x, z[..., self.obs_dim :]], dim=-1)

    def forcing_signal(self, x: torch.Tensor) -> torch.Tensor:
        if self.lift_t is None:
            return x
        return torch.cat([x, x.new_zeros(*x.shape[:-1], self.lift_t.shape[-1])], dim=-1)


class _Affine:
    def __init__(self, obs: Sequence[AffineObservation]) -> None:
        b_matrix = _stack(obs, "B")
        self.b_t, self.b = b_matrix.transpose(1, 2), _stack(obs, "b")
        self.pinv_t = torch.linalg.pinv(b_matrix).transpose(1, 2)  # (E, N, M)

    def initial(self, x0: torch.Tensor) -> torch.Tensor:
        return linear(x0 - per_member(self.b, x0), self.pinv_t)

    def observe(self, z: torch.Tensor) -> torch.Tensor:
        return linear(z, self.b_t, self.b)

    def infer(self, z: torch.Tensor, x: torch.Tensor) -> torch.Tensor:
        return z + linear(x - self.observe(z), self.pinv_t)

    def forcing_signal(self, x: torch.Tensor) -> torch.Tensor:
        return self.initial(x)


class StackedCell(Observed):
    """E cells as one: ``initial``, ``step``, ``observe``, ``infer``, ``jacobian`` over ``(E, ..., ·)``."""

    def __init__(self, cells: Sequence[DSRCell]) -> None:
        first = cells[0]
        self.members = len(cells)
        self.latent_dim, self.obs_dim = first.latent_dim, first.obs_dim
        observations = [c.observation for c in cells]
        self.observation = _Affine(observations) if isinstance(first.observation, AffineObservation) \
            else _Identity(observations)
        self.A = _stack(cells, "A")

    def step(self, z: torch.Tensor) -> torch.Tensor:
        raise NotImplementedError

    def jacobian(self, z: torch.Tensor) -> torch.Tensor:
        raise NotImplementedError

    def forced_states(self, x: torch.Tensor, mix: Mix) -> torch.Tensor | None:
        return None  # no fused unroll: the strategies step with autograd


class _PLRNN(StackedCell):
    def __init__(self, cells: Sequence[PLRNNCell]) -> None:
        super().__init__(cells)
        self.W = torch.stack([c.connectivity() for c in cells])
        self.W_t, self.h = self.W.transpose(1, 2), _stack(cells, "h")

    def step(self, z: torch.Tensor) -> torch.Tensor:
        return plrnn_step(self.A, self.W_t, self.h, z)

    def jacobian(self, z: torch.Tensor) -> torch.Tensor:
        return plrnn_jacobian(self.A, self.W, z)

    def forced_states(self, x: torch.Tensor, mix: Mix) -> torch.Tensor | None:
        """The teacher-forcing strategies' fast path (:mod:`.plrnn_unroll`); ``None`` where it does not apply."""
        return pwl_forced_states(self, x, mix, (self.A, self.W, self.h), linear_units=0,
                                 identity=isinstance(self.observation, _Identity), ensemble=True)


class _DendPLRNN(StackedCell):
    def __init__(self, cells: Sequence[DendPLRNNCell]) -> None:
        super().__init__(cells)
        self.clipped = cells[0].clipped
        self.W = torch.stack([c.connectivity() for c in cells])
        self.W_t, self.h = self.W.transpose(1, 2), _stack(cells, "h")
        self.H, self.weights = _stack(cells, "H"), _stack(cells, "alpha")  # (E, M, B), (E, B)

    def step(self, z: torch.Tensor) -> torch.Tensor:
        return dend_step(self.A, self.W_t, self.h, self.H, self.weights, z, clipped=self.clipped)

    def jacobian(self, z: torch.Tensor) -> torch.Tensor:
        return dend_jacobian(self.A, self.W, self.H, self.weights, z, clipped=self.clipped)


class _ALRNN(StackedCell):
    def __init__(self, cells: Sequence[ALRNNCell]) -> None:
        super().__init__(cells)
        self.n_linear = cells[0].latent_dim - cells[0].pwl_units
        self.W = _stack(cells, "W")
        self.W_t, self.h = self.W.transpose(1, 2), _stack(cells, "h")

    def step(self, z: torch.Tensor) -> torch.Tensor:
        return alrnn_step(self.A, self.W_t, self.h, z, linear_units=self.n_linear)

    def jacobian(self, z: torch.Tensor) -> torch.Tensor:
        return alrnn_jacobian(self.A, self.W, z, linear_units=self.n_linear)

    def forced_states(self, x: torch.Tensor, mix: Mix) -> torch.Tensor | None:
        """The teacher-forcing strategies' fast path (:mod:`.plrnn_unroll`); ``None`` where it does not apply."""
        return pwl_forced_states(self, x, mix, (self.A, self.W, self.h), linear_units=self.n_linear,
                                 identity=isinstance(self.observation, _Identity), ensemble=True)


class _ShallowPLRNN(StackedCell):
    def __init__(self, cells: Sequence[ShallowPLRNNCell]) -> None:
        super().__init__(cells)
        self.clipped = cells[0].clipped
        self.w1, self.w2 = _stack(cells, "W1"), _stack(cells, "W2")
        self.h1, self.h2 = _stack(cells, "h1"), _stack(cells, "h2")
        self.wide = shallow_wide(self.w1, self.w2, self.h2, clipped=self.clipped)

    def step(self, z: torch.Tensor) -> torch.Tensor:
        return shallow_step(self.A, *self.wide, self.h1, z)

    def forced_states(self, x: torch.Tensor, mix: Mix) -> torch.Tensor | None:
        """The teacher-forcing strategies' fast path (:mod:`.shallow_unroll`); ``None`` where it does not apply."""
        plain = isinstance(self.observation, _Identity) and self.observation.lift_t is None
        if x.ndim != 4 or not fusable(x, self.latent_dim, plain):
            return None
        return shallow_unroll(self.A, self.w1, self.w2, self.h1, self.h2, x, mix, clipped=self.clipped)

    def jacobian(self, z: torch.Tensor) -> torch.Tensor:
        return shallow_jacobian(self.A, self.w1, self.w2, self.h2, z, clipped=self.clipped)


# Each view takes cells of its key's class (stack_cells checks the classes).
_VIEWS: dict[type, Callable[[Sequence[Any]], StackedCell]] = {
    PLRNNCell: _PLRNN, DendPLRNNCell: _DendPLRNN, ALRNNCell: _ALRNN, ShallowPLRNNCell: _ShallowPLRNN,
}


def stack_cells(cells: Sequence[nn.Module]) -> StackedCell:
    """The ensemble view of ``cells`` (one class, one configuration; see the module docstring)."""
    kind = type(cells[0])
    view = _VIEWS.get(kind)
    if view is None or any(type(c) is not kind for c in cells):
        raise CapabilityError(
            f"no ensemble view for cells of types {sorted({type(c).__name__ for c in cells})}; "
            f"stacked cells: {sorted(k.__name__ for k in _VIEWS)}"
        )
    return view(cells)
