"""``DSRModel``: the chaoskit Model shared by the PLRNN family, and its registered subclasses."""

from __future__ import annotations

import abc
from collections.abc import Mapping
from typing import Any, ClassVar, cast

import attrs
import numpy as np
import torch
import xarray as xr
from chaoskit import DataError, Model, ParameterError, validate
from chaoskit.validators import boolean, choice, integer, nonnegative, positive

from ..torch_model import load_module_arrays, module_arrays, standardization
from ..torch_utils import resolve
from ..training.protocol import TeacherForcing, TorchTrainable, TrainingProblem
from .cell import DSRCell
from .dynamics import LatentDynamics
from .fitted import FittedCell, feature_values
from .init import generator
from .observation import OBSERVATIONS, make_observation
from .rollout import free_run, predict, warm_up

__all__ = ["DSRModel"]

_CELL = "cell."


@attrs.define(frozen=True, kw_only=True, slots=False)
class DSRModel(Model, TorchTrainable):
    """Base of the dynamical-systems-reconstruction RNNs (PLRNN family), fitted by gradient.

    A latent cell ``z_{t+1} = F(z_t)`` with an observation model ``x_t ≈ G(z_t)`` is trained on
    random windows of the (standardized) training data with a teacher-forcing strategy, and
    forecasts by teacher forcing through the context, then running the latent map in closed loop.

    Parameters
    ----------
    latent_dim
        M, the number of latent units (``≥`` the number of observed features for the identity
        observation).
    observation
        ``"identity"`` (the first N latent units are the data; initial state ``[x₀; L·x₀]`` with
        a learned ``L``) or ``"affine"`` (``x = B·z + b``, forcing by pseudo-inverse).
    standardize
        z-score the data with the training mean and standard deviation per feature (stored with
        the fitted state); forecasts come back in the original units.
    regularization
        λ_lat: the loss adds ``λ_lat`` times the cell's L2 penalty (``‖1 − A‖²`` and the squared
        norms of its weights and biases; see each cell).
    epochs, batches_per_epoch, batch_size, sequence_length, lr, lr_end, noise
        The run of the default trainer (:meth:`default_trainer`): RAdam with the learning rate
        decaying exponentially from ``lr`` to ``lr_end`` over ``epochs × batches_per_epoch``
        steps, each on ``batch_size`` random windows of ``sequence_length`` time points with
        Gaussian ``noise`` (standard deviation, standardized units) added. Default: 120 × 50 =
        6,000 steps at 5e-3 → 1e-5, a few CPU minutes (the published runs are 50-100 times
        longer at 1e-3; see each model). A trainer passed to ``fit`` replaces all of them.
    device, dtype, seed
        As for every :class:`chaoskit.Model`. ``seed`` fixes the initialisation and the
        default trainer's window sampling.

    Notes
    -----
    ``forecast`` warms up with full teacher forcing through the whole context (``z₀`` from the
    first point, then ``z_t = infer(F(z_{t−1}), x_t)``), so contexts of any length ≥ 1 work and
    a longer one settles the unobserved units; then it runs ``steps`` closed-loop steps.
    ``dynamics()`` is the latent map (:class:`~chaoskit_models.dsr.dynamics.LatentDynamics`).
    """

    latent_dim: int = attrs.field(default=20, validator=integer(1))
    observation: str = attrs.field(default="identity", validator=choice(OBSERVATIONS))
    standardize: bool = attrs.field(default=True, validator=boolean)
    regularization: float = attrs.field(default=1e-5, validator=nonnegative)
    epochs: int = attrs.field(default=120, validator=integer(1))
    batches_per_epoch: int = attrs.field(default=50, validator=integer(1))
    batch_size: int = attrs.field(default=16, validator=integer(1))
    sequence_length: int = attrs.field(default=200, validator=integer(2))
    lr: float = attrs.field(default=5e-3, validator=positive)
    lr_end: float = attrs.field(default=1e-5, validator=positive)
    noise: float = attrs.field(default=0.0, validator=nonnegative)

    min_context: ClassVar[int] = 1
    backend: ClassVar[str] = "torch"
    ensemble_free: ClassVar[frozenset[str]] = frozenset(
        {"regularization", "epochs", "batches_per_epoch", "batch_size", "sequence_length", "lr",
         "lr_end", "noise"}
    )

    # ------------------------------------------------------------------ to implement
    @abc.abstractmethod
    def _make_cell(self, observation: torch.nn.Module, gen: torch.Generator, data_range: tuple[float, float]) -> DSRCell:
        """A freshly initialised cell around ``observation`` (float64, CPU)."""

    @abc.abstractmethod
    def default_forcing(self) -> TeacherForcing:
        """The teacher forcing of the published training set-up."""

    # ------------------------------------------------------------------ training
    def default_trainer(self) -> Any:
        """The :class:`~chaoskit_models.training.GradientTrainer` that ``fit(train)`` uses.

        RAdam, learning rate ``lr → lr_end`` (exponential), ``batch_size`` windows of
        ``sequence_length`` points with ``noise``, ``epochs × batches_per_epoch`` steps, and the
        model's :meth:`default_forcing`. The run ends with its last weights
        (``restore_best=False``), as the reference code does: the training loss under teacher
        forcing does not rank free-running models. To keep the checkpoint whose free runs come
        closest to the data instead (the reference code's selection), evolve it with
        ``monitor="dstsp_binned", valid_every=..., valid_window=..., valid_context=1,
        restore_best=True`` and fit with ``valid=`` data (docs/training.md).
        """
        from ..training import GradientTrainer

        return GradientTrainer(
            epochs=self.epochs, batches_per_epoch=self.batches_per_epoch, batch_size=self.batch_size,
            window=self.sequence_length, noise=self.noise, optimizer="radam", lr=self.lr,
            lr_end=self.lr_end, schedule="exponential", teacher_forcing=self.default_forcing(),
            restore_best=False,
        )

    def training_problem(self, train: xr.Dataset, valid: xr.Dataset | None) -> TrainingProblem:
        device, dtype = resolve(type(self).__name__, self.device, self.dtype)
        values = feature_values(train, "train")
        n_features = values.shape[-1]
        self._check_dimensions(n_features)
        mean, std = standardization(values, self.standardize)
        self.__dict__["_stats"] = (mean, std)
        scaled = (values - mean) / std
        gen = generator(self.seed)
        observation = make_observation(self.observation, n_features, self.latent_dim, gen)
        cell = self._make_cell(observation, gen, (float(scaled.min()), float(scaled.max())))
        cell = cell.to(device=device, dtype=dtype)
        valid_t = None
        if valid is not None:
            valid_t = torch.as_tensor((feature_values(valid, "valid") - mean) / std, dtype=dtype, device=device)
        lam = float(self.regularization)

        # The trainer hands loss and forecast the problem's module: the cell built here.
        def loss(module: torch.nn.Module, windows: torch.Tensor, forcing: Any) -> torch.Tensor:
            prediction = forcing.unroll(module, windows)
            value = torch.mean((prediction - windows[:, 1:]) ** 2)
            return value + lam * cast(DSRCell, module).penalty() if lam > 0 else value

        def forecast(module: torch.nn.Module, context: torch.Tensor, steps: int) -> torch.Tensor:
            return predict(cast(DSRCell, module), context, steps)

        return TrainingProblem(
            module=cell, train=torch.as_tensor(scaled, dtype=dtype, device=device), loss=loss,
            valid=valid_t, forecast=forecast, min_window=2,
        )

    def finish_training(self, module: torch.nn.Module) -> None:
        mean, std = self.__dict__.pop("_stats")
        cell = cast(DSRCell, module.requires_grad_(False))  # the cell of training_problem
        self.__dict__["_dsr"] = FittedCell(cell=cell, mean=mean, std=std, last_state=np.zeros(cell.latent_dim))

    def module_state(self) -> Mapping[str, torch.Tensor] | None:
        """The trained cell's ``state_dict`` (also after ``load``), for warm starts and LoRA."""
        fitted = self.__dict__.get("_dsr")
        return None if fitted is None else fitted.cell.state_dict()

    def _fit(self, train: xr.Dataset, *, valid: xr.Dataset | None, trainer: Any) -> None:
        from ..training import fit_torch_model

        if trainer is None:
            self._check_default_window(feature_values(train, "train").shape[1])
        fit_torch_model(self, train, valid, trainer)
        fitted: FittedCell = self.__dict__["_dsr"]
        tail = feature_values(train, "train")[-1:, -self.sequence_length :]
        with torch.no_grad():
            z = warm_up(fitted.cell, fitted.scale(tail))
        fitted.last_state = z[0].cpu().numpy().astype(np.float64)

    # ------------------------------------------------------------------ public extras
    def latent_trajectory(self, context: xr.Dataset, steps: int) -> xr.DataArray:
        """The latent states ``(member, time, latent)`` of the ``steps`` closed-loop steps after ``context``."""
        info = self.fit_info
        validate(context, name="context")
        self.check_compatible(context, info, "context")
        if isinstance(steps, bool) or not isinstance(steps, (int, np.integer)) or steps < 1:
            raise ParameterError(f"latent_trajectory: steps must be a positive integer, got {steps!r}")
        fitted = self._fitted
        with torch.no_grad():
            z = free_run(fitted.cell, warm_up(fitted.cell, fitted.scale(feature_values(context, "context"))), int(steps))
        time = float(context["time"].values[-1]) + info.dt * np.arange(1, steps + 1)
        return xr.DataArray(
            z.cpu().numpy(), dims=("member", "time", "latent"),
            coords={"member": context["member"].values, "time": time, "latent": np.arange(z.shape[-1])},
            name="latent",
        )

    # ------------------------------------------------------------------ Model implementation
    def _forecast(self, context: xr.Dataset, steps: int) -> torch.Tensor:
        fitted = self._fitted
        y = predict(fitted.cell, fitted.scale(feature_values(context, "context")), steps)
        values = y * fitted.tensor(fitted.std, y) + fitted.tensor(fitted.mean, y)
        return values.reshape(context.sizes["member"], steps, *context["state"].shape[2:])

    def _get_state(self) -> Mapping[str, np.ndarray]:
        fitted = self._fitted
        return {**module_arrays(fitted.cell, _CELL), "mean": fitted.mean, "std": fitted.std,
                "last_state": fitted.last_state}

    def _set_state(self, state: Mapping[str, np.ndarray]) -> None:
        missing = [k for k in ("mean", "std", "last_state") if k not in state]
        if missing:
            raise DataError(f"{type(self).__name__}: the saved state lacks {missing}")
        mean = np.asarray(state["mean"], np.float64)
        self._check_dimensions(mean.shape[0])
        device, dtype = resolve(type(self).__name__, self.device, self.dtype)
        gen = generator(0)
        cell = self._make_cell(make_observation(self.observation, mean.shape[0], self.latent_dim, gen), gen, (-1.0, 1.0))
        load_module_arrays(cell, state, _CELL, owner=type(self).__name__,
                           settings=f"the hyperparameters {self.hyperparameters()} and {mean.shape[0]} features")
        cell = cell.to(device=device, dtype=dtype).requires_grad_(False)
        self.__dict__["_dsr"] = FittedCell(
            cell=cell, mean=mean, std=np.asarray(state["std"], np.float64),
            last_state=np.asarray(state["last_state"], np.float64),
        )

    def _dynamics(self) -> LatentDynamics:
        fitted = self._fitted
        param = next(fitted.cell.parameters())
        return LatentDynamics(
            fitted.cell, mean=fitted.mean, std=fitted.std, dt=self.fit_info.dt,
            initial_state=fitted.last_state, device=param.device, dtype=param.dtype,
        )

    # ------------------------------------------------------------------ helpers
    @property
    def _fitted(self) -> FittedCell:
        self.fit_info  # noqa: B018 - raises NotFittedError before fit
        return self.__dict__["_dsr"]

    def _check_default_window(self, n_times: int) -> None:
        """The default trainer's windows are ``sequence_length`` long: name that field when they do not fit."""
        if n_times < self.sequence_length:
            name = type(self).__name__
            raise DataError(
                f"{name}: members of {n_times} time points are shorter than the training window of "
                f"{self.sequence_length} (the model's sequence_length, which sizes the windows of its "
                f"default trainer); use longer trajectories or {name}(sequence_length=...) of at most {n_times}"
            )

    def _check_dimensions(self, n_features: int) -> None:
        if self.observation == "identity" and self.latent_dim < n_features:
            raise ParameterError(
                f"{type(self).__name__}: latent_dim = {self.latent_dim} is smaller than the "
                f"{n_features} observed features, but observation='identity' reads the first "
                f"{n_features} latent units; use latent_dim >= {n_features} or observation='affine'"
            )
