"""Largest absolute error of a forecast."""

from __future__ import annotations

import attrs
import numpy as np

import chaoskit


@attrs.frozen(kw_only=True)
class MaxAbsError(chaoskit.Metric):
    """max over time and variables of |forecast − truth|, per member."""

    name = "max_abs_error"
    direction = "lower"
    kind = "short_term"
    units = "state"
    definition = "max over time and variables of |forecast - truth|, per member"

    def _compute(self, truth, forecast, *, context):
        diff = np.abs(forecast["state"].values - truth["state"].values)
        return diff.reshape(diff.shape[0], -1).max(axis=1)
