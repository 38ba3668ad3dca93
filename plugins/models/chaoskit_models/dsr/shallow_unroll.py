"""A forced unroll of the shallow PLRNN with a hand-written backward pass (training fast path).

Training a small recurrent model on the CPU is bound by per-operation overhead and, for an
ensemble, by memory traffic: an autograd unroll of the shallow PLRNN records ~5 graph nodes per
time step, keeps every step's 2L-wide activations, and replays the nodes one by one in the
backward pass. :func:`shallow_unroll` runs the whole window as one
:class:`torch.autograd.Function`: the forward pass keeps only the small states ``z̃_t`` (one
reused buffer for the hidden layer, no graph), and the backward pass is back-propagation
through time written out, step by step from the last:

- ``δ_t = g_t + (1 − α_{t+1})·J_{t+1}ᵀδ_{t+1}`` with ``J_tᵀδ = A⊙δ + W₂ᵀ(m_t ⊙ W₁ᵀδ)``, the
  hidden layer (and its relu mask ``m_t``) recomputed from ``z̃_t`` by one batched product, so a
  step's working set stays in the cache;
- the parameter gradients accumulated in place (``∂W₁ += δ hᵀ``, ``∂[W₂, b₂] += (m⊙W₁ᵀδ)[z̃; 1]ᵀ``),
  ``∂A`` and ``∂h₁`` summed over all steps at the end.

States are columns, ``(E, M, B)`` per step: every product is "weights @ states", which the CPU
BLAS runs 2-3× faster at these shapes than the row form with its M-column output. Measured
alternatives that were slower: storing all activations; accumulating the parameter gradients
over blocks of steps (the blocks must be transposed first). Figures in docs/performance.md.

The unroll covers what the teacher-forcing strategies need when the latent state *is* the
observation (identity observation with M = N): the state carried on is
``z̃_t = lerp(z_t, x_t, α_t)`` with a per-step weight ``α_t`` (GTF: α every step; sparse forcing:
1 every τ steps; free running: none), so ``∂z̃_t/∂z_t = 1 − α_t``. Everything is batched over a
leading ensemble dim ``E`` (one model: ``E = 1``); the clipped layer is evaluated as one relu
layer of width 2L, ``[W₁, −W₁]·relu([W₂; W₂]z + [h₂; 0])``, as in the cell's own step.

The result equals the autograd unroll of :meth:`ShallowPLRNNCell.step` (forward and gradients,
tested to rounding); a model whose configuration it does not cover (an affine observation,
M > N, mixed precision) takes the autograd path.
"""

from __future__ import annotations

from typing import Any

import torch

from .fast_path import Mix, keep_factors

__all__ = ["shallow_unroll"]


def _wide(w1: torch.Tensor, w2: torch.Tensor, h2: torch.Tensor, clipped: bool) -> tuple[torch.Tensor, torch.Tensor]:
    """The cell's hidden layer (:func:`~.shplrnn.shallow_wide`) as ``W₁`` (E, M, K) and ``[W₂, b₂]`` (E, K, M + 1).

    The bias is the last column of the input weights, so that with states augmented by a
    constant 1 one batched product gives both the pre-activation and, in the backward pass,
    the gradients of ``W₂`` and ``b₂``.
    """
    from .shplrnn import shallow_wide  # the cell module imports this one

    w2_t, b2, w1_t = shallow_wide(w1, w2, h2, clipped=clipped)
    return w1_t.transpose(1, 2), torch.cat([w2_t.transpose(1, 2), b2.unsqueeze(2)], dim=2)


class _ShallowUnroll(torch.autograd.Function):
    # States are kept as columns, (E, M, B) per step, stored (E, T−1, M, B): every product is
    # then "weights @ states", (E, K, M)·(E, M, B) or (E, M, K)·(E, K, B), which the CPU BLAS runs
    # 2-3x faster at these shapes than the row form "states @ weightsᵀ" with its M-column output,
    # and each step's block is contiguous.
    @staticmethod
    def forward(ctx: Any, a: torch.Tensor, w1: torch.Tensor, w2: torch.Tensor, h1: torch.Tensor, h2: torch.Tensor,
                x: torch.Tensor, mix: Mix, clipped: bool) -> torch.Tensor:
        members, batch, length, m = x.shape
        w1w, w2b = _wide(w1, w2, h2, clipped)
        a_, h1_ = a.unsqueeze(2), h1.unsqueeze(2)
        steps = length - 1
        # z̃_0 … z̃_{T−2} with a constant 1 appended (the bias input), and z_1 … z_{T−1}
        inputs = x.new_ones(members, steps, m + 1, batch)
        states = x.new_empty(members, steps, m, batch)
        hidden = x.new_empty(members, w2b.shape[1], batch)  # one step's activations, reused
        ins, outs, xs = inputs.unbind(1), states.unbind(1), x.permute(0, 2, 3, 1).unbind(1)
        ins[0][:, :m] = xs[0]
        for s in range(steps):
            z_aug = ins[s]
            z_in = z_aug[:, :m]
            torch.bmm(w2b, z_aug, out=hidden).relu_()
            z = torch.baddbmm(h1_, w1w, hidden).addcmul_(a_, z_in)
            outs[s].copy_(z)
            if s + 1 < steps:
                weight, target = mix[s], ins[s + 1][:, :m]
                if weight is None:
                    target.copy_(z)
                else:
                    torch.lerp(z, xs[s + 1], weight, out=target)
        ctx.clipped, ctx.mix, ctx.keep = clipped, mix, keep_factors(mix)
        ctx.save_for_backward(a, w1w, w2b, inputs)
        return states.permute(0, 3, 1, 2)  # (E, B, T−1, M)

    @staticmethod
    def backward(ctx: Any, grad: torch.Tensor) -> tuple[torch.Tensor | None, ...]:
        # Only the small states z̃ are kept from the forward pass; each step's hidden layer is
        # recomputed (one product) into a buffer that stays in the cache, and the parameter
        # gradients are accumulated step by step. Storing all activations (E·T·B·2L floats) or
        # accumulating over blocks of steps (which needs the blocks transposed) measured slower.
        a, w1w, w2b, inputs = ctx.saved_tensors
        members, steps, m1, batch = inputs.shape
        m = m1 - 1
        w1w_t, w2w_t, a_ = w1w.transpose(1, 2), w2b[..., :m].transpose(1, 2), a.unsqueeze(2)
        hidden = inputs.new_empty(members, w2b.shape[1], batch)
        back_hidden, pre_grad = torch.empty_like(hidden), torch.empty_like(hidden)
        g_w1w, g_w2b_t = w1w.new_zeros(w1w.shape), w2b.new_zeros(members, m1, w2b.shape[1])  # contiguous
        deltas = inputs.new_empty(members, steps, m, batch)  # total gradient at each z_t
        grads, ds, ins = grad.permute(0, 2, 3, 1).unbind(1), deltas.unbind(1), inputs.unbind(1)
        back: torch.Tensor | None = None
        for s in range(steps - 1, -1, -1):
            delta, keep = ds[s], ctx.keep[s]  # 1 − α of z̃_{s+1}, through which δ came back
            if back is None:
                delta.copy_(grads[s])
            elif keep is None:
                torch.add(grads[s], back, out=delta)
            elif isinstance(keep, torch.Tensor):
                torch.addcmul(grads[s], back, keep, out=delta)
            else:
                torch.add(grads[s], back, alpha=keep, out=delta)
            torch.bmm(w2b, ins[s], out=hidden).relu_()
            g_w1w.baddbmm_(delta, hidden.transpose(1, 2))
            torch.bmm(w1w_t, delta, out=back_hidden)
            torch.ops.aten.threshold_backward.grad_input(back_hidden, hidden, 0, grad_input=pre_grad)  # relu′
            g_w2b_t.baddbmm_(ins[s], pre_grad.transpose(1, 2))
            weight = ctx.mix[s - 1] if s > 0 else 1.0  # α of z̃_s, the input of step s
            if isinstance(weight, float) and weight == 1.0:
                back = None  # z̃_s is the data: nothing flows further back
            else:
                back = torch.bmm(w2w_t, pre_grad).addcmul_(a_, delta)  # J_sᵀ δ_s
        g_a = (deltas * inputs[:, :, :m]).sum(dim=(1, 3))
        g_h1 = deltas.sum(dim=(1, 3))
        g_w2w, g_b2w = g_w2b_t[:, :m].transpose(1, 2), g_w2b_t[:, m]
        if ctx.clipped:
            half = g_w1w.shape[-1] // 2
            return (g_a, g_w1w[..., :half] - g_w1w[..., half:], g_w2w[:, :half] + g_w2w[:, half:], g_h1,
                    g_b2w[:, :half], None, None, None)
        return g_a, g_w1w, g_w2w, g_h1, g_b2w, None, None, None


def shallow_unroll(a: torch.Tensor, w1: torch.Tensor, w2: torch.Tensor, h1: torch.Tensor, h2: torch.Tensor,
                   x: torch.Tensor, mix: Mix, *, clipped: bool) -> torch.Tensor:
    """The un-forced states ``z_1 … z_{T−1}`` ``(E, B, T−1, M)`` of a forced unroll over ``x``.

    Parameters
    ----------
    a, w1, w2, h1, h2
        The shallow PLRNN's parameters with a leading ensemble dim: ``(E, M)``, ``(E, M, L)``,
        ``(E, L, M)``, ``(E, M)``, ``(E, L)``.
    x
        Windows ``(E, B, T, M)`` (identity observation, M = N); ``z_0 = x[:, :, 0]``. No gradient
        flows to ``x``.
    mix
        ``T − 1`` forcing weights: entry ``t − 1`` is α_t of ``z̃_t = lerp(z_t, x_t, α_t)``
        (``None``: ``z̃_t = z_t``); the last entry is not used.
    clipped
        The clipped shallow PLRNN's layer ``relu(W₂z + h₂) − relu(W₂z)`` instead of ``relu(W₂z + h₂)``.
    """
    return _ShallowUnroll.apply(a, w1, w2, h1, h2, x.detach(), list(mix), clipped)
