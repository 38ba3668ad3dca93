"""Small continuous-time neural networks: a cellular neural network and Beer's CTRNN."""

from __future__ import annotations

from typing import Any, ClassVar

import attrs
import torch
from chaoskit import SystemMetadata
from chaoskit.validators import finite, positive

from ..base import TorchSystem
from ..metadata import load_metadata

__all__ = ["BeerRNN", "CellularNeuralNetwork"]


def _saturation(x: torch.Tensor) -> torch.Tensor:
    """The piecewise-linear output ``½(|x + 1| − |x − 1|)`` of a CNN cell."""
    return 0.5 * (torch.abs(x + 1) - torch.abs(x - 1))


@attrs.frozen(kw_only=True)
class CellularNeuralNetwork(TorchSystem):
    """Three-cell cellular neural network, ``ẋᵢ = −xᵢ + Σⱼ Aᵢⱼ f(xⱼ)`` with ``f`` saturating.

    ``ẋ = −x + d f(x) − b f(y) − b f(z)``, ``ẏ = −y − b f(x) + c f(y) − a f(z)``,
    ``ż = −z − b f(x) + a f(y) + f(z)`` (Arena, Caponetto, Fortuna & Porto 1998, Int. J.
    Bifurcation Chaos 8, 1527).
    """

    a: float = attrs.field(default=4.4, validator=finite)
    b: float = attrs.field(default=3.21, validator=finite)
    c: float = attrs.field(default=1.1, validator=finite)
    d: float = attrs.field(default=1.24, validator=finite)

    kind: ClassVar[str] = "flow"
    variables: ClassVar[tuple[str, ...]] = ("x", "y", "z")
    metadata: ClassVar[SystemMetadata] = load_metadata("CellularNeuralNetwork")

    def _rhs(self, t: Any, x: torch.Tensor) -> torch.Tensor:
        u, v, w = x.unbind(-1)
        fu, fv, fw = _saturation(u), _saturation(v), _saturation(w)
        a, b, c, d = self.a, self.b, self.c, self.d
        return torch.stack((
            -u + d * fu - b * fv - b * fw,
            -v - b * fu + c * fv - a * fw,
            -w - b * fu + a * fv + fw,
        ), dim=-1)


@attrs.frozen(kw_only=True)
class BeerRNN(TorchSystem):
    """Continuous-time recurrent neural network of three neurons (Beer 1995, Adapt. Behav. 3, 469).

    ``τᵢ ẏᵢ = −yᵢ + Σⱼ wᵢⱼ σ(yⱼ + θⱼ)`` with the logistic ``σ(x) = 1/(1 + e⁻ˣ)``. dysts stores
    ``tau`` and ``theta`` as lists and ``w`` as a 3×3 matrix; here they are scalar fields
    ``tau1 … tau3``, ``theta1 … theta3`` and ``w11 … w33`` (row ``i`` = the inputs of neuron
    ``i``, as dysts' product ``w @ σ(y + θ)``), so each can be swept with ``attrs.evolve``.
    """

    tau1: float = attrs.field(default=1.0, validator=positive)
    tau2: float = attrs.field(default=2.5, validator=positive)
    tau3: float = attrs.field(default=1.0, validator=positive)
    theta1: float = attrs.field(default=-4.108, validator=finite)
    theta2: float = attrs.field(default=-2.787, validator=finite)
    theta3: float = attrs.field(default=-1.114, validator=finite)
    w11: float = attrs.field(default=5.422, validator=finite)
    w12: float = attrs.field(default=-0.018, validator=finite)
    w13: float = attrs.field(default=2.75, validator=finite)
    w21: float = attrs.field(default=-0.24, validator=finite)
    w22: float = attrs.field(default=4.59, validator=finite)
    w23: float = attrs.field(default=1.21, validator=finite)
    w31: float = attrs.field(default=0.535, validator=finite)
    w32: float = attrs.field(default=-2.25, validator=finite)
    w33: float = attrs.field(default=3.885, validator=finite)

    kind: ClassVar[str] = "flow"
    variables: ClassVar[tuple[str, ...]] = ("y1", "y2", "y3")
    metadata: ClassVar[SystemMetadata] = load_metadata("BeerRNN")

    @property
    def weights(self) -> tuple[tuple[float, ...], ...]:
        """The weight matrix ``w`` as rows (row ``i``: the inputs of neuron ``i``)."""
        return ((self.w11, self.w12, self.w13), (self.w21, self.w22, self.w23),
                (self.w31, self.w32, self.w33))

    def _rhs(self, t: Any, x: torch.Tensor) -> torch.Tensor:
        y = x.unbind(-1)
        thetas = (self.theta1, self.theta2, self.theta3)
        fire = [torch.sigmoid(yj + th) for yj, th in zip(y, thetas)]
        taus = (self.tau1, self.tau2, self.tau3)
        out = [
            (-yi + row[0] * fire[0] + row[1] * fire[1] + row[2] * fire[2]) / tau
            for yi, row, tau in zip(y, self.weights, taus)
        ]
        return torch.stack(out, dim=-1)
