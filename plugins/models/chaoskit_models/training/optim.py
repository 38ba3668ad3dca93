"""Optimizers by name, and Lion (Chen et al. 2023), which torch does not ship."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any, overload

import torch
from chaoskit import ParameterError

__all__ = ["OPTIMIZERS", "Lion", "clip_gradients", "make_optimizer"]


class Lion(torch.optim.Optimizer):
    """Lion: the sign of an interpolated momentum, with decoupled weight decay.

    For each parameter θ with gradient g and momentum m (Chen et al., "Symbolic Discovery of
    Optimization Algorithms", 2023, Algorithm 2)::

        c = β₁·m + (1 − β₁)·g
        θ ← θ·(1 − lr·λ) − lr·sign(c)
        m ← β₂·m + (1 − β₂)·g

    Parameters
    ----------
    params
        Parameters or parameter groups.
    lr
        Learning rate (> 0). The update has unit size per coordinate, so Lion wants a learning
        rate 3-10× smaller than Adam's (the paper's rule of thumb).
    betas
        (β₁, β₂) in ``[0, 1)``; default (0.9, 0.99).
    weight_decay
        λ ≥ 0, decoupled (applied as ``θ·(1 − lr·λ)``); 3-10× larger than AdamW's for the same
        effect.
    """

    def __init__(
        self,
        params: Iterable[Any],
        lr: float = 1e-4,
        betas: tuple[float, float] = (0.9, 0.99),
        weight_decay: float = 0.0,
    ) -> None:
        if not lr > 0:
            raise ParameterError(f"Lion: lr must be > 0, got {lr!r}")
        if len(betas) != 2 or not all(0.0 <= b < 1.0 for b in betas):
            raise ParameterError(f"Lion: betas must be two numbers in [0, 1), got {betas!r}")
        if not weight_decay >= 0:
            raise ParameterError(f"Lion: weight_decay must be >= 0, got {weight_decay!r}")
        super().__init__(params, {"lr": lr, "betas": tuple(betas), "weight_decay": weight_decay})

    @overload
    def step(self, closure: None = None) -> None: ...

    @overload
    def step(self, closure: Callable[[], float]) -> float: ...

    @overload
    def step(self, closure: Callable[[], torch.Tensor]) -> torch.Tensor: ...

    @torch.no_grad()
    def step(
        self, closure: Callable[[], float | torch.Tensor] | None = None
    ) -> float | torch.Tensor | None:
        """One update of every parameter that has a gradient; returns the closure's loss."""
        loss = None
        if closure is not None:
            with torch.enable_grad():
                loss = closure()
        for group in self.param_groups:
            lr, (beta1, beta2), wd = group["lr"], group["betas"], group["weight_decay"]
            for p in group["params"]:
                if p.grad is None:
                    continue
                grad = p.grad
                state = self.state[p]
                if not state:
                    state["exp_avg"] = torch.zeros_like(p, memory_format=torch.preserve_format)
                m = state["exp_avg"]
                update = torch.lerp(grad, m, beta1).sign_()  # β₁·m + (1 − β₁)·g
                if wd != 0.0:
                    p.mul_(1.0 - lr * wd)
                p.add_(update, alpha=-lr)
                m.lerp_(grad, 1.0 - beta2)  # β₂·m + (1 − β₂)·g
        return loss


OPTIMIZERS: Mapping[str, type[torch.optim.Optimizer]] = {
    "adam": torch.optim.Adam,
    "adamw": torch.optim.AdamW,
    "radam": torch.optim.RAdam,
    "sgd": torch.optim.SGD,
    "lion": Lion,
}


def make_optimizer(
    name: str,
    params: Iterable[torch.nn.Parameter],
    *,
    lr: float,
    weight_decay: float,
    options: Mapping[str, Any],
) -> torch.optim.Optimizer:
    """The optimizer ``name`` over ``params``.

    ``options`` are passed on as keyword arguments (``betas``, ``momentum``, ``eps`` …). For
    ``adam``, ``radam`` and ``sgd`` ``weight_decay`` is an L2 penalty added to the gradient
    (torch's convention); ``adamw`` and ``lion`` decay the weights directly (decoupled).
    """
    key = name.lower()
    if key not in OPTIMIZERS:
        raise ParameterError(f"unknown optimizer {name!r}; choose one of {sorted(OPTIMIZERS)}")
    params = list(params)
    if not params:
        raise ParameterError("the model has no trainable parameters; nothing to optimize")
    reserved = {"lr", "weight_decay"} & set(options)
    if reserved:
        raise ParameterError(
            f"optimizer_options must not set {sorted(reserved)}; use GradientTrainer(lr=..., weight_decay=...)"
        )
    # Every registered optimizer takes ``lr`` and ``weight_decay`` (the base class does not).
    factory: Callable[..., torch.optim.Optimizer] = OPTIMIZERS[key]
    try:
        return factory(params, lr=lr, weight_decay=weight_decay, **dict(options))
    except TypeError as exc:
        raise ParameterError(f"optimizer {name!r} rejected optimizer_options {dict(options)}: {exc}") from None
    except ValueError as exc:  # torch's range checks (momentum < 0, betas out of range …)
        raise ParameterError(f"optimizer {name!r}: {exc}") from None


def clip_gradients(optimizer: torch.optim.Optimizer, max_norm: float | None) -> None:
    """Scale the gradients of ``optimizer``'s parameters to a global norm of at most ``max_norm``."""
    if max_norm is not None:
        torch.nn.utils.clip_grad_norm_([p for g in optimizer.param_groups for p in g["params"]], max_norm)
