"""`chaoskit bench` and `chaoskit report` on a toy store: the files, the figures, the tables; and the
built-in default benchmark's plan (its full run is marked slow)."""

from __future__ import annotations

import re
import subprocess
import sys
import types
import warnings
from pathlib import Path

import chaoskit
import numpy as np
import pytest
from _bench_helpers import toy_plugins
from chaoskit.bench import BenchmarkWarning, load_result
from chaoskit.cli import main
from chaoskit.report import write_report
from matplotlib.image import imread

CONFIG = """\
[benchmark]
name = "toyreport"
systems = ["spiral", "spiral_nolt", "broken_system"]
models = ["linear", "drift", "diverging"]
metrics = ["toy_mae", "vpt"]
seeds = [0, 1]

[data]
train_length = 200
context = 20
horizon = 2.0
test_members = 3
transient = 1.0

[run]
attractor_steps = 100
"""


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("report")
    config = folder / "toy.toml"
    config.write_text(CONFIG)
    with toy_plugins():
        assert main(["bench", str(config), "--store", str(folder / "store"), "--no-progress"]) == 0
    return folder / "store"


def test_bench_command_writes_the_store(store: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert (store / "config.toml").read_text() == CONFIG
    assert (store / "result.nc").is_file()
    assert len(list((store / "cells").glob("*.npz"))) == 18
    assert not (store / "data").exists()  # the simulation cache goes once every cell is done
    ds = load_result(store)
    assert ds.sizes["system"] == 3 and ds.sizes["model"] == 3


def test_report_files_figures_and_tables(store: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["report", str(store)]) == 0
    out = store / "report"
    assert f"wrote {out / 'report.md'}" in capsys.readouterr().out
    md = (out / "report.md").read_text()
    page = (out / "report.html").read_text()
    figures = sorted((out / "figures").glob("*.png"))
    names = {f.name for f in figures}
    assert {"heatmap_toy_mae.png", "heatmap_vpt.png", "vpt_vpt.png", "system_spiral.png",
            "system_spiral_nolt.png"} <= names
    for figure in figures:
        image = imread(figure)
        assert image.ndim == 3 and image.shape[0] > 50 and image.shape[1] > 50
        assert f"(figures/{figure.name})" in md
    # self-contained HTML: every figure embedded, nothing loaded from elsewhere
    assert page.count("src='data:image/png;base64,") == len(figures)
    assert not re.search(r"src=['\"](?!data:)", page)
    # the ranking table of toy_mae: one row per model, best first and in bold, one column per system
    section = md.split("### toy_mae")[1].split("###")[0]
    rows = [line for line in section.splitlines() if line.startswith("| ") and "---" not in line]
    assert rows[0].split("|")[1:-1] == [" model ", " spiral ", " spiral_nolt ", " broken_system ", " mean rank "]
    body = [r.split("|")[1].strip() for r in rows[1:]]
    assert sorted(body) == ["diverging", "drift", "linear"] and body[0] == "linear"
    assert "**" in rows[1] and "failed" in rows[1]  # best entry bold; the broken system failed
    assert "inf" in next(r for r in rows if r.startswith("| diverging"))
    assert "class=best" in page
    assert "## Failures and skipped cells" in md and "toy simulation failure" in md
    assert "## Provenance" in md and "chaoskit" in md and 'name = "toyreport"' in md


def test_report_of_a_dataset_needs_an_output_folder(store: Path, tmp_path: Path) -> None:
    ds = load_result(store).isel(system=[0], model=[0])
    with pytest.raises(chaoskit.ParameterError, match="give `out`"):
        write_report(ds)
    paths = write_report(ds, tmp_path / "r")
    assert [p.name for p in paths] == ["report.md", "report.html"]


def test_plugins_add_a_report_header(store: Path, tmp_path: Path) -> None:
    module = types.ModuleType("chaoskit_report_header_probe")
    module.CHAOSKIT_PLUGIN_API = "1.0"

    @chaoskit.hookimpl
    def chaoskit_report_header(result):
        return f"**Lab run** of {result.sizes['system']} systems"

    module.chaoskit_report_header = chaoskit_report_header
    with toy_plugins() as host:
        host.load_plugin("header", module)
        md, page = write_report(load_result(store).isel(system=[0], model=[0]), tmp_path / "r")
    assert md.read_text().startswith("**Lab run** of 1 systems")
    assert "Lab run" in page.read_text()


def test_report_of_a_store_without_result(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["report", str(tmp_path)]) == 1
    assert "holds no benchmark result" in capsys.readouterr().err


def test_the_default_benchmark_plan_skips_only_what_is_not_installed() -> None:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        bench = chaoskit.Benchmark()
        cells = bench.cells
    assert bench.config.name == "default"
    for cell in cells:
        missing = [s.name for s, registry in ((cell.system, chaoskit.systems), (cell.model, chaoskit.models))
                   if s.name not in registry]
        assert bool(cell.skip) == bool(missing)
        assert all(f"'{name}' is not available" in (cell.skip or "") for name in missing[:1])
    assert all(issubclass(w.category, BenchmarkWarning) for w in caught)
    lorenz = [c for c in cells if c.system.name == "lorenz"]
    n_models = len(bench.config.models)
    assert n_models >= 7 and len(lorenz) == 3 * n_models and not any(c.skip for c in lorenz)


@pytest.mark.slow
def test_the_default_benchmark_runs_end_to_end(tmp_path: Path) -> None:
    out = subprocess.run([sys.executable, "-m", "chaoskit.cli", "bench", "--store", str(tmp_path / "s"),
                          "--workers", "2", "--no-progress"], capture_output=True, text=True, timeout=900)
    assert out.returncode == 0, out.stderr
    ds = load_result(tmp_path / "s")
    assert set(np.unique(ds["status"].values)) <= {"ok", "diverged", "skipped"}
    assert float(ds["vpt"].sel(system="lorenz", model="esn").median()) > 1.0
    report = subprocess.run([sys.executable, "-m", "chaoskit.cli", "report", str(tmp_path / "s")],
                            capture_output=True, text=True, timeout=300)
    assert report.returncode == 0, report.stderr
    assert (tmp_path / "s" / "report" / "report.html").is_file()
