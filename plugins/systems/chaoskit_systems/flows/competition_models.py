"""Competition models: MacArthur's consumer–resource model of plankton (chaos among five
species on five resources, Huisman & Weissing) and Itik & Banks' tumour–immune model."""

from __future__ import annotations

from typing import Any, ClassVar

import attrs
import numpy as np
import torch
from chaoskit import ParameterError, SystemMetadata
from chaoskit.validators import finite, nonnegative, positive

from ..base import TorchSystem
from ..metadata import load_metadata
from ._array_fields import (
    ArrayParameterSystem,
    finite_array,
    float_array,
    matrix,
    sized_variables,
)

__all__ = ["ItikBanksTumor", "MacArthur"]

_C = (
    (0.04, 0.04, 0.07, 0.04, 0.04),
    (0.08, 0.08, 0.08, 0.1, 0.08),
    (0.1, 0.1, 0.1, 0.1, 0.14),
    (0.05, 0.03, 0.03, 0.03, 0.03),
    (0.07, 0.09, 0.07, 0.07, 0.07),
)
_K = (
    (0.39, 0.34, 0.3, 0.24, 0.23),
    (0.22, 0.39, 0.34, 0.3, 0.27),
    (0.27, 0.22, 0.39, 0.34, 0.3),
    (0.3, 0.24, 0.22, 0.39, 0.34),
    (0.34, 0.3, 0.22, 0.2, 0.39),
)
_S = (6.0, 10.0, 14.0, 4.0, 9.0)


@attrs.frozen(kw_only=True)
class MacArthur(ArrayParameterSystem):
    """MacArthur consumer–resource model with Liebig's law of the minimum:
    ``Ṅᵢ = Nᵢ(μᵢ(R) − m)``, ``Ṙⱼ = D(Sⱼ − Rⱼ) − Σᵢ cⱼᵢ μᵢ(R) Nᵢ``,
    ``μᵢ(R) = minⱼ r Rⱼ/(Kⱼᵢ + Rⱼ)`` (MacArthur 1969, PNAS 64, 1369; parameters of
    Huisman & Weissing 1999, Nature 402, 407).

    ``k`` and ``c`` are ``resources × species`` matrices (half-saturation constants and resource
    contents), ``s`` the resource supply; the state is ``(N₁ … N_S, R₁ … R_R)``.
    """

    c: tuple[tuple[float, ...], ...] = attrs.field(
        default=_C, converter=float_array, validator=finite_array(2)
    )
    d: float = attrs.field(default=0.25, validator=nonnegative)
    k: tuple[tuple[float, ...], ...] = attrs.field(
        default=_K, converter=float_array, validator=finite_array(2)
    )
    m: float = attrs.field(default=0.25, validator=finite)
    r: float = attrs.field(default=1.0, validator=positive)
    s: tuple[float, ...] = attrs.field(default=_S, converter=float_array, validator=finite_array(1))

    kind: ClassVar[str] = "flow"
    metadata: ClassVar[SystemMetadata] = load_metadata("MacArthur")
    # largest RK4 substep (trajectory(method='rk4'), dynamics): resources relax ~20x faster than the
    # period/200 step allows (RK4 would be unstable)
    max_step: ClassVar[float | None] = 0.005

    def __attrs_post_init__(self) -> None:
        shape = (len(self.s), len(self.k[0]))
        for name in ("c", "k"):
            value = getattr(self, name)
            if (len(value), len(value[0])) != shape:
                raise ParameterError(
                    f"MacArthur.{name} must be resources × species = {shape} (len(s) resources, "
                    f"as many species as k has columns), got {(len(value), len(value[0]))}"
                )

    def _initial_states(self, members: int, seed: int | None) -> tuple[np.ndarray, float]:
        """Members ``k ≥ 1`` start at ``x0·(1 + 1e-2·ξ_k)``: a relative perturbation, because
        abundances (~10) and resources (~0.1) differ in scale and must stay positive."""
        x0 = np.asarray(self.metadata.initial_state, dtype=np.float64)
        states = np.repeat(x0[None, :], members, axis=0)
        if members > 1:
            rng = np.random.default_rng(seed)
            states[1:] *= 1.0 + self.perturbation * rng.standard_normal((members - 1, x0.size))
        return states, self.perturbation

    @sized_variables
    def variables(self) -> tuple[str, ...]:
        """``("n1", …, "nS", "r1", …, "rR")``: species abundances, then resources."""
        species, resources = len(self.k[0]), len(self.s)
        return (*(f"n{i + 1}" for i in range(species)), *(f"r{j + 1}" for j in range(resources)))

    def _rhs(self, t: Any, x: torch.Tensor) -> torch.Tensor:
        species = len(self.k[0])
        n, res = x[..., :species], x[..., species:]
        k, c, s = self._tensor(self.k, x), self._tensor(self.c, x), self._tensor(self.s, x)
        uptake = self.r * res[..., :, None] / (k + res[..., :, None])  # (..., resource, species)
        mu = uptake.amin(dim=-2)
        dn = n * (mu - self.m)
        # an elementwise product and sum rather than a matmul: the result of each member must
        # not depend on the batch it is computed in (BLAS kernels vary with the batch shape)
        dres = self.d * (s - res) - ((mu * n)[..., None, :] * c).sum(-1)
        return torch.cat((dn, dres), dim=-1)


@attrs.frozen(kw_only=True)
class ItikBanksTumor(TorchSystem):
    """Tumour (x), healthy host (y) and effector immune (z) cells:
    ``ẋ = x(1 − x) − a₁₂xy − a₁₃xz``, ``ẏ = r₂y(1 − y) − a₂₁xy``,
    ``ż = r₃xz/(x + k₃) − a₃₁xz − d₃z`` (Itik & Banks 2010, Int. J. Bifurcat. Chaos)."""

    a12: float = attrs.field(default=1.0, validator=finite)
    a13: float = attrs.field(default=2.5, validator=finite)
    a21: float = attrs.field(default=1.5, validator=finite)
    a31: float = attrs.field(default=0.2, validator=finite)
    d3: float = attrs.field(default=0.5, validator=finite)
    k3: float = attrs.field(default=1.0, validator=positive)
    r2: float = attrs.field(default=0.6, validator=finite)
    r3: float = attrs.field(default=4.5, validator=finite)

    kind: ClassVar[str] = "flow"
    variables: ClassVar[tuple[str, ...]] = ("x", "y", "z")
    metadata: ClassVar[SystemMetadata] = load_metadata("ItikBanksTumor")
    # largest RK4 substep (trajectory(method='rk4'), dynamics): the fast time scale is far below
    # period/200
    max_step: ClassVar[float | None] = 0.06

    def _rhs(self, t: Any, x: torch.Tensor) -> torch.Tensor:
        u, v, w = x.unbind(-1)
        return torch.stack(
            (
                u * (1.0 - u) - self.a12 * u * v - self.a13 * u * w,
                self.r2 * v * (1.0 - v) - self.a21 * u * v,
                self.r3 * u * w / (u + self.k3) - self.a31 * u * w - self.d3 * w,
            ),
            dim=-1,
        )

    def _jacobian(self, t: Any, x: torch.Tensor) -> torch.Tensor:
        u, v, w = x.unbind(-1)
        sat = u + self.k3
        return matrix(
            (
                (1.0 - 2.0 * u - self.a12 * v - self.a13 * w, -self.a12 * u, -self.a13 * u),
                (-self.a21 * v, self.r2 * (1.0 - 2.0 * v) - self.a21 * u, 0.0),
                (
                    self.r3 * self.k3 * w / sat**2 - self.a31 * w,
                    0.0,
                    self.r3 * u / sat - self.a31 * u - self.d3,
                ),
            ),
            u,
        )
