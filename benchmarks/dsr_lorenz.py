"""Dynamical-systems reconstruction of Lorenz-63 with the PLRNN family (chaoskit-models).

Four parts, each optional:

- ``quality``: clipped shPLRNN (M = 3, L = 100) trained with adaptive generalized teacher
  forcing on Lorenz-63 at dt = 0.01 (10⁵ training points), then a free run of 1.25·10⁵ steps from
  the first point of an independent test trajectory, the first 0.25·10⁵ dropped (the DSR
  protocol of Hess et al. 2023); D_stsp (binned, 30 bins) and D_H (σ = 20) against the 10⁵ test
  points, and the Lyapunov spectrum of the trained model's latent map. Per seed.
- ``alrnn``: the same for the AL-RNN (M = ``--latent-dim``, P = ``--pwl-units``, default 20 and 2,
  sparse teacher forcing τ = 16), plus the number of linear subregions its generated trajectory
  visits.
- ``default``: models (``--default-models``, default the clipped shPLRNN) trained by a plain
  ``model.fit(train)`` (their default trainer), evaluated as in ``quality``.
- ``step``: the CPU time of one GTF training step (clipped shPLRNN M = 3, L = 100, batch 16,
  windows of 200, float32 and float64) on one thread, split into forward, backward and
  optimizer, and of 20 such models stacked under ``torch.func.vmap``.

Commands of the figures in docs/performance.md (one thread; CPU times, because the wall clock
of the shared development machines moves 2-4x with their load)::

    .venv/bin/python benchmarks/dsr_lorenz.py --parts step
    .venv/bin/python benchmarks/dsr_lorenz.py --parts quality --seeds 0,1,2,3,4 --steps 15000 \
        --window 200 --gamma 0.99 --lr 5e-3 --lr-end 1e-5        # ~2 CPU-minutes per seed; --ensemble: ~1
    .venv/bin/python benchmarks/dsr_lorenz.py --parts alrnn --seeds 1,2,3,4 --steps 100000 \
        --noise 0.05 --lr 1e-3 --lr-end 1e-5 --regularization 0 \
        --select-every 2500 --select-starts 3 --ensemble        # ~8 CPU-minutes per seed
    .venv/bin/python benchmarks/dsr_lorenz.py --parts default \
        --default-models clipped_shplrnn,plrnn                   # plain fit(train)

Without ``--steps`` a run is sized to ``--minutes`` of CPU time at the step time measured first.
``--ensemble`` trains the seeds as one batched ``fit_ensemble`` (same per-seed runs, ~3x less
CPU per model for the AL-RNN). ``--select-every N`` keeps, as the authors' code does, the
checkpoint with the best D_stsp of free runs scored every N steps, through the trainer's own
options (``monitor="dstsp_binned", valid_every=..., valid_window=...``, docs/training.md): the
mean over ``--select-starts`` free runs of ``--select-window`` − 1 steps from the first points of
as many training windows, each against its window. (The figures of 2026-11-28/29 in
docs/models/alrnn_lorenz.md used the benchmark's earlier ``dsr_select.py``, which scored one 20,000-step
free run after 5,000 transient steps against the whole training trajectory and kept both the
final and the selected weights; ``git show e04c51b:benchmarks/dsr_select.py``.)
Results are printed as JSON lines and a Markdown table and written to ``--out``.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path
from typing import Any

import attrs
import chaoskit
import numpy as np
import torch
from dsr_eval import dataset, evaluate, lorenz, regions, train_test
from dsr_steps import measure_step, step_times


def trainer_for(steps: int, forcing: Any, *, lr: float, lr_end: float, window: int, noise: float) -> Any:
    from chaoskit_models.training import GradientTrainer

    return GradientTrainer(
        epochs=max(1, steps // 50), batches_per_epoch=50, batch_size=16, window=window, noise=noise,
        optimizer="radam", lr=lr, lr_end=lr_end, schedule="exponential", teacher_forcing=forcing,
        progress=False, restore_best=False,
    )


def selecting(trainer: Any, every: int, starts: int, window: int) -> Any:
    """``trainer`` keeping the checkpoint with the best D_stsp of free runs, as the authors' code:
    scored every ``every`` steps, from ``starts`` windows of ``window`` training points."""
    if every % trainer.batches_per_epoch:
        raise SystemExit(f"--select-every {every} must be a multiple of an epoch ({trainer.batches_per_epoch} steps)")
    return attrs.evolve(trainer, monitor="dstsp_binned", valid_every=every // trainer.batches_per_epoch,
                        valid_window=window, valid_windows=starts, valid_context=1, restore_best=True)


def quality(
    name: str, seeds: list[int], *, minutes: float, steps: int | None, window: int, lr: float, lr_end: float,
    gamma: float | None = None, noise: float = 0.0, forcing_kind: str = "default", select_every: int = 0,
    select_starts: int = 1, select_window: int = 20_000, plain: bool = False, ensemble: bool = False,
    save: str = "", **params: Any,
) -> list[dict[str, Any]]:
    """Train and evaluate ``name`` for each seed; the run is ``steps`` long, or sized so that its
    CPU time is ``minutes`` at the step time measured before training. With ``select_every``,
    the model kept is the best-scoring checkpoint (:func:`selecting`; row ``"selected"``), else
    the last weights (``"final"``). With ``plain``, the model is trained by
    ``model.fit(train)`` (its default trainer; the run options are ignored). With ``ensemble``,
    the seeds are trained as one ``fit_ensemble`` (``fit_cpu_s`` is then the ensemble's, for all
    seeds together). With ``save``, every evaluated model is saved to ``save/<name>_seed<seed>``."""
    from chaoskit_models.training import GeneralizedForcing, SparseForcing, fit_ensemble

    train_values, test_values = train_test()
    train = dataset(train_values)
    valid = train if select_every else None
    rows: list[dict[str, Any]] = []
    runs = []  # (seed, model, trainer, per_step)
    for seed in seeds:
        model = chaoskit.models.create(name, seed=seed, **params)
        forcing = model.default_forcing()
        if forcing_kind == "gtf":
            forcing = GeneralizedForcing(alpha="adaptive")
        elif forcing_kind.startswith("gtf="):
            forcing = GeneralizedForcing(alpha=float(forcing_kind[4:]))
        elif forcing_kind.startswith("sparse="):
            forcing = SparseForcing(interval=int(forcing_kind[7:]))
        if gamma is not None and isinstance(forcing, GeneralizedForcing):
            forcing = attrs.evolve(forcing, gamma=gamma)
        per_step = measure_step(model, train, forcing, window) if not runs or not ensemble else runs[0][3]
        n_steps = steps if steps is not None else max(50, int(minutes * 60 / per_step))
        trainer = trainer_for(n_steps, forcing, lr=lr, lr_end=lr_end, window=window, noise=noise)
        if plain:  # model.fit(train): the model's default trainer
            trainer = model.default_trainer()
        if select_every:
            trainer = selecting(trainer, select_every, select_starts, select_window)
        runs.append((seed, model, trainer, per_step))
    times: list[tuple[float, float]] = []
    if ensemble:
        t0, c0 = time.perf_counter(), time.process_time()
        fit_ensemble([r[1] for r in runs], train, valid, runs[0][2])
        times = [(time.perf_counter() - t0, time.process_time() - c0)] * len(runs)
    else:
        for _, model, trainer, _ in runs:
            t0, c0 = time.perf_counter(), time.process_time()
            model.fit(train, valid=valid, trainer=trainer)
            times.append((time.perf_counter() - t0, time.process_time() - c0))
    for (seed, model, trainer, per_step), (fit_s, fit_cpu) in zip(runs, times, strict=True):
        if save:
            model.save(Path(save) / f"{name}_seed{seed}")
        result = evaluate(model, test_values)
        history = model.train_result.history
        row = {
            "model": name, "seed": seed, "which": "selected" if select_every else "final", "params": params,
            "lr": [trainer.lr, trainer.lr_end], "window": trainer.window, "forcing": repr(trainer.teacher_forcing),
            "noise": trainer.noise, "ensemble": [r[0] for r in runs] if ensemble else None,
            "steps": trainer.total_steps, "step_cpu_ms": round(1000 * per_step, 1),
            "fit_wall_s": round(fit_s, 1), "fit_cpu_s": round(fit_cpu, 1),
            "final_loss": float(history["loss"].values[-1]), "final_alpha": float(history["alpha"].values[-1]),
        }
        if select_every:
            scores, best = history["dstsp_binned"], model.train_result.best_epoch
            scored = scores[~np.isnan(scores.values)]  # the validated epochs (inf: all free runs diverged)
            row["selected_at"] = None if best is None else int(history["steps"].values[best - 1])
            row["trace"] = [[int(history["steps"].values[e - 1]), round(float(v), 3)]
                            for e, v in zip(scored["epoch"].values, scored.values, strict=True)]
        result.pop("generated")
        row.update(result)
        if name == "alrnn" and result["finite"]:
            row.update(regions(model, test_values))
        rows.append(row)
        print(json.dumps(row), flush=True)
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--parts", default="step,quality,alrnn")
    parser.add_argument("--seeds", default="0", help="comma-separated seeds, e.g. 0,1,2,3,4")
    parser.add_argument("--minutes", type=float, default=9.0, help="training CPU-time budget per model")
    parser.add_argument("--steps", type=int, default=None, help="training steps (overrides --minutes)")
    parser.add_argument("--window", type=int, default=200)
    parser.add_argument("--gamma", type=float, default=None, help="GTF annealing factor (default 0.999)")
    parser.add_argument("--noise", type=float, default=0.0, help="training noise (standardized units)")
    parser.add_argument("--alrnn-forcing", default="default",
                        help="AL-RNN teacher forcing: 'default' (sparse TF, tau = 16), 'sparse=TAU', 'gtf' "
                             "(adaptive GTF) or 'gtf=ALPHA' (GTF with a constant alpha)")
    parser.add_argument("--regularization", type=float, default=None,
                        help="the model's lambda_lat (default: the model's own default)")
    parser.add_argument("--select-every", type=int, default=0,
                        help="keep the checkpoint with the best D_stsp of free runs from training "
                             "windows, scored every N steps (the authors' checkpoint selection)")
    parser.add_argument("--select-starts", type=int, default=1,
                        help="free runs (training windows, initial conditions) per score")
    parser.add_argument("--select-window", type=int, default=20_000, help="length of those windows")
    parser.add_argument("--ensemble", action="store_true",
                        help="train the seeds as one batched fit_ensemble")
    parser.add_argument("--pwl-units", type=int, default=2, help="the AL-RNN's P")
    parser.add_argument("--latent-dim", type=int, default=20, help="the AL-RNN's M")
    parser.add_argument("--save", default="",
                        help="save the evaluated models under this folder (--parts default: DIR/default)")
    parser.add_argument("--default-models", default="clipped_shplrnn",
                        help="models trained by a plain fit(train) in --parts default (comma-separated)")
    parser.add_argument("--lr", type=float, default=5e-3)
    parser.add_argument("--lr-end", type=float, default=1e-5)
    parser.add_argument("--out", default="results/dsr_lorenz.json")
    args = parser.parse_args()
    torch.set_num_threads(1)
    seeds = [int(s) for s in args.seeds.split(",")]
    parts = args.parts.split(",")
    report: dict[str, Any] = {"torch": torch.__version__, "threads": 1}
    if "step" in parts:
        report["step"] = step_times(dataset(lorenz(5_000, (1.0, 1.0, 1.0))))
    if "quality" in parts:
        report["clipped_shplrnn"] = quality(
            "clipped_shplrnn", seeds, minutes=args.minutes, steps=args.steps, window=args.window,
            lr=args.lr, lr_end=args.lr_end, gamma=args.gamma, noise=args.noise, ensemble=args.ensemble,
            save=args.save, latent_dim=3, hidden_dim=100,
        )
    if "default" in parts:  # plain model.fit(train), the model's own defaults
        for name in args.default_models.split(","):
            report[f"{name}_default"] = quality(
                name, seeds, minutes=args.minutes, steps=1, window=200, lr=1.0, lr_end=1.0, plain=True,
                save=str(Path(args.save) / "default") if args.save else "",
            )
    if "alrnn" in parts:
        extra = {} if args.regularization is None else {"regularization": args.regularization}
        report["alrnn"] = quality(
            "alrnn", seeds, minutes=args.minutes, steps=args.steps, window=args.window,
            lr=args.lr, lr_end=args.lr_end, noise=args.noise, gamma=args.gamma,
            forcing_kind=args.alrnn_forcing, select_every=args.select_every, select_starts=args.select_starts,
            select_window=args.select_window, ensemble=args.ensemble, save=args.save,
            latent_dim=args.latent_dim, pwl_units=args.pwl_units,
            **extra,
        )
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(report, indent=2))
    for key in [k for k in report if k not in ("torch", "threads", "step")]:
        rows = report[key]
        if rows:
            print(f"\n| {key} seed | model | steps | fit CPU s | fit wall s | D_stsp | D_H | Lyapunov spectrum | regions |")
            print("|---|---|---|---|---|---|---|---|---|")
            for r in rows:
                print(f"| {r['seed']} | {r.get('which', 'final')} | {r['steps']} | {r['fit_cpu_s']} | {r['fit_wall_s']} | "
                      f"{r.get('dstsp', float('nan')):.3} | "
                      f"{r.get('dh', float('nan')):.3} | {r['lyapunov']} | {r.get('n_regions', '')} |")


if __name__ == "__main__":
    main()
