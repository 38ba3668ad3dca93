"""LoRA: low-rank adapters on chosen ``nn.Linear`` layers (Hu et al., ICLR 2022).

A wrapped layer computes ``y = W x + b + (α/r)·B A x`` with ``A`` ``(r, in)`` drawn at random
(Kaiming-uniform as in the reference implementation, or normal with std 1/r) and ``B``
``(out, r)`` zero, so training starts from the base model's exact output. Only ``A`` and ``B``
are trained; ``merge`` folds ``(α/r)·B A`` into ``W`` (no extra cost at inference) and
``unmerge`` takes it out again.
"""

from __future__ import annotations

import math
from collections.abc import Iterable

import attrs
import torch
from chaoskit import ParameterError
from chaoskit.validators import choice, integer, positive
from torch import nn

__all__ = ["LoRA", "LoRALinear", "apply_lora", "lora_layers", "lora_state_dict", "remove_lora"]


def _targets(value: Iterable[str] | str) -> tuple[str, ...]:
    if isinstance(value, str):
        return (value,)
    return tuple(value)


def _check_targets(instance: object, attribute: attrs.Attribute, value: tuple[str, ...]) -> None:
    if not value or not all(isinstance(v, str) and v for v in value):
        raise ParameterError(
            f"LoRA.targets must name one or more nn.Linear submodules (e.g. ('readout',)), got {value!r}"
        )


@attrs.frozen
class LoRA:
    """LoRA configuration for :class:`~chaoskit_models.training.GradientTrainer`.

    Parameters
    ----------
    targets
        Qualified names of ``nn.Linear`` submodules of the training module (as in
        ``module.named_modules()``, e.g. ``"decoder.0"``).
    rank
        r, the rank of the update (≥ 1).
    alpha
        The scale numerator: the update is ``(alpha/rank)·B A`` (default 8: a scale of 2 at rank 4).
    init
        ``"kaiming"`` (Kaiming-uniform ``A``, the reference choice) or ``"normal"`` (std 1/r).
    """

    targets: tuple[str, ...] = attrs.field(converter=_targets, validator=_check_targets)
    rank: int = attrs.field(default=4, validator=integer(1))
    alpha: float = attrs.field(default=8.0, validator=positive)
    init: str = attrs.field(default="kaiming", validator=choice(("kaiming", "normal")))


class LoRALinear(nn.Module):
    """An ``nn.Linear`` with a frozen base and a trainable low-rank update."""

    def __init__(self, base: nn.Linear, config: LoRA, generator: torch.Generator | None = None) -> None:
        super().__init__()
        self.base = base
        self.scaling = config.alpha / config.rank
        self.merged = False
        for p in base.parameters():
            p.requires_grad_(False)
        w = base.weight
        a = torch.empty(config.rank, base.in_features, dtype=w.dtype)
        if config.init == "kaiming":
            nn.init.kaiming_uniform_(a, a=math.sqrt(5), generator=generator)
        else:
            nn.init.normal_(a, std=1.0 / config.rank, generator=generator)
        self.lora_a = nn.Parameter(a.to(w.device))
        self.lora_b = nn.Parameter(torch.zeros(base.out_features, config.rank, dtype=w.dtype, device=w.device))

    def delta(self) -> torch.Tensor:
        """The weight update ``(α/r)·B A`` ``(out, in)``."""
        return (self.lora_b @ self.lora_a) * self.scaling

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        y = self.base(x)
        if self.merged:
            return y
        return y + (x @ self.lora_a.T @ self.lora_b.T) * self.scaling

    @torch.no_grad()
    def merge(self) -> None:
        """Fold the update into the base weight (idempotent)."""
        if not self.merged:
            self.base.weight += self.delta()
            self.merged = True

    @torch.no_grad()
    def unmerge(self) -> None:
        """Take the update out of the base weight again (idempotent)."""
        if self.merged:
            self.base.weight -= self.delta()
            self.merged = False


def _linear_names(module: nn.Module) -> list[str]:
    return [n for n, m in module.named_modules() if isinstance(m, nn.Linear) and n]


def _set_submodule(root: nn.Module, name: str, new: nn.Module) -> None:
    parent_name, _, child = name.rpartition(".")
    parent = root.get_submodule(parent_name) if parent_name else root
    setattr(parent, child, new)


def apply_lora(module: nn.Module, config: LoRA, generator: torch.Generator | None = None) -> list[LoRALinear]:
    """Wrap ``config.targets`` of ``module`` in :class:`LoRALinear`, freezing everything else.

    Raises
    ------
    ParameterError
        When a target is not a submodule or not an ``nn.Linear`` (the message lists the
        ``nn.Linear`` submodules there are).
    """
    found = dict(module.named_modules())
    available = _linear_names(module)
    for name in config.targets:
        if not isinstance(found.get(name), nn.Linear) or isinstance(found.get(name), LoRALinear):
            what = "is not an nn.Linear" if name in found else "is not a submodule"
            raise ParameterError(
                f"LoRA target {name!r} {what} of {type(module).__name__}; "
                f"its nn.Linear submodules are {available or 'none'}"
            )
    for p in module.parameters():
        p.requires_grad_(False)
    layers = []
    for name in config.targets:
        layer = LoRALinear(found[name], config, generator)
        _set_submodule(module, name, layer)
        layers.append(layer)
    return layers


def lora_layers(module: nn.Module) -> dict[str, LoRALinear]:
    """The :class:`LoRALinear` submodules of ``module`` by qualified name."""
    return {n: m for n, m in module.named_modules() if isinstance(m, LoRALinear)}


def lora_state_dict(module: nn.Module) -> dict[str, torch.Tensor]:
    """Only the adapter weights (``<name>.lora_a``, ``<name>.lora_b``), detached copies."""
    out = {}
    for name, layer in lora_layers(module).items():
        out[f"{name}.lora_a"] = layer.lora_a.detach().clone()
        out[f"{name}.lora_b"] = layer.lora_b.detach().clone()
    return out


def remove_lora(module: nn.Module, *, merge: bool = True) -> None:
    """Replace every :class:`LoRALinear` by its base ``nn.Linear``, merged first when ``merge``.

    The base parameters get back ``requires_grad=True``; the module has its original
    structure (and ``state_dict`` keys) again.
    """
    for name, layer in lora_layers(module).items():
        if merge:
            layer.merge()
        else:
            layer.unmerge()
        for p in layer.base.parameters():
            p.requires_grad_(True)
        _set_submodule(module, name, layer.base)
