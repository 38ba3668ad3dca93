"""A tiny gradient-trained chaoskit model for the trainer's tests: a linear latent cell.

``LinearCell`` implements the ``LatentCell`` protocol with ``z' = W z + b`` (an ``nn.Linear``, so
LoRA can target it), identity observation of the first N of M latent units, and
``initial(x) = [x, L x]``. ``ToyModel`` is a ``chaoskit.Model`` + ``TorchTrainable`` around it.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

import attrs
import numpy as np
import torch
import xarray as xr
from chaoskit import Model, make_dataset
from chaoskit.validators import integer
from chaoskit_models.training import (
    GradientTrainer,
    TorchTrainable,
    TrainingProblem,
    fit_torch_model,
)
from torch import nn


class LinearCell(nn.Module):
    """``z_{t+1} = W z_t + b``; ``x = z[:N]``; ``initial(x) = [x, L x]``."""

    def __init__(self, latent_dim: int, obs_dim: int, *, seed: int = 0, dtype: torch.dtype = torch.float64) -> None:
        super().__init__()
        self.latent_dim, self.obs_dim = latent_dim, obs_dim
        g = torch.Generator().manual_seed(seed)
        self.lin = nn.Linear(latent_dim, latent_dim, dtype=dtype)
        with torch.no_grad():
            self.lin.weight.copy_(torch.eye(latent_dim, dtype=dtype) * 0.9
                                  + 0.05 * torch.randn(latent_dim, latent_dim, generator=g, dtype=dtype))
            self.lin.bias.copy_(0.01 * torch.randn(latent_dim, generator=g, dtype=dtype))
        extra = latent_dim - obs_dim
        self.lift = nn.Linear(obs_dim, extra, bias=False, dtype=dtype) if extra else None
        if self.lift is not None:
            with torch.no_grad():
                self.lift.weight.copy_(0.1 * torch.randn(extra, obs_dim, generator=g, dtype=dtype))

    def initial(self, x0: torch.Tensor) -> torch.Tensor:
        return x0 if self.lift is None else torch.cat([x0, self.lift(x0)], dim=-1)

    def step(self, z: torch.Tensor) -> torch.Tensor:
        return self.lin(z)

    def observe(self, z: torch.Tensor) -> torch.Tensor:
        return z[..., : self.obs_dim]

    def infer(self, z: torch.Tensor, x: torch.Tensor) -> torch.Tensor:
        return torch.cat([x, z[..., self.obs_dim :]], dim=-1)

    def jacobian(self, z: torch.Tensor) -> torch.Tensor:
        return self.lin.weight.expand(*z.shape[:-1], self.latent_dim, self.latent_dim)


def mse_loss(module: nn.Module, x: torch.Tensor, forcing: Any) -> torch.Tensor:
    return torch.mean((forcing.unroll(module, x) - x[:, 1:]) ** 2)


def closed_loop(module: LinearCell, context: torch.Tensor, steps: int) -> torch.Tensor:
    z = module.initial(context[:, 0])
    for t in range(1, context.shape[1]):
        z = module.infer(module.step(z), context[:, t])
    out = []
    for _ in range(steps):
        z = module.step(z)
        out.append(module.observe(z))
    return torch.stack(out, dim=1)


@attrs.define(frozen=True, kw_only=True, slots=False)
class ToyModel(Model, TorchTrainable):
    """A linear latent model trained by the gradient trainer (test helper)."""

    latent: int = attrs.field(default=3, validator=integer(1))
    backend: ClassVar[str] = "torch"

    def default_trainer(self) -> GradientTrainer:
        return GradientTrainer(epochs=3, batches_per_epoch=4, batch_size=4, window=12, lr=1e-2,
                               progress=False)

    def training_problem(self, train: xr.Dataset, valid: xr.Dataset | None) -> TrainingProblem:
        dtype = torch.float64 if self.dtype == "float64" else torch.float32
        n = train.sizes["variable"]
        module = LinearCell(max(self.latent, n), n, seed=self.seed or 0, dtype=dtype).to(self.device)

        def tensor(ds: xr.Dataset) -> torch.Tensor:
            return torch.as_tensor(ds["state"].values, dtype=dtype, device=self.device)

        return TrainingProblem(
            module=module, train=tensor(train), loss=mse_loss,
            valid=None if valid is None else tensor(valid), forecast=closed_loop,
        )

    def finish_training(self, module: nn.Module) -> None:
        self.__dict__["_weights"] = {k: v.detach().cpu().numpy().copy() for k, v in module.state_dict().items()}
        self.__dict__["_trained_on"] = next(module.parameters()).device.type
        self.__dict__["_n_obs"] = module.obs_dim

    def _fit(self, train: xr.Dataset, *, valid: xr.Dataset | None, trainer: Any) -> None:
        fit_torch_model(self, train, valid, trainer)

    def _cell(self) -> LinearCell:
        weights = self.__dict__["_weights"]
        dtype = torch.float64 if self.dtype == "float64" else torch.float32
        cell = LinearCell(weights["lin.weight"].shape[0], self.__dict__["_n_obs"], dtype=dtype)
        cell.load_state_dict({k: torch.as_tensor(v) for k, v in weights.items()})
        return cell

    def _forecast(self, context: xr.Dataset, steps: int) -> torch.Tensor:
        dtype = torch.float64 if self.dtype == "float64" else torch.float32
        with torch.no_grad():
            return closed_loop(self._cell(), torch.as_tensor(context["state"].values, dtype=dtype), steps)

    def _get_state(self) -> Mapping[str, np.ndarray]:
        return {**self.__dict__["_weights"], "n_obs": np.array(self.__dict__["_n_obs"])}

    def _set_state(self, state: Mapping[str, np.ndarray]) -> None:
        self.__dict__["_n_obs"] = int(state["n_obs"])
        self.__dict__["_weights"] = {k: np.asarray(v) for k, v in state.items() if k != "n_obs"}


def rotation_data(members: int = 2, n: int = 120, dt: float = 0.1, seed: int = 0) -> xr.Dataset:
    """A damped rotation in (x, y) and a decaying z: exactly linear dynamics."""
    rng = np.random.default_rng(seed)
    theta, rho = 0.3, 0.995
    a = np.array([[rho * np.cos(theta), -rho * np.sin(theta), 0.0],
                  [rho * np.sin(theta), rho * np.cos(theta), 0.0],
                  [0.0, 0.0, 0.97]])
    state = np.empty((members, n, 3))
    state[:, 0] = rng.standard_normal((members, 3))
    for t in range(1, n):
        state[:, t] = state[:, t - 1] @ a.T
    return make_dataset(state, time=np.arange(n) * dt, variables=("x", "y", "z"),
                        attrs={"dt": dt, "lyapunov_time": 1.0, "system": "rotation"})
