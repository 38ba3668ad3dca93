"""Neural ODE on Lorenz-63 (chaoskit-models): training time and the free run's attractor.

Data as ``benchmarks/dsr_lorenz.py`` (Lorenz-63 at dt = 0.01 by scipy DOP853, an independent
test orbit). The model is trained by multiple shooting on ``--train`` points and evaluated by
the DSR protocol of that script: a free run of 1.25·T from the first test point, 0.25·T dropped,
D_stsp (binned, 30 bins per dimension) and D_H (σ = 20) against the ``--test`` points, and the
Lyapunov spectrum of the trained flow's one-step map. The quality target of issue 6 is
D_stsp ≤ 1.0. The free run uses fixed-step RK4 (``forecast_method = "rk4"``, the training
substeps): an adaptive free run of 10⁵ steps in eager torch takes minutes.

Run::

    .venv/bin/python benchmarks/neural_ode_lorenz.py --seeds 0 1 2 --epochs 60
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from pathlib import Path

import torch
from chaoskit_models.neural_ode import NeuralODE
from dsr_eval import dataset, evaluate, lorenz


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, nargs="+", default=[0])
    parser.add_argument("--train", type=int, default=20_000)
    parser.add_argument("--test", type=int, default=20_000)
    parser.add_argument("--epochs", type=int, default=60)
    parser.add_argument("--hidden", type=int, default=64)
    parser.add_argument("--shooting", type=int, default=25)
    parser.add_argument("--out", default="results/neural_ode_lorenz.json")
    args = parser.parse_args()
    torch.set_num_threads(1)
    train = dataset(lorenz(args.train, (1.0, 1.0, 1.0)))
    test = lorenz(args.test, (-3.0, 2.0, 25.0))
    rows = []
    for seed in args.seeds:
        model = NeuralODE(hidden=args.hidden, shooting=args.shooting, epochs=args.epochs, window=4 * args.shooting + 1,
                          forecast_method="rk4", seed=seed)
        start = time.process_time()
        model.fit(train)
        fit = time.process_time() - start
        result = evaluate(model, test)
        result.pop("generated")
        rows.append({"seed": seed, "fit_cpu_s": round(fit, 1), **result})
        print(json.dumps(rows[-1]))
    finite = [r for r in rows if r.get("finite")]
    summary = {
        "config": vars(args),
        "rows": rows,
        "median_dstsp": statistics.median(r["dstsp"] for r in finite) if finite else None,
        "median_dh": statistics.median(r["dh"] for r in finite) if finite else None,
        "median_fit_cpu_s": statistics.median(r["fit_cpu_s"] for r in rows),
    }
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(json.dumps(summary, indent=1))
    print("| seed | fit CPU s | D_stsp | D_H | Lyapunov spectrum |\n|---|---|---|---|---|")
    for r in rows:
        print(f"| {r['seed']} | {r['fit_cpu_s']} | {r.get('dstsp', float('nan')):.3f} | {r.get('dh', float('nan')):.3f} "
              f"| {r['lyapunov']} |")


if __name__ == "__main__":
    main()
