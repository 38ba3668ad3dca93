"""Scaling studies in benchmark reports: the power-law fit and the series found in a result."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import xarray as xr
from _bench_helpers import TINY_DATA, toy_plugins
from chaoskit.cli import main
from chaoskit.data import encode_attrs
from chaoskit.reporting import _scaling_blocks
from chaoskit.reporting.scaling import fit_power_law, scaling_studies
from scipy import stats


def test_exact_power_law_is_recovered() -> None:
    x = np.array([10.0, 30.0, 100.0, 300.0, 1000.0])
    fit = fit_power_law(x, 4.0 * x**-0.75)
    assert fit is not None and fit.points == 5
    assert fit.exponent == pytest.approx(-0.75, abs=1e-12)
    assert fit.prefactor == pytest.approx(4.0, rel=1e-12)
    assert fit.r2 == pytest.approx(1.0, abs=1e-12)
    assert fit(1000.0) == pytest.approx(4.0 * 1000.0**-0.75)


def test_noisy_fit_matches_scipy_linregress() -> None:
    rng = np.random.default_rng(3)
    x = np.geomspace(1, 1e4, 12)
    y = 0.3 * x**0.4 * np.exp(rng.normal(0, 0.2, x.size))
    fit = fit_power_law(x, y)
    ref = stats.linregress(np.log(x), np.log(y))
    assert fit.exponent == pytest.approx(ref.slope, rel=1e-10)
    assert fit.exponent_se == pytest.approx(ref.stderr, rel=1e-10)
    assert np.log(fit.prefactor) == pytest.approx(ref.intercept, rel=1e-10)
    assert fit.r2 == pytest.approx(ref.rvalue**2, rel=1e-10)


def test_unusable_points_are_dropped_and_too_few_give_no_fit() -> None:
    fit = fit_power_law([1, 2, 4, 8, 16], [1.0, np.nan, 0.25, -1.0, 1 / 16])
    assert fit.points == 3 and fit.exponent == pytest.approx(-1.0)
    assert fit_power_law([1, 2, 4], [1.0, 0.0, 0.5]) is None
    assert fit_power_law([2, 2, 2], [1.0, 2.0, 3.0]) is None


def _result(units: list[int], lengths: list[int]) -> xr.Dataset:
    """A synthetic result: rmse = 5·units^-1·(L/100)^-0.5 times a seed factor."""
    labels = [f"esn[units={u}]" for u in units] + ["persistence"]
    shape = (2, len(labels), 3, len(lengths))
    rmse = np.empty(shape)
    for i, _ in enumerate(("a", "b")):
        for j, label in enumerate(labels):
            size = units[j] if j < len(units) else 1.0
            for k, factor in enumerate((0.9, 1.0, 1.2)):  # median over seeds = the k=1 value
                rmse[i, j, k] = (i + 1) * 5.0 / size * (np.asarray(lengths) / 100.0) ** -0.5 * factor
    dims = ("system", "model", "seed", "train_length")
    config = {"models": [{"label": lab, "name": "esn", "params": {"units": u, "ridge": 1e-9}}
                         for lab, u in zip(labels, units)]
              + [{"label": "persistence", "name": "persistence", "params": {}}]}
    ds = xr.Dataset(
        {"rmse": (dims, rmse, {"direction": "lower"}), "status": (dims, np.full(shape, "ok"))},
        coords={"system": ["a", "b"], "model": labels, "seed": [0, 1, 2], "train_length": lengths},
    )
    ds.attrs = encode_attrs({"metrics": ["rmse"], "metric_variables": ["rmse"], "config": config})
    return ds


def test_series_along_a_model_sweep_and_a_data_dimension() -> None:
    ds = _result([50, 100, 200, 400], [100, 1000, 10000])
    series = scaling_studies(ds)
    by_units = [s for s in series if s.axis == "units"]
    assert {s.family for s in by_units} == {"esn vs units"}
    assert len(by_units) == 2 * 3  # 2 systems × 3 training lengths
    for s in by_units:
        assert s.fit.exponent == pytest.approx(-1.0, abs=1e-12)
        assert list(s.x) == [50, 100, 200, 400]
    by_length = [s for s in series if s.axis == "train_length"]
    assert len(by_length) == 5 * 2  # every model (the sweep's variants and persistence) × 2 systems
    for s in by_length:
        assert s.fit.exponent == pytest.approx(-0.5, abs=1e-12)
    a = next(s for s in by_length if s.task == "a" and s.family == "persistence")
    b = next(s for s in by_length if s.task == "b" and s.family == "persistence")
    assert b.fit.prefactor / a.fit.prefactor == pytest.approx(2.0, rel=1e-12)


def test_two_sizes_or_two_swept_fields_are_not_a_scaling_study() -> None:
    ds = _result([50, 100], [100, 1000])
    assert scaling_studies(ds) == []
    assert _scaling_blocks(ds, Path("unused")) == []


def test_report_section_and_figure(tmp_path: Path) -> None:
    blocks = _scaling_blocks(_result([50, 100, 200], [100]), tmp_path)
    kinds = [k for k, _ in blocks]
    assert kinds[0] == "h2" and blocks[0][1] == "Scaling"
    headers, rows, _ = next(c for k, c in blocks if k == "table")
    assert headers[4] == "exponent b" and len(rows) == 2
    assert all(row[4].startswith("-1.000") for row in rows)
    figures = [c[0] for k, c in blocks if k == "figure"]
    assert len(figures) == 1 and figures[0].is_file() and figures[0].stat().st_size > 1000


def test_swept_toy_benchmark_report_has_the_scaling_section(tmp_path: Path) -> None:
    data = "\n".join(f"{k} = {v}" for k, v in TINY_DATA.items())
    config = tmp_path / "scaling.toml"
    config.write_text(f"""[benchmark]
systems = ["spiral"]
models = ["drift"]
metrics = ["toy_mae"]
seeds = [0]

[models.drift]
sweep = {{ scale = [1.0, 2.0, 4.0, 8.0] }}

[data]
{data}
""")
    with toy_plugins():
        assert main(["bench", str(config), "--store", str(tmp_path / "store"), "--no-progress"]) == 0
        assert main(["report", str(tmp_path / "store")]) == 0
    text = (tmp_path / "store" / "report" / "report.md").read_text()
    assert "## Scaling" in text
    row = next(line for line in text.splitlines() if line.startswith("| toy_mae | spiral | drift vs scale"))
    assert row.split("|")[-2].strip() == "4"  # four points in the fit
    assert (tmp_path / "store" / "report" / "figures" / "scaling_toy_mae_scale.png").is_file()
