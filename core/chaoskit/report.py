"""Tables and figures of trajectories and results, written to files.

matplotlib is imported on first use, with the non-interactive Agg backend when no backend has
been chosen, so these functions work on machines without a display.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import xarray as xr

from .data import STATE, TIME, VARIABLE, validate
from .errors import DataError

__all__ = ["format_table", "plot_forecast", "write_report"]


def format_table(rows: Sequence[Sequence[Any]], headers: Sequence[str], *, markdown: bool = False) -> str:
    """Render ``rows`` as an aligned plain-text (or Markdown) table; floats get 4 significant digits."""

    def cell(value: Any) -> str:
        if isinstance(value, (float, np.floating)):
            return "nan" if np.isnan(value) else f"{value:.4g}"
        return str(value)

    text = [[cell(v) for v in row] for row in rows]
    widths = [max([len(h), *(len(r[i]) for r in text)]) for i, h in enumerate(headers)]
    if markdown:
        line = lambda cells: "| " + " | ".join(c.ljust(w) for c, w in zip(cells, widths)) + " |"  # noqa: E731
        rule = "|" + "|".join("-" * (w + 2) for w in widths) + "|"
    else:
        line = lambda cells: "  ".join(c.ljust(w) for c, w in zip(cells, widths)).rstrip()  # noqa: E731
        rule = "  ".join("-" * w for w in widths)
    return "\n".join([line(headers), rule, *(line(r) for r in text)])


def _pyplot() -> Any:
    import matplotlib

    if matplotlib.get_backend().lower() not in ("agg", "pdf", "svg", "ps", "cairo") and not _interactive():
        matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def _interactive() -> bool:
    try:
        from IPython import get_ipython
    except ImportError:
        return False
    return get_ipython() is not None


def plot_forecast(
    truth: xr.Dataset,
    forecast: xr.Dataset,
    path: str | Path,
    *,
    context: xr.Dataset | None = None,
    member: int = 0,
    title: str | None = None,
    lyapunov_time: float | None = None,
) -> Path:
    """Draw truth against forecast (one panel per variable) for one member and save it.

    With ``lyapunov_time`` (or a dataset that records one) the time axis is in Lyapunov times
    from the forecast start. The figure format follows the file suffix (``.png``, ``.pdf`` …).
    """
    for name, ds in (("truth", truth), ("forecast", forecast)):
        validate(ds, name=name, finite=name == "truth")
        if ds.chaos.space_dims:
            raise DataError(f"plot_forecast draws ODE trajectories; {name} has spatial dims {ds.chaos.space_dims}")
    if not 0 <= member < forecast.sizes["member"]:
        raise DataError(f"member {member} does not exist; the forecast has {forecast.sizes['member']} members")
    plt = _pyplot()
    if lyapunov_time is None:
        try:
            lyapunov_time = truth.chaos.lyapunov_time
        except DataError:
            lyapunov_time = None
    t0 = float(forecast[TIME].values[0]) - forecast.chaos.dt
    scale = lyapunov_time or 1.0

    def axis(ds: xr.Dataset) -> np.ndarray:
        return (np.asarray(ds[TIME].values, float) - t0) / scale

    names = [str(v) for v in forecast[VARIABLE].values]
    fig, axes = plt.subplots(len(names), 1, sharex=True, squeeze=False, figsize=(9, 1.9 * len(names) + 0.8))
    for ax, var in zip(axes[:, 0], names):
        if context is not None:
            ax.plot(axis(context), context[STATE].sel(variable=var).values[member], color="0.6", lw=1, label="context")
        ax.plot(axis(truth), truth[STATE].sel(variable=var).values[member], color="k", lw=1.2, label="truth")
        ax.plot(axis(forecast), forecast[STATE].sel(variable=var).values[member], color="tab:red", lw=1.2,
                ls="--", label="forecast")
        ax.axvline(0.0, color="0.4", lw=0.8, ls=":")
        ax.set_ylabel(var)
    axes[0, 0].legend(loc="upper left", fontsize="small", ncol=3)
    axes[-1, 0].set_xlabel("Lyapunov times from forecast start" if lyapunov_time else "time from forecast start")
    if title:
        axes[0, 0].set_title(title)
    fig.tight_layout()
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=120)
    plt.close(fig)
    return path


def write_report(source: Any, out: str | Path | None = None) -> list[Path]:
    """Write the Markdown and HTML report of a benchmark store or result (see
    :func:`chaoskit.reporting.write_report`)."""
    from .reporting import write_report as _write_report

    return _write_report(source, out)
