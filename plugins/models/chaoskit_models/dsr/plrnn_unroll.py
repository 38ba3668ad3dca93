"""A forced unroll of the PLRNN and the AL-RNN with a hand-written backward pass (training fast path).

Both cells are ``z_{t+1} = A⊙z_t + W·Φ(z_t) + h`` with ``Φ`` the identity on the first ``k``
units and relu on the rest (PLRNN: ``k = 0`` and the off-diagonal ``W``; AL-RNN: ``k = M − P``).
:func:`plrnn_unroll` runs a whole window as one :class:`torch.autograd.Function`, as
:mod:`.shallow_unroll` does for the shallow PLRNN (see there for why): the forward pass keeps
only the carried states ``z̃_t`` and records no graph; the backward pass goes from the last step
to the first with

- ``δ_t = g_t + K_{t+1}·J_{t+1}ᵀδ_{t+1}``, ``Jᵀδ = A⊙δ + Φ′(z̃)⊙(Wᵀδ)``, where ``K`` multiplies the
  first N (observed, forced) units by ``1 − α`` and leaves the other M − N units alone;
- ``∂W += δ·Φ(z̃)ᵀ`` accumulated in place (``Φ`` recomputed from ``z̃``), ``∂A``, ``∂h`` summed at
  the end, and the gradient at the initial state ``z₀`` returned, so that a learned initial
  state (the identity observation's ``z₀ = [x₀; L·x₀]``) is trained through autograd.

It covers the identity observation (the first N of M units are observed, N ≤ M): the carried
state is ``z̃_t = lerp(z_t, infer(z_t, x_t), α_t) = [lerp(z_t[:N], x_t, α_t); z_t[N:]]`` with a
per-step weight ``α_t`` (GTF: α every step; sparse forcing: 1 every τ steps; free running: none).
States are columns, ``(E, M, B)`` per step, batched over a leading ensemble dim ``E`` (one model:
``E = 1``). Equal to the autograd unroll of the cells' ``step`` to rounding (tested).
"""

from __future__ import annotations

from typing import Any

import torch

from .fast_path import Mix, fusable, keep_factors

__all__ = ["plrnn_unroll", "pwl_forced_states"]


def _phi(z: torch.Tensor, linear_units: int, out: torch.Tensor) -> torch.Tensor:
    """``Φ(z)`` of column states ``(E, M, B)`` into ``out``: relu on the units from ``linear_units`` on."""
    if linear_units == 0:
        return torch.clamp_min(z, 0.0, out=out)
    out.copy_(z)
    out[:, linear_units:].clamp_min_(0.0)
    return out


class _PLRNNUnroll(torch.autograd.Function):
    @staticmethod
    def forward(ctx: Any, a: torch.Tensor, w: torch.Tensor, h: torch.Tensor, z0: torch.Tensor, x: torch.Tensor,
                mix: Mix, linear_units: int) -> torch.Tensor:
        members, batch, length, n = x.shape
        m, steps = a.shape[1], length - 1
        a_, h_ = a.unsqueeze(2), h.unsqueeze(2)
        inputs = x.new_empty(members, steps, m, batch)  # z̃_0 … z̃_{T−2}
        states = x.new_empty(members, steps, m, batch)  # z_1 … z_{T−1}, the un-forced predictions
        phi = x.new_empty(members, m, batch)
        ins, outs, xs = inputs.unbind(1), states.unbind(1), x.permute(0, 2, 3, 1).unbind(1)
        ins[0].copy_(z0.transpose(1, 2))
        for s in range(steps):
            z_in = ins[s]
            z = torch.baddbmm(h_, w, _phi(z_in, linear_units, phi)).addcmul_(a_, z_in)
            outs[s].copy_(z)
            if s + 1 < steps:
                carried = ins[s + 1]
                carried.copy_(z)
                weight = mix[s]
                if weight is not None:
                    torch.lerp(z[:, :n], xs[s + 1], weight, out=carried[:, :n])
        ctx.keep = keep_factors(mix)
        ctx.linear_units, ctx.observed = linear_units, n
        ctx.save_for_backward(a, w, inputs)
        return states.permute(0, 3, 1, 2)  # (E, B, T−1, M)

    @staticmethod
    def backward(ctx: Any, grad: torch.Tensor) -> tuple[torch.Tensor | None, ...]:
        a, w, inputs = ctx.saved_tensors
        members, steps, m, batch = inputs.shape
        k, n = ctx.linear_units, ctx.observed
        w_t, a_ = w.transpose(1, 2), a.unsqueeze(2)
        phi = inputs.new_empty(members, m, batch)
        g_w = w.new_zeros(w.shape)  # contiguous, whatever w's strides
        deltas = inputs.new_empty(members, steps, m, batch)  # total gradient at each z_t
        grads, ds, ins = grad.permute(0, 2, 3, 1).unbind(1), deltas.unbind(1), inputs.unbind(1)
        back: torch.Tensor | None = None
        for s in range(steps - 1, -1, -1):
            delta, z_in = ds[s], ins[s]
            if back is None:
                delta.copy_(grads[s])
            else:
                keep = ctx.keep[s]  # 1 − α of z̃_{s+1}, through which δ came back, on the observed units
                if keep is not None:
                    back[:, :n].mul_(keep)
                torch.add(grads[s], back, out=delta)
            g_w.baddbmm_(delta, _phi(z_in, k, phi).transpose(1, 2))
            back = torch.bmm(w_t, delta)
            back[:, k:].mul_(z_in[:, k:] > 0)  # Φ′
            back.addcmul_(a_, delta)  # J_sᵀ δ_s: the gradient at z̃_s
        g_a = (deltas * inputs).sum(dim=(1, 3))
        g_h = deltas.sum(dim=(1, 3))
        assert back is not None  # steps ≥ 1: the fused unroll takes windows of length ≥ 2
        return g_a, g_w, g_h, back.transpose(1, 2), None, None, None


def plrnn_unroll(a: torch.Tensor, w: torch.Tensor, h: torch.Tensor, z0: torch.Tensor, x: torch.Tensor, mix: Mix,
                 *, linear_units: int) -> torch.Tensor:
    """The un-forced states ``z_1 … z_{T−1}`` ``(E, B, T−1, M)`` of a forced unroll over ``x``.

    Parameters
    ----------
    a, w, h
        ``A`` ``(E, M)``, the effective ``W`` ``(E, M, M)`` (the PLRNN's off-diagonal one), ``h``
        ``(E, M)``.
    z0
        The initial latent states ``(E, B, M)`` (gradients flow back to it).
    x
        Windows ``(E, B, T, N)``, observed as the first N ≤ M units. No gradient flows to ``x``.
    mix
        ``T − 1`` forcing weights: entry ``t − 1`` is α_t of ``z̃_t[:N] = lerp(z_t[:N], x_t, α_t)``
        (``None``: ``z̃_t = z_t``); the last entry is not used.
    linear_units
        ``k``: ``Φ`` is the identity on the first ``k`` units and relu on the others.
    """
    return _PLRNNUnroll.apply(a, w, h, z0, x.detach(), list(mix), int(linear_units))


def pwl_forced_states(cell: Any, x: torch.Tensor, mix: Mix, params: tuple[torch.Tensor, torch.Tensor, torch.Tensor],
                      *, linear_units: int, identity: bool, ensemble: bool) -> torch.Tensor | None:
    """``forced_states`` of a PLRNN or AL-RNN cell (``ensemble``: its stacked view) with ``(A, W, h)``.

    ``None`` where the fused unroll does not apply (see :func:`~.fast_path.fusable`); the initial
    state comes from the cell's own ``initial`` (with autograd, so a learned lift is trained).
    """
    if x.ndim != (4 if ensemble else 3) or not fusable(x, cell.obs_dim, identity):
        return None
    z0 = cell.initial(x[..., 0, :])
    if ensemble:
        return plrnn_unroll(*params, z0, x, mix, linear_units=linear_units)
    a, w, h = (p.unsqueeze(0) for p in params)
    return plrnn_unroll(a, w, h, z0.unsqueeze(0), x.unsqueeze(0), mix, linear_units=linear_units)[0]
