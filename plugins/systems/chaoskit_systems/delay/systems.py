"""The delay equations of the dysts database: Mackey–Glass, Ikeda, Sprott's sine delay, Voss's
circuit, the scroll delay and the piecewise (cubic) circuit — all scalar, ``variables = ("x",)``.

Each is ``x'(t) = f(x(t), x(t − τ))`` with the default figures (parameters, initial state, time
scales) from dysts' database; see ``data/delay.json`` for what differs from dysts.
"""

from __future__ import annotations

from typing import Any, ClassVar

import attrs
import torch
from chaoskit import SystemMetadata
from chaoskit.validators import finite, positive

from ..metadata import load_metadata
from .base import DelaySystem

__all__ = ["IkedaDelay", "MackeyGlass", "PiecewiseCircuit", "ScrollDelay", "SprottDelay", "VossDelay"]

_X: tuple[str, ...] = ("x",)

# Each ``_rhs`` below requires ``x_delayed`` (the simulation always passes it), where
# ``DelaySystem._rhs`` declares it optional to stay a valid override of ``System._rhs(t, x)``:
# hence ``type: ignore[override]`` on each.


@attrs.frozen(kw_only=True)
class MackeyGlass(DelaySystem):
    """Mackey–Glass (1977) blood-cell production: ``x' = β·x_τ / (1 + x_τⁿ) − γ·x``.

    ``x_τ = x(t − τ)``. Chaotic for τ ≳ 16.8 at β = 0.2, γ = 0.1, n = 10; the default τ = 16
    is dysts' figure (the literature's reference invariants are at τ = 17, see the metadata).
    """

    beta: float = attrs.field(default=0.2, validator=finite)
    gamma: float = attrs.field(default=0.1, validator=finite)
    n: float = attrs.field(default=10.0, validator=finite)
    tau: float = attrs.field(default=16.0, validator=positive)

    variables: ClassVar[tuple[str, ...]] = _X
    metadata: ClassVar[SystemMetadata] = load_metadata("MackeyGlass")
    max_step: ClassVar[float | None] = 0.1

    def _rhs(self, t: Any, x: torch.Tensor, x_delayed: torch.Tensor) -> torch.Tensor:  # type: ignore[override]
        feedback = x_delayed / (1.0 + x_delayed.pow(self.n))
        return self.beta * feedback - self.gamma * x


@attrs.frozen(kw_only=True)
class IkedaDelay(DelaySystem):
    """Ikeda & Matsumoto (1987) passive optical resonator: ``x' = μ·sin(x_τ − x0) − c·x``."""

    c: float = attrs.field(default=1.0, validator=finite)
    mu: float = attrs.field(default=-20.0, validator=finite)
    tau: float = attrs.field(default=2.0, validator=positive)
    x0: float = attrs.field(default=0.0, validator=finite)

    variables: ClassVar[tuple[str, ...]] = _X
    metadata: ClassVar[SystemMetadata] = load_metadata("IkedaDelay")
    max_step: ClassVar[float | None] = 0.005

    def _rhs(self, t: Any, x: torch.Tensor, x_delayed: torch.Tensor) -> torch.Tensor:  # type: ignore[override]
        return self.mu * torch.sin(x_delayed - self.x0) - self.c * x


@attrs.frozen(kw_only=True)
class SprottDelay(DelaySystem):
    """Sprott (2007), the simplest chaotic delay equation with a sine: ``x' = sin(x_τ)``.

    Written, like dysts, in Ikeda's form ``x' = μ·sin(x_τ − x0) − c·x`` with μ = 1, x0 = 0,
    c = 0; chaotic from τ ≈ 5 on. With c = 0 there is no restoring force: the orbit hops
    between the wells ``x ∈ (2πk − π, 2πk + π)`` (chaotic diffusion, Sprott 2007), so ``x``
    is not bounded over long times.
    """

    c: float = attrs.field(default=0.0, validator=finite)
    mu: float = attrs.field(default=1.0, validator=finite)
    x0: float = attrs.field(default=0.0, validator=finite)
    tau: float = attrs.field(default=5.1, validator=positive)

    variables: ClassVar[tuple[str, ...]] = _X
    metadata: ClassVar[SystemMetadata] = load_metadata("SprottDelay")
    max_step: ClassVar[float | None] = 0.1

    def _rhs(self, t: Any, x: torch.Tensor, x_delayed: torch.Tensor) -> torch.Tensor:  # type: ignore[override]
        return self.mu * torch.sin(x_delayed - self.x0) - self.c * x


@attrs.frozen(kw_only=True)
class VossDelay(DelaySystem):
    """Voss (2002) electronic circuit with delayed feedback: ``x' = −α·x + f(x_τ)`` with the
    cubic ``f(u) = −10.44u³ − 13.95u² − 3.63u + 0.85`` (the circuit's fitted characteristic)."""

    alpha: float = attrs.field(default=3.24, validator=finite)
    tau: float = attrs.field(default=13.28, validator=positive)

    variables: ClassVar[tuple[str, ...]] = _X
    metadata: ClassVar[SystemMetadata] = load_metadata("VossDelay")
    max_step: ClassVar[float | None] = 0.02

    def _rhs(self, t: Any, x: torch.Tensor, x_delayed: torch.Tensor) -> torch.Tensor:  # type: ignore[override]
        u = x_delayed
        feedback = ((-10.44 * u - 13.95) * u - 3.63) * u + 0.85
        return feedback - self.alpha * x


@attrs.frozen(kw_only=True)
class ScrollDelay(DelaySystem):
    """Multiscroll delay circuit (after Driver 1977, as in dysts): ``x' = −α·x_τ + β·tanh(10·x_τ)``.

    The right-hand side depends on the delayed value only.
    """

    alpha: float = attrs.field(default=0.2, validator=finite)
    beta: float = attrs.field(default=0.2, validator=finite)
    tau: float = attrs.field(default=10.0, validator=positive)

    variables: ClassVar[tuple[str, ...]] = _X
    metadata: ClassVar[SystemMetadata] = load_metadata("ScrollDelay")
    max_step: ClassVar[float | None] = 0.1

    def _rhs(self, t: Any, x: torch.Tensor, x_delayed: torch.Tensor) -> torch.Tensor:  # type: ignore[override]
        return self.beta * torch.tanh(10.0 * x_delayed) - self.alpha * x_delayed


@attrs.frozen(kw_only=True)
class PiecewiseCircuit(DelaySystem):
    """Delayed-feedback circuit of Tamaševičius, Mykolaitis & Bumelienė (2006), in dysts' form
    ``x' = −α·x_τ + β·f(x_τ)`` with ``f(u) = −(u/c)³ + 3u/c``.

    The right-hand side depends on the delayed value only.
    """

    alpha: float = attrs.field(default=1.0, validator=finite)
    beta: float = attrs.field(default=1.0, validator=finite)
    c: float = attrs.field(default=2.24, validator=positive)
    tau: float = attrs.field(default=4.9, validator=positive)

    variables: ClassVar[tuple[str, ...]] = _X
    metadata: ClassVar[SystemMetadata] = load_metadata("PiecewiseCircuit")
    max_step: ClassVar[float | None] = 0.1

    def _rhs(self, t: Any, x: torch.Tensor, x_delayed: torch.Tensor) -> torch.Tensor:  # type: ignore[override]
        u = x_delayed / self.c
        return self.beta * (3.0 - u * u) * u - self.alpha * x_delayed
