"""Saved DSR models scored with the AL-RNN tutorial's short protocol next to the long one.

The AL-RNN authors' Python tutorial (DurstewitzLab/ALRNN-DSR, ``alrnn_python/AL-RNN_tutorial.ipynb``)
scores its example model ``models/lorenz_m20_p2`` (M = 20, P = 2) by a free run of 11,000 steps
from the first test point, the first 1,000 dropped: D_stsp (30 bins) against the whole test set,
D_H (σ = 20) against the first 10,000 test points, and the linear subregions of those 10,000
steps. Its printed result: D_stsp 3.52, D_H 0.143, 3 subregions. This script scores models saved
by ``dsr_lorenz.py --save DIR`` in that way ("short") and by the DSR protocol of ``dsr_eval.py``
("long": 1.25·10⁵ steps, 0.25·10⁵ dropped), with chaoskit's ``dstsp_binned`` and ``dh``; and the
same-system reference at both lengths (ten 10⁴-point pieces, and all 10⁵ points, of the
independent training trajectory against the test set). One JSON line per model::

    .venv/bin/python benchmarks/dsr_short_protocol.py DIR/alrnn_seed10 DIR/clipped_shplrnn_seed0
"""

from __future__ import annotations

import json
import sys
from typing import Any

import chaoskit
import numpy as np
import torch
from chaoskit.model import load_model
from chaoskit_models.dsr.alrnn import ALRNN
from dsr_eval import dataset, free_run, regions, train_test

KEEP, DROP = 10_000, 1_000  # the tutorial's T_gen and T_r


def scores(generated: np.ndarray, test: np.ndarray) -> dict[str, float]:
    """D_stsp against the whole test set, D_H against as many test points as were generated."""
    dstsp = chaoskit.metrics.create("dstsp_binned")(dataset(test), dataset(generated))
    dh = chaoskit.metrics.create("dh")(dataset(test[: len(generated)]), dataset(generated))
    return {"dstsp": round(float(dstsp.values.ravel()[0]), 3), "dh": round(float(dh.values.ravel()[0]), 3)}


def reference(train: np.ndarray, test: np.ndarray) -> dict[str, Any]:
    """Lorenz against Lorenz: ten 10⁴-point pieces of the training trajectory, and all of it."""
    pieces = [scores(train[i * KEEP:(i + 1) * KEEP], test) for i in range(len(train) // KEEP)]
    return {
        "model": "lorenz (same system)",
        "short_dstsp": [p["dstsp"] for p in pieces], "short_dh": [p["dh"] for p in pieces],
        "long": scores(train, test),
    }


def main() -> None:
    torch.set_num_threads(1)
    train, test = train_test()
    print(json.dumps(reference(train, test)), flush=True)
    for path in sys.argv[1:]:
        model = load_model(path)
        short = model.forecast(dataset(test[:1]), KEEP + DROP - 1)["state"].values[0][-KEEP:]
        row: dict[str, Any] = {"model": path.rstrip("/").split("/")[-1]}
        finite = bool(np.isfinite(short).all())
        row["short"] = scores(short, test) if finite else None
        long = free_run(model, test)
        row["long"] = scores(long, test) if np.isfinite(long).all() else None
        if isinstance(model, ALRNN) and finite:
            row["short_regions"] = regions(model, test, KEEP + DROP, KEEP)["n_regions"]
            row["long_regions"] = regions(model, test)["n_regions"]
        print(json.dumps(row), flush=True)


if __name__ == "__main__":
    main()
