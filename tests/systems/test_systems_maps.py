"""The maps of chaoskit-systems and their base class ``MapSystem``.

- each map's step at fixed states against a plain numpy formula written here from the paper;
- analytic (or automatic) Jacobians against central finite differences;
- invariants: the logistic map at r = 4 has λ = ln 2 (many short orbits), the Hénon map's
  exponents 0.41922, −1.62319 (tangent-space QR batched over members), the exact spectra of
  the tent, Chebyshev, baker's and Kaplan–Yorke maps; (slow) every stored spectrum;
- the blinking-vortex map against a scipy integration of the vortex flow;
- MapSystem: iteration, transients, default initial states, divergence records, dynamics.
"""

from __future__ import annotations

import math
import warnings
from typing import Any, ClassVar

import attrs
import chaoskit
import numpy as np
import pytest
import torch
from chaoskit_systems import MapSystem
from chaoskit_systems import metadata as md
from chaoskit_systems.maps.base import MapDynamics
from scipy.integrate import solve_ivp

TAU = 2.0 * np.pi
M = 16777213 / 2**24  # the modulus of chaoskit's doubling map (maps/doubling.py)


def _stack(*columns: np.ndarray) -> np.ndarray:
    return np.stack(columns, axis=-1)


def _gumowski_mira(X: np.ndarray, a: float, b: float) -> np.ndarray:
    def g(x: np.ndarray) -> np.ndarray:
        return a * x + 2 * (1 - a) * x**2 / (1 + x**2)

    x, y = X[..., 0], X[..., 1]
    xn = b * y + g(x)
    return _stack(xn, g(xn) - x)


def _zaslavskii(X: np.ndarray, eps: float, nu: float, r: float) -> np.ndarray:
    x, y = X[..., 0], X[..., 1]
    mu = (1 - np.exp(-r)) / r
    kick = np.cos(TAU * x)
    return _stack(np.mod(x + nu * (1 + mu * y) + eps * nu * mu * kick, 1.0), np.exp(-r) * (y + eps * kick))


def _ikeda(X: np.ndarray, u: float) -> np.ndarray:
    z = X[..., 0] + 1j * X[..., 1]
    zn = 1 + u * z * np.exp(1j * (0.4 - 6 / (1 + np.abs(z) ** 2)))
    return _stack(zn.real, zn.imag)


# name → (formula(states, **parameters), states). The formulas follow the papers cited in the
# data files (with dysts' conventions where the module docstrings say so); parameters are
# passed by name, so a renamed or reordered parameter fails here.
FORMULAS: dict[str, tuple[Any, list[list[float]]]] = {
    "Logistic": (lambda X, r: r * X * (1 - X), [[0.1], [0.51], [0.93]]),
    "Ricker": (lambda X, a: X * np.exp(a - X), [[0.2], [1.5], [7.0]]),
    "Tent": (lambda X, mu: np.where(X < 0.5, 2 * mu * X, 2 * mu * (1 - X)), [[0.1], [0.3], [0.8]]),
    "Gauss": (lambda X, a, b: np.exp(-a * X**2) + b, [[-0.3], [0.1], [0.45]]),
    "Chebyshev": (lambda X, a: np.cos(a * np.arccos(X)), [[-0.7], [0.2], [0.95]]),
    "Henon": (lambda X, a, b: _stack(1 - a * X[..., 0] ** 2 + X[..., 1], b * X[..., 0]),
              [[0.5, 0.1], [-1.1, 0.3], [1.2, -0.2]]),
    "DuffingMap": (lambda X, a, b: _stack(X[..., 1], -b * X[..., 0] + a * X[..., 1] - X[..., 1] ** 3),
                   [[0.5, 0.1], [-1.0, 1.3], [0.2, -1.6]]),
    "MaynardSmith": (lambda X, a, b: _stack(X[..., 1], a * X[..., 1] + b - X[..., 0] ** 2),
                     [[0.0, 0.1], [1.2, -0.4], [-0.9, 1.1]]),
    "Tinkerbell": (lambda X, a, b, c, d: _stack(
        X[..., 0] ** 2 - X[..., 1] ** 2 + a * X[..., 0] + b * X[..., 1],
        2 * X[..., 0] * X[..., 1] + c * X[..., 0] + d * X[..., 1]),
        [[-0.2, -0.4], [0.3, 0.5], [-1.0, -1.2]]),
    "Bogdanov": (lambda X, eps, k, mu: _stack(
        X[..., 0] + (1 + eps) * X[..., 1] + k * X[..., 0] * (X[..., 0] - 1) + mu * X[..., 0] * X[..., 1],
        (1 + eps) * X[..., 1] + k * X[..., 0] * (X[..., 0] - 1) + mu * X[..., 0] * X[..., 1]),
        [[0.51, 0.2], [-0.3, 0.1], [0.2, -0.4]]),
    "Ikeda": (_ikeda, [[0.9, 0.5], [-0.2, -1.5], [1.5, 0.3]]),
    "Chirikov": (lambda X, k: _stack(
        np.mod(X[..., 0] + k * np.sin(X[..., 1]), TAU),
        np.mod(X[..., 1] + X[..., 0] + k * np.sin(X[..., 1]), TAU)),
        [[0.1, 0.1], [3.0, 2.0], [5.5, 4.7]]),
    "Gingerbreadman": (lambda X: _stack(1 - X[..., 1] + np.abs(X[..., 0]), X[..., 0]),
                       [[0.51, 0.1], [-0.4, 1.3], [2.0, -1.0]]),
    "Circle": (lambda X, omega, k: np.mod(X + omega + k / TAU * np.sin(TAU * X), 1.0),
               [[0.1], [0.4], [0.77]]),
    "Zaslavskii": (_zaslavskii, [[0.51, 0.1], [0.3, -0.4], [0.8, 0.2]]),
    "Baker": (lambda X, a: _stack(np.mod(2 * X[..., 0], M), (a * X[..., 1] + (2 * X[..., 0] >= M)) / 2),
              [[0.1, 0.3], [0.6, 0.9], [0.45, 0.05]]),
    "KaplanYorke": (lambda X, alpha: _stack(np.mod(2 * X[..., 0], M), alpha * X[..., 1] + np.cos(4 * np.pi * X[..., 0])),
                    [[0.2, 0.2], [0.7, -0.5], [0.33, 1.1]]),
    "DeJong": (lambda X, a, b, c, d: _stack(
        np.sin(a * X[..., 1]) - np.cos(b * X[..., 0]), np.sin(c * X[..., 0]) - np.cos(d * X[..., 1])),
        [[1.78, -1.16], [0.3, 0.4], [-1.5, 0.9]]),
    "Svensson": (lambda X, a, b, c, d: _stack(
        d * np.sin(a * X[..., 0]) - np.sin(b * X[..., 1]), c * np.cos(a * X[..., 0]) + np.cos(b * X[..., 1])),
        [[0.5, 0.5], [-1.2, 2.0], [1.7, -0.8]]),
    "Bedhead": (lambda X, a, b: _stack(
        np.sin(X[..., 0] * X[..., 1] / b) * X[..., 1] + np.cos(a * X[..., 0] - X[..., 1]),
        X[..., 0] + np.sin(X[..., 1]) / b),
        [[0.5, 0.5], [1.2, 2.1], [-0.3, 0.9]]),
    "Pickover": (lambda X, a, b, c, d: _stack(
        np.sin(a * X[..., 1]) + c * np.cos(a * X[..., 0]), np.sin(b * X[..., 0]) + d * np.cos(b * X[..., 1])),
        [[-0.98, -1.2], [0.5, 0.3], [1.6, -0.7]]),
    "GumowskiMira": (_gumowski_mira, [[0.1, 0.1], [-0.6, 0.8], [1.5, -0.3]]),
    "Hopalong": (lambda X, a, b, c: _stack(
        X[..., 1] - 1 - np.sign(X[..., 0] - 1) * np.sqrt(np.abs(b * X[..., 0] - 1 - c)), a - X[..., 0] - 1),
        [[0.1, 0.1], [4.0, -2.0], [-3.0, 5.0]]),
    "ZeraouliaSprott": (lambda X, a, b: _stack(
        -a * X[..., 0] / (1 + X[..., 1] ** 2), X[..., 0] + b * X[..., 1]),
        [[1.78, -1.16], [0.3, 2.0], [-2.5, -0.4]]),
}
MAPS = sorted(k for k in md.names() if md.entry(k)["target"].startswith("chaoskit_systems.maps."))


def create(key: str, **params: float) -> MapSystem:
    system = chaoskit.systems.create(md.entry(key)["name"], **params)
    assert isinstance(system, MapSystem)
    return system


def test_every_map_is_checked_here() -> None:
    assert set(FORMULAS) | {"BlinkingVortexMap", "LesliePredatorPrey"} == set(MAPS)


@pytest.mark.parametrize("key", sorted(FORMULAS))
def test_step_matches_the_papers_formula(key: str) -> None:
    system = create(key)
    formula, states = FORMULAS[key]
    X = np.array(states)
    np.testing.assert_allclose(system.step(X), formula(X, **system.parameters), rtol=1e-12, atol=1e-13)
    # other parameter values reach the step too
    changed = {name: value * 0.9 + 0.01 for name, value in system.parameters.items()}
    if key == "Zaslavskii":
        changed["r"] = 1.5
    variant = attrs.evolve(system, **changed)
    np.testing.assert_allclose(variant.step(X), formula(X, **changed), rtol=1e-12, atol=1e-13)


@pytest.mark.parametrize("key", MAPS)
def test_jacobian_matches_finite_differences(key: str) -> None:
    system = create(key)
    states = system.trajectory(40, members=2, seed=1)["state"].values.reshape(-1, system.dimension)[::5]
    if key in FORMULAS:
        states = np.concatenate([states, np.array(FORMULAS[key][1])])
    # near a blinking vortex the derivatives reach ~1e3 and curve fast: a finer difference step
    step = 1e-8 if key == "BlinkingVortexMap" else 1e-6
    numeric = chaoskit.finite_difference_jacobian(system.step, states, rel_step=step)
    analytic = system.jacobian(0.0, states)
    assert analytic.shape == (len(states), system.dimension, system.dimension)
    np.testing.assert_allclose(analytic, numeric, rtol=1e-5, atol=1e-6 * np.abs(numeric).max())
    # the one-step map of two iterations chains the Jacobians
    dyn = system.dynamics(2)
    numeric2 = chaoskit.finite_difference_jacobian(dyn.step, states[:4], rel_step=step)
    np.testing.assert_allclose(dyn.jacobian(states[:4]), numeric2, rtol=1e-4, atol=1e-5 * np.abs(numeric2).max())


def test_blinking_vortex_follows_the_vortex_flow() -> None:
    """One iteration = the tracer advected for t by a vortex at (b, 0) with its image at
    (a²/b, 0), then for t by a vortex at (−b, 0) with its image (scipy DOP853)."""
    system = create("BlinkingVortexMap")
    a, gamma, b, t = (system.parameters[k] for k in ("a", "gamma", "b", "t"))

    def velocity(_: float, y: np.ndarray, vortex: float) -> list[float]:
        z = y[0] + 1j * y[1]
        w = gamma / (2j * np.pi) * (1 / (z - vortex) - 1 / (z - a * a / vortex))  # u − i v
        return [w.real, -w.imag]

    states = np.array([[0.17, 0.33], [0.6, 2.5], [0.35, -1.2], [0.85, -2.9]])
    for r, theta in states:
        y = [r * np.cos(theta), r * np.sin(theta)]
        for vortex in (b, -b):
            sol = solve_ivp(velocity, (0.0, t), y, args=(vortex,), method="DOP853", rtol=1e-12, atol=1e-13)
            y = sol.y[:, -1]
        expected = [np.hypot(*y), np.arctan2(y[1], y[0])]
        np.testing.assert_allclose(system.step(np.array([r, theta])), expected, rtol=0, atol=1e-8)


# ---------------------------------------------------------------------------------- invariants
def tangent_spectrum(system: MapSystem, *, members: int, iterations: int, transient: int,
                     dtype: str = "float64", seed: int = 0) -> np.ndarray:
    """Lyapunov exponents per member by tangent-space QR, batched over members: (members, d)."""
    ds = system.trajectory(1, members=members, seed=seed, transient=transient, dtype=dtype)
    x = torch.as_tensor(ds["state"].values[:, 0])
    d = system.dimension
    q = torch.eye(d, dtype=x.dtype).expand(members, d, d)
    logs = torch.zeros(members, d, dtype=torch.float64)
    for _ in range(iterations):
        jac = system.jacobian(0.0, x)
        x = system.step(x)
        q, r = torch.linalg.qr(jac @ q)
        logs += torch.log(torch.abs(torch.diagonal(r, dim1=-2, dim2=-1))).double()
    return (logs / iterations).numpy()


@pytest.mark.parametrize("dtype", ["float64", "float32"])
def test_logistic_at_r4_has_lyapunov_exponent_ln2(dtype: str) -> None:
    # many short orbits (a single long floating-point orbit at r = 4 may collapse onto 0)
    system = create("Logistic", r=4.0)
    x0 = np.random.default_rng(0).uniform(0.05, 0.95, size=(2000, 1))
    ds = system.trajectory(200, members=2000, initial_state=x0, transient=10, dtype=dtype)
    x = ds["state"].values[..., 0]
    # float32 orbits that hit x = 1/2 to within rounding land on the fixed point 0: drop them
    x = x[(x != 0).all(axis=1)]
    assert len(x) > 1900
    slope = system.jacobian(0.0, x.reshape(-1, 1).astype(np.float64))[..., 0, 0]
    estimate = np.log(np.abs(slope)).mean()
    assert estimate == pytest.approx(math.log(2.0), rel=0.01)


@pytest.mark.parametrize("dtype", ["float64", "float32"])
def test_henon_spectrum_from_the_tangent_map(dtype: str) -> None:
    system = create("Henon")
    reference = system.metadata.references["lyapunov_spectrum"].value
    assert reference == (0.41922, -1.62319)
    exponents = tangent_spectrum(system, members=64, iterations=2000, transient=100, dtype=dtype)
    np.testing.assert_allclose(exponents.mean(axis=0), reference, rtol=0.01)
    # the sum is ln|det J| = ln b on every orbit
    np.testing.assert_allclose(exponents.sum(axis=1), math.log(0.3), rtol=1e-6 if dtype == "float64" else 1e-4)


@pytest.mark.parametrize("key", ["Tent", "Chebyshev", "Baker", "KaplanYorke"])
def test_exact_spectra(key: str) -> None:
    system = create(key)
    ref = system.metadata.references["lyapunov_spectrum"]
    assert ref.source == "exact"
    exponents = tangent_spectrum(system, members=8, iterations=1000, transient=10)
    np.testing.assert_allclose(exponents.mean(axis=0), ref.value, rtol=0, atol=3e-3)


@pytest.mark.slow
@pytest.mark.parametrize("key", MAPS)
def test_stored_spectra(key: str) -> None:
    """Every stored spectrum, from 64 members × 4000 iterations (tools/map_invariants.py used
    256 × 20000): within 2% of |λ₁| plus 0.01."""
    system = create(key)
    ref = system.metadata.references.get("lyapunov_spectrum")
    if ref is None:
        pytest.skip(f"{key} stores no spectrum")
    exponents = tangent_spectrum(system, members=64, iterations=4000, transient=500)
    exponents = exponents[np.isfinite(exponents).all(axis=1)]
    tolerance = 0.02 * abs(ref.value[0]) + 0.01
    np.testing.assert_allclose(exponents.mean(axis=0), ref.value, rtol=0, atol=tolerance)


def test_doubling_maps_do_not_collapse_in_either_precision() -> None:
    # the exact doubling map reaches x = 0 within ~53 (float64) or ~24 (float32) iterations
    for key in ("KaplanYorke", "Baker"):
        system = create(key)
        for dtype in ("float64", "float32"):
            x = system.trajectory(3000, members=4, seed=0, dtype=dtype)["state"].values[..., 0]
            tail = x[:, 1000:]
            assert np.isfinite(tail).all()
            assert (tail.min(axis=1) < 0.01).all() and (tail.max(axis=1) > 0.99).all()
            for orbit in tail:  # no short cycle: 2000 iterates, (almost) all distinct
                assert len(np.unique(orbit)) > 1990


def test_angles_are_wrapped() -> None:
    p_x = create("Chirikov").trajectory(500, members=3, seed=0)["state"].values[:, 1:]
    assert p_x.min() >= 0 and p_x.max() < TAU
    theta = create("Circle").trajectory(500, members=3, seed=0)["state"].values[:, 1:]
    assert theta.min() >= 0 and theta.max() < 1
    x = create("Zaslavskii").trajectory(200, seed=0)["state"].values[0, 1:, 0]
    assert x.min() >= 0 and x.max() < 1
    r_theta = create("BlinkingVortexMap").trajectory(50, seed=0)["state"].values[0, 1:]
    assert np.abs(r_theta[:, 1]).max() <= np.pi and (r_theta[:, 0] < 1).all()


# ---------------------------------------------------------------------------------- MapSystem
def test_iteration_transient_and_time() -> None:
    henon = create("Henon")
    ds = henon.trajectory(30, members=2, seed=0)
    assert ds["state"].shape == (2, 30, 2) and ds.attrs["integrator"] == "iterate"
    np.testing.assert_array_equal(ds["time"].values, np.arange(30.0))
    later = henon.trajectory(20, members=2, seed=0, transient=10)
    np.testing.assert_array_equal(later["state"].values, ds["state"].values[:, 10:])
    np.testing.assert_array_equal(later["time"].values, np.arange(20.0))
    assert later.chaos.attrs["iterations"] == 29 and later.chaos.attrs["failed_members"] == []
    assert create("Henon").trajectory(5, method="iterate")["state"].shape == (1, 5, 2)


def test_default_initial_states_follow_the_flows_rule() -> None:
    henon = create("Henon")
    x0 = np.asarray(henon.metadata.initial_state)
    ds = henon.trajectory(3, members=4, seed=3)
    scale = 1e-2 * np.abs(x0).max()
    assert ds.attrs["initial_perturbation"] == pytest.approx(scale)
    expected = np.vstack([x0, x0 + scale * np.random.default_rng(3).standard_normal((3, 2))])
    np.testing.assert_allclose(ds["state"].values[:, 0], expected, rtol=1e-15)
    given = henon.trajectory(3, members=2, initial_state=[0.1, 0.2])
    assert "initial_perturbation" not in given.attrs
    np.testing.assert_array_equal(given["state"].values[:, 0], [[0.1, 0.2], [0.1, 0.2]])


def test_float32_follows_float64_for_a_while() -> None:
    henon = create("Henon")
    single = henon.trajectory(15, members=3, seed=0, dtype="float32")["state"].values
    double = henon.trajectory(15, members=3, seed=0)["state"].values
    assert single.dtype == np.float32
    np.testing.assert_allclose(single, double, rtol=0, atol=1e-3)


def test_step_and_jacobian_accept_numpy_and_torch() -> None:
    henon = create("Henon")
    x = np.array([[0.5, 0.1]])
    assert isinstance(henon.step(x), np.ndarray) and henon.step(x.astype(np.float32)).dtype == np.float32
    xt = torch.tensor(x, requires_grad=True)
    y = henon.step(xt)
    assert isinstance(y, torch.Tensor)
    y.sum().backward()  # differentiable with autograd
    np.testing.assert_allclose(xt.grad.numpy(), henon.jacobian(0.0, x).sum(axis=-2))
    assert isinstance(henon.jacobian(0.0, torch.tensor(x)), torch.Tensor)
    with pytest.raises(chaoskit.CapabilityError):
        henon.rhs(0.0, x)
    with pytest.raises(chaoskit.DataError):
        henon.step(np.zeros(3))


def test_bad_arguments_name_the_problem() -> None:
    henon = create("Henon")
    with pytest.raises(chaoskit.ParameterError, match="whole number of iterations"):
        henon.trajectory(5, transient=2.5)
    with pytest.raises(chaoskit.ParameterError, match="no rtol/atol"):
        henon.trajectory(5, rtol=1e-6)
    with pytest.raises(chaoskit.ParameterError, match="dt"):
        henon.trajectory(5, dt=0.5)
    with pytest.raises(chaoskit.ParameterError, match="takes no sde_step"):
        henon.trajectory(5, noise=0.1, sde_step=0.5)
    with pytest.raises(chaoskit.ParameterError, match="positive integer"):
        henon.dynamics(1.5)
    with pytest.raises(chaoskit.ParameterError, match="must be < a"):
        create("BlinkingVortexMap", b=2.0)


def test_dynamics_iterates_and_pushes_tangents() -> None:
    henon = create("Henon")
    dyn = henon.dynamics()
    assert isinstance(dyn, MapDynamics) and isinstance(dyn, chaoskit.Dynamics)
    assert dyn.dt == 1.0 and dyn.backend == "torch" and dyn.dimension == 2
    x = torch.tensor([[0.5, 0.1], [-0.2, 0.3]], dtype=torch.float64)
    np.testing.assert_array_equal(henon.dynamics(3).step(x), henon.step(henon.step(henon.step(x))))
    v = torch.randn(2, 2, 3, dtype=torch.float64, generator=torch.Generator().manual_seed(0))
    y, jv = dyn.jvp(x, v)
    np.testing.assert_array_equal(y, henon.step(x))
    np.testing.assert_allclose(jv, henon.jacobian(0.0, x) @ v, rtol=1e-13)


@attrs.frozen(kw_only=True)
class Reciprocal(MapSystem):
    """x' = 1 / x: 0 goes to inf and inf back to 0 (a member must stay stopped)."""

    variables: ClassVar[tuple[str, ...]] = ("x",)
    metadata: ClassVar[chaoskit.SystemMetadata] = chaoskit.SystemMetadata(
        name="Reciprocal", dt=1.0, initial_state=(2.0,)
    )

    def _step(self, x: torch.Tensor) -> torch.Tensor:
        return 1 / x



def test_non_finite_members_stop_and_are_recorded() -> None:
    logistic = create("Logistic", r=4.0)
    with pytest.warns(chaoskit.DivergenceWarning, match="1 member"):
        ds = logistic.trajectory(20, members=2, initial_state=[[0.3], [3.0]])
    x = ds["state"].values[..., 0]
    expected, k = 3.0, 0  # the plain iteration of member 1 reaches -inf at iteration k
    with np.errstate(over="ignore", invalid="ignore"):
        while np.isfinite(expected):
            expected, k = 4.0 * expected * (1 - expected), k + 1
    assert np.isfinite(x[0]).all() and np.isfinite(x[1, :k]).all() and np.isnan(x[1, k:]).all()
    info = ds.chaos.attrs
    assert (info["failed_members"], info["failed_times"]) == ([1], [float(k)])
    assert info["failed_reasons"] == ["non-finite state"]
    # inf mapped back to a finite number: the member still stops at its first non-finite state
    with pytest.warns(chaoskit.DivergenceWarning):
        ds = Reciprocal().trajectory(6, members=2, initial_state=[[2.0], [0.0]])
    np.testing.assert_array_equal(ds["state"].values[0, :, 0], [2.0, 0.5] * 3)
    assert ds["state"].values[1, 0, 0] == 0.0 and np.isnan(ds["state"].values[1, 1:]).all()
    assert ds.chaos.attrs["failed_times"] == [1.0]
    # a failure inside the transient: every output is NaN, the iteration is still counted
    with pytest.warns(chaoskit.DivergenceWarning):
        ds = Reciprocal().trajectory(3, members=2, initial_state=[[2.0], [0.0]], transient=4)
    assert np.isnan(ds["state"].values[1]).all() and ds.chaos.attrs["failed_times"] == [1.0]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        create("Henon").trajectory(50, members=8, seed=0)  # no warning when all stay finite


def test_map_system_is_exported_lazily() -> None:
    import chaoskit_systems

    assert chaoskit_systems.MapSystem is MapSystem and "MapSystem" in dir(chaoskit_systems)
    assert MapSystem.kind == "map" and MapSystem.methods == ("iterate",)


@pytest.mark.cuda
@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA device")
@pytest.mark.parametrize("key", MAPS)
def test_cuda_matches_cpu(key: str) -> None:
    # few iterations: chaos amplifies the last-bit differences of CUDA's sin/exp (λ ≤ 1.8)
    system = create(key)
    cpu = system.trajectory(8, members=8, seed=0)["state"].values
    gpu = system.trajectory(8, members=8, seed=0, device="cuda")["state"].values
    np.testing.assert_array_equal(gpu[:, 0], cpu[:, 0])
    np.testing.assert_allclose(gpu, cpu, rtol=1e-8, atol=1e-8 * np.abs(cpu).max())
    x = torch.as_tensor(cpu[:, -1], device="cuda")
    torch.testing.assert_close(system.jacobian(0.0, x).cpu(), system.jacobian(0.0, x.cpu()),
                               rtol=1e-9, atol=1e-9)
