"""Reports of benchmark results: a Markdown file and a self-contained HTML file.

``write_report(store)`` (or ``chaoskit report STORE``) reads the store's combined result and
writes ``report.md`` (figures as PNG files under ``figures/``) and ``report.html`` (the same
content, figures embedded as base64 PNGs, so the one file can be mailed or archived):

1. a header from the plugins' ``chaoskit_report_header`` hooks, and the run's summary;
2. per metric, the ranking table (models × systems, median ± median absolute deviation over
   seeds, the best of each system in bold, models sorted by mean rank) and its heatmap;
3. valid prediction time (every metric measured in Lyapunov times) with error bars;
4. scaling studies (when a model is swept over a numeric size or a data setting takes three or
   more numeric values): the fitted power law per metric, system and model family, and its plot;
5. per system, the true attractor beside each model's free-running attractor and the error
   growth over the horizon;
6. failures, and the provenance: config, package versions, machine.
"""

from __future__ import annotations

import base64
import html
import json
import re
from pathlib import Path
from typing import Any

import numpy as np
import xarray as xr

from ..data import decode_attrs
from .figures import heatmap, scaling_figure, system_figure, vpt_bars
from .scaling import scaling_studies
from .tables import failures, metric_info, ranking, status_counts, tasks

__all__ = ["summary_lines", "write_report"]


def write_report(source: str | Path | xr.Dataset, out: str | Path | None = None) -> list[Path]:
    """Write ``report.md`` and ``report.html`` (and their figures); return the two paths.

    ``source`` is a store directory, a ``result.nc`` file, or a result Dataset (then ``out``
    is required). ``out`` defaults to ``STORE/report``.
    """
    from ..bench import load_result
    from ..errors import ParameterError

    if isinstance(source, xr.Dataset):
        if out is None:
            raise ParameterError("write_report: give `out`, the directory to write into, with a Dataset")
        ds = source
    else:
        ds = load_result(source)
        if out is None:
            base = Path(source)
            out = (base.parent if base.is_file() else base) / "report"
    out = Path(out)
    figures = out / "figures"
    figures.mkdir(parents=True, exist_ok=True)
    blocks = _blocks(ds, figures)
    md = out / "report.md"
    md.write_text(_markdown(blocks, out), encoding="utf-8")
    page = out / "report.html"
    page.write_text(_html(blocks, decode_attrs(ds.attrs).get("name", "benchmark")), encoding="utf-8")
    return [md, page]


def summary_lines(ds: xr.Dataset) -> list[str]:
    """A short plain-text summary for the terminal: status counts and the first metric's table."""
    from ..report import format_table

    lines = ["cells: " + ", ".join(f"{n} {s}" for s, n in sorted(status_counts(ds).items()))]
    for label, var in metric_info(ds)[:2]:
        table = ranking(ds, label, var)
        lines += ["", f"{label} ({table.direction} is better; median ± MAD over seeds)",
                  format_table(table.rows(), ["model", *table.tasks, "mean rank"])]
    return lines


# --------------------------------------------------------------------------- content
def _blocks(ds: xr.Dataset, figures: Path) -> list[tuple[str, Any]]:
    """The report as a list of ``(kind, content)``: heading, text, table, figure, code."""
    from ..plugins import call_hook

    attrs = decode_attrs(ds.attrs)
    b: list[tuple[str, Any]] = []
    for header in call_hook("chaoskit_report_header", result=ds):
        b.append(("markdown", str(header)))
    b.append(("h1", f"Benchmark report: {attrs.get('name', 'benchmark')}"))
    if attrs.get("description"):
        b.append(("text", attrs["description"]))
    counts = status_counts(ds)
    run = attrs.get("run", {}) or {}
    b.append(("text", f"{ds.sizes['system']} systems × {ds.sizes['model']} models × {ds.sizes['seed']} seeds; "
                      f"cells: {', '.join(f'{n} {s}' for s, n in sorted(counts.items()))}. "
                      f"Created {attrs.get('created', '?')}; executor: {run.get('executor', '?')}; "
                      f"wall time of the last run {run.get('wall_time', float('nan')):.1f} s."))
    metrics = metric_info(ds)
    b.append(("h2", "Rankings"))
    b.append(("text", "Each entry: the median over seeds of the cell's score (the median over test initial "
                      "conditions, a diverged member counting as the worst value) ± the median absolute "
                      "deviation over seeds. Bold: the best model of the system. Models are sorted by their "
                      "mean rank over the systems."))
    for label, var in metrics:
        table = ranking(ds, label, var)
        better = "lower" if table.direction == "lower" else "higher"
        units = f", {table.units.replace('_', ' ')}" if table.units else ""
        b.append(("h3", f"{label} ({better} is better{units})"))
        if table.definition:
            b.append(("text", f"Definition: {table.definition}"))
        headers = ["model", *table.tasks, "mean rank"]
        bold = [[table.best(i, j) for j in range(len(table.tasks))] for i in table.order]
        b.append(("table", (headers, table.rows(), bold)))
        b.append(("figure", (heatmap(table, figures / f"heatmap_{_slug(var)}.png"), f"{label}: models × systems")))
    horizon = [(label, var) for label, var in metrics
               if str(ds[var].attrs.get("units", "")) == "lyapunov_times" or label.lower() == "vpt"]
    if horizon:
        b.append(("h2", "Valid prediction time"))
        for label, var in horizon:
            caption = f"{label}: median and interquartile range over test initial conditions and seeds"
            b.append(("figure", (vpt_bars(ds, var, label, figures / f"vpt_{_slug(var)}.png"), caption)))
    b += _scaling_blocks(ds, figures)
    b.append(("h2", "Systems"))
    b.append(("text", "Top: the true attractor (end of the training trajectory) beside each model's free run "
                      "from the first test context (first seed), projected on the first two components. "
                      "Bottom: the normalized error sqrt(mean((forecast − truth)² / σ²)) over the horizon, "
                      "σ the training data's standard deviation per variable."))
    for name, sel in tasks(ds):
        if not np.isfinite(ds["time_step"].sel(sel).values):
            b.append(("h3", name))
            b.append(("text", "No cell of this system ran (" + _reason(ds, sel) + ")."))
            continue
        path = system_figure(ds, sel, name, figures / f"system_{_slug(name)}.png")
        b.append(("h3", name))
        b.append(("figure", (path, f"{name}: attractors and error growth")))
    rows = failures(ds)
    if rows:
        b.append(("h2", "Failures and skipped cells"))
        b.append(("table", (["system", "model", "seed", "status", "error (last line)"], rows, None)))
    b.append(("h2", "Provenance"))
    b.append(("text", f"Peak memory: {attrs.get('memory_method', '')}."))
    versions = attrs.get("versions", {}) or {}
    b.append(("table", (["package", "version"], [[k, str(v)] for k, v in sorted(versions.items())], None)))
    b.append(("code", json.dumps(attrs.get("machine", {}), indent=2, sort_keys=True)))
    for message in attrs.get("skipped", []) or []:
        b.append(("text", f"Skipped: {message}"))
    config = attrs.get("config_toml") or json.dumps(attrs.get("config", {}), indent=2, sort_keys=True)
    b.append(("text", f"Config ({attrs.get('config_source', '')}):"))
    b.append(("code", config))
    return b


def _scaling_blocks(ds: xr.Dataset, figures: Path) -> list[tuple[str, Any]]:
    """The scaling section: a table of fitted power laws and one log-log figure per metric and axis."""
    fitted = [(s, s.fit) for s in scaling_studies(ds) if s.fit is not None]
    if not fitted:
        return []
    b: list[tuple[str, Any]] = [("h2", "Scaling")]
    b.append(("text", "Power laws y = a·x^b fitted by least squares in log-log space to the median over seeds "
                      "at each size (finite, positive points only; at least three). ± is the exponent's "
                      "standard error."))
    rows = [[s.metric, s.task, s.family, s.axis, f"{fit.exponent:.3f} ± {fit.exponent_se:.3f}",
             f"{fit.prefactor:.4g}", f"{fit.r2:.3f}", str(fit.points)] for s, fit in fitted]
    b.append(("table", (["metric", "task", "model", "axis", "exponent b", "prefactor a", "R²", "points"], rows, None)))
    groups: dict[tuple[str, str], list[Any]] = {}
    for s, _ in fitted:
        groups.setdefault((s.metric, s.axis), []).append(s)
    for (metric, axis), members in groups.items():
        path = scaling_figure(members, figures / f"scaling_{_slug(metric)}_{_slug(axis)}.png")
        b.append(("figure", (path, f"{metric} versus {axis} (log-log) with fitted power laws")))
    return b


def _reason(ds: xr.Dataset, sel: dict[str, Any]) -> str:
    errors = {str(e).strip().splitlines()[-1] for e in np.ravel(ds["error"].sel(sel).values) if str(e).strip()}
    return "; ".join(sorted(errors))[:400] or "no result"


def _slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", text).strip("_")[:80]


# --------------------------------------------------------------------------- rendering
def _markdown(blocks: list[tuple[str, Any]], out: Path) -> str:
    parts = []
    for kind, content in blocks:
        if kind in ("h1", "h2", "h3"):
            parts.append("#" * int(kind[1]) + " " + content)
        elif kind in ("text", "markdown"):
            parts.append(content)
        elif kind == "code":
            parts.append("```\n" + content.rstrip() + "\n```")
        elif kind == "figure":
            path, caption = content
            parts.append(f"![{caption}]({path.relative_to(out).as_posix()})")
        elif kind == "table":
            headers, rows, bold = content
            lines = ["| " + " | ".join(headers) + " |", "|" + "|".join("---" for _ in headers) + "|"]
            for i, row in enumerate(rows):
                cells = [_md_escape(c) for c in row]
                if bold is not None:
                    cells = [cells[0]] + [f"**{c}**" if bold[i][j] else c for j, c in enumerate(cells[1:-1])] + [cells[-1]]
                lines.append("| " + " | ".join(cells) + " |")
            parts.append("\n".join(lines))
    return "\n\n".join(parts) + "\n"


def _md_escape(text: str) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


_CSS = """
body{font-family:-apple-system,Segoe UI,Helvetica,Arial,sans-serif;max-width:1200px;margin:2em auto;padding:0 1em;color:#222}
table{border-collapse:collapse;margin:1em 0;font-size:0.9em}
th,td{border:1px solid #ccc;padding:0.3em 0.6em;text-align:right}
th:first-child,td:first-child{text-align:left}
td.best{font-weight:bold;background:#e6f4ea}
pre{background:#f6f8fa;padding:0.8em;overflow-x:auto;font-size:0.85em}
img{max-width:100%;border:1px solid #eee}
figure{margin:1em 0}
figcaption{font-size:0.85em;color:#555}
"""


def _html(blocks: list[tuple[str, Any]], title: str) -> str:
    parts = [f"<!DOCTYPE html>\n<html><head><meta charset='utf-8'><title>{html.escape(title)} — chaoskit "
             f"benchmark</title><style>{_CSS}</style></head><body>"]
    for kind, content in blocks:
        if kind in ("h1", "h2", "h3"):
            parts.append(f"<{kind}>{html.escape(content)}</{kind}>")
        elif kind == "text":
            parts.append(f"<p>{html.escape(content)}</p>")
        elif kind == "markdown":
            parts.append(f"<div>{html.escape(content)}</div>")
        elif kind == "code":
            parts.append(f"<pre>{html.escape(content)}</pre>")
        elif kind == "figure":
            path, caption = content
            data = base64.b64encode(Path(path).read_bytes()).decode("ascii")
            parts.append(f"<figure><img alt='{html.escape(caption)}' src='data:image/png;base64,{data}'>"
                         f"<figcaption>{html.escape(caption)}</figcaption></figure>")
        elif kind == "table":
            headers, rows, bold = content
            head = "".join(f"<th>{html.escape(h)}</th>" for h in headers)
            body = []
            for i, row in enumerate(rows):
                cells = []
                for j, cell in enumerate(row):
                    best = bold is not None and 0 < j < len(row) - 1 and bold[i][j - 1]
                    cells.append(f"<td{' class=best' if best else ''}>{html.escape(str(cell))}</td>")
                body.append("<tr>" + "".join(cells) + "</tr>")
            parts.append(f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>")
    parts.append("</body></html>")
    return "\n".join(parts)
