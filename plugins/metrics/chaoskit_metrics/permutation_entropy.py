"""Permutation entropy and Jensen–Shannon statistical complexity as chaoskit Invariants.

Both are computed per member and per variable (each feature of a field) from the ordinal
patterns of :mod:`chaoskit_metrics.ordinal`: pattern size ``n`` (default 5, PECCARY's) and
sampling interval ``lag`` = ℓ samples (pattern timescale ``t_pat = (n − 1)·ℓ·dt``). Ties are
ranked by time (stable argsort). As Metrics they compare the forecast's value with the truth's
(relative error, mean over variables). A member with a constant variable, or a diverged
(non-finite) member, gives NaN with a recorded reason; a series shorter than one window raises
:class:`chaoskit.DataError`.

Rule of thumb: use at least ``5 · n!`` windows (600 for n = 5); fewer leave patterns unsampled
and bias H low. The result's attrs give ``windows`` (per series) to check.
"""

from __future__ import annotations

from math import factorial
from typing import Any, ClassVar

import attrs
import chaoskit
import numpy as np
import xarray as xr
from chaoskit.validators import integer

from .ordinal import MAX_ORDER, complexity_entropy
from .support import ReasonedInvariant, feature_array, note_nan, per_feature

__all__ = ["PermutationEntropy", "StatisticalComplexity"]


def _order(instance: Any, attribute: Any, value: Any) -> None:
    integer(2)(instance, attribute, value)
    if value > MAX_ORDER:
        raise chaoskit.ParameterError(
            f"{type(instance).__name__}.{attribute.name} must be <= {MAX_ORDER} ({MAX_ORDER}! patterns), got {value}"
        )


@attrs.define(frozen=True, kw_only=True)
class _Ordinal(ReasonedInvariant):
    """Shared estimate of H and C; subclasses pick which one they report."""

    kind: ClassVar[str] = "long_term"
    units: ClassVar[str] = ""
    _which: ClassVar[int] = 0

    n: int = attrs.field(default=5, validator=_order)
    lag: int = attrs.field(default=1, validator=integer(1))

    def _estimate(self, data: Any) -> xr.DataArray:
        values, names = feature_array(data)
        members, steps, features = values.shape
        windows = steps - (self.n - 1) * self.lag
        if windows < 1:
            raise chaoskit.DataError(
                f"{self.name}: {steps} time points hold no ordinal pattern of size n = {self.n} at "
                f"lag {self.lag} (needs {(self.n - 1) * self.lag + 1}); use a longer series or smaller n, lag"
            )
        out = np.full((members, features), np.nan)
        finite = np.isfinite(values).all(axis=1)  # (member, feature)
        constant = np.ptp(np.where(np.isfinite(values), values, 0.0), axis=1) == 0
        good = finite & ~constant
        series = np.moveaxis(values, 1, -1)  # (member, feature, time)
        if good.any():
            result = complexity_entropy(series[good], self.n, self.lag)[self._which]
            out[good] = result
        for m, f in zip(*np.nonzero(~good)):
            what = "is non-finite (diverged)" if not finite[m, f] else "is constant (every window ties)"
            note_nan(int(m), f"variable {names[f]!r} {what}")
        attrs_ = self.describe()
        attrs_.update(n=self.n, lag=self.lag, windows=int(windows), patterns=factorial(self.n),
                      tie_rule="equal values ranked by time, earlier lower (stable argsort)")
        if getattr(data, "attrs", None) is not None and "dt" in data.attrs:
            attrs_["pattern_timescale"] = (self.n - 1) * self.lag * float(data.attrs["dt"])
        return per_feature(out, data, names, name=self.name, attrs=attrs_)


@attrs.define(frozen=True, kw_only=True)
class PermutationEntropy(_Ordinal):
    """Normalized permutation entropy ``H ∈ [0, 1]`` (Bandt & Pompe 2002) per member and variable.

    Parameters
    ----------
    n
        Pattern size (embedding dimension), 2 ≤ n ≤ 10; default 5.
    lag
        Sampling interval ℓ in samples (embedding delay); default 1.

    Notes
    -----
    ``H = −Σ p ln p / ln n!`` over the observed pattern frequencies. White noise gives H → 1,
    a sine sampled finely gives H near ``ln 2 / ln n!``-ish low values, chaotic maps lie in
    between. ``estimate(ds)`` returns ``(member, variable)``; as a Metric, the relative error
    ``|H_f − H_t| / H_t`` averaged over variables.
    """

    name: ClassVar[str] = "permutation_entropy"
    definition: ClassVar[str] = (
        "H = -sum p ln p / ln(n!) over ordinal-pattern frequencies (pattern size n, sampling "
        "interval lag samples, ties ranked by time), per member and variable; as a metric the "
        "relative error |H(forecast) - H(truth)| / H(truth), mean over variables"
    )
    _which: ClassVar[int] = 0


@attrs.define(frozen=True, kw_only=True)
class StatisticalComplexity(_Ordinal):
    """Jensen–Shannon statistical complexity ``C`` (Rosso et al. 2007) per member and variable.

    Parameters
    ----------
    n
        Pattern size, 2 ≤ n ≤ 10; default 5.
    lag
        Sampling interval ℓ in samples; default 1.

    Notes
    -----
    ``C = Q_0 · J(P, P_e) · H`` with ``J`` the Jensen–Shannon divergence from the uniform
    distribution ``P_e`` and ``Q_0`` its normalization (module :mod:`chaoskit_metrics.ordinal`).
    White noise gives C → 0, chaos a large C near ``C_max(H)``;
    :func:`chaoskit_metrics.complexity_plane.plot_complexity_entropy_plane` draws the plane.
    """

    name: ClassVar[str] = "statistical_complexity"
    definition: ClassVar[str] = (
        "C = Q0 * JS(P, uniform) * H of ordinal-pattern frequencies (Rosso 2007; pattern size n, "
        "sampling interval lag, ties ranked by time), per member and variable; as a metric the "
        "relative error |C(forecast) - C(truth)| / C(truth), mean over variables"
    )
    _which: ClassVar[int] = 1
