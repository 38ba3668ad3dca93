"""Continue training a saved AL-RNN (``dsr_lorenz.py --save DIR``) with other noise or forcing.

Warm start from the saved weights with sparse teacher forcing every ``--interval`` steps
(default the published τ = 16), RAdam
``--lr`` → 1e-5 over ``--steps`` steps with training noise ``--noise``, the checkpoint with the
best D_stsp of free runs from three training windows kept (scored every 1,000 steps, as
``dsr_lorenz.py --select-every 1000 --select-starts 3``), then the DSR test protocol of
``dsr_eval.py``. One JSON line per model (docs/models/alrnn_lorenz.md)::

    .venv/bin/python benchmarks/dsr_finetune.py DIR/alrnn_seed7 --noise 0 --steps 20000 --lr 1e-4
"""

from __future__ import annotations

import argparse
import json
import time

import attrs
import numpy as np
import torch
from chaoskit.model import load_model
from chaoskit_models.training import SparseForcing
from dsr_eval import dataset, evaluate, regions, train_test
from dsr_lorenz import selecting, trainer_for


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("models", nargs="+", help="folders written by dsr_lorenz.py --save")
    parser.add_argument("--noise", type=float, default=0.0)
    parser.add_argument("--steps", type=int, default=20_000)
    parser.add_argument("--lr", type=float, default=1e-4)
    parser.add_argument("--interval", type=int, default=16, help="sparse teacher forcing interval τ")
    args = parser.parse_args()
    torch.set_num_threads(1)
    train_values, test_values = train_test()
    train = dataset(train_values)
    for path in args.models:
        model = load_model(path)
        trainer = trainer_for(args.steps, SparseForcing(interval=args.interval), lr=args.lr, lr_end=1e-5,
                              window=200, noise=args.noise)
        trainer = attrs.evolve(selecting(trainer, 1000, 3, 20_000), warm_start=True, seed=1)
        c0 = time.process_time()
        model.fit(train, valid=train, trainer=trainer)
        cpu = time.process_time() - c0
        history = model.train_result.history
        scores, steps = history["dstsp_binned"].values, history["steps"].values
        row = {"model": path, "noise": args.noise, "interval": args.interval, "steps": args.steps, "lr": args.lr,
               "fit_cpu_s": round(cpu),
               "selected_at": int(steps[model.train_result.best_epoch - 1]),
               "final_loss": float(history["loss"].values[-1]),
               "trace": [[int(s), round(float(v), 2)] for s, v in zip(steps[~np.isnan(scores)], scores[~np.isnan(scores)],
                                                                      strict=True)]}
        result = evaluate(model, test_values)
        result.pop("generated")
        row.update(result)
        row.update(regions(model, test_values))
        print(json.dumps(row), flush=True)


if __name__ == "__main__":
    main()
