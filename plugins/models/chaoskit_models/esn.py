"""Echo state network: a leaky tanh reservoir with a ridge readout (reservoirpy conventions)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

import attrs
import numpy as np
import torch
import xarray as xr
from chaoskit import DataError, Model, validate
from chaoskit.validators import boolean, choice, in_interval, integer, nonnegative, positive

from .arrays import feature_values
from .esn_dynamics import ESNDynamics
from .esn_state import FittedESN
from .esn_training import training_equations
from .recurrence import READOUTS, Reservoir
from .reservoir import ReservoirWeights, draw_reservoir
from .torch_model import standardization
from .torch_utils import resolve

__all__ = ["EchoStateNetwork"]

#: On the CPU, ``W`` is kept sparse (CSR) from this many units when ``connectivity`` is at most
#: :data:`SPARSE_MAX_CONNECTIVITY`; measured break-even ~300 units at connectivity 0.1.
SPARSE_MIN_UNITS = 400
SPARSE_MAX_CONNECTIVITY = 0.3
_STATE_KEYS = (
    "w_indptr",
    "w_indices",
    "w_data",
    "w_in",
    "bias",
    "w_out",
    "mean",
    "std",
    "last_state",
)


@attrs.define(frozen=True, kw_only=True, slots=False)
class EchoStateNetwork(Model):
    """Echo state network (reservoir computer) with a ridge-regression readout.

    The reservoir follows reservoirpy's leaky-integrator convention::

        r_{t+1} = (1 − a)·r_t + a·tanh(W_in·u_t + W·r_t + b)
        û_{t+1} = W_out·[1; φ(r_{t+1})],   φ(r) = r  or  [r; r²]

    and is trained in closed form to predict the next input. ``W`` is a sparse random matrix
    (``connectivity``, standard normal entries) rescaled to ``spectral_radius`` with a float64
    eigenvalue computation (dense up to 256 units, ARPACK above); ``W_in`` is sparse
    (``input_connectivity``) with entries uniform in ``±input_scaling``; ``b`` is dense and
    uniform in ``±bias_scaling``. All weights are drawn from ``numpy.random.default_rng(seed)``
    in float64, so CPU and CUDA, float32 and float64 see the same reservoir.

    Parameters
    ----------
    units
        Reservoir size.
    spectral_radius
        Largest eigenvalue modulus of ``W`` after rescaling (> 0).
    leak_rate
        Leak rate ``a`` in ``(0, 1]``; 1 means no leak.
    input_scaling, bias_scaling
        Half-widths of the uniform distributions of ``W_in`` (> 0) and ``b`` (≥ 0). A non-zero
        bias is needed on systems without odd symmetry in every variable (Lorenz's ``z``).
    connectivity
        Fraction of non-zero entries of ``W``, in ``(0, 1]``.
    input_connectivity
        Fraction of non-zero entries of ``W_in``, in ``(0, 1]`` (reservoirpy's default 0.1).
        On Lorenz-63 a sparse ``W_in`` made small reservoirs reliable: at 300 units the median
        valid prediction time was 8.7 Lyapunov times with 0.1 and 6.4 (one seed 2.2) with a
        dense ``W_in``.
    ridge
        Absolute L2 penalty on the non-intercept readout weights, added to ``XᵀX`` as
        reservoirpy does (not scaled by the number of samples). Default 1e-9, the value that
        held up from 300 to 1,000 units on standardized Lorenz-63 (1e-10 is better at 300-500
        units and worse at 1,000; 1e-8 and above lose 1-3 Lyapunov times).
    washout
        Reservoir states discarded at the start of every training member (the reservoir starts
        at rest, ``r = 0``). In ``forecast`` the whole context is used to warm up: contexts
        shorter than ``washout`` leave the reservoir partly cold (``min_context`` is 1, so they
        are accepted) and the first forecast steps are then less accurate.
    standardize
        z-score the inputs with the training mean and standard deviation per variable (stored
        with the fitted state); forecasts come back in the original units.
    readout_features
        ``"linear"`` (``φ(r) = r``) or ``"quadratic"`` (``φ(r) = [r; r²]``, Pathak et al. 2018).
    training_noise
        Standard deviation of Gaussian noise added to the (standardized) training *inputs*; the
        targets stay clean, so the readout learns to pull perturbed states back towards the
        data (reservoirpy's ``noise_in``; Jaeger 2002, Wikner et al. 2024). It is the classic
        stabiliser of the closed loop on oversampled or higher-dimensional systems (see the
        user guide); 0 (default) adds none. Drawn from ``numpy.random.default_rng([seed, 1])``.
    device, dtype, seed
        As for every :class:`chaoskit.Model`; the ridge solve is always float64.

    Notes
    -----
    ``fit`` drives the reservoir from rest over every member of ``train`` (a batch of members
    per step; a long series is cut into segments driven side by side, each after a cold-start
    overlap that is checked to have converged to rounding, see
    :mod:`chaoskit_models.esn_training`), accumulates the normal equations in float64 in chunks
    of time, and solves them once. ``valid`` and ``trainer`` are ignored. Spatial fields are
    flattened into one input vector; complex data are rejected. ``forecast`` runs all members'
    closed loops as one batch.

    ``dynamics()`` returns the closed-loop reservoir map (:class:`ESNDynamics`, torch backend):
    its state is the reservoir state, of dimension ``units``.

    The recursion is a chain of small products, so it is latency-bound: on a loaded machine
    two or more intra-op threads can make it 10-100x slower than one. Prefer
    ``torch.set_num_threads(1)`` and parallelise over models (seeds, configurations) instead.
    """

    units: int = attrs.field(default=500, validator=integer(1))
    spectral_radius: float = attrs.field(default=0.9, validator=positive)
    leak_rate: float = attrs.field(default=0.3, validator=in_interval(0.0, 1.0))
    input_scaling: float = attrs.field(default=0.5, validator=positive)
    bias_scaling: float = attrs.field(default=0.5, validator=nonnegative)
    connectivity: float = attrs.field(default=0.1, validator=in_interval(0.0, 1.0))
    input_connectivity: float = attrs.field(default=0.1, validator=in_interval(0.0, 1.0))
    ridge: float = attrs.field(default=1e-9, validator=nonnegative)
    washout: int = attrs.field(default=100, validator=integer(0))
    standardize: bool = attrs.field(default=True, validator=boolean)
    readout_features: str = attrs.field(default="linear", validator=choice(READOUTS))
    training_noise: float = attrs.field(default=0.0, validator=nonnegative)

    min_context: ClassVar[int] = 1
    backend: ClassVar[str] = "torch"

    # ------------------------------------------------------------------ public extras
    def warm_up(self, context: xr.Dataset) -> torch.Tensor:
        """The reservoir states ``(member, units)`` after teacher-forcing each member's context.

        These are the states from which ``forecast`` starts its closed loop, and valid initial
        states for :meth:`dynamics` (in the model's dtype and on its device).
        """
        info = self.fit_info
        validate(context, name="context")
        self.check_compatible(context, info, "context")
        fitted = self._fitted
        return fitted.reservoir.drive(
            fitted.inputs(context), fitted.reservoir.zeros(context.sizes["member"])
        ).T

    # ------------------------------------------------------------------ Model implementation
    def _fit(self, train: xr.Dataset, *, valid: xr.Dataset | None, trainer: Any) -> None:
        device, dtype = resolve(type(self).__name__, self.device, self.dtype)
        values = feature_values(train, "train", type(self).__name__)
        _, times, n_vars = values.shape
        if times - 1 <= self.washout:
            raise DataError(
                f"train: members of {times} time points give {times - 1} input/target pairs, "
                f"all inside the washout of {self.washout} steps; "
                "use longer members or a smaller washout"
            )
        mean, std = standardization(values, self.standardize)
        weights = draw_reservoir(
            self.units,
            n_vars,
            spectral_radius=self.spectral_radius,
            connectivity=self.connectivity,
            input_connectivity=self.input_connectivity,
            input_scaling=self.input_scaling,
            bias_scaling=self.bias_scaling,
            seed=self.seed,
        )
        reservoir = Reservoir(
            weights, leak=self.leak_rate, device=device, dtype=dtype, sparse=self._sparse(device)
        )
        z = torch.as_tensor((values - mean) / std, dtype=dtype, device=device).permute(1, 2, 0)
        inputs, targets = z[:-1], z[1:]  # (time, variable, member)
        if self.training_noise > 0:
            rng = np.random.default_rng(None if self.seed is None else [self.seed, 1])
            noise = rng.standard_normal(tuple(inputs.shape)) * self.training_noise
            inputs = inputs + torch.as_tensor(noise, dtype=dtype, device=device)
        equations, r = training_equations(
            reservoir,
            inputs,
            targets,
            washout=self.washout,
            readout=self.readout_features,
        )
        last = reservoir.step(r, z[-1])[:, -1]  # after the whole last member
        w_out = equations.solve(self.ridge).numpy()
        self.__dict__["_esn"] = FittedESN.build(
            weights,
            w_out,
            mean,
            std,
            last.cpu().numpy().astype(np.float64),
            leak=self.leak_rate,
            kind=self.readout_features,
            device=device,
            dtype=dtype,
            sparse=self._sparse(device),
        )

    def _forecast(self, context: xr.Dataset, steps: int) -> torch.Tensor:
        fitted = self._fitted
        reservoir, readout = fitted.reservoir, fitted.readout
        members = context.sizes["member"]
        r = reservoir.drive(fitted.inputs(context), reservoir.zeros(members))
        out = reservoir.generate(r, readout, steps)
        values = out.permute(2, 0, 1) * fitted.std_t + fitted.mean_t
        return values.reshape(members, steps, *context["state"].shape[2:])

    def _get_state(self) -> Mapping[str, np.ndarray]:
        f = self._fitted
        w = f.weights
        return {
            "w_indptr": w.indptr,
            "w_indices": w.indices,
            "w_data": w.data,
            "w_in": w.w_in,
            "bias": w.bias,
            "w_out": f.w_out,
            "mean": f.mean,
            "std": f.std,
            "last_state": f.last_state,
        }

    def _set_state(self, state: Mapping[str, np.ndarray]) -> None:
        missing = [k for k in _STATE_KEYS if k not in state]
        if missing:
            raise DataError(f"{type(self).__name__}: the saved state lacks {missing}")
        weights = ReservoirWeights(
            indptr=np.asarray(state["w_indptr"], np.int64),
            indices=np.asarray(state["w_indices"], np.int64),
            data=np.asarray(state["w_data"], np.float64),
            w_in=np.asarray(state["w_in"], np.float64),
            bias=np.asarray(state["bias"], np.float64),
        )
        n_features = self.units * (2 if self.readout_features == "quadratic" else 1)
        w_out = np.asarray(state["w_out"], np.float64)
        if (
            weights.units != self.units
            or weights.indptr.shape != (self.units + 1,)
            or w_out.ndim != 2
            or w_out.shape[1] != 1 + n_features
        ):
            raise DataError(
                f"{type(self).__name__}: the saved state does not match units = {self.units} and "
                f"readout_features = {self.readout_features!r} (W_out has shape {w_out.shape})"
            )
        device, dtype = resolve(type(self).__name__, self.device, self.dtype)
        self.__dict__["_esn"] = FittedESN.build(
            weights,
            w_out,
            np.asarray(state["mean"], np.float64),
            np.asarray(state["std"], np.float64),
            np.asarray(state["last_state"], np.float64),
            leak=self.leak_rate,
            kind=self.readout_features,
            device=device,
            dtype=dtype,
            sparse=self._sparse(device),
        )

    def _dynamics(self) -> ESNDynamics:
        f = self._fitted
        return ESNDynamics(
            weights=f.weights,
            w_out=f.w_out,
            mean=f.mean,
            std=f.std,
            leak=self.leak_rate,
            readout_kind=self.readout_features,
            dt=self.fit_info.dt,
            initial_state=f.last_state,
            device=f.mean_t.device,
            dtype=f.mean_t.dtype,
        )

    # ------------------------------------------------------------------ helpers
    @property
    def _fitted(self) -> FittedESN:
        self.fit_info  # noqa: B018 - raises NotFittedError before fit
        return self.__dict__["_esn"]

    def _sparse(self, device: torch.device) -> bool:
        return (
            device.type == "cpu"
            and self.units >= SPARSE_MIN_UNITS
            and self.connectivity <= SPARSE_MAX_CONNECTIVITY
        )
