"""Time derivatives for SINDy: finite differences, smoothed finite differences, or given ones.

Finite differences of (even) accuracy order ``p`` use the centred ``(p+1)``-point stencil in
the interior and one-sided ``(p+1)``-point stencils of the same order at the first and last
``p/2`` points, so every point gets a derivative of order ``p`` (pysindy's ``FiniteDifference``
with its default ``drop_endpoints=False``). Stencil weights are exact rationals (Fornberg's
recursion in :class:`fractions.Fraction`). The smoothed variant applies a Savitzky–Golay filter
to the states first (window 11, polynomial order 3, ``mode="interp"``: pysindy's
``SmoothedFiniteDifference`` defaults) and differentiates the smoothed states; the library is
then evaluated on the smoothed states too, as in pysindy.

Arrays are ``(member, time, variable)``: every member is differentiated on its own, so no
stencil ever reaches across the boundary between two trajectories.
"""

from __future__ import annotations

import abc
from collections.abc import Sequence
from fractions import Fraction
from typing import Any, ClassVar

import attrs
import numpy as np
import xarray as xr
from chaoskit import DataError, ParameterError
from chaoskit.validators import choice, integer
from scipy.signal import savgol_filter

from .config import component, to_config

__all__ = [
    "DIFFERENTIATIONS",
    "Differentiation",
    "FiniteDifference",
    "SmoothedFiniteDifference",
    "SuppliedDerivatives",
    "as_differentiation",
    "fd_weights",
    "finite_difference",
    "smooth",
    "uniform_step",
]

FD_ORDERS = (2, 4, 6)


def fd_weights(offsets: Sequence[int], derivative: int = 1) -> np.ndarray:
    """Finite-difference weights for ``derivative`` at 0 from samples at integer ``offsets``.

    Fornberg's recursion (Math. Comp. 51, 1988) in exact rational arithmetic; the weights are
    for unit spacing (divide by ``h**derivative``).
    """
    x = [Fraction(int(o)) for o in offsets]
    n, m = len(x) - 1, int(derivative)
    c = [[Fraction(0)] * (m + 1) for _ in range(n + 1)]
    c[0][0] = Fraction(1)
    c1, c4 = Fraction(1), x[0]
    for i in range(1, n + 1):
        mn = min(i, m)
        c2, c5, c4 = Fraction(1), c4, x[i]
        for j in range(i):
            c3 = x[i] - x[j]
            c2 *= c3
            if j == i - 1:
                for k in range(mn, 0, -1):
                    c[i][k] = c1 * (k * c[i - 1][k - 1] - c5 * c[i - 1][k]) / c2
                c[i][0] = -c1 * c5 * c[i - 1][0] / c2
            for k in range(mn, 0, -1):
                c[j][k] = (c4 * c[j][k] - k * c[j][k - 1]) / c3
            c[j][0] = c4 * c[j][0] / c3
        c1 = c2
    return np.array([float(row[m]) for row in c])


def uniform_step(time: Any, what: str = "finite differences") -> float:
    """The step of a uniform time axis; :class:`DataError` when the steps differ (rtol 1e-6)."""
    t = np.asarray(time, dtype=float)
    if t.ndim != 1 or t.size < 2:
        raise DataError(
            f"{what}: expected a 1-D time axis of at least 2 points, got shape {t.shape}"
        )
    steps = np.diff(t)
    if not np.all(steps > 0):
        raise DataError(f"{what}: the time axis must increase strictly")
    if not np.allclose(steps, steps[0], rtol=1e-6, atol=0.0):
        raise DataError(
            f"{what} need a uniform time grid, but the steps range from {steps.min():.6g} to "
            f"{steps.max():.6g}; interpolate the data onto a uniform grid, or give the "
            "derivatives yourself (differentiation='supplied')"
        )
    return float(steps[0])


def finite_difference(x: Any, dt: Any, *, order: int = 2, axis: int = 0) -> np.ndarray:
    """First derivative of ``x`` along ``axis`` by finite differences of accuracy ``order``.

    Parameters
    ----------
    x
        Samples on a uniform grid, any shape.
    dt
        The grid step, or the time axis itself (checked to be uniform).
    order
        Even accuracy order: 2, 4 or 6.
    axis
        The time axis of ``x``.

    Raises
    ------
    DataError
        A non-uniform time axis, or fewer than ``order + 1`` samples.
    ParameterError
        An unsupported order or a non-positive step.
    """
    if order not in FD_ORDERS:
        raise ParameterError(
            f"finite_difference: order must be one of {list(FD_ORDERS)}, got {order!r}"
        )
    h = uniform_step(dt) if np.ndim(dt) else float(dt)
    if not (np.isfinite(h) and h > 0):
        raise ParameterError(f"finite_difference: dt must be a positive number, got {dt!r}")
    arr = np.moveaxis(np.asarray(x, dtype=float), axis, 0)
    n, m = arr.shape[0], order // 2
    if n < order + 1:
        raise DataError(
            f"finite differences of order {order} need at least {order + 1} time points per "
            f"member, got {n}; use longer members or a lower order"
        )
    out = np.empty_like(arr)
    centre = fd_weights(range(-m, m + 1))
    interior = out[m : n - m]
    interior[...] = 0.0
    for k, w in enumerate(centre):
        if w != 0.0:
            interior += w * arr[k : n - 2 * m + k]
    for i in range(m):
        left = fd_weights(range(-i, order + 1 - i))
        out[i] = np.tensordot(left, arr[: order + 1], axes=1)
        out[n - 1 - i] = np.tensordot(-left[::-1], arr[n - order - 1 :], axes=1)
    out /= h
    return np.moveaxis(out, 0, axis)


def smooth(x: Any, *, window: int = 11, polyorder: int = 3, axis: int = 0) -> np.ndarray:
    """Savitzky–Golay smoothing of ``x`` along ``axis`` (``mode="interp"`` at the ends)."""
    arr = np.asarray(x, dtype=float)
    if arr.shape[axis] < window:
        raise DataError(
            f"smoothing with a window of {window} points needs at least {window} time points per "
            f"member, got {arr.shape[axis]}; use longer members or a smaller window"
        )
    return savgol_filter(arr, window, polyorder, axis=axis, mode="interp")


# --------------------------------------------------------------------------- components
class Differentiation(abc.ABC):
    """How SINDy gets ``ẋ``: ``compute`` returns the library's states and their derivatives."""

    kind: ClassVar[str] = ""

    @abc.abstractmethod
    def compute(
        self, values: np.ndarray, dt: float, data: xr.Dataset | None = None
    ) -> tuple[np.ndarray, np.ndarray]:
        """``(states, derivatives)``, both ``(member, time, variable)`` like ``values``."""

    def to_config(self) -> dict[str, Any]:
        return to_config(self)


@attrs.frozen(kw_only=True)
class FiniteDifference(Differentiation):
    """Finite differences of accuracy ``order`` (2, 4 or 6) along time, per member."""

    kind: ClassVar[str] = "finite_difference"
    order: int = attrs.field(default=2, validator=choice(FD_ORDERS))

    def compute(
        self, values: np.ndarray, dt: float, data: xr.Dataset | None = None
    ) -> tuple[np.ndarray, np.ndarray]:
        return values, finite_difference(values, dt, order=self.order, axis=1)


def _window(instance: SmoothedFiniteDifference, attribute: Any, value: int) -> None:
    integer(3)(instance, attribute, value)
    if value % 2 == 0:
        raise ParameterError(f"SmoothedFiniteDifference.window must be odd, got {value}")


def _polyorder(instance: SmoothedFiniteDifference, attribute: Any, value: int) -> None:
    integer(0)(instance, attribute, value)
    if value >= instance.window:
        raise ParameterError(
            "SmoothedFiniteDifference.polyorder must be less than "
            f"window = {instance.window}, got {value}"
        )


@attrs.frozen(kw_only=True)
class SmoothedFiniteDifference(Differentiation):
    """Savitzky–Golay smoothing (``window``, ``polyorder``), then finite differences of ``order``.

    The smoothed states are returned too: the library is evaluated on them (as in pysindy).
    """

    kind: ClassVar[str] = "smoothed"
    order: int = attrs.field(default=2, validator=choice(FD_ORDERS))
    window: int = attrs.field(default=11, validator=_window)
    polyorder: int = attrs.field(default=3, validator=_polyorder)

    def compute(
        self, values: np.ndarray, dt: float, data: xr.Dataset | None = None
    ) -> tuple[np.ndarray, np.ndarray]:
        smoothed = smooth(values, window=self.window, polyorder=self.polyorder, axis=1)
        return smoothed, finite_difference(smoothed, dt, order=self.order, axis=1)


def _name(instance: Any, attribute: Any, value: Any) -> None:
    if not isinstance(value, str) or not value:
        raise ParameterError(
            f"SuppliedDerivatives.variable must be a non-empty string, got {value!r}"
        )


@attrs.frozen(kw_only=True)
class SuppliedDerivatives(Differentiation):
    """Derivatives given with the data: the Dataset variable ``variable``, shaped like ``state``.

    ``SINDy.fit(train, derivatives=array)`` puts an array there for you.
    """

    kind: ClassVar[str] = "supplied"
    variable: str = attrs.field(default="derivative", validator=_name)

    def compute(
        self, values: np.ndarray, dt: float, data: xr.Dataset | None = None
    ) -> tuple[np.ndarray, np.ndarray]:
        if data is None or self.variable not in data.data_vars:
            found = sorted(map(str, data.data_vars)) if data is not None else []
            raise DataError(
                f"differentiation='supplied' reads the derivatives from the data variable "
                f"{self.variable!r}, but the training data hold only {found}; add it, or pass "
                "derivatives=array to fit"
            )
        da = data[self.variable]
        state = data["state"]
        if da.dims != state.dims or da.shape != state.shape:
            raise DataError(
                f"the derivatives {self.variable!r} must have the dims and shape of 'state', "
                f"{tuple(state.dims)} {tuple(state.shape)}; got {tuple(da.dims)} {tuple(da.shape)}"
            )
        derivs = np.asarray(da.values)
        if derivs.dtype.kind != "f" or not np.isfinite(derivs).all():
            raise DataError(f"the derivatives {self.variable!r} must be finite real numbers")
        return values, derivs.astype(float)


DIFFERENTIATIONS: dict[str, type] = {
    cls.kind: cls for cls in (FiniteDifference, SmoothedFiniteDifference, SuppliedDerivatives)
}


def as_differentiation(value: Any) -> Differentiation:
    """A :class:`Differentiation` from an instance, a kind name or a config dict."""
    return component(value, DIFFERENTIATIONS, "differentiation")
