"""Figures of a benchmark result, saved as PNG files (matplotlib, Agg backend).

- :func:`heatmap` — models × tasks of one metric, coloured by rank within each task;
- :func:`vpt_bars` — valid prediction time per task and model, median with the interquartile
  range over every test initial condition of every seed;
- :func:`system_figure` — one system: the true attractor beside each model's free-running
  attractor (a 2-D projection), and the error growth over the forecast horizon;
- :func:`scaling_figure` — a metric against model size or amount of data on log-log axes, with
  the fitted power laws.
"""

from __future__ import annotations

import warnings
from pathlib import Path
from typing import Any

import numpy as np
import xarray as xr

from ..report import _pyplot
from .tables import Ranking, tasks

__all__ = ["heatmap", "scaling_figure", "system_figure", "vpt_bars"]

_DPI = 100


def heatmap(table: Ranking, path: Path) -> Path:
    """Models × tasks of ``table``: colour = rank in the task (1 best), text = the median."""
    plt = _pyplot()
    order = table.order
    ranks = table.rank[order]
    n_models, n_tasks = ranks.shape
    fig, ax = plt.subplots(figsize=(max(4.5, 2.2 + 1.3 * n_tasks), 1.2 + 0.45 * n_models))
    masked = np.ma.masked_invalid(ranks)
    image = ax.imshow(masked, cmap="viridis_r", vmin=1, vmax=max(2, n_models), aspect="auto")
    for i, model_index in enumerate(order):
        for j in range(n_tasks):
            text = table.cell_text(model_index, j).split(" ± ")[0]
            colour = "white" if (not np.isnan(ranks[i, j]) and ranks[i, j] > n_models / 2) else "black"
            ax.text(j, i, text, ha="center", va="center", fontsize=8, color=colour,
                    fontweight="bold" if table.best(model_index, j) else "normal")
    ax.set_xticks(range(n_tasks), table.tasks, rotation=30, ha="right", fontsize=8)
    ax.set_yticks(range(n_models), [table.models[i] for i in order], fontsize=8)
    better = "lower" if table.direction == "lower" else "higher"
    ax.set_title(f"{table.label} ({better} is better)\ncolour: rank within each system", fontsize=9)
    fig.colorbar(image, ax=ax, label="rank", fraction=0.05)
    return _save(fig, path)


def vpt_bars(ds: xr.Dataset, variable: str, label: str, path: Path) -> Path:
    """Grouped bars: per task and model the median of the per-member values over all seeds,
    with the 25th–75th percentile as error bars."""
    plt = _pyplot()
    members = ds[f"{variable}_members"]
    task_list = tasks(ds)
    models = [str(m) for m in ds["model"].values]
    width = 0.8 / max(1, len(models))
    fig, ax = plt.subplots(figsize=(max(4.5, 2.0 + 1.4 * len(task_list) + 0.2 * len(models)), 3.6))
    units = str(members.attrs.get("units", ""))
    for k, model in enumerate(models):
        med, low, high = [], [], []
        for _, sel in task_list:
            values = members.sel(sel).sel(model=model).values.ravel()
            values = values[~np.isnan(values)]
            if values.size:
                q25, q50, q75 = np.percentile(values, [25, 50, 75])
            else:
                q25 = q50 = q75 = np.nan
            med.append(q50)
            low.append(q50 - q25)
            high.append(q75 - q50)
        x = np.arange(len(task_list)) + (k - (len(models) - 1) / 2) * width
        ax.bar(x, med, width, yerr=[low, high], capsize=2, label=model)
    ax.set_xticks(range(len(task_list)), [t for t, _ in task_list], rotation=20, ha="right", fontsize=8)
    ax.set_ylabel(f"{label} [{units.replace('_', ' ')}]" if units else label)
    ax.set_title(f"{label}: median, interquartile range\nover test initial conditions and seeds", fontsize=9)
    ax.legend(fontsize=7, ncol=min(4, len(models)))
    ax.grid(axis="y", alpha=0.3)
    return _save(fig, path)


def system_figure(ds: xr.Dataset, selection: dict[str, Any], title: str, path: Path) -> Path:
    """True attractor and free runs (top rows), error growth over the horizon (bottom)."""
    plt = _pyplot()
    models = [str(m) for m in ds["model"].values]
    panels = 1 + len(models)
    columns = min(panels, 4)
    rows = -(-panels // columns)
    fig = plt.figure(figsize=(3.0 * columns, 2.8 * rows + 3.0))
    grid = fig.add_gridspec(rows + 1, columns, height_ratios=[1.0] * rows + [1.1])
    true = ds["true_attractor"].sel(selection).values
    kind = str(ds["system_kind"].sel(system=selection["system"]).values) if "system_kind" in ds.coords else ""
    plane = _Plane(true, points=kind == "map")
    plane.draw(fig.add_subplot(grid[0, 0]), true, "truth", "black")
    for k, model in enumerate(models, start=1):
        ax = fig.add_subplot(grid[k // columns, k % columns])
        run = ds["free_run"].sel(selection).sel(model=model).values
        status = ds["status"].sel(selection).sel(model=model).values
        plane.draw(ax, true, "", "0.85")  # the truth, faint, behind the model
        plane.draw(ax, run, model, f"C{(k - 1) % 10}", status=status)
    ax = fig.add_subplot(grid[rows, :])
    lead = ds["lead_time"].sel(selection).values
    units = str(ds["horizon_units"].sel(selection).values)
    for k, model in enumerate(models):
        growth = ds["error_growth"].sel(selection).sel(model=model).transpose("seed", "lead").values
        if np.all(np.isnan(growth)):
            continue
        with np.errstate(all="ignore"), warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)  # all-NaN leads (failed seeds)
            mid = np.nanmedian(np.where(np.isinf(growth), np.nan, growth), axis=0)
            lo, hi = np.nanmin(growth, axis=0), np.nanmax(growth, axis=0)
        hi = np.where(np.isfinite(hi), hi, np.nan)
        ax.plot(lead, mid, color=f"C{k % 10}", label=model, lw=1.3)
        ax.fill_between(lead, lo, hi, color=f"C{k % 10}", alpha=0.15, lw=0)
    ax.set_yscale("log")
    ax.set_xlabel("lead time [Lyapunov times]" if units == "lyapunov_times" else "lead time [time units]")
    ax.set_ylabel("normalized error")
    ax.set_title("error growth: median over test initial conditions, band = range over seeds", fontsize=9)
    ax.grid(alpha=0.3)
    ax.legend(fontsize=7, ncol=min(5, len(models)))
    fig.suptitle(title, fontsize=11)
    fig.tight_layout()
    return _save(fig, path)


class _Plane:
    """The 2-D projection of one system's figure, chosen from the true attractor: the first two
    components, or for a scalar series the delay plane ``(x(t), x(t + lag))`` with the lag at
    which the truth's autocorrelation first falls below 1/e. Maps are drawn as points."""

    def __init__(self, true: np.ndarray, *, points: bool) -> None:
        self.points = points
        self.width = int(np.sum(np.any(np.isfinite(true), axis=0))) if true.ndim == 2 and true.size else 0
        self.lag = 1 if self.width != 1 else _decorrelation_lag(true[:, 0])
        xy = self.coords(true)
        self.limits = None
        if xy is not None and xy[0].size:
            self.limits = [_padded(xy[0]), _padded(xy[1])]

    def coords(self, values: np.ndarray) -> tuple[np.ndarray, np.ndarray] | None:
        if self.width == 0 or values.ndim != 2:
            return None
        if self.width >= 2:
            ok = np.all(np.isfinite(values[:, :2]), axis=1)
            return values[ok, 0], values[ok, 1]
        x, y = values[: -self.lag, 0], values[self.lag :, 0]
        ok = np.isfinite(x) & np.isfinite(y)
        return x[ok], y[ok]

    def draw(self, ax: Any, values: np.ndarray, title: str, colour: str, status: Any = None) -> None:
        if title:
            ax.set_title(title, fontsize=9)
        ax.tick_params(labelsize=7)
        xy = self.coords(values)
        if xy is None or xy[0].size == 0:
            if status is not None:
                states = ", ".join(sorted(set(map(str, np.ravel(status)))))
                ax.text(0.5, 0.5, f"no free run ({states})", ha="center", va="center",
                        transform=ax.transAxes, fontsize=8)
            return
        x, y = xy
        if self.points:
            ax.plot(x, y, ".", color=colour, markersize=1.5, alpha=0.8)
        else:
            ax.plot(x, y, color=colour, lw=0.4, alpha=0.8)
        if np.ptp(x) + np.ptp(y) <= 1e-9 * (1.0 + np.abs(x).max() + np.abs(y).max()):  # a fixed point
            ax.plot(x[-1:], y[-1:], "o", color=colour, markersize=5)
        if self.width >= 2:
            ax.set_xlabel("component 0", fontsize=7)
            ax.set_ylabel("component 1", fontsize=7)
        else:
            ax.set_xlabel("x(t)", fontsize=7)
            ax.set_ylabel(f"x(t + {self.lag} steps)", fontsize=7)
        if self.limits is not None:  # free runs that leave the truth's range are cut: it shows
            ax.set_xlim(*self.limits[0])
            ax.set_ylim(*self.limits[1])


def _decorrelation_lag(series: np.ndarray) -> int:
    x = series[np.isfinite(series)]
    if x.size < 8 or np.ptp(x) == 0:
        return 1
    x = x - x.mean()
    n = x.size
    spectrum = np.fft.rfft(x, 2 * n)
    acf = np.fft.irfft(spectrum * np.conj(spectrum))[:n]
    acf = acf / acf[0]
    below = np.nonzero(acf < np.exp(-1.0))[0]
    return int(min(max(1, below[0] if below.size else 1), n // 4 or 1))


def _padded(values: np.ndarray) -> tuple[float, float]:
    lo, hi = float(values.min()), float(values.max())
    pad = 0.5 * (hi - lo or 1.0)
    return lo - pad, hi + pad


def scaling_figure(series: list[Any], path: Path) -> Path:
    """Log-log plot of the medians of each :class:`~chaoskit.reporting.scaling.ScalingSeries`
    (one metric and axis) with its fitted power law as a line."""
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(5.5, 3.8))
    for k, s in enumerate(series):
        colour = f"C{k % 10}"
        ok = np.isfinite(s.y) & (s.y > 0)
        name = s.task if len({x.family for x in series}) == 1 else f"{s.family}, {s.task}"
        if s.fit is not None:
            name += f": b = {s.fit.exponent:.2f}"
            grid = np.geomspace(s.x.min(), s.x.max(), 50)
            ax.plot(grid, s.fit(grid), color=colour, lw=1)
        ax.plot(s.x[ok], s.y[ok], "o", color=colour, ms=4, label=name)
    ax.set_xscale("log")
    ax.set_yscale("log")
    first = series[0]
    ax.set_xlabel(first.axis)
    ax.set_ylabel(f"{first.metric} (median over seeds)")
    ax.set_title(f"{first.metric} vs {first.axis}: fitted y = a·x^b", fontsize=9)
    ax.legend(fontsize=7)
    return _save(fig, path)


def _save(fig: Any, path: Path) -> Path:
    plt = _pyplot()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=_DPI, bbox_inches="tight")
    plt.close(fig)
    return path
