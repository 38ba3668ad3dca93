"""Per-step cost of GradientTrainer's own work, beside the model's forward and backward pass.

Three measurements, single-threaded (``torch.set_num_threads(1)``), CPU time per step, medians
of ``--repeats`` interleaved runs:

1. **trainer only**: a loss that costs next to nothing (a sum of the parameters), so the time per
   step is the trainer's overhead: window sampling, zero_grad, the optimizer step, the learning
   rate, the finiteness check, counters, the (silent) progress bar.
2. **GTF step through the trainer**: a clipped shallow PLRNN cell (M = 3, L = 100, written
   here as a stand-in for chaoskit's model; identity observation) with adaptive generalized
   teacher forcing (α estimated every 5 batches), RAdam, exponential lr decay, batch 16 windows
   of 200 steps.
3. **the same step by hand**: the same cell, forcing runtime, loss and optimizer in a bare loop
   over pre-drawn windows; the difference with (2) is the trainer's share. The α estimate
   (Jacobians and their spectral norms at the 16 × 199 states of a batch, every 5 batches) is
   timed on its own; it is included in (2) and (3).

Usage::

    .venv/bin/python benchmarks/trainer_overhead.py [--steps 200] [--repeats 3]
"""

from __future__ import annotations

import argparse
import statistics
import time
from typing import Any

import torch
from chaoskit_models.training import GeneralizedForcing, GradientTrainer, TrainingProblem
from chaoskit_models.training.forcing import estimate_alpha
from chaoskit_models.training.loop import run_training
from torch import nn


class ClippedShallowCell(nn.Module):
    """z' = A⊙z + W1·[relu(W2 z + h2) − relu(W2 z)] + h1, x = z (M = N)."""

    def __init__(self, m: int = 3, hidden: int = 100, seed: int = 0) -> None:
        super().__init__()
        g = torch.Generator().manual_seed(seed)
        self.latent_dim = self.obs_dim = m
        self.a = nn.Parameter(0.9 * torch.ones(m))
        self.w1 = nn.Parameter((torch.rand(m, hidden, generator=g) * 2 - 1) / hidden**0.5)
        self.w2 = nn.Parameter((torch.rand(hidden, m, generator=g) * 2 - 1) / m**0.5)
        self.h1 = nn.Parameter(torch.zeros(m))
        self.h2 = nn.Parameter(torch.zeros(hidden))

    def initial(self, x0: torch.Tensor) -> torch.Tensor:
        return x0

    def step(self, z: torch.Tensor) -> torch.Tensor:
        u = z @ self.w2.T
        return self.a * z + (torch.relu(u + self.h2) - torch.relu(u)) @ self.w1.T + self.h1

    def observe(self, z: torch.Tensor) -> torch.Tensor:
        return z

    def infer(self, z: torch.Tensor, x: torch.Tensor) -> torch.Tensor:
        return x

    def jacobian(self, z: torch.Tensor) -> torch.Tensor:
        u = z @ self.w2.T
        d = (u + self.h2 > 0).to(z.dtype) - (u > 0).to(z.dtype)
        return torch.diag_embed(self.a.expand_as(z)) + (self.w1 * d.unsqueeze(-2)) @ self.w2


class _Stub:
    """The little of a chaoskit Model that the loop needs."""

    seed = 0

    def hyperparameters(self) -> dict[str, Any]:
        return {}

    def module_state(self) -> None:
        return None


def mse(module: nn.Module, x: torch.Tensor, forcing: Any) -> torch.Tensor:
    return torch.mean((forcing.unroll(module, x) - x[:, 1:]) ** 2)


def trivial(module: nn.Module, x: torch.Tensor, forcing: Any) -> torch.Tensor:
    return sum(p.sum() for p in module.parameters()) * 1e-9


def lorenz_like(n: int = 5000) -> torch.Tensor:
    """A standardized chaotic series (Lorenz-63, RK4 at dt = 0.01), (1, n, 3) float32."""
    s = torch.tensor([1.0, 1.0, 1.0], dtype=torch.float64)
    out = torch.empty(n, 3, dtype=torch.float64)

    def f(v: torch.Tensor) -> torch.Tensor:
        x, y, z = v
        return torch.stack([10 * (y - x), x * (28 - z) - y, x * y - 8 / 3 * z])

    for i in range(n + 1000):
        k1 = f(s)
        k2 = f(s + 0.005 * k1)
        k3 = f(s + 0.005 * k2)
        k4 = f(s + 0.01 * k3)
        s = s + 0.01 / 6 * (k1 + 2 * k2 + 2 * k3 + k4)
        if i >= 1000:
            out[i - 1000] = s
    out = (out - out.mean(0)) / out.std(0)
    return out.float()[None]


def per_step(fns: dict[str, Any], steps: int, repeats: int) -> dict[str, float]:
    """Median CPU seconds per step of each function, the functions interleaved per repeat."""
    times: dict[str, list[float]] = {name: [] for name in fns}
    for _ in range(repeats):
        for name, fn in fns.items():
            t0 = time.process_time()
            fn()
            times[name].append((time.process_time() - t0) / steps)
    return {name: statistics.median(ts) for name, ts in times.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=200)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    torch.set_num_threads(1)
    data = lorenz_like()
    trainer = GradientTrainer(epochs=1, batches_per_epoch=args.steps, batch_size=16, window=200,
                              optimizer="radam", lr=1e-3, schedule="exponential",
                              teacher_forcing=GeneralizedForcing(), progress=False, seed=0,
                              restore_best=False)

    def through_trainer(loss: Any) -> None:
        problem = TrainingProblem(module=ClippedShallowCell(), train=data, loss=loss)
        run_training(trainer, _Stub(), problem, data_attrs={}, variables=("x", "y", "z"))

    g = torch.Generator().manual_seed(0)
    starts = torch.randint(data.shape[1] - 200, (args.steps, 16), generator=g)
    batches = [data[0, s[:, None] + torch.arange(200)] for s in starts]

    def by_hand() -> None:
        cell = ClippedShallowCell()
        opt = torch.optim.RAdam(cell.parameters(), lr=1e-3)
        runtime = GeneralizedForcing().start()
        for x in batches:
            opt.zero_grad(set_to_none=True)
            loss = mse(cell, x, runtime)
            loss.backward()
            opt.step()

    cell = ClippedShallowCell()

    def estimates() -> None:
        for x in batches:
            estimate_alpha(cell, x[:, 1:])  # ẑ_t = x_t for identity observation, M = N

    t = per_step({"overhead": lambda: through_trainer(trivial), "full": lambda: through_trainer(mse),
                  "bare": by_hand, "alpha": estimates}, args.steps, args.repeats)
    overhead, full, bare, alpha_cost = t["overhead"], t["full"], t["bare"], t["alpha"]
    print(f"torch {torch.__version__}, 1 thread, batch 16 x 200 steps, clipped shPLRNN M=3 L=100, float32")
    print(f"trainer only (trivial loss)            {overhead * 1e3:8.3f} ms/step")
    print(f"GTF step through GradientTrainer       {full * 1e3:8.3f} ms/step")
    print(f"same step in a bare loop               {bare * 1e3:8.3f} ms/step")
    print(f"trainer's share (difference)           {(full - bare) * 1e3:8.3f} ms/step")
    print(f"one alpha estimate (every 5 batches)   {alpha_cost * 1e3:8.3f} ms ({alpha_cost / 5 * 1e3:.3f} ms/step)")


if __name__ == "__main__":
    main()
