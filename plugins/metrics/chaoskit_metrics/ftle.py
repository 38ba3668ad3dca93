"""Finite-time Lyapunov exponent (FTLE) fields on a grid of tracers (Haller 2001; Shadden et al. 2005).

Tracers on a 2-D or 3-D grid of some of a flow's variables (the other variables held at fixed
values) are advected from ``t0`` to ``t0 + T``; the flow-map gradient ``∇F`` is taken by central
differences on the grid (``numpy.gradient``: second order inside, one-sided second order on the
edges), the Cauchy–Green tensor is ``C = ∇Fᵀ ∇F`` and

    σ(x) = ln √λ_max(C(x)) / |T|.

``T < 0`` gives the backward field (attracting structures). Backward and ``t0 ≠ 0`` spans use
the time-shifted, time-reversed copy of the system from :mod:`chaoskit_metrics.flow_map`,
because ``System.trajectory`` integrates forward from time 0 only. Non-autonomous systems
written with an explicit phase variable (dysts' convention, e.g. the double gyre's ``phase``)
take their start time as that variable's fixed value.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, ClassVar

import attrs
import chaoskit
import numpy as np
import xarray as xr
from chaoskit import CapabilityError, DataError, Dynamics, ParameterError, System
from chaoskit.validators import choice, finite

from .flow_map import flow_map

__all__ = ["FTLE", "ftle_field"]


def ftle_field(
    system: System | Dynamics,
    grid: Mapping[str, Any],
    duration: float,
    *,
    t0: float = 0.0,
    fixed: Mapping[str, float] | None = None,
    variables: Sequence[str] | None = None,
    method: str | None = None,
    rtol: float | None = None,
    atol: float | None = None,
    dtype: str = "float64",
    device: str = "cpu",
) -> xr.DataArray:
    """The FTLE field of ``system`` over ``duration`` (negative: backward) on ``grid``.

    Parameters
    ----------
    system
        A flow (System) or a one-step Dynamics (forward only, ``duration`` a whole number of
        steps).
    grid
        Ordered mapping of 2 or 3 variable names to 1-D coordinate arrays (or ``(start, stop,
        num)`` for ``numpy.linspace``), at least 3 points each.
    duration
        Integration time ``T`` (non-zero).
    t0
        Start time (explicitly time-dependent vector fields).
    fixed
        Values of the variables not on the grid.
    variables
        Names of the state components (default: the System's ``variables``; required for a
        Dynamics unless the grid covers every component in order ``x0, x1, …``).
    method, rtol, atol, dtype, device
        Passed to ``System.trajectory``.

    Returns
    -------
    xarray.DataArray
        Dims = the grid variables, in 1/time; NaN where a tracer or its grid neighbours became
        non-finite.
    """
    if duration == 0 or not np.isfinite(duration):
        raise ParameterError(f"ftle: the duration must be a non-zero number, got {duration!r}")
    names = _names(system, variables)
    axes = {str(k): _coordinates(k, v) for k, v in grid.items()}
    if len(axes) not in (2, 3):
        raise ParameterError(f"ftle: give a grid over 2 or 3 variables, got {list(axes)}")
    unknown = [k for k in axes if k not in names]
    if unknown:
        raise ParameterError(f"ftle: grid variables {unknown} are not among the system's {list(names)}")
    fixed = dict(fixed or {})
    missing = [v for v in names if v not in axes and v not in fixed]
    if missing:
        raise ParameterError(f"ftle: give fixed values for the variables off the grid: {missing}")
    mesh = np.meshgrid(*axes.values(), indexing="ij")
    shape = mesh[0].shape
    states = np.empty((mesh[0].size, len(names)))
    for i, name in enumerate(names):
        states[:, i] = mesh[list(axes).index(name)].ravel() if name in axes else float(fixed[name])
    final = flow_map(system, states, duration, t0=t0, method=method, rtol=rtol, atol=atol,
                     dtype=dtype, device=device)
    columns = [names.index(k) for k in axes]
    moved = final[:, columns].reshape(*shape, len(axes))
    sigma = _ftle(moved, list(axes.values()), abs(duration))
    attrs_ = {"duration": float(duration), "t0": float(t0),
              "direction": "forward" if duration > 0 else "backward", "units": "1/time",
              "nonfinite_points": int((~np.isfinite(sigma)).sum()),
              "fixed": str(fixed), "method": str(method or "default")}
    return xr.DataArray(sigma, dims=tuple(axes), coords=axes, name="ftle", attrs=attrs_)


def _names(system: System | Dynamics, variables: Sequence[str] | None) -> list[str]:
    if variables is not None:
        return [str(v) for v in variables]
    if isinstance(system, System):
        return list(system.variables)
    return [f"x{i}" for i in range(system.dimension)]


def _coordinates(name: str, value: Any) -> np.ndarray:
    if isinstance(value, tuple) and len(value) == 3 and float(value[2]).is_integer():
        value = np.linspace(float(value[0]), float(value[1]), int(value[2]))
    coords = np.asarray(value, dtype=np.float64)
    if coords.ndim != 1 or coords.size < 3 or not np.all(np.diff(coords) > 0):
        raise ParameterError(
            f"ftle: grid coordinates of {name!r} must be increasing, 1-D, at least 3 points; got "
            f"shape {coords.shape}"
        )
    return coords


def _ftle(moved: np.ndarray, coords: list[np.ndarray], span: float) -> np.ndarray:
    """``ln √λ_max(∇Fᵀ∇F) / span`` for final positions ``moved`` ``(*grid, n)``."""
    n = len(coords)
    rows = [np.stack(np.gradient(moved[..., i], *coords, edge_order=2), axis=-1) for i in range(n)]
    grad = np.stack(rows, axis=-2)  # (*grid, n, n): ∂F_i/∂x_j
    bad = ~np.isfinite(grad).all(axis=(-2, -1))
    grad = np.where(bad[..., None, None], 0.0, grad)
    cauchy_green = np.swapaxes(grad, -1, -2) @ grad
    largest = np.linalg.eigvalsh(cauchy_green)[..., -1]
    with np.errstate(divide="ignore"):
        sigma = 0.5 * np.log(largest) / span
    return np.where(bad, np.nan, sigma)


def _grid_spec(instance: Any, attribute: Any, value: Any) -> None:
    if value is None:
        return
    for k, v in value.items():
        if not (isinstance(v, (tuple, list)) and len(v) == 3 and float(v[0]) < float(v[1]) and int(v[2]) >= 3):
            raise ParameterError(f"FTLE.grid[{k!r}] must be (start, stop, num) with start < stop, num >= 3; got {v!r}")


@attrs.define(frozen=True, kw_only=True)
class FTLE(chaoskit.Invariant):
    """FTLE field of a flow (System, or a Dynamics forward in time) on a tracer grid.

    Parameters
    ----------
    duration
        Integration time ``T``; negative for the backward field (required to estimate).
    grid
        ``{variable: (start, stop, num)}`` for 2 or 3 variables (required to estimate).
    t0
        Start time (explicitly time-dependent vector fields).
    fixed
        Values of the variables off the grid (e.g. the double gyre's ``{"phase": 0.0}``).
    method, rtol, atol
        Integrator settings passed to ``System.trajectory`` (``None``: the system's defaults).

    Notes
    -----
    ``estimate(system)`` returns the field (see :func:`ftle_field`). As a Metric on trajectory
    Datasets it raises :class:`chaoskit.CapabilityError`: the field needs the equations.
    """

    name: ClassVar[str] = "ftle"
    kind: ClassVar[str] = "dynamics"
    units: ClassVar[str] = "1/time"
    accepts_dynamics: ClassVar[bool] = True
    definition: ClassVar[str] = (
        "sigma = ln sqrt(lambda_max(C)) / |T|, C = grad(F)^T grad(F), F the flow map of a tracer "
        "grid from t0 to t0 + T, grad by central differences on the grid"
    )

    duration: float | None = attrs.field(default=None, validator=attrs.validators.optional(finite))
    grid: dict[str, tuple[float, float, int]] | None = attrs.field(default=None, validator=_grid_spec)
    t0: float = attrs.field(default=0.0, validator=finite)
    fixed: dict[str, float] = attrs.field(factory=dict)
    method: str | None = attrs.field(default=None)
    rtol: float | None = attrs.field(default=None)
    atol: float | None = attrs.field(default=None)
    dtype: str = attrs.field(default="float64", validator=choice(("float64", "float32")))

    def estimate(self, data: Any) -> xr.DataArray:
        """The FTLE field of ``data`` (a System or a Dynamics)."""
        if not isinstance(data, (System, Dynamics)):
            return self._estimate(data)
        if self.duration is None or self.grid is None:
            raise ParameterError(
                "ftle needs the integration time and the tracer grid, e.g. "
                "chaoskit.metrics.create('ftle', duration=15.0, grid={'x': (0, 2, 201), "
                "'y': (0, 1, 101)}, fixed={'phase': 0.0})"
            )
        field = ftle_field(
            data, {k: tuple(v) for k, v in self.grid.items()}, self.duration, t0=self.t0,
            fixed=self.fixed, method=self.method, rtol=self.rtol, atol=self.atol, dtype=self.dtype,
        )
        field.attrs = {**self.describe(), **field.attrs}
        return field.rename(self.name)

    def _estimate(self, data: Any) -> xr.DataArray:
        if isinstance(data, (System, Dynamics)):
            return self.estimate(data)
        if data is None:
            raise CapabilityError("ftle: got None instead of a System or Dynamics")
        if isinstance(data, xr.Dataset):
            raise CapabilityError(
                "ftle needs the flow itself (a System or a Dynamics) to advect a tracer grid; a "
                "trajectory Dataset does not determine the flow map"
            )
        raise DataError(f"ftle: expected a System or Dynamics, got {type(data).__name__}")
