"""Ensemble views of the PLRNN-family cells: E cells of one class as one cell with a leading dim.

:func:`stack_cells` stacks the parameters of E cells of the same class and configuration along
a new leading ``ensemble`` dim (``torch.stack``, so gradients flow back to each cell's own
parameters) and returns a view whose methods take states ``(E, ..., M)`` and observations
``(E, ..., N)``. Every matrix product is one batched ``bmm``/``baddbmm`` over the members, so
a step of E models costs the same number of operations as a step of one — small recurrent
models are bound by per-operation overhead on the CPU, which an ensemble shares. Member ``e``
of every output equals what ``cells[e]`` computes on slice ``e`` (up to the rounding of a
batched instead of a single matrix product). The ensemble trainer
(:func:`chaoskit_models.training.fit_ensemble`) builds one view per training step.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import torch
from chaoskit import CapabilityError
from torch import nn

from .alrnn import ALRNNCell
from .dendplrnn import DendPLRNNCell
from .fast_path import Mix, fusable
from .observation import AffineObservation, IdentityObservation
from .plrnn import PLRNNCell
from .plrnn_unroll import pwl_forced_states
from .shallow_unroll import shallow_unroll
from .shplrnn import ShallowPLRNNCell

__all__ = ["StackedCell", "stack_cells"]


def _stack(cells: Sequence[nn.Module], name: str) -> torch.Tensor:
    return torch.stack([getattr(c, name) for c in cells])


def _linear(z: torch.Tensor, weight_t: torch.Tensor, bias: torch.Tensor | None = None) -> torch.Tensor:
    """``z @ weight_t + bias`` per member: ``(E, ..., K) × (E, K, N) + (E, N) → (E, ..., N)``."""
    flat = z if z.ndim == 3 else z.reshape(z.shape[0], -1, z.shape[-1])
    out = torch.bmm(flat, weight_t) if bias is None else torch.baddbmm(bias.unsqueeze(1), flat, weight_t)
    return out if z.ndim == 3 else out.reshape(*z.shape[:-1], out.shape[-1])


def _per_member(p: torch.Tensor, z: torch.Tensor) -> torch.Tensor:
    """``p`` ``(E, K)`` shaped to broadcast against ``z`` ``(E, ..., K)``."""
    return p.view(p.shape[0], *([1] * (z.ndim - 2)), p.shape[-1])


class _Identity:
    def __init__(self, obs: Sequence[IdentityObservation]) -> None:
        self.obs_dim = obs[0].obs_dim
        self.lift_t = None if obs[0].L is None else _stack(obs, "L").transpose(1, 2)

    def initial(self, x0: torch.Tensor) -> torch.Tensor:
        return x0 if self.lift_t is None else torch.cat([x0, _linear(x0, self.lift_t)], dim=-1)

    def observe(self, z: torch.Tensor) -> torch.Tensor:
        return z[..., : self.obs_dim]

    def infer(self, z: torch.Tensor, x: torch.Tensor) -> torch.Tensor:
        return x if self.lift_t is None else torch.cat([x, z[..., self.obs_dim :]], dim=-1)


class _Affine:
    def __init__(self, obs: Sequence[AffineObservation]) -> None:
        b_matrix = _stack(obs, "B")
        self.b_t, self.b = b_matrix.transpose(1, 2), _stack(obs, "b")
        self.pinv_t = torch.linalg.pinv(b_matrix).transpose(1, 2)  # (E, N, M)

    def initial(self, x0: torch.Tensor) -> torch.Tensor:
        return _linear(x0 - _per_member(self.b, x0), self.pinv_t)

    def observe(self, z: torch.Tensor) -> torch.Tensor:
        return _linear(z, self.b_t, self.b)

    def infer(self, z: torch.Tensor, x: torch.Tensor) -> torch.Tensor:
        return z + _linear(x - self.observe(z), self.pinv_t)


class StackedCell:
    """E cells as one: ``initial``, ``step``, ``observe``, ``infer``, ``jacobian`` over ``(E, ..., ·)``."""

    def __init__(self, cells: Sequence[nn.Module]) -> None:
        first = cells[0]
        self.members = len(cells)
        self.latent_dim, self.obs_dim = first.latent_dim, first.obs_dim
        observations = [c.observation for c in cells]
        self.observation = _Affine(observations) if isinstance(first.observation, AffineObservation) \
            else _Identity(observations)
        self.A = _stack(cells, "A")

    def initial(self, x0: torch.Tensor) -> torch.Tensor:
        return self.observation.initial(x0)

    def observe(self, z: torch.Tensor) -> torch.Tensor:
        return self.observation.observe(z)

    def infer(self, z: torch.Tensor, x: torch.Tensor) -> torch.Tensor:
        return self.observation.infer(z, x)

    def step(self, z: torch.Tensor) -> torch.Tensor:
        raise NotImplementedError

    def jacobian(self, z: torch.Tensor) -> torch.Tensor:
        raise NotImplementedError

    def _diag_plus(self, z: torch.Tensor, rest: torch.Tensor) -> torch.Tensor:
        """``diag(A_e) + rest`` for ``rest`` ``(E, K, M, M)`` of states ``z`` ``(E, ..., M)``."""
        out = rest + torch.diag_embed(self.A).unsqueeze(1)
        return out.reshape(*z.shape, self.latent_dim)

    def _flat(self, z: torch.Tensor) -> torch.Tensor:
        return z.reshape(z.shape[0], -1, z.shape[-1])


class _PLRNN(StackedCell):
    def __init__(self, cells: Sequence[PLRNNCell]) -> None:
        super().__init__(cells)
        self.W = torch.stack([c.connectivity() for c in cells])
        self.W_t, self.h = self.W.transpose(1, 2), _stack(cells, "h")

    def step(self, z: torch.Tensor) -> torch.Tensor:
        return torch.addcmul(_linear(torch.relu(z), self.W_t, self.h), _per_member(self.A, z), z)

    def forced_states(self, x: torch.Tensor, mix: Mix) -> torch.Tensor | None:
        """The teacher-forcing strategies' fast path (:mod:`.plrnn_unroll`); ``None`` where it does not apply."""
        return pwl_forced_states(self, x, mix, (self.A, self.W, self.h), linear_units=0,
                                 identity=isinstance(self.observation, _Identity), ensemble=True)

    def jacobian(self, z: torch.Tensor) -> torch.Tensor:
        active = (self._flat(z) > 0).to(z.dtype)
        return self._diag_plus(z, self.W.unsqueeze(1) * active.unsqueeze(-2))


class _DendPLRNN(_PLRNN):
    def __init__(self, cells: Sequence[DendPLRNNCell]) -> None:
        super().__init__(cells)  # type: ignore[arg-type]
        self.clipped = cells[0].clipped
        self.H, self.weights = _stack(cells, "H").unsqueeze(1), _stack(cells, "alpha")  # (E, 1, M, B), (E, B)

    def _expansion(self, z: torch.Tensor) -> torch.Tensor:
        u = self._flat(z).unsqueeze(-1)  # (E, K, M, 1)
        basis = torch.relu(u - self.H)
        if self.clipped:
            basis = basis - torch.relu(u)
        return (basis @ self.weights[:, None, :, None]).squeeze(-1).reshape(z.shape)

    def step(self, z: torch.Tensor) -> torch.Tensor:
        return torch.addcmul(_linear(self._expansion(z), self.W_t, self.h), _per_member(self.A, z), z)

    def forced_states(self, x: torch.Tensor, mix: Mix) -> torch.Tensor | None:
        return None  # no fused unroll for the dendritic expansion: the strategies step with autograd

    def jacobian(self, z: torch.Tensor) -> torch.Tensor:
        flat = self._flat(z)
        slope = ((flat.unsqueeze(-1) > self.H).to(z.dtype) @ self.weights[:, None, :, None]).squeeze(-1)
        if self.clipped:
            slope = slope - (flat > 0).to(z.dtype) * self.weights.sum(-1)[:, None, None]
        return self._diag_plus(z, self.W.unsqueeze(1) * slope.unsqueeze(-2))


class _ALRNN(StackedCell):
    def __init__(self, cells: Sequence[ALRNNCell]) -> None:
        super().__init__(cells)
        self.n_linear = cells[0].latent_dim - cells[0].pwl_units
        self.W = _stack(cells, "W")
        self.W_t, self.h = self.W.transpose(1, 2), _stack(cells, "h")

    def step(self, z: torch.Tensor) -> torch.Tensor:
        k = self.n_linear
        phi = torch.cat([z[..., :k], torch.relu(z[..., k:])], dim=-1)
        return torch.addcmul(_linear(phi, self.W_t, self.h), _per_member(self.A, z), z)

    def forced_states(self, x: torch.Tensor, mix: Mix) -> torch.Tensor | None:
        """The teacher-forcing strategies' fast path (:mod:`.plrnn_unroll`); ``None`` where it does not apply."""
        return pwl_forced_states(self, x, mix, (self.A, self.W, self.h), linear_units=self.n_linear,
                                 identity=isinstance(self.observation, _Identity), ensemble=True)

    def jacobian(self, z: torch.Tensor) -> torch.Tensor:
        flat, k = self._flat(z), self.n_linear
        slope = torch.cat([torch.ones_like(flat[..., :k]), (flat[..., k:] > 0).to(z.dtype)], dim=-1)
        return self._diag_plus(z, self.W.unsqueeze(1) * slope.unsqueeze(-2))


class _ShallowPLRNN(StackedCell):
    def __init__(self, cells: Sequence[ShallowPLRNNCell]) -> None:
        super().__init__(cells)
        self.clipped = cells[0].clipped
        w1, w2, h2 = _stack(cells, "W1"), _stack(cells, "W2"), _stack(cells, "h2")
        self.h1, self.h2, self.w2_t = _stack(cells, "h1"), h2, w2.transpose(1, 2)
        if self.clipped:  # one relu layer of width 2L, as the single cell does
            self.wide_w2_t = torch.cat([w2, w2], dim=1).transpose(1, 2)
            self.wide_h2 = torch.cat([h2, torch.zeros_like(h2)], dim=1)
            self.wide_w1_t = torch.cat([w1, -w1], dim=2).transpose(1, 2)
        else:
            self.w1_t = w1.transpose(1, 2)
        self.w1, self.w2 = w1, w2

    def step(self, z: torch.Tensor) -> torch.Tensor:
        if self.clipped:
            hidden = torch.relu(_linear(z, self.wide_w2_t, self.wide_h2))
            out = _linear(hidden, self.wide_w1_t, self.h1)
        else:
            out = _linear(torch.relu(_linear(z, self.w2_t, self.h2)), self.w1_t, self.h1)
        return torch.addcmul(out, _per_member(self.A, z), z)

    def forced_states(self, x: torch.Tensor, mix: Mix) -> torch.Tensor | None:
        """The teacher-forcing strategies' fast path (:mod:`.shallow_unroll`); ``None`` where it does not apply."""
        plain = isinstance(self.observation, _Identity) and self.observation.lift_t is None
        if x.ndim != 4 or not fusable(x, self.latent_dim, plain):
            return None
        return shallow_unroll(self.A, self.w1, self.w2, self.h1, self.h2, x, mix, clipped=self.clipped)

    def jacobian(self, z: torch.Tensor) -> torch.Tensor:
        # J = diag(A) + Σ_l slope_l · W1[:, l] ⊗ W2[l, :]: an (M·M, L) × (L, K) product over the K
        # states (with K as the long output dim). The clipped slope 1[u > −h₂] − 1[u > 0] is
        # sign(h₂)·1[|u + h₂/2| < |h₂|/2] (equal up to the boundary points), the sign going into
        # the outer products: 3 passes over the (L, K) slopes, not 6. Members are processed in
        # chunks whose slopes fit in the cache (3× faster than all at once for 20 × 3,184 states).
        m, zt, h2 = self.latent_dim, self._flat(z).transpose(1, 2), self.h2.unsqueeze(2)
        outer = (self.w1.unsqueeze(2) * self.w2.transpose(1, 2).unsqueeze(1)).reshape(self.members, m * m, -1)
        if self.clipped:
            outer = outer * torch.sign(self.h2).unsqueeze(1)
        chunk = max(1, (1 << 18) // (zt.shape[2] * self.w2.shape[1]))  # slopes (chunk, L, K)
        parts = []
        for i in range(0, self.members, chunk):
            part = slice(i, i + chunk)
            if self.clipped:
                centred = torch.baddbmm(0.5 * h2[part], self.w2[part], zt[part])  # u + h₂/2, (E', L, K)
                slope = (centred.abs_() < 0.5 * h2[part].abs()).to(z.dtype)
            else:
                slope = (torch.baddbmm(h2[part], self.w2[part], zt[part]) > 0).to(z.dtype)
            parts.append(torch.bmm(outer[part], slope))
        rest = torch.cat(parts).transpose(1, 2).reshape(self.members, -1, m, m)
        return self._diag_plus(z, rest)


_VIEWS: dict[type, Callable[[Sequence[nn.Module]], StackedCell]] = {
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
