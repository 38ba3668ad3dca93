"""The plugin through chaoskit's registry, and chaoskit's conformance suite on every system."""

from __future__ import annotations

import attrs
import numpy as np

import chaoskit
from chaoskit.testing import SystemConformance
from chaoskit_systems.flows.lorenz import Lorenz


def test_create_by_name_and_alias() -> None:
    for name in ("lorenz", "Lorenz", "LORENZ", "lorenz63", "systems/lorenz"):
        assert isinstance(chaoskit.systems.create(name), Lorenz)
    variant = chaoskit.systems.create("Lorenz", rho=35.0)
    assert variant == attrs.evolve(Lorenz(), rho=35.0) and not variant.at_defaults


def test_registry_entry() -> None:
    entry = chaoskit.systems.info("Lorenz")
    assert entry.qualified_name == "systems/lorenz" and "flow" in entry.tags


def test_trajectory_through_the_registry() -> None:
    ds = chaoskit.systems.create("Lorenz").trajectory(100, dt=0.01, members=2, seed=0)
    assert ds["state"].shape == (2, 100, 3) and np.isfinite(ds["state"].values).all()
    assert ds.chaos.lyapunov_time == Lorenz.metadata.lyapunov_time


class TestSystemsConformance(SystemConformance):
    provider = "systems"


def test_listing_systems_imports_no_torch() -> None:
    import subprocess
    import sys

    code = (
        "import sys, chaoskit, chaoskit_systems; chaoskit.systems.names(); "
        "assert 'torch' not in sys.modules, 'listing systems imported torch'; "
        "from chaoskit_systems import TorchSystem; assert 'torch' in sys.modules"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
