"""Dynamical-systems reconstruction of Lorenz-63 with the PLRNN family (chaoskit-models).

Four parts, each optional:

- ``quality``: clipped shPLRNN (M = 3, L = 100) trained with adaptive generalized teacher
  forcing on Lorenz-63 at dt = 0.01 (10⁵ training points), then a free run of 1.25·10⁵ steps from
  the first point of an independent test trajectory, the first 0.25·10⁵ dropped (the DSR
  protocol of Hess et al. 2023); D_stsp (binned, 30 bins) and D_H (σ = 20) against the 10⁵ test
  points, and the Lyapunov spectrum of the trained model's latent map. Per seed.
- ``alrnn``: the same for the AL-RNN (M = 20, P = 2, sparse teacher forcing τ = 16), plus the
  number of linear subregions its generated trajectory visits.
- ``default``: models (``--default-models``, default the clipped shPLRNN) trained by a plain
  ``model.fit(train)`` (their default trainer), evaluated as in ``quality``.
- ``step``: the CPU time of one GTF training step (clipped shPLRNN M = 3, L = 100, batch 16,
  windows of 200, float32 and float64) on one thread, split into forward, backward and
  optimizer, and of 20 such models stacked under ``torch.func.vmap``.

Commands of the figures in docs/performance.md (one thread; CPU times, because the wall clock
of the shared development machines moves 2-4x with their load)::

    .venv/bin/python benchmarks/dsr_lorenz.py --parts step
    .venv/bin/python benchmarks/dsr_lorenz.py --parts quality --seeds 0,1,2,3,4 --steps 15000 \
        --window 200 --gamma 0.99 --lr 5e-3 --lr-end 1e-5        # ~7 CPU-minutes per seed
    .venv/bin/python benchmarks/dsr_lorenz.py --parts alrnn --seeds 0 --steps 100000 \
        --noise 0.05 --lr 1e-3 --lr-end 1e-5 --regularization 0 \
        --select-every 2500                                      # ~23 CPU-minutes
    .venv/bin/python benchmarks/dsr_lorenz.py --parts alrnn --seeds 0 --steps 15000 \
        --alrnn-forcing gtf --gamma 0.99 --regularization 0 --select-every 1000
    .venv/bin/python benchmarks/dsr_lorenz.py --parts default \
        --default-models clipped_shplrnn,plrnn                   # plain fit(train)

Without ``--steps`` a run is sized to ``--minutes`` of CPU time at the step time measured first.
Results are printed as JSON lines and a Markdown table and written to ``--out``.
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from pathlib import Path
from typing import Any

import attrs
import chaoskit
import numpy as np
import torch
from dsr_steps import step_times
from scipy.integrate import solve_ivp

DT = 0.01
N_TRAIN = N_TEST = 100_000
LORENZ_SPECTRUM = (0.906, 0.0, -14.572)  # REFERENCES §1


def lorenz(n: int, x0: tuple[float, float, float], transient: float = 50.0) -> np.ndarray:
    """``n`` points of Lorenz-63 at dt = 0.01 (DOP853, rtol = atol = 1e-10) after a transient."""

    def rhs(t: float, s: np.ndarray) -> list[float]:
        x, y, z = s
        return [10.0 * (y - x), x * (28.0 - z) - y, x * y - 8.0 / 3.0 * z]

    t = transient + DT * np.arange(n)
    sol = solve_ivp(rhs, (0.0, t[-1]), list(x0), method="DOP853", rtol=1e-10, atol=1e-10, t_eval=t)
    return sol.y.T


def dataset(values: np.ndarray) -> Any:
    return chaoskit.make_dataset(
        values[None], time=DT * np.arange(len(values)), variables=["x", "y", "z"],
        attrs={"dt": DT, "system": "lorenz63"},
    )


def evaluate(model: Any, test: np.ndarray) -> dict[str, Any]:
    """D_stsp, D_H of the free run (1.25·T from the first test point, 0.25·T dropped), spectrum."""
    n = len(test)
    t0 = time.perf_counter()
    generated = model.forecast(dataset(test[:1]), int(1.25 * n) - 1)["state"].values[0]
    generated = generated[len(generated) - n :]
    gen_time = time.perf_counter() - t0
    truth_ds, gen_ds = dataset(test), dataset(generated)
    finite = bool(np.isfinite(generated).all())
    out: dict[str, Any] = {"generate_s": round(gen_time, 1), "finite": finite}
    if finite:
        out["dstsp"] = float(chaoskit.metrics.create("dstsp_binned")(truth_ds, gen_ds).values.ravel()[0])
        out["dh"] = float(chaoskit.metrics.create("dh")(truth_ds, gen_ds).values.ravel()[0])
    dyn = model.dynamics()
    spectrum = chaoskit.metrics.create(
        "lyapunov_spectrum", steps=20_000, transient=2_000, tangent_transient=2_000, members=8, qr_every=5,
    ).estimate(dyn, initial_states=dyn.initial_state)
    out["lyapunov"] = [round(float(v), 3) for v in spectrum.values]
    out["generated"] = generated
    return out


def trainer_for(steps: int, forcing: Any, *, lr: float, lr_end: float, window: int, noise: float) -> Any:
    from chaoskit_models.training import GradientTrainer

    return GradientTrainer(
        epochs=max(1, steps // 50), batches_per_epoch=50, batch_size=16, window=window, noise=noise,
        optimizer="radam", lr=lr, lr_end=lr_end, schedule="exponential", teacher_forcing=forcing,
        progress=False, restore_best=False,
    )


def measure_step(model: Any, train: Any, forcing: Any, window: int) -> float:
    """CPU seconds per training step of ``model`` with ``forcing`` (median of 20 after warm-up)."""
    problem = model.training_problem(train, None)
    module, data = problem.module, problem.train
    runtime = forcing.start()
    opt = torch.optim.RAdam(module.parameters(), lr=1e-4)
    gen = torch.Generator().manual_seed(0)
    times = []
    for k in range(25):
        start = torch.randint(data.shape[1] - window, (16,), generator=gen)
        windows = data[0, start[:, None] + torch.arange(window)]
        t0 = time.process_time()
        opt.zero_grad()
        problem.loss(module, windows, runtime).backward()
        opt.step()
        if k >= 5:
            times.append(time.process_time() - t0)
    model.__dict__.pop("_stats", None)
    return statistics.median(times)


def quality(
    name: str, seeds: list[int], *, minutes: float, steps: int | None, window: int, lr: float, lr_end: float,
    gamma: float | None = None, noise: float = 0.0, forcing_kind: str = "default", select_every: int = 0,
    plain: bool = False, **params: Any,
) -> list[dict[str, Any]]:
    """Train and evaluate ``name`` for each seed; the run is ``steps`` long, or sized so that its
    CPU time is ``minutes`` at the step time measured before training. With ``select_every``,
    the model is also scored every that many steps (short D_stsp against the training data, see
    ``dsr_select.py``) and the best-scoring one is evaluated as a second row (``"selected"``).
    With ``plain``, the model is trained by ``model.fit(train)`` (its default trainer; the run
    options are ignored)."""
    from chaoskit_models.dsr.symbolic import symbolic_encoding
    from chaoskit_models.training import GeneralizedForcing
    from dsr_select import fit_with_selection, short_dstsp

    train_values = lorenz(N_TRAIN, (1.0, 1.0, 1.0))
    test_values = lorenz(N_TEST, (-5.0, 3.0, 20.0), transient=80.0)
    train = dataset(train_values)
    rows = []
    for seed in seeds:
        model = chaoskit.models.create(name, seed=seed, **params)
        forcing = model.default_forcing()
        if forcing_kind == "gtf":
            forcing = GeneralizedForcing(alpha="adaptive")
        elif forcing_kind.startswith("gtf="):
            forcing = GeneralizedForcing(alpha=float(forcing_kind[4:]))
        if gamma is not None and isinstance(forcing, GeneralizedForcing):
            forcing = attrs.evolve(forcing, gamma=gamma)
        per_step = measure_step(model, train, forcing, window)
        n_steps = steps if steps is not None else max(50, int(minutes * 60 / per_step))
        trainer = trainer_for(n_steps, forcing, lr=lr, lr_end=lr_end, window=window, noise=noise)
        if plain:  # model.fit(train): the model's default trainer
            trainer = model.default_trainer()
            forcing, lr, lr_end, window, noise = (trainer.teacher_forcing, trainer.lr, trainer.lr_end,
                                                  trainer.window, trainer.noise)
        t0, c0 = time.perf_counter(), time.process_time()
        trace: list[dict[str, float]] = []
        candidates = [("final", model)]
        if select_every:
            model, best, trace = fit_with_selection(
                model, train, trainer, every=select_every, score=short_dstsp(train_values, dataset),
            )
            candidates = [("final", model), ("selected", best)]
        else:
            model.fit(train, trainer=None if plain else trainer)
        fit_s, fit_cpu = time.perf_counter() - t0, time.process_time() - c0
        for which, fitted in candidates:
            result = evaluate(fitted, test_values)
            row = {
                "model": name, "seed": seed, "which": which, "params": params, "lr": [lr, lr_end],
                "window": window, "forcing": repr(forcing), "noise": noise,
                "steps": trainer.total_steps, "step_cpu_ms": round(1000 * per_step, 1),
                "fit_wall_s": round(fit_s, 1), "fit_cpu_s": round(fit_cpu, 1),
                "final_loss": float(model.train_result.history["loss"].values[-1]),
                "final_alpha": float(model.train_result.history["alpha"].values[-1]),
                # the epoch of the lowest training loss (what restore_best=True would keep) and how many
                "loss_argmin_epoch": [int(np.argmin(model.train_result.history["loss"].values)) + 1,
                                      int(model.train_result.history.sizes["epoch"])],
            }
            if which == "selected":
                row["selected_at"] = min(trace, key=lambda r: r["score"])["steps"]
                row["trace"] = trace
            result.pop("generated")
            row.update(result)
            if name == "alrnn" and result["finite"]:
                latent = fitted.latent_trajectory(dataset(test_values[:1]), int(1.25 * N_TEST) - 1).values
                encoding = symbolic_encoding(latent[:, -N_TEST:], fitted.pwl_units)
                row["n_regions"] = int(encoding["n_regions"])
                row["occupancy"] = [round(float(v), 4) for v in encoding["occupancy"].values]
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
                        help="AL-RNN teacher forcing: 'default' (sparse TF, tau = 16), 'gtf' (adaptive "
                             "GTF) or 'gtf=ALPHA' (GTF with a constant alpha)")
    parser.add_argument("--regularization", type=float, default=None,
                        help="the model's lambda_lat (default: the model's own default)")
    parser.add_argument("--select-every", type=int, default=0,
                        help="also score the model every N steps (short D_stsp vs the training data) "
                             "and evaluate the best-scoring one (the authors' checkpoint selection)")
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
            lr=args.lr, lr_end=args.lr_end, gamma=args.gamma, noise=args.noise, latent_dim=3, hidden_dim=100,
        )
    if "default" in parts:  # plain model.fit(train), the model's own defaults
        for name in args.default_models.split(","):
            report[f"{name}_default"] = quality(
                name, seeds, minutes=args.minutes, steps=1, window=200, lr=1.0, lr_end=1.0, plain=True,
            )
    if "alrnn" in parts:
        extra = {} if args.regularization is None else {"regularization": args.regularization}
        report["alrnn"] = quality(
            "alrnn", seeds, minutes=args.minutes, steps=args.steps, window=args.window,
            lr=args.lr, lr_end=args.lr_end, noise=args.noise, gamma=args.gamma,
            forcing_kind=args.alrnn_forcing, select_every=args.select_every, latent_dim=20, pwl_units=2,
            **extra,
        )
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(report, indent=2))
    for key in [k for k in report if k not in ("torch", "threads", "step")]:
        rows = report[key]
        if rows:
            print(f"\n| {key} seed | steps | fit CPU s | fit wall s | D_stsp | D_H | Lyapunov spectrum | regions |")
            print("|---|---|---|---|---|---|---|---|")
            for r in rows:
                print(f"| {r['seed']} | {r['steps']} | {r['fit_cpu_s']} | {r['fit_wall_s']} | "
                      f"{r.get('dstsp', float('nan')):.3} | "
                      f"{r.get('dh', float('nan')):.3} | {r['lyapunov']} | {r.get('n_regions', '')} |")


if __name__ == "__main__":
    main()
