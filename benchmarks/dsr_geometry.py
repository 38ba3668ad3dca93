"""Where a saved DSR model's attractor differs from Lorenz-63's (docs/models/alrnn_lorenz.md).

For each model saved by ``dsr_lorenz.py --save DIR`` (e.g. ``DIR/alrnn_seed7``): the free run of
the DSR protocol (1.25·10⁵ steps from the first test point, the first 0.25·10⁵ dropped) against
the 10⁵ test points — per-variable mean, standard deviation, extent and the share with x > 0
(lobe balance); D_stsp as is and after matching each variable's mean and standard deviation to
the test data's; and the divergence of the 30 × 30-bin histograms of each pair of variables.
A second Lorenz trajectory gives the same-system reference.

    .venv/bin/python benchmarks/dsr_geometry.py DIR/alrnn_seed7 DIR/alrnn_seed8
"""

from __future__ import annotations

import sys

import chaoskit
import numpy as np
from chaoskit.model import load_model
from dsr_eval import dataset, free_run, train_test


def describe(x: np.ndarray, label: str) -> None:
    print(f"{label:>16}: mean {np.round(x.mean(0), 2)} std {np.round(x.std(0), 2)} "
          f"min {np.round(x.min(0), 1)} max {np.round(x.max(0), 1)} x>0 {np.mean(x[:, 0] > 0):.2f}")


def pair_divergence(truth: np.ndarray, other: np.ndarray, i: int, j: int, bins: int = 30) -> float:
    """KL(truth ‖ other) of the (i, j) histograms on the truth's bins (empty bins of other: 1e-10)."""
    h1, xe, ye = np.histogram2d(truth[:, i], truth[:, j], bins=bins)
    h2, _, _ = np.histogram2d(other[:, i], other[:, j], bins=[xe, ye])
    p, q = h1 / h1.sum(), np.maximum(h2 / max(h2.sum(), 1.0), 1e-10)
    m = p > 0
    return float(np.sum(p[m] * np.log(p[m] / q[m])))


def main() -> None:
    other, test = train_test()  # the training trajectory is the same-system reference
    dstsp = chaoskit.metrics.create("dstsp_binned")

    def d(x: np.ndarray) -> float:
        return float(dstsp(dataset(test), dataset(x)).values.ravel()[0])

    describe(test, "Lorenz (test)")
    describe(other, "Lorenz (other)")
    print(f"{'':>16}  D_stsp of the other trajectory: {d(other):.2f}")
    for path in sys.argv[1:]:
        model = load_model(path)
        generated = free_run(model, test)
        describe(generated, path.rstrip("/").split("/")[-1])
        matched = (generated - generated.mean(0)) / generated.std(0) * test.std(0) + test.mean(0)
        pairs = ", ".join(f"({i},{j}) {pair_divergence(test, generated, i, j):.2f}" for i, j in ((0, 1), (0, 2), (1, 2)))
        print(f"{'':>16}  D_stsp {d(generated):.2f}, after matching mean and std {d(matched):.2f}; pairs {pairs}")


if __name__ == "__main__":
    main()
