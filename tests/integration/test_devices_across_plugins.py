"""Every first-party plugin checks its ``device`` with chaoskit.torch_device."""

from __future__ import annotations

import chaoskit
import pytest
from chaoskit import CapabilityError


def test_every_plugin_checks_its_device_with_it() -> None:
    # systems, metrics and models give the same clear error for a device torch knows but chaoskit cannot use
    lorenz = chaoskit.systems.create("lorenz")
    with pytest.raises(CapabilityError, match="'meta'"):
        lorenz.trajectory(10, device="meta")
    spectrum = chaoskit.metrics.create("lyapunov_spectrum", steps=5, members=2, device="meta")
    with pytest.raises(CapabilityError, match="'meta'"):
        spectrum.estimate(lorenz.dynamics(0.05), initial_states=lorenz.metadata.initial_state)
    with pytest.raises(CapabilityError, match=r"EchoStateNetwork\.device = 'meta'"):
        chaoskit.models.create("esn", units=10, device="meta").fit(lorenz.trajectory(300, dt=0.01))
