"""Valid prediction time: how long a forecast stays close to the truth, in Lyapunov times.

Three definitions from the literature differ by tens of percent on the same forecast, so the
criterion, its threshold and the Lyapunov time used are stored in the result's attrs.

- ``pathak`` (Pathak et al. 2018): ``e(t) = ‖u(t) − û(t)‖ / ⟨‖u‖²⟩^½``, the norm over all
  features, ``⟨⟩`` the mean over the truth's time steps of the member. The truth's mean is *not*
  subtracted, as in the paper (``center=True`` subtracts it, i.e. normalizes by the total
  variance). Default threshold 0.4.
- ``nrmse`` (Vlachas et al. 2020): ``e(t) = sqrt(mean over features of ((u − û) / σ)²)``, σ the
  truth's standard deviation of each variable over the member's time steps (and space points
  of a field). Default threshold 0.5.
- ``smape`` (Gilpin 2023, PhyxMamba): ``e(t)`` = cumulative sMAPE over forecast steps 1..t on
  the 0–200 scale, ``200 · mean(|u − û| / (|u| + |û|))``. Default threshold 30 (use 60 for
  "30 on the 0–100 scale").

VPT = (number of leading forecast steps with ``e ≤ threshold``) · dt / Lyapunov time: the valid
time counted up to the first exceedance. Non-finite forecast values count as exceeding. A
member that never exceeds is censored at the horizon ``n · dt / Lyapunov time``.
"""

from __future__ import annotations

from typing import Any, ClassVar

import attrs
import numpy as np
import xarray as xr

import chaoskit
from chaoskit.data import MEMBER, STATE, TIME, VARIABLE
from chaoskit.validators import boolean, choice, positive

from .short_term import as_float, smape_terms

__all__ = ["CRITERIA", "DEFAULT_THRESHOLDS", "ValidPredictionTime"]

CRITERIA = ("pathak", "nrmse", "smape")
DEFAULT_THRESHOLDS: dict[str, float] = {"pathak": 0.4, "nrmse": 0.5, "smape": 30.0}
_CRITERION_DEFINITIONS = {
    "pathak": "e(t) = ||u(t) - uhat(t)|| / sqrt(mean over the truth's time steps of ||u||^2), "
              "per member, norms over all features; truth mean not subtracted (Pathak 2018)",
    "nrmse": "e(t) = sqrt(mean over features of ((u - uhat) / sigma)^2), sigma the truth's std "
             "of each variable over the member's time (and space) points (Vlachas 2020)",
    "smape": "e(t) = mean over forecast steps 1..t of 200 * mean over features of "
             "|u - uhat| / (|u| + |uhat|), scale 0-200 (Gilpin 2023, PhyxMamba)",
}


@attrs.define(frozen=True, kw_only=True)
class ValidPredictionTime(chaoskit.Metric):
    """Valid prediction time per member, in Lyapunov times.

    Parameters
    ----------
    criterion
        ``"pathak"`` (default), ``"nrmse"`` or ``"smape"``; see the module docstring.
    threshold
        Error above which the forecast is no longer valid; ``None`` takes the criterion's
        default (0.4, 0.5, 30 on the 0–200 sMAPE scale).
    lyapunov_time
        One Lyapunov time ``1/λ1`` in the data's time units; ``None`` reads it from the truth's
        attrs (``lyapunov_time`` or ``max_lyapunov``).
    center
        ``pathak`` only: subtract the truth's per-member time mean before the normalizing norm.
    divergence_margin
        As in :class:`chaoskit.Metric`; only used for the ``diverged_at`` record here.

    Notes
    -----
    Diverged forecasts are scored, not masked (``handles_divergence``): their error is large or
    non-finite, which ends the valid time. All normalizations use the truth passed in (the
    forecast window), never ``context``, so a member's score depends on that member only. The result carries a ``censored`` coordinate and
    attrs ``criterion``, ``threshold``, ``lyapunov_time``, ``max_lyapunov``, ``dt``,
    ``horizon`` (in Lyapunov times) and ``censored`` (the number of censored members).
    """

    name: ClassVar[str] = "vpt"
    direction: ClassVar[str] = "higher"
    kind: ClassVar[str] = "short_term"
    units: ClassVar[str] = "lyapunov_times"
    handles_divergence: ClassVar[bool] = True
    definition: ClassVar[str] = (
        "dt / lyapunov_time * number of leading forecast steps whose error e(t) <= threshold "
        "(e by criterion: pathak, nrmse or cumulative 0-200 smape); non-finite values exceed; "
        "censored at the horizon"
    )

    criterion: str = attrs.field(default="pathak", validator=choice(CRITERIA))
    threshold: float | None = attrs.field(
        default=None, validator=attrs.validators.optional(positive)
    )
    lyapunov_time: float | None = attrs.field(
        default=None, validator=attrs.validators.optional(positive)
    )
    center: bool = attrs.field(default=False, validator=boolean)

    def __attrs_post_init__(self) -> None:
        if self.center and self.criterion != "pathak":
            raise chaoskit.ParameterError(
                f"ValidPredictionTime.center applies to criterion 'pathak' only, got criterion "
                f"{self.criterion!r} with center=True; drop center"
            )

    @property
    def effective_threshold(self) -> float:
        """The threshold in use: the given one, else the criterion's default."""
        if self.threshold is None:
            return DEFAULT_THRESHOLDS[self.criterion]
        return float(self.threshold)

    def describe(self) -> dict[str, Any]:
        """The base description plus the criterion, its exact definition and the threshold used."""
        out = super().describe()
        definition = _CRITERION_DEFINITIONS[self.criterion]
        if self.center:
            definition = definition.replace("not subtracted", "subtracted (center=True)")
        out.update(criterion=self.criterion, criterion_definition=definition,
                   threshold=self.effective_threshold)
        return out

    def __call__(
        self, truth: xr.Dataset, forecast: xr.Dataset, *, context: xr.Dataset | None = None
    ) -> xr.DataArray:
        """Score ``forecast`` against ``truth`` per member; see the class docstring."""
        result = super().__call__(truth, forecast, context=context)
        lyapunov_time = self._lyapunov_time(truth)
        dt = truth.chaos.dt
        horizon = truth.sizes[TIME] * dt / lyapunov_time
        censored = np.isclose(result.values, horizon, rtol=1e-9, atol=0.0)
        result = result.assign_coords(censored=(MEMBER, censored))
        result.attrs.update(
            lyapunov_time=lyapunov_time, max_lyapunov=1.0 / lyapunov_time,
            lyapunov_time_source="parameter" if self.lyapunov_time is not None else "truth attrs",
            dt=dt, horizon=horizon, horizon_steps=int(truth.sizes[TIME]),
            censored=int(censored.sum()),
        )
        return result

    def _lyapunov_time(self, truth: xr.Dataset) -> float:
        if self.lyapunov_time is not None:
            return float(self.lyapunov_time)
        try:
            return float(truth.chaos.lyapunov_time)
        except chaoskit.DataError as exc:
            raise chaoskit.DataError(
                f"vpt reports the valid time in Lyapunov times, but the truth gives none: {exc}. "
                "Pass it to the metric, e.g. chaoskit.metrics.create('vpt', lyapunov_time=1.104), "
                "or set truth.attrs['lyapunov_time'] (or 'max_lyapunov') on the dataset"
            ) from None

    def _compute(
        self, truth: xr.Dataset, forecast: xr.Dataset, *, context: xr.Dataset | None
    ) -> np.ndarray:
        lyapunov_time = self._lyapunov_time(truth)
        dt = truth.chaos.dt
        u = as_float(truth[STATE].values)
        v = as_float(forecast[STATE].values)
        members, steps = u.shape[:2]
        with np.errstate(invalid="ignore", over="ignore", divide="ignore"):
            if self.criterion == "pathak":
                error = _pathak(u, v, center=self.center)
            elif self.criterion == "nrmse":
                error = _nrmse(u, v, truth[VARIABLE].values)
            else:
                error = smape_terms(u, v, 200.0).reshape(members, steps, -1).mean(axis=-1)
            bad = ~np.isfinite(v).reshape(members, steps, -1).all(axis=-1)
            error = np.where(bad | np.isnan(error), np.inf, error)
            if self.criterion == "smape":
                error = np.cumsum(error, axis=1) / np.arange(1, steps + 1)
        exceeded = error > self.effective_threshold
        valid_steps = np.where(exceeded.any(axis=1), exceeded.argmax(axis=1), steps)
        return valid_steps * dt / lyapunov_time


def _pathak(u: np.ndarray, v: np.ndarray, *, center: bool) -> np.ndarray:
    """``‖u − v‖ / ⟨‖u‖²⟩^½`` per (member, time); ``center`` subtracts the truth's time mean."""
    members, steps = u.shape[:2]
    distance = np.sqrt((np.abs(v - u) ** 2).reshape(members, steps, -1).sum(axis=-1))
    reference = u - u.mean(axis=1, keepdims=True) if center else u
    norm = np.sqrt((np.abs(reference) ** 2).reshape(members, steps, -1).sum(axis=-1).mean(axis=1))
    if not np.all(norm > 0):
        bad = int(np.argmin(norm > 0))
        what = "constant" if center else "zero"
        raise chaoskit.DataError(
            f"vpt (pathak): the truth of member {bad} is {what} over the forecast window, so the "
            "normalizing norm is 0; use a longer window or criterion='smape'"
        )
    return distance / norm[:, None]


def _nrmse(u: np.ndarray, v: np.ndarray, variables: np.ndarray) -> np.ndarray:
    """``sqrt(mean over features of ((u − v)/σ)²)`` per (member, time); σ per member, variable."""
    members, steps = u.shape[:2]
    sigma = u.std(axis=tuple(range(1, u.ndim - 1)), keepdims=True)
    if not np.all(sigma > 0):
        member, variable = np.argwhere(sigma.reshape(members, -1) <= 0)[0]
        raise chaoskit.DataError(
            f"vpt (nrmse): variable {variables[variable]!r} of member {member} is constant over "
            "the forecast window, so its standard deviation is 0; use criterion='pathak' or a "
            "longer window"
        )
    z = (np.abs(v - u) / sigma) ** 2
    return np.sqrt(z.reshape(members, steps, -1).mean(axis=-1))
