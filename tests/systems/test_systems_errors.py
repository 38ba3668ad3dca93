"""Bad input fails early with chaoskit errors that say what was expected and what came."""

from __future__ import annotations

import numpy as np
import pytest
import torch

import chaoskit
from chaoskit_systems.integrators import integrate


def test_unknown_method_lists_the_valid_ones(lorenz) -> None:
    expected = (r"method must be one of \['dop853', 'dopri5', 'rk4', 'dopri5_compiled', "
                r"'dop853_compiled', 'rk4_compiled'\], got 'euler'")
    with pytest.raises(chaoskit.ParameterError, match=expected):
        lorenz.trajectory(10, method="euler")
    with pytest.raises(chaoskit.ParameterError, match=r"valid methods are \['dop853', 'dop853_compiled', 'dopri5', "
                       r"'dopri5_compiled', 'rk4', 'rk4_compiled'\]"):
        integrate(lorenz.rhs, torch.zeros((1, 3), dtype=torch.float64), [0.0, 1.0], method="euler")


@pytest.mark.parametrize("dt", [0.0, -0.01, float("nan"), float("inf")])
def test_bad_dt(lorenz, dt) -> None:
    with pytest.raises(chaoskit.ParameterError, match="dt must be a positive number"):
        lorenz.trajectory(10, dt=dt)


def test_wrong_initial_state_shape(lorenz) -> None:
    expected = r"initial_state must have shape \(3,\) or \(2, 3\), got \(2, 2\)"
    with pytest.raises(chaoskit.DataError, match=expected):
        lorenz.trajectory(10, members=2, initial_state=np.zeros((2, 2)))
    with pytest.raises(chaoskit.DataError, match="non-finite"):
        lorenz.trajectory(10, initial_state=[np.nan, 0.0, 0.0])


def test_tolerances_do_not_apply_to_rk4(lorenz) -> None:
    with pytest.raises(chaoskit.ParameterError, match="rk4 is a fixed-step method"):
        lorenz.trajectory(10, method="rk4", rtol=1e-6)


def test_tolerance_below_the_dtype_resolution(lorenz) -> None:
    with pytest.raises(chaoskit.ParameterError, match=r"below what torch\.float32 resolves"):
        lorenz.trajectory(10, dtype="float32", rtol=1e-9)


def test_missing_device(lorenz) -> None:
    if torch.cuda.is_available():
        pytest.skip("a CUDA device is present")
    with pytest.raises(chaoskit.CapabilityError, match=r"no CUDA device.*use device='cpu'"):
        lorenz.trajectory(10, device="cuda")
    with pytest.raises(chaoskit.ParameterError, match="torch device string"):
        lorenz.trajectory(10, device="gpu-please")


def test_unsupported_device_type(lorenz) -> None:
    # a device string torch accepts but the systems cannot run on (was a deep Tensor.item() error)
    with pytest.raises(chaoskit.CapabilityError, match=r"'meta'.*'cpu', 'cuda'"):
        lorenz.trajectory(10, device="meta")


def test_noise_is_not_supported_by_delay_equations() -> None:
    with pytest.raises(chaoskit.CapabilityError, match="does not simulate dynamical noise"):
        chaoskit.systems.create("mackey_glass").trajectory(10, noise=0.1)


def test_bad_parameters(lorenz) -> None:
    with pytest.raises(chaoskit.ParameterError, match=r"Lorenz.sigma must be > 0, got -1"):
        type(lorenz)(sigma=-1.0)
    with pytest.raises(chaoskit.ParameterError, match=r"Lorenz.rho must be a number"):
        type(lorenz)(rho="28")


def test_integrate_validates_its_arguments(lorenz) -> None:
    x0 = torch.zeros((2, 3), dtype=torch.float64)
    with pytest.raises(chaoskit.DataError, match=r"x0 must be a floating torch tensor of shape"):
        integrate(lorenz.rhs, x0[0], [0.0, 1.0])
    with pytest.raises(chaoskit.DataError, match="t_out must increase strictly"):
        integrate(lorenz.rhs, x0, [0.0, 1.0, 1.0])
    with pytest.raises(chaoskit.ParameterError, match=r"t0 must be a finite time ≤ t_out\[0\]"):
        integrate(lorenz.rhs, x0, [0.0, 1.0], t0=0.5)
    with pytest.raises(chaoskit.ParameterError, match="rk4 needs step="):
        integrate(lorenz.rhs, x0, [0.0, 1.0], method="rk4")
    with pytest.raises(chaoskit.ParameterError, match=r"\['rtol'\] do not apply"):
        integrate(lorenz.rhs, x0, [0.0, 1.0], method="rk4", step=0.01, rtol=1e-6)
    with pytest.raises(chaoskit.ParameterError, match="dop853 chooses its own steps"):
        integrate(lorenz.rhs, x0, [0.0, 1.0], step=0.01)
    with pytest.raises(chaoskit.ParameterError, match="atol must be a positive finite number"):
        integrate(lorenz.rhs, x0, [0.0, 1.0], atol=-1.0)


def test_state_shape_is_checked_by_rhs_and_jacobian(lorenz) -> None:
    with pytest.raises(chaoskit.DataError, match=r"expected states of shape \(\.\.\., 3\)"):
        lorenz.rhs(0.0, np.zeros((4, 2)))
    with pytest.raises(chaoskit.DataError, match=r"expected states of shape \(\.\.\., 3\)"):
        lorenz.jacobian(0.0, torch.zeros(5))
    with pytest.raises(chaoskit.DataError, match=r"expected a state of shape \(\.\.\., 3\)"):
        lorenz.dynamics(0.01).step(torch.zeros((2, 4)))
