"""Tests of the echo state network's training collection: the sequential and the segmented
(parallel-in-time) drive against a plain numpy float64 reference, the fallback when the
overlap check fails, the blocked normal equations, and the closed-loop generator."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
import torch
from chaoskit_models import esn_training
from chaoskit_models.esn_training import segment_plan, training_equations
from chaoskit_models.recurrence import Readout, Reservoir
from chaoskit_models.reservoir import ReservoirWeights, draw_reservoir
from chaoskit_models.ridge import NormalEquations

CPU = torch.device("cpu")


pytestmark = pytest.mark.usefixtures("single_thread")  # tests/models/conftest.py


def _weights(units: int, radius: float, seed: int = 0) -> ReservoirWeights:
    return draw_reservoir(
        units,
        3,
        spectral_radius=radius,
        connectivity=0.1,
        input_connectivity=0.5,
        input_scaling=0.5,
        bias_scaling=0.5,
        seed=seed,
    )


def _inputs(steps: int, members: int, seed: int = 0) -> torch.Tensor:
    """Smooth, bounded quasi-periodic inputs ``(time, 3, member)`` (no fixed point)."""
    rng = np.random.default_rng(seed)
    t = 0.05 * np.arange(steps)[:, None, None]
    phase = rng.uniform(0, 2 * np.pi, size=(1, 3, members))
    freq = np.array([1.0, np.sqrt(2.0), np.sqrt(5.0) / 2])[None, :, None]
    return torch.as_tensor(np.sin(freq * t + phase))


def _reference(
    weights: ReservoirWeights, leak: float, u: np.ndarray, washout: int, quadratic: bool
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Gram ``[1, φ]ᵀ[1, φ]``, the rows ``[1, φ]`` and the final states of driving a reservoir
    from rest over inputs ``u`` (``(time, 3, member)``), by a numpy float64 loop."""
    w, w_in, b = weights.dense_w(), weights.w_in, weights.bias
    rows, finals = [], []
    for j in range(u.shape[2]):
        r = np.zeros(weights.units)
        for k in range(u.shape[0]):
            r = (1 - leak) * r + leak * np.tanh(w_in @ u[k, :, j] + w @ r + b)
            if k >= washout:
                phi = np.concatenate([r, r * r]) if quadratic else r
                rows.append(np.concatenate([[1.0], phi]))
        finals.append(r)
    x = np.array(rows)
    return x.T @ x, x, np.stack(finals, axis=1)


# --------------------------------------------------------------------------- the plan
@pytest.mark.parametrize(("steps", "members", "leak"), [(10_000, 1, 0.3), (3_000, 2, 1.0)])
def test_segment_plan_covers_the_series_with_full_overlaps(
    steps: int, members: int, leak: float
) -> None:
    plan = segment_plan(steps, members, leak)
    assert plan is not None
    segments, stride, length = plan
    overlap = int(np.ceil(esn_training.OVERLAP_STEPS + esn_training.OVERLAP_PER_LEAK / leak))
    assert segments * members <= esn_training.MAX_COLUMNS and segments >= 2
    assert (segments - 1) * stride + length == steps  # the last segment ends with the series
    kept = [range(length)] + [
        range(s * stride + length - stride, s * stride + length) for s in range(1, segments)
    ]
    assert sum(len(k) for k in kept) == steps  # kept ranges tile [0, steps) ...
    assert all(a.stop == b.start for a, b in itertools.pairwise(kept))
    assert length - stride >= overlap  # ... each after a full overlap


def test_segment_plan_declines_short_series_and_many_members() -> None:
    assert segment_plan(400, 1, 1.0) is None  # shorter than three overlaps
    assert segment_plan(100_000, esn_training.MAX_COLUMNS, 0.3) is None  # batched already


# --------------------------------------------------------------------------- against numpy
@pytest.mark.parametrize("quadratic", [False, True])
@pytest.mark.parametrize("members", [1, 2])
def test_training_equations_match_a_numpy_reference(quadratic: bool, members: int) -> None:
    weights, leak, washout = _weights(60, 0.8), 1.0, 30
    u = _inputs(1600, members)
    reservoir = Reservoir(weights, leak=leak, device=CPU, dtype=torch.float64, sparse=False)
    kind = "quadratic" if quadratic else "linear"
    gram_ref, x, final_ref = _reference(weights, leak, u.numpy()[:-1], washout, quadratic)
    y = np.concatenate([u.numpy()[washout + 1 :, :, j] for j in range(members)])
    assert segment_plan(1599, members, leak) is not None  # the segmented path is exercised
    for segments in (False, True):
        equations, final = training_equations(
            reservoir, u[:-1], u[1:], washout=washout, readout=kind, segments=segments
        )
        gram = equations.gram.numpy()
        gram = np.triu(gram) + np.triu(gram, 1).T
        np.testing.assert_allclose(gram, gram_ref, rtol=1e-11, atol=1e-9)
        np.testing.assert_allclose(final.numpy(), final_ref, atol=1e-12)
        assert equations.samples == members * (1599 - washout)
        np.testing.assert_allclose(
            equations.solve(1e-8).numpy(),
            _ridge_reference(x, y, 1e-8),
            rtol=1e-6,
            atol=1e-6,
        )


def _ridge_reference(x: np.ndarray, y: np.ndarray, ridge: float) -> np.ndarray:
    penalty = ridge * np.eye(x.shape[1])
    penalty[0, 0] = 0.0
    return np.linalg.solve(x.T @ x + penalty, x.T @ y).T


def test_segmented_drive_is_taken_and_agrees_with_the_sequential_one() -> None:
    weights, leak = _weights(120, 0.9, seed=2), 0.5
    u = _inputs(4000, 1, seed=1)
    reservoir = Reservoir(weights, leak=leak, device=CPU, dtype=torch.float64, sparse=True)
    plan = segment_plan(3999, 1, leak)
    assert plan is not None
    segmented = esn_training._segmented(reservoir, u[:-1], u[1:], 500, "linear", *plan)
    assert segmented is not None  # the overlap check passed: no fallback
    sequential = training_equations(
        reservoir, u[:-1], u[1:], washout=500, readout="linear", segments=False
    )
    torch.testing.assert_close(segmented[0].gram, sequential[0].gram, rtol=1e-12, atol=1e-9)
    torch.testing.assert_close(segmented[0].cross, sequential[0].cross, rtol=1e-12, atol=1e-9)
    assert segmented[0].samples == sequential[0].samples == 3999 - 500
    torch.testing.assert_close(segmented[1], sequential[1], rtol=0, atol=1e-13)


def test_failed_overlap_check_falls_back_to_the_sequential_drive() -> None:
    # spectral radius 3 without leak: the driven reservoir is chaotic, no echo state property
    weights, leak = _weights(80, 3.0, seed=1), 1.0
    u = 0.05 * _inputs(2000, 1)
    reservoir = Reservoir(weights, leak=leak, device=CPU, dtype=torch.float64, sparse=False)
    plan = segment_plan(1999, 1, leak)
    assert plan is not None
    assert esn_training._segmented(reservoir, u[:-1], u[1:], 10, "linear", *plan) is None
    fallback = training_equations(reservoir, u[:-1], u[1:], washout=10, readout="linear")
    sequential = training_equations(
        reservoir, u[:-1], u[1:], washout=10, readout="linear", segments=False
    )
    torch.testing.assert_close(fallback[0].gram, sequential[0].gram, rtol=0, atol=0)
    torch.testing.assert_close(fallback[1], sequential[1], rtol=0, atol=0)


# --------------------------------------------------------------------------- building blocks
def test_blocked_normal_equations_match_least_squares() -> None:
    rng = np.random.default_rng(3)
    x = rng.standard_normal((900, 300))  # 300 features: the Gram matrix is built in 2 blocks
    y = 1.5 + x @ rng.standard_normal((300, 2)) + 0.1 * rng.standard_normal((900, 2))
    equations = NormalEquations(300, 2, device=CPU)
    equations.add(torch.as_tensor(x[:400]), torch.as_tensor(y[:400]))
    equations.add(torch.as_tensor(x[400:]).T.contiguous().T, torch.as_tensor(y[400:]))
    xa = np.hstack([np.ones((900, 1)), x])
    np.testing.assert_allclose(
        equations.solve(0.0).numpy(), np.linalg.lstsq(xa, y, rcond=None)[0].T, atol=1e-10
    )
    np.testing.assert_allclose(
        equations.solve(5.0).numpy(), _ridge_reference(xa, y, 5.0), atol=1e-10
    )


@pytest.mark.parametrize("members", [1, 3])
@pytest.mark.parametrize("kind", ["linear", "quadratic"])
def test_generate_equals_readout_and_step_alternated(members: int, kind: str) -> None:
    weights = _weights(450, 0.9, seed=4)  # sparse W, matrix-vector path for one member
    reservoir = Reservoir(weights, leak=0.4, device=CPU, dtype=torch.float64, sparse=True)
    n_features = 450 * (2 if kind == "quadratic" else 1)
    g = torch.Generator().manual_seed(0)
    readout = Readout(0.02 * torch.randn(3, 1 + n_features, dtype=torch.float64, generator=g), kind)
    r = reservoir.drive(_inputs(100, members), reservoir.zeros(members))
    out = reservoir.generate(r, readout, 60)
    state, expected = r, []
    for _ in range(60):
        y = readout(state)
        expected.append(y)
        state = reservoir.step(state, y)
    torch.testing.assert_close(out, torch.stack(expected), rtol=0, atol=1e-12)


def test_training_noise_perturbs_the_inputs_and_not_the_targets() -> None:
    import chaoskit
    from chaoskit_models.esn import EchoStateNetwork

    u = _inputs(700, 1, seed=5)  # (time, 3, member)
    data = chaoskit.make_dataset(
        u.permute(2, 0, 1).numpy(), time=0.05 * np.arange(700), variables=["a", "b", "c"]
    )
    kwargs = {"units": 40, "leak_rate": 0.5, "washout": 20, "ridge": 1e-3, "standardize": False}
    model = EchoStateNetwork(seed=7, training_noise=0.05, **kwargs).fit(data)
    # reference: the reservoir driven by the noisy inputs, regressed on the clean next values
    weights = _weights_of(model)
    z = u.numpy()
    noise = np.random.default_rng([7, 1]).standard_normal((699, 3, 1)) * 0.05
    _, x, _ = _reference(weights, 0.5, z[:-1] + noise, 20, quadratic=False)
    expected = _ridge_reference(x, z[21:, :, 0], 1e-3)
    np.testing.assert_allclose(model._get_state()["w_out"], expected, rtol=1e-8, atol=1e-9)
    clean = EchoStateNetwork(seed=7, **kwargs).fit(data)
    assert np.abs(clean._get_state()["w_out"] - expected).max() > 1e-3  # the noise mattered
    again = EchoStateNetwork(seed=7, training_noise=0.05, **kwargs).fit(data)
    np.testing.assert_array_equal(again._get_state()["w_out"], model._get_state()["w_out"])


def _weights_of(model) -> ReservoirWeights:
    state = model._get_state()
    return ReservoirWeights(
        indptr=state["w_indptr"],
        indices=state["w_indices"],
        data=state["w_data"],
        w_in=state["w_in"],
        bias=state["bias"],
    )
