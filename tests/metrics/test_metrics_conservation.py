"""Conservation diagnostics against exact drifts: the harmonic oscillator, integrated exactly
(no drift) and by explicit Euler (energy grows by the factor (1 + h²) per step), and a plane wave
of the nonlinear Schrödinger equation (|ψ|² conserved)."""

from __future__ import annotations

import chaoskit
import numpy as np
import pytest
from chaoskit.data import decode_attrs
from chaoskit.testing import MetricConformance
from chaoskit_metrics.conservation import ConservationDrift, conservation_drift

H = 0.01


class TestConservationConformance(MetricConformance):
    names = ("conservation_drift",)


def oscillator(steps=500, euler=False, members=2):
    """Harmonic oscillator x' = y, y' = −x from (1, 0) and (0, 2): exact rotation or explicit Euler."""
    state = np.array([[1.0, 0.0], [0.0, 2.0]])[:members]
    out = np.empty((members, steps, 2))
    a = np.array([[1.0, H], [-H, 1.0]]) if euler else np.array([[np.cos(H), np.sin(H)], [-np.sin(H), np.cos(H)]])
    for t in range(steps):
        out[:, t] = state
        state = state @ a.T
    return chaoskit.make_dataset(out, time=np.arange(steps) * H, variables=["x", "y"], attrs={"dt": H})


def test_exact_rotation_has_no_drift():
    result = conservation_drift(oscillator(), "energy")
    assert np.all(result["max_drift"].values < 1e-12) and np.all(np.abs(result["slope"].values) < 1e-12)


def test_euler_energy_drift_is_exact():
    steps = 500
    result = conservation_drift(oscillator(steps, euler=True), "energy")
    expected = (1.0 + H ** 2) ** np.arange(steps) - 1.0  # E_k = E_0 (1 + h²)^k
    np.testing.assert_allclose(result["drift"].values, np.stack([expected, expected]), rtol=1e-9, atol=1e-15)
    assert result["max_drift"].values == pytest.approx(expected[-1], rel=1e-9)
    t = np.arange(steps) * H
    slope = np.polyfit(t, expected, 1)[0]
    np.testing.assert_allclose(result["slope"].values, slope, rtol=1e-9)
    est = ConservationDrift(quantity="energy", statistic="slope").estimate(oscillator(steps, euler=True))
    np.testing.assert_allclose(est.values, abs(slope), rtol=1e-9)


def test_callable_quantity_on_a_complex_field():
    x = np.linspace(0, 2 * np.pi, 32, endpoint=False)
    t = np.arange(100) * 0.01
    psi = 0.7 * np.exp(1j * (2 * x[None, :] - (2.0 - 0.49) * t[:, None]))  # NLSE plane wave, |ψ| constant
    ds = chaoskit.make_dataset(psi[None, :, :, None], time=t, variables=["psi"], space={"x": x}, attrs={"dt": 0.01})

    def mass(state):
        return np.sum(np.abs(state[..., 0]) ** 2, axis=-1) * (x[1] - x[0])

    assert conservation_drift(ds, mass)["max_drift"].item() < 1e-12
    assert conservation_drift(ds, "norm2")["quantity"].values[0, 0] == pytest.approx(32 * 0.49)


def test_metric_scores_the_forecast_against_the_truth_start():
    truth = oscillator(400)
    drifting = oscillator(400, euler=True)
    metric = ConservationDrift(quantity="energy")
    assert np.all(metric(truth, truth).values < 1e-12)
    out = metric(truth, drifting).values
    np.testing.assert_allclose(out, (1 + H ** 2) ** 399 - 1, rtol=1e-9)
    assert np.all(ConservationDrift(quantity="energy", statistic="slope")(truth, drifting).values > 0)


def test_bad_quantities():
    data = oscillator()
    with pytest.raises(chaoskit.DataError, match="shape"):
        conservation_drift(data, lambda s: s.sum())
    with pytest.raises(chaoskit.DataError, match="real"):
        conservation_drift(data, lambda s: s[..., 0] + 1j)
    with pytest.raises(chaoskit.ParameterError):
        ConservationDrift(quantity="momentum")
    zero = data.copy(deep=True)
    zero["state"].values[0, 0] = 0.0
    out = ConservationDrift(quantity="energy").estimate(zero)
    assert np.isnan(out.values[0]) and "0 at the first time" in decode_attrs(out.attrs)["nan_reasons"]["0"]


def test_the_systems_own_conserved_quantities():
    """quantity='system': the trajectory's system rebuilds itself (with its parameters) and
    supplies its Hamiltonian or first integral; DOP853 at rtol 1e-9 keeps them to ~1e-8."""
    hh = chaoskit.systems.create("henon_heiles").trajectory(2000, members=2, seed=0)
    energy = chaoskit.systems.create("henon_heiles").energy
    by_system = conservation_drift(hh, "system")
    by_hand = conservation_drift(hh, lambda s: energy(s))
    np.testing.assert_allclose(by_system["quantity"].values, by_hand["quantity"].values, rtol=1e-12)
    assert 0 < float(by_system["max_drift"].max()) < 1e-7
    lv = chaoskit.systems.create("lotka_volterra", alpha=1.2).trajectory(2000, seed=0)
    rebuilt = conservation_drift(lv, "system:first_integral")  # with alpha = 1.2, not the default
    assert float(rebuilt["max_drift"].max()) < 1e-7
    wrong = chaoskit.systems.create("lotka_volterra").conserved_quantity(lv["state"].values)
    assert np.ptp(wrong) > 1e-3  # the default parameters' V is not conserved on this orbit
    metric = ConservationDrift(quantity="system:energy")
    truth, forecast = hh.isel(time=slice(0, 1000)), hh.isel(time=slice(1000, 2000))
    forecast = forecast.assign_attrs({k: v for k, v in forecast.attrs.items() if k != "system"})
    assert (metric(truth, forecast).values < 1e-7).all()  # Q from the truth's system


def test_system_quantities_that_do_not_exist_are_named():
    with pytest.raises(chaoskit.CapabilityError, match="declares no conserved quantity"):
        conservation_drift(chaoskit.systems.create("lorenz").trajectory(50, seed=0), "system")
    hh = chaoskit.systems.create("henon_heiles").trajectory(50, seed=0)
    with pytest.raises(chaoskit.ParameterError, match=r"conserves \['energy'\], not 'momentum'"):
        conservation_drift(hh, "system:momentum")
    with pytest.raises(chaoskit.DataError, match="'system' attribute"):
        conservation_drift(oscillator(), "system")
