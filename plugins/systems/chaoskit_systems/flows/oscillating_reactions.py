"""Oscillating (bio)chemical reactions: Belousov–Zhabotinsky, glycolysis, calcium signalling."""

from __future__ import annotations

from typing import Any, ClassVar

import attrs
import torch
from chaoskit import SystemMetadata
from chaoskit.validators import finite, nonnegative, positive

from ..base import TorchSystem
from ..metadata import load_metadata

__all__ = ["BelousovZhabotinsky", "CaTwoPlus", "CaTwoPlusQuasiperiodic", "GlycolyticOscillation"]


@attrs.frozen(kw_only=True)
class BelousovZhabotinsky(TorchSystem):
    """Györgyi–Field three-variable model of the BZ reaction (1992, Nature 355, 808).

    Scaled concentrations ``x`` (HBrO₂), ``z`` (Ce⁴⁺), ``v`` (organic radical); bromide is
    slaved, ``ȳ = (yb1/y0)·zv/(yb2·x + yb3 + kf)``, and ``r_f = (ci − z0·z)√x``:
    ``ẋ = T[c1xȳ + c2ȳ + c3x² + c4r_f + c5xz − kf·x]``,
    ``ż = T[(c6/z0)r_f + c7xz + c8zv + c9z − kf·z]``,
    ``v̇ = T[c10xȳ + c11ȳ + c12x² + c13zv − kf·v]`` with ``T = t0``; ``kf`` is the flow rate
    (chaotic at 3.5e-4). As in dysts, ``x`` is clipped at 0 everywhere except in ``ȳ``.
    """

    c1: float = attrs.field(default=-8.03474, validator=finite)
    c10: float = attrs.field(default=0.0223915, validator=finite)
    c11: float = attrs.field(default=7.53559e-05, validator=finite)
    c12: float = attrs.field(default=8.07384e-06, validator=finite)
    c13: float = attrs.field(default=-0.000499825, validator=finite)
    c2: float = attrs.field(default=0.05408, validator=finite)
    c3: float = attrs.field(default=-0.0115886, validator=finite)
    c4: float = attrs.field(default=832.587, validator=finite)
    c5: float = attrs.field(default=-0.029155, validator=finite)
    c6: float = attrs.field(default=0.00321617, validator=finite)
    c7: float = attrs.field(default=-0.01352, validator=finite)
    c8: float = attrs.field(default=-0.0831709, validator=finite)
    c9: float = attrs.field(default=-0.0199985, validator=finite)
    ci: float = attrs.field(default=0.000833, validator=finite)
    kf: float = attrs.field(default=0.00035, validator=nonnegative)
    t0: float = attrs.field(default=2308.62, validator=positive)
    y0: float = attrs.field(default=7.72571e-06, validator=positive)
    yb1: float = attrs.field(default=6.92813e-07, validator=finite)
    yb2: float = attrs.field(default=2.00869, validator=finite)
    yb3: float = attrs.field(default=0.01352, validator=finite)
    z0: float = attrs.field(default=8.33e-06, validator=positive)

    kind: ClassVar[str] = "flow"
    variables: ClassVar[tuple[str, ...]] = ("x", "z", "v")
    metadata: ClassVar[SystemMetadata] = load_metadata("BelousovZhabotinsky")

    def _rhs(self, t: Any, x: torch.Tensor) -> torch.Tensor:
        hbro2, ce, rad = x.unbind(-1)
        ybar = (self.yb1 / self.y0) * ce * rad / (self.yb2 * hbro2 + self.yb3 + self.kf)
        pos = hbro2 > 0
        xc = torch.where(pos, hbro2, torch.zeros_like(hbro2))
        # sqrt with a finite derivative where x <= 0 (the branch is 0 there)
        root = torch.where(pos, torch.sqrt(torch.where(pos, hbro2, torch.ones_like(hbro2))),
                           torch.zeros_like(hbro2))
        rf = (self.ci - self.z0 * ce) * root
        dx = (self.c1 * xc * ybar + self.c2 * ybar + self.c3 * xc**2 + self.c4 * rf
              + self.c5 * xc * ce - self.kf * xc)
        dz = (self.c6 / self.z0 * rf + self.c7 * xc * ce + self.c8 * ce * rad + self.c9 * ce
              - self.kf * ce)
        dv = (self.c10 * xc * ybar + self.c11 * ybar + self.c12 * xc**2 + self.c13 * ce * rad
              - self.kf * rad)
        return self.t0 * torch.stack((dx, dz, dv), dim=-1)


@attrs.frozen(kw_only=True)
class GlycolyticOscillation(TorchSystem):
    """Decroly–Goldbeter model of two allosteric enzymes in series (1982, PNAS 79, 6917).

    ``φ = a(1+a)(1+b)² / (L1 + (1+a)²(1+b)²)``, ``η = b(1+db)(1+c)² / (L2 + (1+db)²(1+c)²)``;
    ``ȧ = ν − σ₁φ``, ``ḃ = q₁σ₁φ − σ₂η``, ``ċ = q₂σ₂η − kc`` (``l1, l2, s1, s2`` are
    L1, L2, σ₁, σ₂).
    """

    d: float = attrs.field(default=0.0, validator=finite)
    k: float = attrs.field(default=4.422, validator=finite)
    l1: float = attrs.field(default=500000000.0, validator=positive)
    l2: float = attrs.field(default=100.0, validator=positive)
    nu: float = attrs.field(default=1.0, validator=finite)
    q1: float = attrs.field(default=50.0, validator=finite)
    q2: float = attrs.field(default=0.02, validator=finite)
    s1: float = attrs.field(default=22.2222, validator=finite)
    s2: float = attrs.field(default=22.2222, validator=finite)

    kind: ClassVar[str] = "flow"
    variables: ClassVar[tuple[str, ...]] = ("a", "b", "c")
    metadata: ClassVar[SystemMetadata] = load_metadata("GlycolyticOscillation")

    def _rhs(self, t: Any, x: torch.Tensor) -> torch.Tensor:
        a, b, c = x.unbind(-1)
        act1 = (1 + a) ** 2 * (1 + b) ** 2
        phi = a * (1 + a) * (1 + b) ** 2 / (self.l1 + act1)
        db = 1 + self.d * b
        eta = b * db * (1 + c) ** 2 / (self.l2 + db**2 * (1 + c) ** 2)
        return torch.stack((
            self.nu - self.s1 * phi,
            self.q1 * self.s1 * phi - self.s2 * eta,
            self.q2 * self.s2 * eta - self.k * c,
        ), dim=-1)


def _hill(x: torch.Tensor, k: float, n: float) -> torch.Tensor:
    """``xⁿ / (kⁿ + xⁿ)``."""
    xn = x**n
    return xn / (k**n + xn)


@attrs.frozen(kw_only=True)
class CaTwoPlus(TorchSystem):
    """Houart–Dupont–Goldbeter model of Ca²⁺ oscillations with IP₃ metabolism (1999, Bull. Math. Biol. 61, 507).

    Cytosolic Ca²⁺ ``z``, Ca²⁺ in the store ``y``, IP₃ ``a``:
    ``ż = V0 + V1β − V2 + V3 + kf·y − k·z``, ``ẏ = V2 − V3 − kf·y``, ``ȧ = βV4 − V5 − εa``
    with ``V2 = Vm2·z²/(K2² + z²)``, ``V3 = Vm3·hill(z; Kz, m)·hill(y; Ky, 2)·hill(a; Ka, 4)``,
    ``V5 = Vm5·hill(a; K5, p)·hill(z; Kd, n)``.
    """

    K2: float = attrs.field(default=0.1, validator=positive)
    K5: float = attrs.field(default=0.3194, validator=positive)
    Ka: float = attrs.field(default=0.1, validator=positive)
    Kd: float = attrs.field(default=1.0, validator=positive)
    Ky: float = attrs.field(default=0.3, validator=positive)
    Kz: float = attrs.field(default=0.6, validator=positive)
    V0: float = attrs.field(default=2.0, validator=finite)
    V1: float = attrs.field(default=2.0, validator=finite)
    V4: float = attrs.field(default=3.0, validator=finite)
    Vm2: float = attrs.field(default=6.0, validator=finite)
    Vm3: float = attrs.field(default=30.0, validator=finite)
    Vm5: float = attrs.field(default=50.0, validator=finite)
    beta: float = attrs.field(default=0.65, validator=finite)
    eps: float = attrs.field(default=13.0, validator=finite)
    k: float = attrs.field(default=10.0, validator=finite)
    kf: float = attrs.field(default=1.0, validator=finite)
    m: float = attrs.field(default=2.0, validator=positive)
    n: float = attrs.field(default=4.0, validator=positive)
    p: float = attrs.field(default=1.0, validator=positive)

    kind: ClassVar[str] = "flow"
    variables: ClassVar[tuple[str, ...]] = ("z", "y", "a")
    metadata: ClassVar[SystemMetadata] = load_metadata("CaTwoPlus")

    def _rhs(self, t: Any, x: torch.Tensor) -> torch.Tensor:
        z, y, a = x.unbind(-1)
        v_in = self.V0 + self.V1 * self.beta
        v2 = self.Vm2 * _hill(z, self.K2, 2.0)
        v3 = self.Vm3 * _hill(z, self.Kz, self.m) * _hill(y, self.Ky, 2.0) * _hill(a, self.Ka, 4.0)
        v5 = self.Vm5 * _hill(a, self.K5, self.p) * _hill(z, self.Kd, self.n)
        return torch.stack((
            v_in - v2 + v3 + self.kf * y - self.k * z,
            v2 - v3 - self.kf * y,
            self.beta * self.V4 - v5 - self.eps * a,
        ), dim=-1)


@attrs.frozen(kw_only=True)
class CaTwoPlusQuasiperiodic(CaTwoPlus):
    """The model of :class:`CaTwoPlus` at Houart et al.'s quasiperiodic parameter set."""

    K2: float = attrs.field(default=0.1, validator=positive)
    K5: float = attrs.field(default=0.3, validator=positive)
    Ka: float = attrs.field(default=0.2, validator=positive)
    Kd: float = attrs.field(default=0.5, validator=positive)
    Ky: float = attrs.field(default=0.2, validator=positive)
    Kz: float = attrs.field(default=0.5, validator=positive)
    V0: float = attrs.field(default=2.0, validator=finite)
    V1: float = attrs.field(default=2.0, validator=finite)
    V4: float = attrs.field(default=5.0, validator=finite)
    Vm2: float = attrs.field(default=6.0, validator=finite)
    Vm3: float = attrs.field(default=20.0, validator=finite)
    Vm5: float = attrs.field(default=30.0, validator=finite)
    beta: float = attrs.field(default=0.51, validator=finite)
    eps: float = attrs.field(default=0.1, validator=finite)
    k: float = attrs.field(default=10.0, validator=finite)
    kf: float = attrs.field(default=1.0, validator=finite)
    m: float = attrs.field(default=2.0, validator=positive)
    n: float = attrs.field(default=4.0, validator=positive)
    p: float = attrs.field(default=2.0, validator=positive)

    metadata: ClassVar[SystemMetadata] = load_metadata("CaTwoPlusQuasiperiodic")
