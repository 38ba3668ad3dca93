"""Correlation dimension on degenerate input: NaN with a recorded reason, never an exception.

A constant series, a period-2 orbit, an orbit that collapses onto a cycle after a chaotic
transient, and the default orbits of two registered maps whose parameters lie in a periodic
window (Gumowski–Mira and Zaslavskii fall onto a period-2 cycle) have no scaling region:
``numpy.geomspace`` used to fail on a zero radius for them. The healthy member beside a
degenerate one keeps its estimate.
"""

from __future__ import annotations

import chaoskit
import numpy as np
import pytest
import xarray as xr
from chaoskit_metrics.correlation_dimension import CorrelationDimension
from metrics_invariant_systems import henon_data


def _with_henon(points: np.ndarray) -> xr.Dataset:
    """Member 0: ``points`` ``(n, 2)``; member 1: a healthy Hénon orbit of the same length."""
    henon = henon_data()["state"].values[0, : len(points)]
    return chaoskit.make_dataset(np.stack((points, henon)), time=np.arange(len(points), dtype=float),
                                 variables=("x", "y"))


def _assert_degenerate(out: xr.DataArray, member: int, words: str) -> None:
    assert np.isnan(out.values[member])
    assert words in str(out["reason"].values[member])
    assert str(member) in out.attrs["nan_reasons"]


def test_constant_series() -> None:
    out = CorrelationDimension().estimate(_with_henon(np.full((2000, 2), 0.7)))
    _assert_degenerate(out, 0, "constant")
    assert out.values[1] == pytest.approx(1.22, abs=0.1)


def test_period_two_orbit() -> None:
    cycle = np.tile([[0.3, -0.1], [-0.2, 0.4]], (1000, 1))
    out = CorrelationDimension().estimate(_with_henon(cycle))
    _assert_degenerate(out, 0, "2 distinct points")
    assert np.isfinite(out.values[1])


def test_cycle_after_a_chaotic_transient() -> None:
    # 300 distinct Hénon points, then a period-2 cycle: enough distinct points, but 70 % of the
    # pairs coincide, so no positive radius has C(r) ≤ 0.1
    transient = henon_data()["state"].values[1, :300]
    cycle = np.tile([[0.3, -0.1], [-0.2, 0.4]], (850, 1))
    out = CorrelationDimension().estimate(_with_henon(np.vstack((transient, cycle))))
    _assert_degenerate(out, 0, "of the point pairs coincide")
    assert np.isfinite(out.values[1])
    # a larger max_fraction (radii up to the diameter) does not turn the cycle into a dimension
    wide = CorrelationDimension(max_fraction=0.9).estimate(_with_henon(np.vstack((transient, cycle))))
    assert np.isnan(wide.values[0]) and np.isfinite(wide.values[1])


def test_maps_in_a_periodic_window() -> None:
    # Gumowski-Mira and Zaslavskii at their dysts defaults fall onto a period-2 cycle; should
    # their defaults ever change to a chaotic window, each member must still be finite or NaN
    # with a reason, and the test says it no longer covers a collapsed orbit
    known = {n.split("/")[-1] for n in chaoskit.systems.names()}
    collapsed = 0
    for name in ("gumowski_mira", "zaslavskii"):
        if name not in known:
            continue
        ds = chaoskit.systems.create(name).trajectory(1500, members=2, seed=0)
        for estimator in ("gp", "takens"):
            out = CorrelationDimension(estimator=estimator).estimate(ds)
            reasons = [str(r) for r in out["reason"].values]
            assert all((np.isfinite(v) and not r) or (np.isnan(v) and r) for v, r in zip(out.values, reasons))
            collapsed += sum("degenerate orbit" in r and np.isnan(v) for v, r in zip(out.values, reasons))
    if not collapsed:
        pytest.skip("neither map collapses onto a cycle at its current defaults")
