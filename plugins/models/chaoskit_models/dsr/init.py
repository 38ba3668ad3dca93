"""Published initialisations of the PLRNN family (Durstewitz lab conventions).

Every draw comes from one ``torch.Generator`` on the CPU in float64 and is then cast, so a seed
gives the same weights on every device and in every dtype.

- ``A, W`` from the normalized positive-definite matrix of Talathi & Vartak (2016):
  ``K = RᵀR/M + I`` with ``R ~ N(0, 1)``, divided by its largest eigenvalue modulus;
  ``A = diag(K)``, ``W = offdiag(K)``, ``h = 0``.
- uniform fan-in initialisation ``U(−1/√n, 1/√n)`` (``W₁`` of the shallow PLRNN with
  ``n = L``, ``W₂`` with ``n = M``, basis weights ``α`` with ``n = B``).
- Glorot-uniform ``U(±√(6/(fan_in + fan_out)))`` for the identity observation's ``L`` and
  Kaiming-normal ``N(0, 2/M)`` for an affine observation's ``B``.
"""

from __future__ import annotations

import math

import torch

__all__ = [
    "generator",
    "glorot_uniform",
    "kaiming_normal",
    "normalized_positive_definite",
    "plrnn_a_w_h",
    "uniform_fan_in",
]


def generator(seed: int | None) -> torch.Generator:
    """A CPU generator seeded with ``seed`` (a fresh random seed when ``None``)."""
    gen = torch.Generator(device="cpu")
    if seed is None:
        gen.seed()
    else:
        gen.manual_seed(int(seed))
    return gen


def normalized_positive_definite(m: int, gen: torch.Generator) -> torch.Tensor:
    """``K = (RᵀR/M + I) / max|eig(K)|`` with ``R ~ N(0, 1)`` of shape ``(M, M)``, in float64.

    ``K`` is symmetric positive definite with largest eigenvalue exactly 1.
    """
    r = torch.randn(m, m, generator=gen, dtype=torch.float64)
    k = r.T @ r / m + torch.eye(m, dtype=torch.float64)
    return k / torch.linalg.eigvalsh(k).abs().max()


def plrnn_a_w_h(m: int, gen: torch.Generator) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """``A = diag(K)``, ``W = offdiag(K)`` (zero diagonal), ``h = 0`` for a latent size ``M``."""
    k = normalized_positive_definite(m, gen)
    a = torch.diagonal(k).clone()
    w = k - torch.diag(a)
    return a, w, torch.zeros(m, dtype=torch.float64)


def uniform_fan_in(shape: tuple[int, ...], fan_in: int, gen: torch.Generator) -> torch.Tensor:
    """``U(−1/√fan_in, 1/√fan_in)`` of ``shape``, in float64."""
    bound = 1.0 / math.sqrt(fan_in)
    return (torch.rand(shape, generator=gen, dtype=torch.float64) * 2.0 - 1.0) * bound


def glorot_uniform(fan_out: int, fan_in: int, gen: torch.Generator) -> torch.Tensor:
    """Glorot (Xavier) uniform ``(fan_out, fan_in)``: ``U(±√(6/(fan_in + fan_out)))``."""
    bound = math.sqrt(6.0 / (fan_in + fan_out))
    return (torch.rand(fan_out, fan_in, generator=gen, dtype=torch.float64) * 2.0 - 1.0) * bound


def kaiming_normal(fan_out: int, fan_in: int, gen: torch.Generator) -> torch.Tensor:
    """Kaiming (He) normal ``(fan_out, fan_in)``: ``N(0, 2/fan_in)``."""
    std = math.sqrt(2.0 / fan_in)
    return torch.randn(fan_out, fan_in, generator=gen, dtype=torch.float64) * std
