"""The fused (``compile=True``) tangent step of the Lyapunov spectrum, and its cache key.

The compiled step must give the eager spectrum (the same arithmetic, fused by inductor) up to
rounding amplified by the central differences, ~1e-9 per time unit; equal chaoskit-systems dynamics share one compilation, different ones do not. The
comparison compiles (seconds): it is marked slow.
"""

from __future__ import annotations

import json

import chaoskit
import numpy as np
import pytest
import torch
from chaoskit_metrics.lyapunov import lyapunov_spectrum
from chaoskit_metrics.tangent_backend import TangentBackend
from chaoskit_metrics.tangent_push import _key
from metrics_invariant_systems import HenonDynamics, TorchHenonWithoutJacobian, lorenz_data


def test_compile_needs_a_torch_dynamics() -> None:
    with pytest.raises(chaoskit.ParameterError, match="torch"):
        lyapunov_spectrum(HenonDynamics(), [0.1, 0.1], members=2, steps=5, compile=True)


def test_equal_dynamics_share_a_compilation() -> None:
    backend = TangentBackend("torch", "float64", None)
    lorenz = chaoskit.systems.create("lorenz")
    a, b = lorenz.dynamics(0.05), chaoskit.systems.create("lorenz").dynamics(0.05)
    assert a is not b and _key(a, "difference", backend) == _key(b, "difference", backend)
    for other in (lorenz.dynamics(0.1), chaoskit.systems.create("lorenz", rho=35.0).dynamics(0.05)):
        assert _key(other, "difference", backend) != _key(a, "difference", backend)
    assert _key(a, "jvp", backend) != _key(a, "difference", backend)
    assert _key(a, "difference", TangentBackend("torch", "float32", None)) != _key(a, "difference", backend)


def test_other_dynamics_are_keyed_by_identity() -> None:
    backend = TangentBackend("torch", "float64", None)
    one, two = TorchHenonWithoutJacobian(), TorchHenonWithoutJacobian()
    assert _key(one, "difference", backend) == _key(one, "difference", backend)
    assert _key(one, "difference", backend) != _key(two, "difference", backend)


@pytest.mark.slow
@pytest.mark.filterwarnings("ignore::DeprecationWarning", "ignore::UserWarning")
def test_compiled_spectrum_equals_eager() -> None:
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        lorenz = chaoskit.systems.create("lorenz")
        states = lorenz_data()["state"].values[:, 0]  # three states on the attractor
        kw = {"steps": 40, "transient": 5, "tangent_transient": 10, "qr_every": 2, "per_member": True}
        eager = lyapunov_spectrum(lorenz.dynamics(0.05), states, **kw)
        fused = lyapunov_spectrum(lorenz.dynamics(0.05), states, compile=True, **kw)
        # rounding differs (fused arithmetic), amplified by central differences: ~1e-9
        np.testing.assert_allclose(fused.values, eager.values, rtol=0, atol=1e-7)
        assert json.loads(fused.attrs["parameters"])["compile"] is True
        henon = lyapunov_spectrum(TorchHenonWithoutJacobian(), [0.1, 0.1], members=50, steps=500, transient=50,
                                  tangent_transient=20, compile=True)
        np.testing.assert_allclose(henon.values, [0.41922, -1.62319], rtol=0.02)
    finally:
        torch.set_num_threads(before)
