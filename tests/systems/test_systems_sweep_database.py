"""(slow) Every system of the database: a sweep of all its real parameters at once equals one
call per parameter value, and dynamical noise runs where supported."""

from __future__ import annotations

from typing import Any

import attrs
import chaoskit
import numpy as np
import pytest
from chaoskit_systems.delay.base import DelaySystem

pytestmark = pytest.mark.slow

NAMES = [e.qualified_name for e in chaoskit.systems.list(provider="systems")]


def _sweep(system: Any) -> dict[str, np.ndarray]:
    """Every real parameter (the delay excepted), varied by 0.1% per member, as many members as
    state components (so a parameter broadcast along the wrong axis would go unnoticed by
    shapes alone)."""
    members = max(2, system.dimension)
    skip = {system.delay_parameter} if isinstance(system, DelaySystem) else set()
    out = {}
    for field in attrs.fields(type(system)):
        value = getattr(system, field.name)
        real = field.type in ("float", float) or isinstance(value, tuple)
        if not real or field.name in skip:
            continue
        v = np.asarray(value, dtype=float)
        candidate = np.stack([v * (1 + 1e-3 * k) + (0.0 if v.any() else 1e-3 * k) for k in range(members)])
        try:
            for k in range(members):
                attrs.evolve(system, **{field.name: candidate[k].tolist()})
        except chaoskit.ParameterError:
            continue  # a constraint between parameters; leave this one out
        out[field.name] = candidate
    return out


@pytest.mark.parametrize("name", NAMES)
def test_sweep_equals_one_call_per_value(name: str) -> None:
    system = chaoskit.systems.create(name)
    values = _sweep(system)
    if not values:
        pytest.skip(f"{name} has no real parameters")
    kw = {"method": "rk4"} if "rk4" in system.methods else {}
    try:
        ds = system.trajectory(3, parameters=values, **kw)
    except chaoskit.ParameterError:  # the combined variation breaks a joint constraint
        values = dict([next(iter(values.items()))])
        ds = system.trajectory(3, parameters=values, **kw)
    members = ds.sizes["member"]
    for k in range(members):
        member = attrs.evolve(system, **{n: v[k].tolist() for n, v in values.items()})
        alone = member.trajectory(3, **kw)["state"].values[0]
        scale = max(np.nanmax(np.abs(alone)), 1e-300)
        np.testing.assert_allclose(
            ds["state"].values[k], alone, rtol=1e-9, atol=1e-12 * scale, equal_nan=True,
            err_msg=f"{name}: member {k} (sweep mode {ds.attrs['sweep_mode']})",
        )


@pytest.mark.parametrize("name", NAMES)
def test_noise_runs_and_is_seeded(name: str) -> None:
    system = chaoskit.systems.create(name)
    if not system.supports_noise:
        assert system.kind == "delay"
        return
    clean = system.trajectory(5, members=2, seed=0)["state"].values
    sigma = 1e-4 * max(np.abs(clean).max(), 1e-3)
    a = system.trajectory(5, members=2, seed=0, noise=sigma)["state"].values
    b = system.trajectory(5, members=2, seed=0, noise=sigma)["state"].values
    np.testing.assert_array_equal(a, b)
    assert np.isfinite(a).all()
