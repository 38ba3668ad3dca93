"""``chaoskit.Benchmark`` end to end on toy grids (tests/integration/bench_toys): the result's
layout, failing and diverging models, fallbacks, the store (resume, refusal, --force), the
skip of what is not installed, hooks, and name errors that point into the config file."""

from __future__ import annotations

import json
import textwrap
import types
import warnings
from pathlib import Path
from typing import Any

import chaoskit
import numpy as np
import pytest
import xarray as xr
from _bench_helpers import TINY_DATA, numbers, toy_plugins
from chaoskit import ConfigError, hookimpl
from chaoskit.bench import BenchmarkWarning, load_result


@pytest.fixture
def toys():
    with toy_plugins() as host:
        yield host


def grid(**overrides: Any) -> dict[str, Any]:
    kw: dict[str, Any] = dict(
        systems=["spiral", "spiral_nolt"], models=["linear", "drift", "failing", "diverging", "persistence"],
        metrics=["toy_mae", "rmse", "vpt"], seeds=[0, 1], data=TINY_DATA, progress=False,
    )
    kw.update(overrides)
    return kw


@pytest.fixture(scope="module")
def result(tmp_path_factory: pytest.TempPathFactory) -> xr.Dataset:
    with toy_plugins():
        return chaoskit.Benchmark(**grid(), store=tmp_path_factory.mktemp("bench") / "store").run()


def test_result_layout(result: xr.Dataset) -> None:
    assert result["toy_mae"].dims == ("system", "model", "seed")
    assert list(result["system"].values) == ["spiral", "spiral_nolt"]
    assert list(result["model"].values) == ["linear", "drift", "failing", "diverging", "persistence"]
    assert list(result["seed"].values) == [0, 1]
    assert result["toy_mae_members"].dims == ("system", "model", "seed", "member")
    assert result.sizes["member"] == TINY_DATA["test_members"]
    for name in ("fit_time", "forecast_time", "peak_memory", "status", "error", "diverged_at", "error_growth"):
        assert name in result, name
    attrs = chaoskit.decode_attrs(result.attrs)
    assert attrs["config"]["seeds"] == [0, 1]
    assert "chaoskit" in attrs["versions"] and attrs["machine"]["cpu_count"] >= 1
    assert "VmHWM" in attrs["memory_method"] or "ru_maxrss" in attrs["memory_method"]
    assert list(result["model_name"].values)[0] == "benchtoys/linear"
    # the median over members is what the per-member values give
    members = result["toy_mae_members"].sel(system="spiral", model="linear").values
    np.testing.assert_allclose(result["toy_mae"].sel(system="spiral", model="linear").values,
                               np.median(members, axis=-1))


def test_good_failing_and_diverging_models(result: xr.Dataset) -> None:
    status = result["status"].sel(system="spiral")
    assert set(status.sel(model="linear").values) == {"ok"}
    assert set(status.sel(model="failing").values) == {"failed"}
    assert set(status.sel(model="diverging").values) == {"diverged"}
    error = str(result["error"].sel(system="spiral", model="failing", seed=0).values)
    assert "Traceback" in error and "toy model failure in fit" in error
    assert np.isnan(result["toy_mae"].sel(model="failing")).all()
    # a diverged member counts as the worst value: the median of a model that diverges on every member is inf
    assert np.isinf(result["toy_mae"].sel(system="spiral", model="diverging")).all()
    assert np.isnan(result["toy_mae_members"].sel(system="spiral", model="diverging")).all()
    diverged = result["diverged_at"].sel(system="spiral", model="diverging").values
    assert np.all(diverged > 0) and np.all(diverged < TINY_DATA["horizon"])
    assert (result["diverged_members"].sel(system="spiral", model="diverging") == TINY_DATA["test_members"]).all()
    # the exact linear model beats persistence
    assert (result["toy_mae"].sel(model="linear") < 1e-6).all()
    assert (result["toy_mae"].sel(model="persistence") > 1e-2).all()
    assert (result["fit_time"].sel(model="linear") >= 0).all()
    assert (result["peak_memory"].sel(model="linear") > 0).all()


def test_horizon_falls_back_to_time_units_without_a_lyapunov_time(result: xr.Dataset) -> None:
    assert str(result["horizon_units"].sel(system="spiral").values) == "lyapunov_times"
    assert str(result["horizon_units"].sel(system="spiral_nolt").values) == "time_units"
    # spiral: lyapunov time 2, dt = 2π/100; spiral_nolt: horizon 2 time units
    dt = 2 * np.pi / 100
    assert int(result["forecast_steps"].sel(system="spiral")) == round(2.0 * 2.0 / dt)
    assert int(result["forecast_steps"].sel(system="spiral_nolt")) == round(2.0 / dt)
    notes = str(result["notes"].sel(system="spiral_nolt", model="linear", seed=0).values)
    assert "no Lyapunov time" in notes
    # vpt needs a Lyapunov time: NaN with the reason, the other metrics are scored
    cell = result.sel(system="spiral_nolt", model="linear", seed=0)
    assert np.isnan(cell["vpt"]) and np.isfinite(cell["toy_mae"])
    assert "metric vpt" in str(cell["error"].values) and str(cell["status"].values) == "ok"
    # a metric that failed is NaN, not the worst value, even where members diverged
    assert np.isnan(result["vpt"].sel(system="spiral_nolt", model="diverging")).all()
    assert np.isinf(result["toy_mae"].sel(system="spiral_nolt", model="diverging")).all()


def test_maps_are_sampled_every_iteration_with_a_whole_transient(toys) -> None:
    data = {**TINY_DATA, "dt": 0.5, "transient": 1.0}  # 1 Lyapunov time = 3.33 iterations
    out = chaoskit.Benchmark(**grid(systems=["rotation_map"], models=["linear"], seeds=[0], data=data)).run()
    cell = out.sel(system="rotation_map", model="linear", seed=0)
    assert str(cell["status"].values) == "ok", str(cell["error"].values)
    assert float(out["time_step"].sel(system="rotation_map")) == 1.0
    assert int(out["forecast_steps"].sel(system="rotation_map")) == round(2.0 / 0.3)
    assert "dt ignored" in str(cell["notes"].values) and float(cell["toy_mae"]) < 1e-9


def test_rerun_recomputes_nothing_and_force_keeps_unchanged_cells(toys, tmp_path: Path) -> None:
    store = tmp_path / "store"
    first = chaoskit.Benchmark(**grid(), store=store)
    a = first.run()
    assert len(first.executed) == 20
    mtimes = {p.name: p.stat().st_mtime_ns for p in (store / "cells").glob("*.npz")}
    again = chaoskit.Benchmark(**grid(), store=store)
    b = again.run()
    assert again.executed == []
    assert {p.name: p.stat().st_mtime_ns for p in (store / "cells").glob("*.npz")} == mtimes
    for name, values in numbers(a).items():
        np.testing.assert_array_equal(values, numbers(b)[name], err_msg=name)
    xr.testing.assert_identical(load_result(store)["toy_mae"], b["toy_mae"])
    # a changed config is refused, with what changed and what to do
    with pytest.raises(ConfigError, match=r"different config .*models: removed \['persistence'\].*--force"):
        chaoskit.Benchmark(**grid(models=["linear", "drift", "failing", "diverging"]), store=store).run()
    # --force: only the new cells run; dropped cells leave the store
    forced = chaoskit.Benchmark(**grid(models=["linear", "drift", "mean"]), store=store, force=True)
    c = forced.run()
    assert len(forced.executed) == 4  # mean × 2 systems × 2 seeds
    assert len(list((store / "cells").glob("*.npz"))) == 12
    np.testing.assert_array_equal(c["toy_mae"].sel(model="linear").values, a["toy_mae"].sel(model="linear").values)


def test_retry_failed_runs_failed_cells_again(toys, tmp_path: Path) -> None:
    kw = grid(systems=["spiral"], models=["failing", "linear"], seeds=[0])
    chaoskit.Benchmark(**kw, store=tmp_path / "s").run()
    retry = chaoskit.Benchmark(**kw, store=tmp_path / "s", retry_failed=True)
    retry.run()
    assert len(retry.executed) == 1


def test_a_broken_system_fails_its_cells_and_the_run_goes_on(toys) -> None:
    out = chaoskit.Benchmark(**grid(systems=["broken_system", "spiral"], models=["linear"], seeds=[0])).run()
    assert str(out["status"].sel(system="broken_system").values.item()) == "failed"
    assert "toy simulation failure" in str(out["error"].sel(system="broken_system").values.item())
    assert str(out["status"].sel(system="spiral").values.item()) == "ok"


def test_missing_skip_records_skipped_cells(toys) -> None:
    config = {"benchmark": {"systems": ["spiral", "no_such_system"], "models": ["linear", "no_such_model"],
                            "metrics": ["toy_mae", "no_such_metric"], "seeds": [0], "missing": "skip"},
              "data": TINY_DATA}
    with pytest.warns(BenchmarkWarning) as caught:
        out = chaoskit.Benchmark(config, progress=False).run()
    messages = " ".join(str(w.message) for w in caught)
    assert "no_such_system" in messages and "no_such_model" in messages and "no_such_metric" in messages
    status = out["status"].sel(seed=0)
    assert str(status.sel(system="spiral", model="linear").values) == "ok"
    assert set(status.sel(system="no_such_system").values) == {"skipped"}
    assert str(status.sel(system="spiral", model="no_such_model").values) == "skipped"
    assert "toy_mae" in out and "no_such_metric" not in out
    assert "not available" in str(out["error"].sel(system="no_such_system", model="linear", seed=0).values)


def test_unknown_names_and_parameters_point_into_the_file(toys, tmp_path: Path) -> None:
    path = tmp_path / "cfg.toml"
    path.write_text(textwrap.dedent("""\
        [benchmark]
        systems = [
            "spiral",
            "sprial",
        ]
        models = ["linear"]
        metrics = ["toy_mae"]
    """))
    with pytest.raises(ConfigError) as info:
        chaoskit.Benchmark(path).plan  # noqa: B018
    message = str(info.value)
    assert message.startswith(f"{path}, line 4: [benchmark] systems: unknown system 'sprial'")
    assert "did you mean benchtoys/spiral" in message
    assert "Allowed:" in message or "systems are installed" in message
    path.write_text(path.read_text().replace('    "sprial",\n', "") + "[models.linear]\nridge = -1\n")
    with pytest.raises(ConfigError, match=r"line 8: \[models.linear\] ridge: model 'linear' rejects"):
        chaoskit.Benchmark(path).plan  # noqa: B018
    path.write_text(path.read_text().replace("ridge = -1", "rigde = 1"))
    with pytest.raises(ConfigError, match=r"line 8: \[models.linear\] rigde: .*its parameters are .*ridge"):
        chaoskit.Benchmark(path).plan  # noqa: B018


def test_bench_hooks_are_called(toys) -> None:
    calls: dict[str, list[Any]] = {"start": [], "cell": [], "end": []}
    module = types.ModuleType("chaoskit_bench_hook_probe")
    module.CHAOSKIT_PLUGIN_API = "1.0"

    @hookimpl
    def chaoskit_bench_start(benchmark):
        calls["start"].append(benchmark)

    @hookimpl
    def chaoskit_bench_cell_done(benchmark, cell, result):
        calls["cell"].append((cell, result))

    @hookimpl
    def chaoskit_bench_end(benchmark, result):
        calls["end"].append(result)

    module.chaoskit_bench_start = chaoskit_bench_start
    module.chaoskit_bench_cell_done = chaoskit_bench_cell_done
    module.chaoskit_bench_end = chaoskit_bench_end
    toys.load_plugin("probe", module)
    bench = chaoskit.Benchmark(**grid(systems=["spiral"], models=["linear", "failing"], seeds=[0]))
    out = bench.run()
    assert calls["start"] == [bench] and len(calls["end"]) == 1 and calls["end"][0] is out
    cells = {c["model"]: r for c, r in calls["cell"]}
    assert set(cells) == {"linear", "failing"}
    assert cells["linear"]["status"] == "ok" and cells["linear"]["scores"]["toy_mae"] < 1e-6
    assert cells["failing"]["status"] == "failed" and "toy model failure" in cells["failing"]["error"]
    assert {"cell_id", "data_seed", "model_seed", "system", "seed"} <= set(calls["cell"][0][0])


def test_seeds_come_from_the_cell_key(toys) -> None:
    bench = chaoskit.Benchmark(**grid())
    cells = {(c.system.label, c.model.label, c.seed): c for c in bench.cells}
    a, b = cells[("spiral", "linear", 0)], cells[("spiral", "drift", 0)]
    assert a.data_seed == b.data_seed and a.model_seed != b.model_seed
    assert cells[("spiral", "linear", 1)].data_seed != a.data_seed
    again = {(c.system.label, c.model.label, c.seed): c for c in chaoskit.Benchmark(**grid(models=["linear"])).cells}
    assert again[("spiral", "linear", 0)].model_seed == a.model_seed
    assert again[("spiral", "linear", 0)].cell_id == a.cell_id


def test_a_store_cannot_be_a_foreign_directory(toys, tmp_path: Path) -> None:
    (tmp_path / "x.txt").write_text("mine")
    with pytest.raises(chaoskit.ChaoskitError, match="not a chaoskit benchmark store"):
        chaoskit.Benchmark(**grid(systems=["spiral"], models=["linear"], seeds=[0]), store=tmp_path).run()


def test_python_mappings_and_netcdf_round_trip(toys, tmp_path: Path) -> None:
    bench = chaoskit.Benchmark(systems={"spiral": {"w": 2.0}}, models={"linear": {}, "drift": {"scale": 0.5}},
                               metrics=["toy_mae"], seeds=1, data=TINY_DATA, store=tmp_path / "s", progress=False)
    out = bench.run()
    assert json.loads(str(out["model_hyperparameters"].sel(model="drift").values)) == {"scale": 0.5}
    with xr.open_dataset(tmp_path / "s" / "result.nc") as back:
        xr.testing.assert_allclose(back["toy_mae"], out["toy_mae"])
        assert chaoskit.decode_attrs(back.attrs)["config"]["systems"][0]["params"] == {"w": 2.0}
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert "Benchmark" in repr(bench)


def test_store_lock_and_optional_zarr(toys, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from chaoskit.bench import Store
    from chaoskit.bench.store import write_zarr

    bench = chaoskit.Benchmark(**grid(systems=["spiral"], models=["linear"], seeds=[0]), store=tmp_path / "s")
    out = bench.run()
    if __import__("importlib").util.find_spec("zarr") is not None:
        with xr.open_zarr(tmp_path / "s" / "result.zarr") as back:
            np.testing.assert_array_equal(back["toy_mae"].values, out["toy_mae"].values)
    with Store(tmp_path / "s", bench.config):
        with pytest.raises(chaoskit.ChaoskitError, match="in use by another chaoskit bench run"):
            Store(tmp_path / "s", bench.config).open()
    monkeypatch.setitem(__import__("sys").modules, "zarr", None)  # as if zarr were not installed
    assert write_zarr(out, tmp_path / "other.zarr") is None
    assert not (tmp_path / "other.zarr").exists()
