"""Time per model-step of batched ensembles (``fit_ensemble``) against single fits.

Clipped shallow PLRNN (M = 3, L = 100, identity observation), adaptive generalized teacher
forcing (α estimated every 5 batches, included), RAdam, exponential lr decay, batch 16 windows
of 200 steps, gradient clipping off; one thread (``torch.set_num_threads(1)``), CPU time of the
process. Every configuration is fitted through the public API — ``model.fit(train,
trainer=...)`` for single models, ``fit_ensemble(models, train, trainer=...)`` for ensembles —
twice, with ``--steps`` and with ``--steps-short`` steps, and the per-step time is the
difference divided by the difference of steps, so set-up (problem building, replay) is not
counted. The configurations are interleaved per repeat (the shared development machines' load
moves the wall clock by 2-4×; compare within one run); medians of ``--repeats``.

``--autograd`` adds the same configurations with the fused unroll of the shallow PLRNN
(``chaoskit_models.dsr.shallow_unroll``) switched off, i.e. unrolled step by step with autograd,
as the "before" of that fast path in the same run.

A breakdown of one ensemble step of 20 members (forward unroll, α estimate, member losses,
backward, optimizers) is printed as well.

Usage::

    .venv/bin/python benchmarks/ensemble_step.py [--sizes 1,5,20] [--steps 30] [--repeats 3]
        [--dtype float32] [--autograd]
"""

from __future__ import annotations

import argparse
import contextlib
import json
import statistics
import time
from collections.abc import Iterator
from typing import Any

import chaoskit
import torch
from chaoskit_models.training import GeneralizedForcing, GradientTrainer, fit_ensemble


def trainer(steps: int, epochs: int = 1, **options: Any) -> GradientTrainer:
    """Adaptive GTF, RAdam 1e-3, exponential decay, batch 16 windows of 200; ``options`` add to it."""
    return GradientTrainer(
        epochs=epochs, batches_per_epoch=steps // epochs, batch_size=16, window=200, optimizer="radam",
        lr=1e-3, schedule="exponential", teacher_forcing=GeneralizedForcing(alpha="adaptive"),
        progress=False, restore_best=False, **options,
    )


def models(size: int, dtype: str, hidden: int = 100, device: str = "cpu") -> list[Any]:
    """Clipped shallow PLRNNs (M = 3, L = ``hidden``) with seeds 0 … size − 1."""
    return [chaoskit.models.create("clipped_shplrnn", latent_dim=3, hidden_dim=hidden, seed=s, dtype=dtype,
                                   device=device) for s in range(size)]


def cpu(fn: Any) -> float:
    t0 = time.process_time()
    fn()
    return time.process_time() - t0


@contextlib.contextmanager
def fused(enabled: bool) -> Iterator[None]:
    """The shallow PLRNN's fused unroll on (the default) or off (step-by-step autograd unroll)."""
    from chaoskit_models.dsr.shplrnn import ShallowPLRNNCell
    from chaoskit_models.dsr.stacked import _ShallowPLRNN

    saved = ShallowPLRNNCell.forced_states, _ShallowPLRNN.forced_states
    if not enabled:
        ShallowPLRNNCell.forced_states = _ShallowPLRNN.forced_states = lambda self, x, mix: None  # type: ignore[method-assign]
    try:
        yield
    finally:
        ShallowPLRNNCell.forced_states, _ShallowPLRNN.forced_states = saved  # type: ignore[method-assign]


def per_model_step(kind: str, size: int, train: Any, dtype: str, steps: int, short: int) -> float:
    """CPU seconds per model-step: ``ensemble`` (one fit_ensemble) or ``loop`` (``size`` fits)."""

    def run(n: int) -> float:
        if kind == "ensemble":
            return cpu(lambda: fit_ensemble(models(size, dtype), train, trainer=trainer(n)))
        return sum(cpu(lambda m=m: m.fit(train, trainer=trainer(n))) for m in models(size, dtype))

    return (run(steps) - run(short)) / (steps - short) / size


def breakdown(train: Any, dtype: str, size: int = 20, steps: int = 10) -> dict[str, float]:
    """Milliseconds per ensemble step of the parts of one step, by hand with the trainer's pieces."""
    from chaoskit_models.training.ensemble_forcing import spectral_norms
    from chaoskit_models.training.forcing import growth
    from chaoskit_models.training.optim import make_optimizer
    from chaoskit_models.training.windows import WindowSampler

    problems = [m.training_problem(train, None) for m in models(size, dtype)]
    forcing = GeneralizedForcing(alpha=0.5).start_ensemble(size)  # the estimate is timed apart
    opts = [make_optimizer("radam", list(p.module.parameters()), lr=1e-3, weight_decay=0.0, options={})
            for p in problems]
    samplers = [WindowSampler(p.train, 200, 16, noise=0.0, generator=torch.Generator().manual_seed(i))
                for i, p in enumerate(problems)]
    parts: dict[str, list[float]] = {k: [] for k in ("sample", "forward", "alpha estimate (every 5th step)",
                                                      "losses", "backward", "optimizers")}
    for _ in range(steps):
        t0 = time.process_time()
        windows = torch.stack([s.sample() for s in samplers])
        for o in opts:
            o.zero_grad(set_to_none=True)
        t1 = time.process_time()
        view = problems[0].module.stack_members([p.module for p in problems])
        preds = forcing.unroll(view, windows)
        t2 = time.process_time()
        losses = torch.stack([torch.mean((y - x[:, 1:]) ** 2) + 1e-5 * p.module.penalty()
                              for y, x, p in zip(preds.unbind(0), windows.unbind(0), problems, strict=True)])
        t3 = time.process_time()
        losses.sum().backward()
        t4 = time.process_time()
        for o in opts:
            o.step()
        t5 = time.process_time()
        growth(view, windows[:, :, 1:], spectral_norms)  # after the backward pass, as the trainer does
        t6 = time.process_time()
        for key, value in zip(parts, (t1 - t0, t2 - t1, t6 - t5, t3 - t2, t4 - t3, t5 - t4), strict=True):
            parts[key].append(value)
    return {k: round(1000 * statistics.median(v), 2) for k, v in parts.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1,5,20")
    parser.add_argument("--steps", type=int, default=30)
    parser.add_argument("--steps-short", type=int, default=5)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--dtype", default="float32")
    parser.add_argument("--autograd", action="store_true", help="also time the step-by-step autograd unroll")
    args = parser.parse_args()
    torch.set_num_threads(1)
    train = chaoskit.systems.create("lorenz").trajectory(5000, seed=0)
    fit_ensemble(models(2, args.dtype), train, trainer=trainer(2))  # imports and first-use costs
    sizes = [int(s) for s in args.sizes.split(",")]
    configs = [("loop", 1)] + [("ensemble", s) for s in sizes if s > 1] + [("loop", s) for s in sizes if s > 1]
    variants = [(k, s, True) for k, s in configs]
    if args.autograd:
        variants += [(k, s, False) for k, s in configs if k == "ensemble" or s == 1]
    times: dict[str, list[float]] = {name(k, s, f): [] for k, s, f in variants}
    for _ in range(args.repeats):
        for kind, size, on in variants:
            with fused(on):
                value = per_model_step(kind, size, train, args.dtype, args.steps, args.steps_short)
            times[name(kind, size, on)].append(value)
            print(json.dumps({"config": name(kind, size, on), "ms_per_model_step": round(1000 * value, 2)}), flush=True)
    single = statistics.median(times["loop 1"])
    print(f"\ntorch {torch.__version__}, 1 thread, {args.dtype}, clipped shPLRNN M=3 L=100, batch 16 x 200, "
          "adaptive GTF, RAdam")
    print(f"{'configuration':<40}{'ms per model-step':>20}{'speed-up vs one fit':>22}")
    for config, values in times.items():
        kind, size = config.split()[:2]
        label = {"loop": "separate fits of", "ensemble": "fit_ensemble of"}[kind] + f" {size}"
        label += " (autograd)" if config.endswith("autograd") else ""
        med = statistics.median(values)
        print(f"{label:<40}{1000 * med:>20.2f}{single / med:>21.1f}x")
    print("\nbreakdown of one 20-member ensemble step (ms):", json.dumps(breakdown(train, args.dtype)))
    if args.autograd:
        with fused(False):
            print("the same, autograd unroll (ms):", json.dumps(breakdown(train, args.dtype)))


def name(kind: str, size: int, on: bool) -> str:
    return f"{kind} {size}" + ("" if on else " autograd")


if __name__ == "__main__":
    main()
