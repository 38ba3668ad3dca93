"""HAVOK on Lorenz-63: the intermittent forcing that announces lobe switches.

Brunton et al. (2017), "Chaos as an intermittently forced linear system": a Hankel matrix of
x(t) alone, its SVD, and a linear model of the first r−1 delay coordinates forced by the r-th.
The forcing v_r(t) is quiet while the orbit circles a lobe and bursts shortly before it
switches lobes. This script fits chaoskit's "havok" model, prints the linear model's
skew-symmetric couplings and how well forcing bursts announce switches, and writes
results/havok_lorenz.png (x with its lobe switches, v_1, and v_r with the bursts in red).

Run: .venv/bin/python examples/havok_lorenz.py [--out PATH]
"""

from __future__ import annotations

import argparse
from pathlib import Path

import chaoskit
import matplotlib
import numpy as np
from scipy.integrate import solve_ivp

matplotlib.use("Agg")
import matplotlib.pyplot as plt

DT, DELAYS, RANK = 0.001, 100, 11  # the paper's sampling and delays; see HAVOK's docs for r


def lorenz(_: float, s: np.ndarray) -> list[float]:
    x, y, z = s
    return [10.0 * (y - x), x * (28.0 - z) - y, x * y - 8.0 / 3.0 * z]


def lobe_switches(x: np.ndarray) -> np.ndarray:
    """Indices where x crosses zero between visits to opposite lobes (|x| > 5)."""
    lobe = np.where(x > 5, 1, np.where(x < -5, -1, 0))
    visited = np.flatnonzero(lobe)
    changes = visited[1:][np.diff(lobe[visited]) != 0]
    return np.array([np.flatnonzero(np.sign(x[:k]) != np.sign(x[k]))[-1] + 1 for k in changes])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path("results/havok_lorenz.png"))
    args = parser.parse_args()

    t = DT * np.arange(100_000)  # 100 time units from the paper's initial condition
    sol = solve_ivp(
        lorenz, (0, t[-1]), [-8, 8, 27], method="DOP853", rtol=1e-10, atol=1e-10, t_eval=t
    )
    data = chaoskit.make_dataset(sol.y.T[None], time=t, variables=["x", "y", "z"], attrs={"dt": DT})

    model = chaoskit.models.create("havok", delays=DELAYS, rank=RANK).fit(data)
    a, b = model.linear_model
    print("couplings A[k, k+1]:", np.round(np.diag(a, 1), 1))
    print("forcing B[-1]:      ", round(float(b[-1]), 1))

    v = model.delay_coordinates(data)  # (member, time, mode); time = newest sample of a window
    forcing = model.forcing(data).values[0]
    time = v["time"].values
    x = data["state"].sel(variable="x").values[0][DELAYS - 1 :]
    switches = lobe_switches(x)
    active = np.abs(forcing) > np.quantile(np.abs(forcing), 0.9)
    horizon = int(1.0 / DT)
    warned = np.mean([active[max(0, k - horizon) : k].any() for k in switches])
    print(
        f"{len(switches)} lobe switches; {warned:.0%} had a forcing burst in the preceding time unit"
    )

    window = (time >= 25) & (time <= 65)
    fig, axes = plt.subplots(3, 1, figsize=(9, 6.5), sharex=True)
    axes[0].plot(time[window], x[window], "k", lw=0.8)
    for k in switches[window[switches]]:
        axes[0].axvline(time[k], color="tab:blue", lw=0.6, alpha=0.6)
    axes[0].set_ylabel("x (switches in blue)")
    axes[1].plot(time[window], v.values[0, window, 0], "k", lw=0.8)
    axes[1].set_ylabel("$v_1$")
    axes[2].plot(time[window], forcing[window], color="0.3", lw=0.7)
    burst = np.where(active & window, forcing, np.nan)
    axes[2].plot(time, burst, "r", lw=1.0)
    axes[2].set_xlim(25, 65)
    axes[2].set_ylabel(f"forcing $v_{{{RANK}}}$")
    axes[2].set_xlabel("t")
    fig.suptitle("HAVOK on Lorenz-63: forcing bursts (red) precede lobe switches")
    fig.tight_layout()
    args.out.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(args.out, dpi=120)
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
