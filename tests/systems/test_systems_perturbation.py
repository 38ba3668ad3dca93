"""Default member perturbations are scaled by the bounded components only
(``metadata.unbounded_indices``: phases and clocks are left out)."""

from __future__ import annotations

import chaoskit
import numpy as np
import pytest
from chaoskit_systems import metadata as md
from chaoskit_systems._initial import default_initial_states

WITH_PHASES = sorted(
    raw["name"] for raw in md.catalog().values() if raw.get("unbounded_indices")
)


def test_scale_leaves_out_unbounded_components() -> None:
    states, scale = default_initial_states([0.5, -2.0, 6381.0], 3, 0, 1e-2, unbounded=[2])
    assert scale == pytest.approx(2e-2)
    expected = 2e-2 * np.random.default_rng(0).standard_normal((2, 3))
    np.testing.assert_allclose(states[1:] - states[0], expected, rtol=0, atol=1e-12)  # 6381 + δ rounds
    assert default_initial_states([0.0, 5.0], 2, 0, 1e-2, unbounded=[1])[1] == 1e-2  # all 0
    assert default_initial_states([3.0], 2, 0, 1e-2, unbounded=[0])[1] == 1e-2  # none bounded


@pytest.mark.parametrize("name", WITH_PHASES)
def test_systems_with_phases(name: str) -> None:
    system = chaoskit.systems.create(name)
    meta = system.metadata
    assert meta.unbounded_indices == tuple(md.entry(meta.name)["unbounded_indices"])
    # no class overrides the relative scale any longer (it existed only to undo the phases)
    assert type(system).perturbation == 1e-2
    ds = system.trajectory(2, members=3, seed=0)
    bounded = np.delete(np.abs(meta.initial_state), meta.unbounded_indices)
    expected = 1e-2 * (bounded.max() if bounded.size and bounded.max() > 0 else 1.0)
    assert ds.attrs["initial_perturbation"] == pytest.approx(expected, rel=1e-12)


def test_metadata_rejects_bad_unbounded_indices() -> None:
    from chaoskit import ConfigError

    raw = dict(md.entry("Lorenz"))
    raw["unbounded_indices"] = [3]
    with pytest.raises(ConfigError, match="unbounded_indices"):
        md._validate("Lorenz", raw)
