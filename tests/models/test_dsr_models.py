"""Tests of the registered PLRNN-family models: conformance, training on Lorenz-63, forecasting,
persistence, the latent dynamics fed to the Lyapunov metric, and bad input."""

from __future__ import annotations

from typing import Any, ClassVar

import attrs
import chaoskit
import numpy as np
import pytest
import torch
import xarray as xr
from chaoskit import DataError, NotFittedError, ParameterError
from chaoskit.testing import ModelConformance
from chaoskit_models.dsr.alrnn import ALRNN
from chaoskit_models.dsr.dynamics import LatentDynamics
from chaoskit_models.dsr.shplrnn import ClippedShallowPLRNN, ShallowPLRNN
from chaoskit_models.training import GeneralizedForcing, GradientTrainer, SparseForcing
from scipy.integrate import solve_ivp

DT = 0.01
VARIABLES = ["x", "y", "z"]
DSR_MODELS = ("plrnn", "dendplrnn", "shplrnn", "clipped_shplrnn", "alrnn")
TINY: dict[str, dict[str, Any]] = {
    "plrnn": {"latent_dim": 5},
    "dendplrnn": {"latent_dim": 5, "bases": 3},
    "shplrnn": {"latent_dim": 3, "hidden_dim": 10},
    "clipped_shplrnn": {"latent_dim": 4, "hidden_dim": 10},
    "alrnn": {"latent_dim": 6, "pwl_units": 2},
}
QUICK = {"epochs": 2, "batches_per_epoch": 2, "batch_size": 4, "sequence_length": 20}


pytestmark = pytest.mark.usefixtures("single_thread")  # tests/models/conftest.py


def _dataset(values: np.ndarray, t0: float = 0.0) -> xr.Dataset:
    values = values if values.ndim == 3 else values[None]
    return chaoskit.make_dataset(
        values, time=t0 + DT * np.arange(values.shape[1]), variables=VARIABLES,
        attrs={"dt": DT, "system": "lorenz63"},
    )


@pytest.fixture(scope="module")
def lorenz() -> np.ndarray:
    """Lorenz-63 at dt = 0.01 (DOP853, rtol 1e-10), 20 time units of transient dropped."""

    def rhs(t: float, s: np.ndarray) -> list[float]:
        x, y, z = s
        return [10.0 * (y - x), x * (28.0 - z) - y, x * y - 8.0 / 3.0 * z]

    t = 20.0 + DT * np.arange(4_000)
    sol = solve_ivp(rhs, (0.0, t[-1]), [1.0, 1.0, 1.0], method="DOP853", rtol=1e-10, atol=1e-10, t_eval=t)
    assert sol.success
    return sol.y.T


@pytest.fixture(scope="module")
def train(lorenz: np.ndarray) -> xr.Dataset:
    return _dataset(lorenz[:3_000])


@pytest.fixture(scope="module")
def contexts(lorenz: np.ndarray) -> tuple[xr.Dataset, np.ndarray]:
    """Nine contexts of 50 points after the training part, and the 10 points following each."""
    ctx = np.stack([lorenz[3_000 + 100 * k : 3_050 + 100 * k] for k in range(9)])
    after = np.stack([lorenz[3_050 + 100 * k : 3_060 + 100 * k] for k in range(9)])
    return _dataset(ctx), after


def _fast_trainer(forcing: Any, steps: int = 300) -> GradientTrainer:
    return GradientTrainer(
        epochs=steps // 50, batches_per_epoch=50, batch_size=16, window=30, optimizer="radam",
        lr=1e-2, lr_end=1e-3, schedule="exponential", teacher_forcing=forcing, progress=False,
    )


# --------------------------------------------------------------------------- conformance
class TestDSRConformance(ModelConformance):
    """The core's checks for every registered DSR model, with tiny sizes and a few steps."""

    names: ClassVar[tuple[str, ...]] = DSR_MODELS
    params: ClassVar[dict[str, dict[str, Any]]] = {k: {**v, **QUICK} for k, v in TINY.items()}


# --------------------------------------------------------------------------- training
@pytest.mark.parametrize(
    ("name", "params", "forcing"),
    [
        ("clipped_shplrnn", {"hidden_dim": 50}, GeneralizedForcing(alpha=0.3)),
        ("alrnn", {"latent_dim": 10, "pwl_units": 2}, SparseForcing(interval=8)),
    ],
)
def test_training_on_lorenz_learns_the_short_term_dynamics(
    name: str, params: dict[str, Any], forcing: Any, train: xr.Dataset, contexts: Any
) -> None:
    """300 steps at a raised learning rate: the loss falls and 10-step forecasts beat persistence."""
    ctx, after = contexts
    model = chaoskit.models.create(name, seed=0, **params).fit(train, trainer=_fast_trainer(forcing))
    loss = model.train_result.history["loss"].values
    assert loss[-1] < 0.3 * loss[0]
    forecast = model.forecast(ctx, 10)["state"].values
    persistence = np.repeat(ctx["state"].values[:, -1:], 10, axis=1)
    assert np.sqrt(np.mean((forecast - after) ** 2)) < np.sqrt(np.mean((persistence - after) ** 2))


def test_forecast_is_in_original_units_and_continues_time(train: xr.Dataset, contexts: Any) -> None:
    ctx, _ = contexts
    model = ALRNN(seed=1, latent_dim=6, **QUICK).fit(train)
    out = model.forecast(ctx, 7)
    assert out["state"].shape == (9, 7, 3)
    np.testing.assert_allclose(out["time"].values[0], ctx["time"].values[-1] + DT)
    fitted = model._fitted
    values = train["state"].values[0]
    np.testing.assert_allclose(fitted.mean, values.mean(0), rtol=1e-12)
    np.testing.assert_allclose(fitted.std, values.std(0), rtol=1e-12)
    # the forecast is the cell's free run from the warmed-up state, unstandardized
    latent = model.latent_trajectory(ctx, 7)
    readout = latent.values[..., :3] * fitted.std + fitted.mean
    np.testing.assert_allclose(out["state"].values, readout, rtol=1e-12, atol=1e-12)
    # a context of one point works (min_context = 1)
    assert model.forecast(ctx.isel(time=[-1]), 3)["state"].shape == (9, 3, 3)


@pytest.mark.parametrize("observation", ["identity", "affine"])
def test_affine_and_identity_observations_round_trip(
    observation: str, train: xr.Dataset, contexts: Any, tmp_path: Any
) -> None:
    ctx, _ = contexts
    model = chaoskit.models.create(
        "dendplrnn", seed=2, latent_dim=5, bases=3, observation=observation, **QUICK
    ).fit(train)
    out = model.forecast(ctx, 5)["state"].values
    assert np.isfinite(out).all()
    back = chaoskit.load_model(model.save(tmp_path / "m"))
    np.testing.assert_allclose(back.forecast(ctx, 5)["state"].values, out, rtol=1e-12, atol=1e-12)
    if observation == "affine":
        assert {"cell.observation.B", "cell.observation.b"} <= set(model._get_state())


def test_float32_and_several_members(lorenz: np.ndarray) -> None:
    data = _dataset(np.stack([lorenz[:1_000], lorenz[1_000:2_000]]))
    model = ShallowPLRNN(seed=0, dtype="float32", hidden_dim=10, **QUICK).fit(data)
    assert next(model._fitted.cell.parameters()).dtype == torch.float32
    assert np.isfinite(model.forecast(data.isel(time=slice(0, 20)), 5)["state"].values).all()


def test_same_seed_same_model_and_different_seeds_differ(train: xr.Dataset) -> None:
    a = chaoskit.models.create("plrnn", seed=3, latent_dim=4, **QUICK).fit(train)
    b = chaoskit.models.create("plrnn", seed=3, latent_dim=4, **QUICK).fit(train)
    c = chaoskit.models.create("plrnn", seed=4, latent_dim=4, **QUICK).fit(train)
    sa, sb, sc = a._get_state(), b._get_state(), c._get_state()
    assert all(np.array_equal(sa[k], sb[k]) for k in sa)
    assert not np.array_equal(sa["cell.W"], sc["cell.W"])


def test_saved_state_is_plain_arrays_and_checked_on_load(train: xr.Dataset, tmp_path: Any) -> None:
    model = ClippedShallowPLRNN(seed=0, hidden_dim=10, **QUICK).fit(train)
    state = model._get_state()
    assert all(isinstance(v, np.ndarray) and v.dtype.kind in "fb" for v in state.values())
    assert {"cell.A", "cell.W1", "cell.W2", "cell.h1", "cell.h2", "mean", "std", "last_state"} <= set(state)
    path = model.save(tmp_path / "m")
    with pytest.raises(DataError, match="do not fit the hyperparameters"):
        ClippedShallowPLRNN(hidden_dim=11)._set_state(state)
    with pytest.raises(DataError, match="holds a"):
        ShallowPLRNN.load(path)  # another class


# --------------------------------------------------------------------------- dynamics
def _with_weights(model: Any, **weights: np.ndarray) -> Any:
    state = dict(model._get_state())
    state.update({f"cell.{k}": v for k, v in weights.items()})
    model._set_state(state)
    return model


def test_dynamics_is_the_latent_map_with_its_jacobian(train: xr.Dataset) -> None:
    model = chaoskit.models.create("clipped_shplrnn", seed=0, hidden_dim=10, **QUICK).fit(train)
    dyn = model.dynamics()
    assert isinstance(dyn, LatentDynamics) and dyn.dimension == 3 and dyn.dt == pytest.approx(DT)
    z = torch.randn(5, 3, dtype=torch.float64)
    auto = torch.func.vmap(torch.func.jacrev(dyn.step))(z)
    torch.testing.assert_close(dyn.jacobian(z), auto)
    v = torch.randn(5, 3, 2, dtype=torch.float64)
    fz, jv = dyn.jvp(z, v)
    torch.testing.assert_close(jv, auto @ v)
    torch.testing.assert_close(fz, dyn.step(z))
    x = torch.as_tensor(train["state"].values[0, :4])
    torch.testing.assert_close(dyn.observe(dyn.lift(x)), x)  # identity observation
    assert dyn.initial_state.shape == (3,)
    with pytest.raises(DataError):
        dyn.step(np.zeros(3))


def test_lyapunov_spectrum_of_a_linear_alrnn_is_log_eigenvalues(train: xr.Dataset) -> None:
    """With P = 0 the AL-RNN is the linear map z' = (diag(A) + W)·z + h: λ_i = log|μ_i| / dt."""
    model = ALRNN(seed=0, latent_dim=3, pwl_units=0, **QUICK).fit(train)
    mu = np.array([0.97, -0.8, 0.5])
    basis = np.array([[1.0, 0.4, -0.3], [0.2, 1.0, 0.5], [-0.1, 0.3, 1.0]])
    matrix = basis @ np.diag(mu) @ np.linalg.inv(basis)  # non-normal, eigenvalues μ
    a = np.array([0.3, 0.2, 0.1])
    _with_weights(model, A=a, W=matrix - np.diag(a), h=np.array([0.1, -0.2, 0.3]))
    dyn = model.dynamics()
    expected = np.sort(np.log(np.abs(mu)) / DT)[::-1]
    for tangent in ("difference", "jvp"):
        metric = chaoskit.metrics.create(
            "lyapunov_spectrum", steps=300, transient=10, tangent_transient=200, members=2, tangent=tangent
        )
        spectrum = metric.estimate(dyn, initial_states=np.array([[1.0, 2.0, 3.0], [-1.0, 0.5, 2.0]]))
        np.testing.assert_allclose(spectrum.values, expected, rtol=1e-6)


def test_lyapunov_spectrum_of_a_diagonal_plrnn(train: xr.Dataset) -> None:
    """A PLRNN with W = 0 is z' = A⊙z + h: exponents log|A_i| / dt, whatever the relu does."""
    model = chaoskit.models.create("plrnn", seed=0, latent_dim=4, **QUICK).fit(train)
    a = np.array([0.99, 0.9, -0.7, 0.4])
    _with_weights(model, A=a, W=np.zeros((4, 4)))
    spectrum = chaoskit.metrics.create(
        "lyapunov_spectrum", steps=200, transient=0, tangent_transient=100, members=1
    ).estimate(model.dynamics(), initial_states=np.ones(4))
    np.testing.assert_allclose(spectrum.values, np.sort(np.log(np.abs(a)) / DT)[::-1], rtol=1e-6)


# --------------------------------------------------------------------------- bad input
def test_bad_hyperparameters_raise_parameter_errors() -> None:
    with pytest.raises(ParameterError, match="pwl_units = 21 exceeds latent_dim = 20"):
        ALRNN(pwl_units=21)
    with pytest.raises(ParameterError, match="regularization"):
        chaoskit.models.create("shplrnn", regularization=-1.0)
    with pytest.raises(ParameterError, match="observation"):
        chaoskit.models.create("plrnn", observation="linear")
    with pytest.raises(ParameterError, match="latent_dim"):
        chaoskit.models.create("plrnn", latent_dim=0)
    with pytest.raises(ParameterError, match="lr"):
        chaoskit.models.create("alrnn", lr=0.0)


def test_latent_dim_below_the_observed_features_with_identity_observation(train: xr.Dataset) -> None:
    with pytest.raises(ParameterError, match="latent_dim = 2 is smaller than the 3 observed"):
        chaoskit.models.create("plrnn", latent_dim=2, **QUICK).fit(train)
    # the affine observation can compress
    model = chaoskit.models.create("plrnn", latent_dim=2, observation="affine", **QUICK).fit(train)
    assert model.dynamics().dimension == 2


def test_bad_data_and_calls_raise_clear_errors(train: xr.Dataset, lorenz: np.ndarray) -> None:
    model = chaoskit.models.create("alrnn", latent_dim=4, **QUICK)
    with pytest.raises(NotFittedError):
        model.forecast(train, 3)
    with pytest.raises(NotFittedError):
        model.dynamics()
    bad = lorenz[:500].copy()
    bad[10, 1] = np.nan
    with pytest.raises(DataError, match="non-finite"):
        model.fit(_dataset(bad))
    with pytest.raises(DataError, match="shorter than the training window"):
        attrs.evolve(model, sequence_length=100).fit(_dataset(lorenz[:50]))
    complex_data = chaoskit.make_dataset(
        (lorenz[:100] + 1j)[None], time=DT * np.arange(100), variables=VARIABLES, attrs={"dt": DT}
    )
    with pytest.raises(DataError, match="real data"):
        model.fit(complex_data)
    fitted = model.fit(train)
    with pytest.raises(ParameterError, match="steps"):
        fitted.latent_trajectory(train, 0)


def _l2_by_hand(name: str, params: dict[str, np.ndarray]) -> float:
    """The penalty of each DSR model written from its parameters (REFERENCES §4): ‖1 − A‖² plus
    the squared weights and biases; W without its diagonal for the PLRNN and dendPLRNN."""
    total = float(np.sum((1.0 - params["A"]) ** 2))
    if name in ("shplrnn", "clipped_shplrnn"):
        return total + sum(float(np.sum(params[k] ** 2)) for k in ("W1", "W2", "h1", "h2"))
    w = params["W"]
    if name in ("plrnn", "dendplrnn"):
        w = w - np.diag(np.diag(w))
    total += float(np.sum(w**2)) + float(np.sum(params["h"] ** 2))
    return total + (float(np.sum(params["alpha"] ** 2)) if name == "dendplrnn" else 0.0)


@pytest.mark.parametrize("name", DSR_MODELS)
def test_the_l2_regularization_adds_lambda_times_the_penalty(name: str, train: xr.Dataset) -> None:
    """The training loss with regularization λ is the loss without it plus λ·penalty."""
    windows = torch.as_tensor(np.stack([
        (train["state"].values[0, i:i + 20] - train["state"].values[0].mean(0)) / train["state"].values[0].std(0)
        for i in (0, 50, 100)
    ]))
    losses = []
    for lam in (0.0, 0.3):
        model = chaoskit.models.create(name, seed=1, regularization=lam, **TINY[name])
        problem = model.training_problem(train, None)
        with torch.no_grad():
            losses.append(float(problem.loss(problem.module, windows, SparseForcing(interval=5).start())))
        params = {k.split(".")[-1]: v.detach().numpy() for k, v in problem.module.named_parameters()}
    assert losses[1] - losses[0] == pytest.approx(0.3 * _l2_by_hand(name, params), rel=1e-9)
