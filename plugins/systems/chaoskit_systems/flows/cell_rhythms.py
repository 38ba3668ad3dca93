"""Cellular rhythms: coupled cell-cycle oscillators, the circadian clock, a bursting excitable cell."""

from __future__ import annotations

import math
from typing import Any, ClassVar

import attrs
import torch
from chaoskit import SystemMetadata
from chaoskit.validators import finite, positive

from ..base import TorchSystem
from ..metadata import load_metadata
from ._rows import constant_like

__all__ = ["CellCycle", "CircadianRhythm", "ExcitableCell"]


@attrs.frozen(kw_only=True)
class CellCycle(TorchSystem):
    """Two coupled Goldbeter mitotic oscillators (Romond, Rustici, Gonze & Goldbeter 1999).

    For each oscillator ``i`` (cyclin ``cᵢ``, active cdc2 fraction ``mᵢ``, active protease
    fraction ``xᵢ``), with ``j`` the other one:
    ``ċᵢ = vi·Kim/(Kim + mⱼ) − vd·xᵢcᵢ/(Kd1 + cᵢ) − kd1·cᵢ``,
    ``ṁᵢ = Vm1·cᵢ/(Kc + cᵢ)·(1 − mᵢ)/(K + 1 − mᵢ) − V2·mᵢ/(K + mᵢ)``,
    ``ẋᵢ = Vm3·mᵢ·(1 − xᵢ)/(K + 1 − xᵢ) − V4·xᵢ/(K + xᵢ)``; the cdc2 kinase of each cell
    inhibits cyclin synthesis in the other (``Kim`` controls the bifurcations).
    """

    K: float = attrs.field(default=0.01, validator=positive)
    Kc: float = attrs.field(default=0.5, validator=positive)
    Kd1: float = attrs.field(default=0.02, validator=positive)
    Kim: float = attrs.field(default=0.65, validator=positive)
    V2: float = attrs.field(default=0.15, validator=finite)
    V4: float = attrs.field(default=0.05, validator=finite)
    Vm1: float = attrs.field(default=0.3, validator=finite)
    Vm3: float = attrs.field(default=0.1, validator=finite)
    kd1: float = attrs.field(default=0.001, validator=finite)
    vd: float = attrs.field(default=0.025, validator=finite)
    vi: float = attrs.field(default=0.05, validator=finite)

    kind: ClassVar[str] = "flow"
    variables: ClassVar[tuple[str, ...]] = ("c1", "m1", "x1", "c2", "m2", "x2")
    metadata: ClassVar[SystemMetadata] = load_metadata("CellCycle")

    def _cell(self, c: torch.Tensor, m: torch.Tensor, x: torch.Tensor,
              m_other: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        k = self.K
        dc = (self.vi * self.Kim / (self.Kim + m_other) - self.vd * x * c / (self.Kd1 + c)
              - self.kd1 * c)
        dm = (self.Vm1 * c / (self.Kc + c) * (1 - m) / (k + 1 - m) - self.V2 * m / (k + m))
        dx = self.Vm3 * m * (1 - x) / (k + 1 - x) - self.V4 * x / (k + x)
        return dc, dm, dx

    def _rhs(self, t: Any, x: torch.Tensor) -> torch.Tensor:
        c1, m1, x1, c2, m2, x2 = x.unbind(-1)
        return torch.stack((*self._cell(c1, m1, x1, m2), *self._cell(c2, m2, x2, m1)), dim=-1)


@attrs.frozen(kw_only=True)
class CircadianRhythm(TorchSystem):
    """Drosophila PER circadian clock under a light–dark cycle (Leloup, Gonze & Goldbeter 1999;
    Gonze, Leloup & Goldbeter 2000), in dysts' form.

    ``ṁ = v_s·Kiⁿ/(Kiⁿ + f_nⁿ) − vm·m/(km + m)``, ``ḟ_c = ks·m − (k1 + k)f_c + k2·f_n``,
    ``ḟ_s = k·f_c − vd·f_s/(kd + f_s)``, ``ḟ_n = k1·f_c − k2·f_n − vdn·f_n/(kdn + f_n)``,
    ``θ̇ = 2π/ps``, with the light-modulated transcription rate
    ``v_s = vc·(½ + ½cos θ + vmin)(vmax − vmin)`` (dysts' smooth forcing; the papers switch
    ``v_s`` between two levels).
    """

    Ki: float = attrs.field(default=1.0, validator=positive)
    k: float = attrs.field(default=0.5, validator=finite)
    k1: float = attrs.field(default=0.3, validator=finite)
    k2: float = attrs.field(default=0.15, validator=finite)
    kd: float = attrs.field(default=1.4, validator=positive)
    kdn: float = attrs.field(default=0.4, validator=positive)
    km: float = attrs.field(default=0.4, validator=positive)
    ks: float = attrs.field(default=1.0, validator=finite)
    n: float = attrs.field(default=4.0, validator=positive)
    ps: float = attrs.field(default=24.0, validator=positive)
    vc: float = attrs.field(default=2.5, validator=finite)
    vd: float = attrs.field(default=6.0, validator=finite)
    vdn: float = attrs.field(default=1.5, validator=finite)
    vm: float = attrs.field(default=0.7, validator=finite)
    vmax: float = attrs.field(default=4.7, validator=finite)
    vmin: float = attrs.field(default=1.0, validator=finite)

    kind: ClassVar[str] = "flow"
    variables: ClassVar[tuple[str, ...]] = ("m", "fc", "fs", "fn", "phase")
    metadata: ClassVar[SystemMetadata] = load_metadata("CircadianRhythm")

    def _rhs(self, t: Any, x: torch.Tensor) -> torch.Tensor:
        m, fc, fs, fn, phase = x.unbind(-1)
        vs = self.vc * (0.5 + 0.5 * torch.cos(phase) + self.vmin) * (self.vmax - self.vmin)
        kin = self.Ki**self.n
        return torch.stack((
            vs * kin / (kin + fn**self.n) - self.vm * m / (self.km + m),
            self.ks * m - self.k1 * fc + self.k2 * fn - self.k * fc,
            self.k * fc - self.vd * fs / (self.kd + fs),
            self.k1 * fc - self.k2 * fn - self.vdn * fn / (self.kdn + fn),
            constant_like(m, 2 * math.pi / self.ps),
        ), dim=-1)


@attrs.frozen(kw_only=True)
class ExcitableCell(TorchSystem):
    """Chay's three-variable model of a bursting excitable cell (1985, Physica D 16, 233).

    Membrane potential ``v`` (mV), K⁺-channel gate ``n``, intracellular Ca²⁺ ``c``:
    ``v̇ = gi·m∞³h∞(vi − v) + gkv·n⁴(vk − v) + gkc·c/(1 + c)·(vk − v) + gl(vl − v)``,
    ``ṅ = (n∞ − n)/τₙ``, ``ċ = ρ[m∞³h∞(vc − v) − kc·c]``, with Hodgkin–Huxley rates
    ``αₘ = ams(v + amvb)/(1 − e^{−ar·v − amvo})``, ``βₘ = bms·e^{−bmr·v − bmo}``,
    ``αₕ = ahs·e^{−ahr·v − aho}``, ``βₕ = 1/(1 + e^{−bhr·v − bho})``,
    ``αₙ = ans(v + anvb)/(1 − e^{−ar·v − anvo})``, ``βₙ = bns·e^{−bnr·v − bno}``,
    ``x∞ = αₓ/(αₓ + βₓ)``, ``τₙ = 1/(tscl(αₙ + βₙ))``. ``vm`` and ``vn`` (−50, −30 mV) are
    the centres of ``βₘ`` and ``βₙ`` (``bmo = −bmr·vm``, ``bno = −bnr·vn``), kept for dysts'
    parameter set; the offsets ``bmo``, ``bno`` enter the equations.
    """

    aho: float = attrs.field(default=2.5, validator=finite)
    ahr: float = attrs.field(default=0.05, validator=finite)
    ahs: float = attrs.field(default=0.07, validator=finite)
    ams: float = attrs.field(default=0.1, validator=finite)
    amvb: float = attrs.field(default=25.0, validator=finite)
    amvo: float = attrs.field(default=2.5, validator=finite)
    ans: float = attrs.field(default=0.01, validator=finite)
    anvb: float = attrs.field(default=20.0, validator=finite)
    anvo: float = attrs.field(default=2.0, validator=finite)
    ar: float = attrs.field(default=0.1, validator=finite)
    bho: float = attrs.field(default=2.0, validator=finite)
    bhr: float = attrs.field(default=0.1, validator=finite)
    bmo: float = attrs.field(default=2.7777777777777777, validator=finite)
    bmr: float = attrs.field(default=0.05555555555555555, validator=finite)
    bms: float = attrs.field(default=4.0, validator=finite)
    bno: float = attrs.field(default=0.375, validator=finite)
    bnr: float = attrs.field(default=0.0125, validator=finite)
    bns: float = attrs.field(default=0.125, validator=finite)
    gi: float = attrs.field(default=1800.0, validator=finite)
    gkc: float = attrs.field(default=11.0, validator=finite)
    gkv: float = attrs.field(default=1700.0, validator=finite)
    gl: float = attrs.field(default=7.0, validator=finite)
    kc: float = attrs.field(default=0.183333, validator=finite)
    rho: float = attrs.field(default=0.27, validator=finite)
    tscl: float = attrs.field(default=230.0, validator=positive)
    vc: float = attrs.field(default=100.0, validator=finite)
    vi: float = attrs.field(default=100.0, validator=finite)
    vk: float = attrs.field(default=-75.0, validator=finite)
    vl: float = attrs.field(default=-40.0, validator=finite)
    vm: float = attrs.field(default=-50.0, validator=finite)
    vn: float = attrs.field(default=-30.0, validator=finite)

    kind: ClassVar[str] = "flow"
    variables: ClassVar[tuple[str, ...]] = ("v", "n", "c")
    metadata: ClassVar[SystemMetadata] = load_metadata("ExcitableCell")

    def _rhs(self, t: Any, x: torch.Tensor) -> torch.Tensor:
        v, n, c = x.unbind(-1)
        alpha_m = self.ams * (v + self.amvb) / (1 - torch.exp(-self.ar * v - self.amvo))
        beta_m = self.bms * torch.exp(-self.bmr * v - self.bmo)
        alpha_h = self.ahs * torch.exp(-self.ahr * v - self.aho)
        beta_h = 1 / (1 + torch.exp(-self.bhr * v - self.bho))
        alpha_n = self.ans * (v + self.anvb) / (1 - torch.exp(-self.ar * v - self.anvo))
        beta_n = self.bns * torch.exp(-self.bnr * v - self.bno)
        m_inf = alpha_m / (alpha_m + beta_m)
        h_inf = alpha_h / (alpha_h + beta_h)
        n_inf = alpha_n / (alpha_n + beta_n)
        fast = m_inf**3 * h_inf
        dv = (self.gi * fast * (self.vi - v) + self.gkv * n**4 * (self.vk - v)
              + self.gkc * c / (1 + c) * (self.vk - v) + self.gl * (self.vl - v))
        dn = (n_inf - n) * self.tscl * (alpha_n + beta_n)
        dc = self.rho * (fast * (self.vc - v) - self.kc * c)
        return torch.stack((dv, dn, dc), dim=-1)
