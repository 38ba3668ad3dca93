"""Sample entropy (Richman & Moorman 2000) per member and variable.

With templates ``x_i^{(k)} = (x_i, …, x_{i+k−1})`` for ``i = 0 … N − m − 1`` (the same ``N − m``
starting points for both lengths), Chebyshev distance and tolerance ``r``:

- ``B`` = number of pairs ``i < j`` of length-``m`` templates with distance ≤ r;
- ``A`` = the same for length ``m + 1``;
- ``SampEn = −ln(A / B)``; self-matches never count.

Defaults ``m = 2``, ``r = 0.2·std`` of the series (``r`` is a fraction of the standard
deviation, population std, ddof = 0, unless ``absolute_r=True``). Pairs are counted with a
``scipy.spatial.cKDTree`` (``count_neighbors`` in the max-norm), so memory stays linear in N —
no dense N × N distance matrix. NaN with a reason when ``A = 0`` or ``B = 0`` (series too short
or r too small), for a constant series, or a diverged member. Units: nats.
"""

from __future__ import annotations

from typing import Any, ClassVar

import attrs
import chaoskit
import numpy as np
import xarray as xr
from chaoskit.validators import boolean, integer, positive

from .support import ReasonedInvariant, feature_array, note_nan, per_feature

__all__ = ["SampleEntropy", "sample_entropy"]


def _pairs_within(templates: np.ndarray, r: float) -> int:
    from scipy.spatial import cKDTree

    tree = cKDTree(templates)
    ordered = int(tree.count_neighbors(tree, r, p=np.inf))  # includes the N self-pairs
    return (ordered - len(templates)) // 2


def sample_entropy(x: Any, m: int = 2, r: float = 0.2, *, absolute_r: bool = False) -> tuple[float, str]:
    """Sample entropy of a 1-D series; ``(nan, reason)`` when undefined.

    Parameters
    ----------
    x
        Finite 1-D series.
    m
        Template length (embedding dimension).
    r
        Tolerance: a fraction of the series' standard deviation, or an absolute distance when
        ``absolute_r``.
    """
    x = np.asarray(x, float)
    if x.ndim != 1:
        raise chaoskit.DataError(f"sample_entropy: expected a 1-D series, got shape {x.shape}")
    count = len(x) - m
    if count < 2:
        raise chaoskit.DataError(
            f"sample_entropy: a series of {len(x)} points has fewer than 2 templates of length m + 1 = {m + 1}"
        )
    if not np.isfinite(x).all():
        return float("nan"), "non-finite values (diverged)"
    std = float(x.std())
    if std == 0:
        return float("nan"), "constant series"
    tolerance = float(r) if absolute_r else float(r) * std
    windows = np.lib.stride_tricks.sliding_window_view(x, m + 1)[:count]
    b = _pairs_within(np.ascontiguousarray(windows[:, :m]), tolerance)
    a = _pairs_within(np.ascontiguousarray(windows), tolerance)
    if b == 0 or a == 0:
        return float("nan"), (f"no template pairs within r = {tolerance:.3g} at length "
                               f"{m if b == 0 else m + 1}: series too short or r too small")
    return float(-np.log(a / b)), ""


@attrs.define(frozen=True, kw_only=True)
class SampleEntropy(ReasonedInvariant):
    """Sample entropy per member and variable (nats); as a Metric, the relative error.

    Parameters
    ----------
    m
        Template length (2).
    r
        Tolerance, a fraction of each series' standard deviation (0.2) unless ``absolute_r``.
    absolute_r
        Read ``r`` as an absolute distance in the data's units.
    """

    name: ClassVar[str] = "sample_entropy"
    kind: ClassVar[str] = "long_term"
    units: ClassVar[str] = "nats"
    definition: ClassVar[str] = (
        "SampEn = -ln(A/B), B (A) the number of pairs i < j of length-m (m+1) templates, i < N - m, "
        "within Chebyshev distance r = 0.2 std (m = 2 by default), self-matches excluded; per "
        "member and variable; as a metric the relative error, mean over variables"
    )

    m: int = attrs.field(default=2, validator=integer(1))
    r: float = attrs.field(default=0.2, validator=positive)
    absolute_r: bool = attrs.field(default=False, validator=boolean)

    def _estimate(self, data: Any) -> xr.DataArray:
        values, names = feature_array(data)
        members, _, features = values.shape
        out = np.full((members, features), np.nan)
        for i in range(members):
            for f in range(features):
                out[i, f], reason = sample_entropy(values[i, :, f], self.m, self.r, absolute_r=self.absolute_r)
                if reason:
                    note_nan(i, f"variable {names[f]!r}: {reason}")
        return per_feature(out, data, names, name=self.name, attrs=self.describe())
