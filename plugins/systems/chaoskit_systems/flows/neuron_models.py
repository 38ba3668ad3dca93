"""Neuron models: the Hindmarsh–Rose burster (with separate time scales) and a small Hopfield
network with frustrated inhibitory connectivity."""

from __future__ import annotations

from typing import Any, ClassVar

import attrs
import torch
from chaoskit import ParameterError, SystemMetadata
from chaoskit.validators import finite, positive

from ..base import TorchSystem
from ..metadata import load_metadata
from ._array_fields import (
    ArrayParameterSystem,
    finite_array,
    float_array,
    matrix,
    sized_variables,
)

__all__ = ["HindmarshRose", "Hopfield"]


@attrs.frozen(kw_only=True)
class HindmarshRose(TorchSystem):
    """Hindmarsh–Rose neuron with time scales ``tx``, ``tz`` (the form of Marhl & Perc 2005):
    ``ẋ = −x + (y − ax³ + bx² + z)/tx``, ``ẏ = −ax³ − (d − b)x² + z``, ``ż = (c − sx − z)/tz``
    (Hindmarsh & Rose 1984, Proc. R. Soc. Lond. B 221, 87;
    Marhl & Perc 2005, Chaos Solitons Fractals)."""

    a: float = attrs.field(default=0.49, validator=finite)
    b: float = attrs.field(default=1.0, validator=finite)
    c: float = attrs.field(default=0.0322, validator=finite)
    d: float = attrs.field(default=1.0, validator=finite)
    s: float = attrs.field(default=1.0, validator=finite)
    tx: float = attrs.field(default=0.03, validator=positive)
    tz: float = attrs.field(default=0.8, validator=positive)

    kind: ClassVar[str] = "flow"
    variables: ClassVar[tuple[str, ...]] = ("x", "y", "z")
    metadata: ClassVar[SystemMetadata] = load_metadata("HindmarshRose")

    def _rhs(self, t: Any, x: torch.Tensor) -> torch.Tensor:
        u, v, w = x.unbind(-1)
        cubic = self.a * u**3
        return torch.stack(
            (
                (v - cubic + self.b * u * u + w) / self.tx - u,
                w - cubic - (self.d - self.b) * u * u,
                (self.c - self.s * u - w) / self.tz,
            ),
            dim=-1,
        )

    def _jacobian(self, t: Any, x: torch.Tensor) -> torch.Tensor:
        u, _v, _w = x.unbind(-1)
        slope = -3.0 * self.a * u * u
        return matrix(
            (
                ((slope + 2.0 * self.b * u) / self.tx - 1.0, 1.0 / self.tx, 1.0 / self.tx),
                (slope - 2.0 * (self.d - self.b) * u, 0.0, 1.0),
                (-self.s / self.tz, 0.0, -1.0 / self.tz),
            ),
            u,
        )


_HOPFIELD_K = (
    (0, -1, 0, 0, -1, -1),
    (0, 0, 0, -1, -1, -1),
    (-1, -1, 0, 0, -1, 0),
    (-1, -1, -1, 0, 0, 0),
    (-1, -1, 0, -1, 0, 0),
    (0, -1, -1, -1, 0, 0),
)


@attrs.frozen(kw_only=True)
class Hopfield(ArrayParameterSystem):
    """Hopfield network of ``n`` units: ``ẋᵢ = −xᵢ/τ + f(ε Σⱼ kᵢⱼ xⱼ) − β`` with the gain
    ``f(u) = (1 + tanh u)/2`` (Lewis & Glass 1992, Neural Comput. 4, 621).

    ``k`` is the ``n × n`` connection matrix (default: dysts' 6-unit inhibitory network); the
    dimension follows its size.
    """

    beta: float = attrs.field(default=0.5, validator=finite)
    eps: float = attrs.field(default=10.0, validator=finite)
    k: tuple[tuple[float, ...], ...] = attrs.field(
        default=_HOPFIELD_K, converter=float_array, validator=finite_array(2)
    )
    tau: float = attrs.field(default=2.5, validator=positive)

    kind: ClassVar[str] = "flow"
    metadata: ClassVar[SystemMetadata] = load_metadata("Hopfield")
    # largest RK4 substep (trajectory(method='rk4'), dynamics): the fast time scale is far below
    # period/200
    max_step: ClassVar[float | None] = 0.01

    @k.validator
    def _square(self, attribute: Any, value: Any) -> None:
        if any(len(row) != len(value) for row in value):
            raise ParameterError(
                f"Hopfield.k must be a square matrix, got {len(value)} rows "
                f"of lengths {[len(row) for row in value]}"
            )

    @sized_variables
    def variables(self) -> tuple[str, ...]:
        """``("x1", …, "xn")``, one per unit."""
        return tuple(f"x{i + 1}" for i in range(len(self.k)))

    def _rhs(self, t: Any, x: torch.Tensor) -> torch.Tensor:
        drive = self.eps * (x[..., None, :] * self._tensor(self.k, x)).sum(-1)  # batch-invariant
        return 0.5 * (1.0 + torch.tanh(drive)) - self.beta - x / self.tau

    def _jacobian(self, t: Any, x: torch.Tensor) -> torch.Tensor:
        k = self._tensor(self.k, x)
        drive = self.eps * (x[..., None, :] * k).sum(-1)
        gain = 0.5 * self.eps * (1.0 - torch.tanh(drive) ** 2)
        eye = torch.eye(len(self.k), dtype=x.dtype, device=x.device)
        return gain[..., :, None] * k - eye / self.tau
