"""Tests of SINDy (chaoskit_models.sindy): libraries, derivatives, optimizers, ensembles, model.

References are independent of the code under test: Lorenz-63 integrated by scipy (DOP853,
rtol 1e-12), analytic derivatives, numpy least squares and exhaustive subset search, exact
finite-difference tables, and a numpy RK4.
"""

from __future__ import annotations

import warnings
from typing import ClassVar

import attrs
import chaoskit
import numpy as np
import pytest
import torch
import xarray as xr
from chaoskit import CapabilityError, DataError, NotFittedError, ParameterError
from chaoskit.dynamics import finite_difference_jacobian
from chaoskit.testing import ModelConformance
from chaoskit_models.sindy import (
    SR3,
    STLSQ,
    CustomLibrary,
    Ensemble,
    FiniteDifference,
    FourierLibrary,
    PolynomialLibrary,
    SINDy,
    SmoothedFiniteDifference,
    SuppliedDerivatives,
    finite_difference,
)
from chaoskit_models.sindy import terms as T
from chaoskit_models.sindy.equations import equation_strings
from chaoskit_models.sindy.library import as_library
from scipy.integrate import solve_ivp

DT = 0.01
N = 10_000
VARS = ["x", "y", "z"]
FEATURES = ["1", "x", "y", "z", "x^2", "x y", "x z", "y^2", "y z", "z^2"]
# the seven terms of Lorenz-63 (σ = 10, ρ = 28, β = 8/3) in the degree-2 library
TRUE = np.zeros((3, 10))
TRUE[0, 1], TRUE[0, 2] = -10.0, 10.0
TRUE[1, 1], TRUE[1, 2], TRUE[1, 6] = 28.0, -1.0, -1.0
TRUE[2, 3], TRUE[2, 5] = -8.0 / 3.0, 1.0


class TestSINDyConformance(ModelConformance):
    names: ClassVar[tuple[str, ...]] = ("sindy",)


def lorenz_rhs(t: float, s: np.ndarray) -> np.ndarray:
    x, y, z = s
    return np.array([10.0 * (y - x), x * (28.0 - z) - y, x * y - 8.0 / 3.0 * z])


def dataset(values: np.ndarray, t0: float = 0.0, **extra: np.ndarray) -> xr.Dataset:
    values = values if values.ndim == 3 else values[None]
    ds = chaoskit.make_dataset(
        values, time=t0 + DT * np.arange(values.shape[1]), variables=VARS, attrs={"dt": DT}
    )
    return ds.assign({k: (ds["state"].dims, v) for k, v in extra.items()})


@pytest.fixture(scope="module")
def lorenz() -> np.ndarray:
    """Lorenz-63, 10,000 points at dt = 0.01 from (-8, 8, 27), scipy DOP853 rtol = atol = 1e-12."""
    t = DT * np.arange(N + 200)
    sol = solve_ivp(
        lorenz_rhs,
        (0.0, t[-1]),
        [-8.0, 8.0, 27.0],
        method="DOP853",
        rtol=1e-12,
        atol=1e-12,
        t_eval=t,
    )
    assert sol.success
    return sol.y.T


@pytest.fixture(scope="module")
def fitted(lorenz: np.ndarray) -> SINDy:
    return SINDy(differentiation=FiniteDifference(order=4)).fit(dataset(lorenz[:N]))


# --------------------------------------------------------------------------- quality targets
def test_noise_free_lorenz_recovers_the_seven_terms_within_0_1_percent(fitted: SINDy) -> None:
    coef = fitted.coefficients
    assert coef.dims == ("variable", "feature")
    assert list(coef["variable"].values) == VARS and list(coef["feature"].values) == FEATURES
    np.testing.assert_array_equal(coef.values != 0, TRUE != 0)
    rel = np.abs(coef.values[TRUE != 0] / TRUE[TRUE != 0] - 1)
    assert rel.max() < 1e-3, rel


def test_noisy_lorenz_with_smoothed_derivatives_recovers_the_support(lorenz: np.ndarray) -> None:
    x = lorenz[:N]
    for seed in (0, 1, 2):  # 1 % observation noise: 0.01 × each variable's standard deviation
        noisy = x + 0.01 * x.std(axis=0) * np.random.default_rng(seed).standard_normal(x.shape)
        model = SINDy(differentiation=SmoothedFiniteDifference()).fit(dataset(noisy))
        np.testing.assert_array_equal(model.coefficients.values != 0, TRUE != 0)
        assert np.abs(model.coefficients.values - TRUE).max() < 0.5


def test_equations_are_printed_with_variable_names(fitted: SINDy) -> None:
    assert fitted.equations(precision=1) == [
        "x' = -10.0 x + 10.0 y",
        "y' = 28.0 x - 1.0 y - 1.0 x z",
        "z' = -2.7 z + 1.0 x y",
    ]
    assert fitted.equations()[0].startswith("x' = -10.000 x + 10.000 y")


def test_equation_format_constant_term_and_empty_equation() -> None:
    coef = np.array([[2.5, -1.0, 0.0], [0.0, 0.0, 0.0], [-0.0004, 0.0, 3.0]])
    lines = equation_strings(coef, ["x", "y", "z"], ["1", "x", "z^2"])
    assert lines == ["x' = 2.500 - 1.000 x", "y' = 0", "z' = 3.000 z^2"]
    assert equation_strings(coef, ["x", "y", "z"], ["1", "x", "z^2"], precision=4)[2] == (
        "z' = -0.0004 + 3.0000 z^2"
    )


# --------------------------------------------------------------------------- ensembles
def test_ensemble_bagging_inclusion_probabilities_and_seed(lorenz: np.ndarray) -> None:
    ds = dataset(lorenz[:3000])
    model = SINDy(
        differentiation=FiniteDifference(order=4), ensemble=Ensemble(n_models=10), seed=1
    ).fit(ds)
    inclusion = model.inclusion_probabilities
    np.testing.assert_array_equal(inclusion.values, (TRUE != 0).astype(float))
    np.testing.assert_allclose(model.coefficients.values, TRUE, rtol=2e-3, atol=1e-12)
    assert model.ensemble_coefficients.dims == ("model", "variable", "feature")
    assert model.ensemble_coefficients.shape == (10, 3, 10)
    again = attrs.evolve(model).fit(ds)
    np.testing.assert_array_equal(
        again.ensemble_coefficients.values, model.ensemble_coefficients.values
    )
    other = attrs.evolve(model, seed=2).fit(ds)
    assert not np.array_equal(
        other.ensemble_coefficients.values, model.ensemble_coefficients.values
    )


def test_library_ensemble_drops_terms_and_means(lorenz: np.ndarray) -> None:
    ds = dataset(lorenz[:3000])
    ens = Ensemble(
        n_models=30, bagging=False, library_ensemble=True, n_candidates_to_drop=2, aggregate="mean"
    )
    model = SINDy(differentiation=FiniteDifference(order=4), ensemble=ens, seed=0).fit(ds)
    models = model.ensemble_coefficients.values
    assert ((models == 0).all(axis=1).sum(axis=1) >= 2).all()  # every sub-model lost ≥ 2 terms
    np.testing.assert_allclose(model.coefficients.values, models.mean(axis=0))
    np.testing.assert_allclose(model.inclusion_probabilities.values, (models != 0).mean(axis=0))
    assert model.inclusion_probabilities.values[TRUE != 0].min() < 1.0


# -------------------------------------------------------------- members and given derivatives
def test_members_are_differentiated_separately(lorenz: np.ndarray) -> None:
    pieces = np.stack([lorenz[k : k + 150] for k in range(0, 9600, 1200)])  # 8 disjoint pieces
    model = SINDy(differentiation=FiniteDifference(order=4)).fit(dataset(pieces))
    np.testing.assert_array_equal(model.coefficients.values != 0, TRUE != 0)
    assert np.abs(model.coefficients.values[TRUE != 0] / TRUE[TRUE != 0] - 1).max() < 1e-3
    derivs = finite_difference(pieces, DT, order=4, axis=1)
    for member, piece in zip(derivs, pieces, strict=True):
        np.testing.assert_allclose(
            member, finite_difference(piece, DT, order=4), rtol=1e-12, atol=1e-9
        )
    given = SINDy(differentiation="supplied").fit(dataset(pieces), derivatives=derivs)
    np.testing.assert_allclose(
        given.coefficients.values, model.coefficients.values, rtol=1e-10, atol=1e-12
    )
    # the same rows glued into one member are differentiated across the jumps and go wrong
    glued = SINDy(differentiation=FiniteDifference(order=4)).fit(dataset(pieces.reshape(-1, 3)))
    assert (
        np.abs(glued.coefficients.values - TRUE).max()
        > 100 * np.abs(model.coefficients.values - TRUE).max()
    )


def test_supplied_derivatives_from_an_array_or_a_variable(lorenz: np.ndarray) -> None:
    x = lorenz[:2000]
    exact = np.array([lorenz_rhs(0.0, s) for s in x])
    from_array = SINDy(differentiation=SuppliedDerivatives()).fit(dataset(x), derivatives=exact)
    np.testing.assert_allclose(from_array.coefficients.values, TRUE, rtol=1e-7, atol=1e-9)
    ds = dataset(x, xdot=exact[None])
    from_var = SINDy(differentiation={"kind": "supplied", "variable": "xdot"}).fit(ds)
    np.testing.assert_allclose(
        from_var.coefficients.values, from_array.coefficients.values, rtol=1e-12
    )


# --------------------------------------------------------------------------- forecast and dynamics
def test_forecast_follows_the_true_orbit(fitted: SINDy, lorenz: np.ndarray) -> None:
    context = dataset(np.stack([lorenz[N - 50 : N], lorenz[5000:5050]]), t0=3.0)
    truth = np.stack([lorenz[N : N + 100], lorenz[5050:5150]])
    out = fitted.forecast(context, 100)
    np.testing.assert_allclose(out["time"].values, 3.0 + DT * np.arange(50, 150), rtol=1e-12)
    err = np.abs(out["state"].values - truth).max()
    assert err < 0.05, err
    rk4 = attrs.evolve(fitted, integrator="rk4", rk4_substeps=2).fit(dataset(lorenz[:N]))
    np.testing.assert_allclose(
        rk4.forecast(context, 100)["state"].values, out["state"].values, atol=1e-4
    )


def test_forecast_in_float32(lorenz: np.ndarray) -> None:
    model = SINDy(dtype="float32", differentiation=FiniteDifference(order=4)).fit(
        dataset(lorenz[:2000])
    )
    out = model.forecast(dataset(lorenz[2000:2010]), 20)
    assert out["state"].dtype == np.float32
    np.testing.assert_allclose(out["state"].values[0], lorenz[2010:2030], atol=0.05)


def test_dynamics_is_rk4_of_the_identified_field(fitted: SINDy, lorenz: np.ndarray) -> None:
    dyn = fitted.dynamics()
    assert dyn.dt == pytest.approx(DT) and dyn.dimension == 3
    coef = fitted.coefficients.values

    def f(s: np.ndarray) -> np.ndarray:  # the identified field, written out by hand
        x, y, z = s[..., 0], s[..., 1], s[..., 2]
        theta = np.stack([np.ones_like(x), x, y, z, x * x, x * y, x * z, y * y, y * z, z * z], -1)
        return theta @ coef.T

    def rk4(s: np.ndarray) -> np.ndarray:
        k1 = f(s)
        k2 = f(s + DT / 2 * k1)
        k3 = f(s + DT / 2 * k2)
        k4 = f(s + DT * k3)
        return s + DT / 6 * (k1 + 2 * k2 + 2 * k3 + k4)

    states = lorenz[100:104]
    np.testing.assert_allclose(dyn.step(torch.as_tensor(states)).numpy(), rk4(states), rtol=1e-13)
    jac = dyn.jacobian(torch.as_tensor(states)).numpy()
    np.testing.assert_allclose(jac, finite_difference_jacobian(rk4, states), rtol=1e-6, atol=1e-7)
    np.testing.assert_allclose(fitted.vector_field(states), f(states), rtol=1e-13)


def test_agrees_with_pysindy(lorenz: np.ndarray) -> None:
    """pysindy 2.1 (a benchmark peer) on the same data and settings, where it is installed."""
    ps = pytest.importorskip("pysindy")
    x = lorenz[:2000]
    cases = [
        ({}, {}),
        (
            {"differentiation": SmoothedFiniteDifference(order=4)},
            {"differentiation_method": ps.SmoothedFiniteDifference(order=4)},
        ),
        (
            {"optimizer": STLSQ(threshold=20.0, alpha=1.0, normalize_columns=True)},
            {"optimizer": ps.STLSQ(threshold=20.0, alpha=1.0, normalize_columns=True)},
        ),
        (
            {"optimizer": SR3(threshold=0.3, nu=2.0, regularizer="l1", normalize_columns=True)},
            {
                "optimizer": ps.SR3(
                    reg_weight_lam=0.15,
                    relax_coeff_nu=2.0,
                    regularizer="L1",
                    normalize_columns=True,
                )
            },
        ),
    ]
    for ours, theirs in cases:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            model = SINDy(**ours).fit(dataset(x))
            peer = ps.SINDy(**theirs).fit(x, t=DT)
        np.testing.assert_allclose(
            model.coefficients.values, peer.coefficients(), rtol=1e-8, atol=1e-9
        )


# --------------------------------------------------------------------------- persistence
def test_save_load_with_a_named_custom_library(lorenz: np.ndarray, tmp_path) -> None:
    lib = PolynomialLibrary(degree=1) + CustomLibrary(
        functions=["chaoskit_models.sindy.terms:square"]
    )
    model = SINDy(library=lib, optimizer=STLSQ(threshold=0.05)).fit(dataset(lorenz[:500]))
    back = chaoskit.load_model(model.save(tmp_path / "m"))
    assert back == model
    np.testing.assert_array_equal(back.coefficients.values, model.coefficients.values)
    assert back.equations() == model.equations()
    with_lambda = SINDy(library=CustomLibrary(functions=[lambda u: u * u])).fit(
        dataset(lorenz[:500])
    )
    with pytest.raises(CapabilityError, match="module level"):
        with_lambda.save(tmp_path / "lambda")
    provenance = with_lambda.forecast(dataset(lorenz[:5]), 2).attrs["hyperparameters"]
    assert "unsaveable" in provenance and "<lambda>" in provenance  # forecasts still record it


def test_hyperparameters_are_plain_data_and_rebuild_the_model() -> None:
    model = SINDy(
        library=PolynomialLibrary(degree=3) * FourierLibrary(),
        optimizer="sr3",
        ensemble=Ensemble(library_ensemble=True),
        differentiation="smoothed",
    )
    hp = model.hyperparameters()
    assert hp["optimizer"] == {
        "kind": "sr3",
        "threshold": 0.1,
        "nu": 1.0,
        "regularizer": "l0",
        "max_iter": 30,
        "tol": 1e-5,
        "unbias": False,
        "normalize_columns": False,
    }
    assert chaoskit.models.create("sindy", **hp) == model


# --------------------------------------------------------------------------- bad input
def test_bad_hyperparameters_raise_parameter_errors() -> None:
    with pytest.raises(ParameterError, match="degree"):
        PolynomialLibrary(degree=-1)
    with pytest.raises(ParameterError, match="threshold"):
        STLSQ(threshold=-0.1)
    with pytest.raises(ParameterError, match="threshold"):
        SINDy(optimizer={"kind": "stlsq", "threshold": -1.0})
    with pytest.raises(ParameterError, match="valid kinds"):
        SINDy(library="chebyshev")
    with pytest.raises(ParameterError, match="no parameter 'degre'"):
        SINDy(library={"kind": "polynomial", "degre": 3})
    with pytest.raises(ParameterError, match="order"):
        FiniteDifference(order=3)
    with pytest.raises(ParameterError, match="odd"):
        SmoothedFiniteDifference(window=10)
    with pytest.raises(ParameterError, match="bagging or library_ensemble"):
        Ensemble(bagging=False)
    with pytest.raises(ParameterError, match="placeholder"):
        CustomLibrary(functions=[T.exp], labels=["exp"])


def test_configs_only_rebuild_python_functions_of_imported_modules() -> None:
    with pytest.raises(ParameterError, match="Python function"):
        as_library({"kind": "custom", "functions": ["os:system"]})
    with pytest.raises(ParameterError, match="not imported"):
        as_library({"kind": "custom", "functions": ["some_unimported_module:f"]})
    with pytest.raises(ParameterError, match="lambda"):
        as_library(CustomLibrary(functions=[lambda u: u]).to_config())
    with pytest.raises(ParameterError, match="include_sin or include_cos"):
        FourierLibrary(include_sin=False, include_cos=False)


def test_library_larger_than_the_samples(lorenz: np.ndarray) -> None:
    with pytest.raises(DataError, match="56 terms but the training data give only 20 samples"):
        SINDy(library=PolynomialLibrary(degree=5)).fit(dataset(lorenz[:20]))


def test_non_uniform_time_steps_with_finite_differences(lorenz: np.ndarray) -> None:
    t = np.cumsum(np.r_[0.0, np.full(99, DT)]) + np.r_[np.zeros(50), np.full(50, 0.003)]
    ds = chaoskit.make_dataset(lorenz[None, :100], time=t, variables=VARS)
    with pytest.raises(DataError, match="uniform time grid"):
        SINDy().fit(ds)
    with pytest.raises(DataError, match="uniform time grid"):
        finite_difference(np.sin(t), t)


def test_derivatives_of_the_wrong_shape(lorenz: np.ndarray) -> None:
    ds = dataset(lorenz[:100])
    with pytest.raises(DataError, match=r"shape of the states \(1, 100, 3\)"):
        SINDy(differentiation="supplied").fit(ds, derivatives=np.zeros((99, 3)))
    with pytest.raises(DataError, match="only"):
        SINDy(differentiation="supplied").fit(ds)
    with pytest.raises(ParameterError, match="differentiation='supplied'"):
        SINDy().fit(ds, derivatives=np.zeros((100, 3)))


def test_members_too_short_for_the_stencil(lorenz: np.ndarray) -> None:
    with pytest.raises(DataError, match="at least 5 time points"):
        SINDy(differentiation=FiniteDifference(order=4), library=PolynomialLibrary(degree=1)).fit(
            dataset(np.stack([lorenz[:4], lorenz[10:14]]))
        )
    with pytest.raises(DataError, match="window of 11"):
        SINDy(differentiation="smoothed", library=PolynomialLibrary(degree=1)).fit(
            dataset(lorenz[None, :8])
        )


def test_unsupported_data_and_unfitted_model() -> None:
    field = chaoskit.make_dataset(
        np.zeros((1, 20, 4, 2)),
        time=np.arange(20.0),
        variables=["u", "v"],
        space={"s": np.arange(4.0)},
    )
    with pytest.raises(CapabilityError, match="spatial"):
        SINDy().fit(field)
    with pytest.raises(NotFittedError):
        SINDy().equations()
    with pytest.raises(DataError, match="shape"):
        SINDy(library=PolynomialLibrary(degree=1), optimizer=STLSQ(threshold=0.0)).fit(
            chaoskit.make_dataset(
                np.random.default_rng(0).standard_normal((1, 30, 2)),
                time=np.arange(30.0),
                variables=["a", "b"],
            )
        ).vector_field(np.zeros(3))


def test_non_finite_library_terms_are_reported(lorenz: np.ndarray) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        with pytest.raises(DataError, match=r"exp\(x\)"):
            SINDy(library=CustomLibrary(functions=[T.exp], labels=["exp({})"])).fit(
                dataset(1e3 * lorenz[:100])
            )
