"""Tests of the AL-RNN symbolic encoding: subregion codes, occupancy, the transition graph, and the
encoding of a fitted model's generated trajectory."""

from __future__ import annotations

import itertools
from collections import Counter

import chaoskit
import numpy as np
import pytest
import torch
from chaoskit import DataError, ParameterError
from chaoskit.testing import synthetic_dataset
from chaoskit_models.dsr.alrnn import ALRNN
from chaoskit_models.dsr.symbolic import region_codes, symbolic_encoding


def _latent(signs: list[tuple[int, ...]], m: int = 4, seed: int = 0) -> np.ndarray:
    """Latent states whose last P units have the given signs (1: positive, 0: not) and random rest."""
    rng = np.random.default_rng(seed)
    p = len(signs[0])
    z = rng.standard_normal((len(signs), m))
    magnitude = rng.uniform(0.1, 2.0, (len(signs), p))
    z[:, m - p :] = np.where(np.array(signs) == 1, magnitude, -magnitude)
    return z


def test_region_codes_are_binary_sign_patterns() -> None:
    z = _latent([(0, 0), (1, 0), (0, 1), (1, 1)])
    np.testing.assert_array_equal(region_codes(z, 2), [0, 1, 2, 3])
    z[0, -1] = 0.0  # zero counts as inactive: relu'(0) = 0
    assert region_codes(z[:1], 2)[0] == 0
    np.testing.assert_array_equal(region_codes(z, 0), [0, 0, 0, 0])
    with pytest.raises(ParameterError):
        region_codes(z, 63)
    with pytest.raises(DataError):
        region_codes(z, 5)


def test_encoding_counts_agree_with_a_plain_python_count() -> None:
    signs = [(0, 0), (0, 0), (1, 0), (1, 1), (1, 1), (1, 0), (0, 0), (1, 1)]
    enc = symbolic_encoding(_latent(signs), 2)
    symbols = [a + 2 * b for a, b in signs]
    np.testing.assert_array_equal(enc["symbol"].values[0], symbols)
    assert int(enc["n_regions"]) == len(set(symbols)) == 3
    np.testing.assert_array_equal(enc["region"].values, sorted(set(symbols)))
    counts = Counter(symbols)
    np.testing.assert_allclose(enc["occupancy"].values, [counts[r] / len(symbols) for r in sorted(counts)])
    pairs = Counter(itertools.pairwise(symbols))
    for (source, target), n in pairs.items():
        assert int(enc["transitions"].sel(source=source, target=target)) == n
    assert int(enc["transitions"].sum()) == len(symbols) - 1
    prob = enc["transition_probability"].values
    np.testing.assert_allclose(np.nansum(prob, axis=1), 1.0)
    np.testing.assert_array_equal(enc["pattern"].sel(region=1).values, [True, False])
    np.testing.assert_array_equal(enc["pattern"].sel(region=3).values, [True, True])
    np.testing.assert_array_equal(enc["unit"].values, [2, 3])
    assert enc.attrs["possible_regions"] == 4


def test_transitions_do_not_cross_members_and_dead_ends_are_nan() -> None:
    a = _latent([(0,), (0,), (1,)], m=2)
    b = _latent([(1,), (1,), (1,)], m=2, seed=1)
    enc = symbolic_encoding(np.stack([a, b]), 1, time=[0.1, 0.2, 0.3])
    # member a: 0→0, 0→1; member b: 1→1 twice; no 1→1 from a's last point to b's first
    np.testing.assert_array_equal(enc["transitions"].values, [[1, 1], [0, 2]])
    np.testing.assert_allclose(enc["time"].values, [0.1, 0.2, 0.3])
    single = symbolic_encoding(_latent([(0,), (0,), (1,)], m=2), 1)
    assert np.isnan(single["transition_probability"].sel(source=1).values).all()  # never left


def test_encoding_rejects_bad_input() -> None:
    with pytest.raises(DataError, match="non-finite"):
        symbolic_encoding(np.full((3, 4), np.nan), 2)
    with pytest.raises(DataError, match="shape"):
        symbolic_encoding(np.zeros(4), 2)
    with pytest.raises(DataError, match="time must have length"):
        symbolic_encoding(np.zeros((3, 4)), 2, time=[0.0, 1.0])
    enc = symbolic_encoding(torch.zeros(5, 4), 2)  # torch input, all in one region
    assert int(enc["n_regions"]) == 1


def test_symbolic_of_a_fitted_alrnn_matches_its_latent_trajectory() -> None:
    torch.set_num_threads(1)
    data = synthetic_dataset()
    train, context = data.chaos.split(480)
    model = ALRNN(seed=0, latent_dim=6, pwl_units=3, epochs=2, batches_per_epoch=2, batch_size=4,
                  sequence_length=20).fit(train)
    enc = model.symbolic(context, 40)
    latent = model.latent_trajectory(context, 40)
    np.testing.assert_array_equal(enc["symbol"].values, region_codes(latent.values, 3))
    np.testing.assert_allclose(enc["time"].values, latent["time"].values)
    assert 1 <= int(enc["n_regions"]) <= 2**3
    assert enc["symbol"].shape == (context.sizes["member"], 40)
    assert chaoskit.models.info("al_rnn").name == "alrnn"
