"""Checks shared by the tests of the fused forced unrolls (test_shallow_unroll.py, test_plrnn_unroll.py)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import torch
from chaoskit_models.dsr.stacked import stack_cells
from chaoskit_models.training.forcing import GeneralizedForcing, NoForcing, SparseForcing

FORCINGS = {"none": NoForcing(), "sparse": SparseForcing(interval=3), "gtf": GeneralizedForcing(alpha=0.4)}


def unroll_and_grads(cell: Any, forcing: Any, x: torch.Tensor, *, fused: bool,
                     params: Sequence[torch.Tensor]) -> tuple[torch.Tensor, list[torch.Tensor]]:
    """Predictions and the gradients of a fixed loss of them; ``fused=False``: step by step with autograd."""
    if not fused:
        cell.forced_states = lambda x, mix: None  # the strategies then unroll with cell.step
    try:
        preds = forcing.start().unroll(cell, x) if x.ndim == 3 else forcing.start_ensemble(x.shape[0]).unroll(cell, x)
    finally:
        if not fused:
            del cell.forced_states
    loss = (torch.sin(preds) * torch.linspace(0.5, 1.5, preds.shape[-2], dtype=preds.dtype).unsqueeze(-1)).sum()
    return preds.detach(), list(torch.autograd.grad(loss, list(params)))


def assert_fused_equals_step_by_step(cell: Any, forcing: Any, x: torch.Tensor) -> None:
    """One cell: the fused path and the autograd unroll agree in predictions and all parameter gradients."""
    params = list(cell.parameters())
    fast, fast_grads = unroll_and_grads(cell, forcing, x, fused=True, params=params)
    slow, slow_grads = unroll_and_grads(cell, forcing, x, fused=False, params=params)
    torch.testing.assert_close(fast, slow, rtol=1e-12, atol=1e-12)
    for a, b in zip(fast_grads, slow_grads, strict=True):
        torch.testing.assert_close(a, b, rtol=1e-10, atol=1e-12)


def assert_stacked_equals_members(cells: Sequence[Any], forcing: Any, x: torch.Tensor) -> None:
    """The stacked view's fused unroll of windows ``x`` ``(E, ...)`` equals each member's own autograd unroll."""
    params = [p for c in cells for p in c.parameters()]
    fast, fast_grads = unroll_and_grads(stack_cells(cells), forcing, x, fused=True, params=params)
    singles = [unroll_and_grads(c, forcing, x[i], fused=False, params=list(c.parameters())) for i, c in enumerate(cells)]
    torch.testing.assert_close(fast, torch.stack([s[0] for s in singles]), rtol=1e-12, atol=1e-12)
    for a, b in zip(fast_grads, [g for s in singles for g in s[1]], strict=True):
        torch.testing.assert_close(a, b, rtol=1e-10, atol=1e-12)
