"""Conservation diagnostics: relative drift of a conserved quantity, its maximum and secular slope.

The quantity ``Q`` is the one the data's system supplies, ``"system"`` (its only conserved
quantity) or ``"system:<name>"`` (e.g. ``"system:energy"``): the trajectory's ``system`` and
``parameters`` attributes rebuild the system, whose ``conserved_quantities()`` names them; or a
callable ``Q(state) -> values`` taking the state array ``(..., *space, variable)`` (the last
``1 + len(space)`` axes of a trajectory set) and returning one number per leading index; or one
of the built-in names

- ``"norm2"`` — ``Σ |x|²`` over all features (mass ``N = ∫|ψ|²`` of the NLSE up to the grid
  spacing; the squared radius of an oscillator);
- ``"sum"`` — ``Σ x`` over all features (the spatial mean of Kuramoto–Sivashinsky up to the
  number of grid points);
- ``"energy"`` — ``½ Σ x²`` (harmonic oscillator in standardized variables).

The relative drift of member m is ``δ(t) = (Q(t) − Q_ref) / |Q_ref|``, with ``Q_ref = Q`` at the
first time point. Per member the diagnostics are the maximum ``max_t |δ(t)|`` and the secular
slope: the least-squares slope of ``δ`` against time (per time unit), which separates a steady
drift (integrator error) from bounded oscillation. ``Q_ref = 0`` gives NaN with a reason.

As a Metric the forecast's drift is measured against the truth's initial value: ``max_t
|Q(forecast_t) − Q(truth_0)| / |Q(truth_0)|`` (``statistic="max"``, default) or the absolute
least-squares slope of that drift (``statistic="slope"``), per member; a perfect forecast scores
the truth's own drift.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar

import attrs
import chaoskit
import numpy as np
import xarray as xr
from chaoskit.data import MEMBER, STATE, TIME, decode_attrs
from chaoskit.validators import choice

from .support import ReasonedInvariant, note_nan

__all__ = ["BUILTIN_QUANTITIES", "ConservationDrift", "conservation_drift", "system_quantity"]

BUILTIN_QUANTITIES: dict[str, Callable[[np.ndarray], np.ndarray]] = {
    "norm2": lambda x: np.sum(np.abs(x) ** 2, axis=-1),
    "sum": lambda x: np.sum(x, axis=-1).real,
    "energy": lambda x: 0.5 * np.sum(np.abs(x) ** 2, axis=-1),
}


SYSTEM = "system"


def system_quantity(ds: xr.Dataset, quantity: str) -> Callable[[np.ndarray], Any]:
    """The conserved quantity ``"system"`` or ``"system:<name>"`` of the system that made ``ds``."""
    attrs_ = decode_attrs(ds.attrs)
    if "system" not in attrs_:
        raise chaoskit.DataError(
            f"conservation: quantity {quantity!r} needs the data's 'system' attribute (a chaoskit "
            "trajectory has it); pass a callable Q(state) for other data"
        )
    system = chaoskit.systems.create(attrs_["system"], **dict(attrs_.get("parameters") or {}))
    quantities = dict(system.conserved_quantities())
    name = quantity.partition(":")[2]
    if not quantities:
        raise chaoskit.CapabilityError(
            f"conservation: {system.name} declares no conserved quantity (System.conserved_quantities); "
            "pass a callable Q(state) instead"
        )
    if not name:
        if len(quantities) > 1:
            raise chaoskit.ParameterError(
                f"conservation: {system.name} conserves {sorted(quantities)}; name one, e.g. "
                f"quantity='system:{min(quantities)}'"
            )
        name = next(iter(quantities))
    if name not in quantities:
        raise chaoskit.ParameterError(
            f"conservation: {system.name} conserves {sorted(quantities)}, not {name!r}"
        )
    fn = quantities[name]

    def q(values: np.ndarray) -> np.ndarray:
        return np.asarray(fn(values))

    q.__name__ = f"{system.name}.{name}"
    return q


def _is_system(quantity: Any) -> bool:
    return isinstance(quantity, str) and (quantity == SYSTEM or quantity.startswith(SYSTEM + ":"))


def _quantity(ds: xr.Dataset, quantity: str | Callable[[np.ndarray], Any]) -> np.ndarray:
    """``Q`` per (member, time) as float."""
    values = np.asarray(ds[STATE].values)
    if isinstance(quantity, str) and _is_system(quantity):
        quantity = system_quantity(ds, quantity)
    if isinstance(quantity, str):
        if quantity not in BUILTIN_QUANTITIES:
            raise chaoskit.ParameterError(
                f"conservation: unknown quantity {quantity!r}; use 'system', 'system:<name>', one of "
                f"{sorted(BUILTIN_QUANTITIES)} or a callable"
            )
        flat = values.reshape(values.shape[0], values.shape[1], -1)
        return np.asarray(BUILTIN_QUANTITIES[quantity](flat), dtype=float)
    with np.errstate(all="ignore"):
        q = np.asarray(quantity(values))
    if q.shape != values.shape[:2]:
        raise chaoskit.DataError(
            f"conservation: the quantity returned shape {q.shape} for states of shape {values.shape}; "
            f"expected one value per (member, time), shape {values.shape[:2]}"
        )
    if np.iscomplexobj(q):
        raise chaoskit.DataError("conservation: the quantity must be real; take .real or abs() inside it")
    return q.astype(float)


def _slope(time: np.ndarray, drift: np.ndarray) -> np.ndarray:
    """Least-squares slope of each row of ``drift`` against ``time``."""
    t = time - time.mean()
    return (drift - drift.mean(axis=-1, keepdims=True)) @ t / np.sum(t * t)


def conservation_drift(data: xr.Dataset, quantity: str | Callable[[np.ndarray], Any] = "norm2") -> xr.Dataset:
    """Relative drift ``δ(t)`` of a conserved quantity per member, with its maximum and slope.

    Returns a Dataset with ``drift (member, time)``, ``quantity (member, time)``,
    ``max_drift (member)``, ``slope (member)`` (per time unit) and ``final_drift (member)``.
    """
    chaoskit.validate(data, name="data", min_times=2)
    q = _quantity(data, quantity)
    ref = q[:, :1]
    with np.errstate(divide="ignore", invalid="ignore"):
        drift = np.where(ref != 0, (q - ref) / np.abs(ref), np.nan)
    time = np.asarray(data[TIME].values, float)
    coords = {MEMBER: data[MEMBER].values, TIME: time}
    return xr.Dataset(
        {"drift": ((MEMBER, TIME), drift), "quantity": ((MEMBER, TIME), q),
         "max_drift": (MEMBER, np.max(np.abs(drift), axis=1)), "slope": (MEMBER, _slope(time, drift)),
         "final_drift": (MEMBER, drift[:, -1])},
        coords=coords,
        attrs={"quantity": quantity if isinstance(quantity, str) else getattr(quantity, "__name__", "callable"),
               "definition": "drift = (Q(t) - Q(t0)) / |Q(t0)|; slope by least squares per time unit"},
    )


@attrs.define(frozen=True, kw_only=True)
class ConservationDrift(ReasonedInvariant):
    """Relative drift of a conserved quantity, per member (see the module docstring).

    Parameters
    ----------
    quantity
        ``"system"`` or ``"system:<name>"`` (the quantity the data's system supplies), a
        built-in name (``"norm2"`` default, ``"sum"``, ``"energy"``) or a callable on the state
        array ``(..., *space, variable)`` returning one real value per leading index.
    statistic
        ``"max"`` (default): the maximum absolute relative drift; ``"slope"``: the absolute
        least-squares slope of the relative drift, per time unit.

    Notes
    -----
    ``estimate(data)`` returns the statistic of each member's drift from its own first value,
    with ``max_drift`` and ``slope`` coordinates.
    """

    name: ClassVar[str] = "conservation_drift"
    kind: ClassVar[str] = "long_term"
    units: ClassVar[str] = ""
    definition: ClassVar[str] = (
        "max over forecast times of |Q(forecast_t) - Q(truth_t0)| / |Q(truth_t0)| (statistic 'max') "
        "or the absolute least-squares slope of that relative drift per time unit ('slope'), per "
        "member, Q the conserved quantity (default sum of |x|^2)"
    )

    quantity: Any = attrs.field(default="norm2")
    statistic: str = attrs.field(default="max", validator=choice(("max", "slope")))

    @quantity.validator
    def _check_quantity(self, attribute: Any, value: Any) -> None:
        if not callable(value) and value not in BUILTIN_QUANTITIES and not _is_system(value):
            raise chaoskit.ParameterError(
                f"ConservationDrift.quantity must be 'system', 'system:<name>', one of "
                f"{sorted(BUILTIN_QUANTITIES)} or a callable, got {value!r}"
            )

    def _statistic(self, time: np.ndarray, drift: np.ndarray) -> np.ndarray:
        if self.statistic == "max":
            return np.max(np.abs(drift), axis=1)
        return np.abs(_slope(time, drift))

    def _estimate(self, data: Any) -> xr.DataArray:
        result = conservation_drift(data, self.quantity)
        for m in np.flatnonzero(result["quantity"].values[:, 0] == 0):
            note_nan(int(m), "the conserved quantity is 0 at the first time: no relative drift")
        value = self._statistic(np.asarray(data[TIME].values, float), result["drift"].values)
        return xr.DataArray(value, dims=(MEMBER,), coords={MEMBER: data[MEMBER].values,
                            "max_drift": (MEMBER, result["max_drift"].values),
                            "slope": (MEMBER, result["slope"].values)}, name=self.name, attrs=self.describe())

    def _compute(self, truth: xr.Dataset, forecast: xr.Dataset, *, context: xr.Dataset | None) -> np.ndarray:
        quantity = system_quantity(truth, self.quantity) if _is_system(self.quantity) else self.quantity
        ref = _quantity(truth, quantity)[:, :1]  # the truth's system also defines Q on the forecast
        q = _quantity(forecast, quantity)
        for m in np.flatnonzero(ref[:, 0] == 0):
            note_nan(int(m), "the truth's conserved quantity is 0 at its first time: no relative drift")
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            drift = np.where(ref != 0, (q - ref) / np.abs(ref), np.nan)
            return self._statistic(np.asarray(forecast[TIME].values, float), drift)
