"""The executors give the same numbers as a serial run; a worker that dies fails only its cell."""

from __future__ import annotations

import concurrent.futures as cf
from pathlib import Path
from typing import Any

import chaoskit
import numpy as np
import pytest
import xarray as xr
from _bench_helpers import TINY_DATA, numbers, toy_plugins
from chaoskit import ParameterError

MODELS = ["linear", "drift", "failing", "diverging"]


def grid(models: list[str] = MODELS) -> dict[str, Any]:
    return dict(systems=["spiral", "spiral_nolt"], models=models, metrics=["toy_mae", "vpt"], seeds=[0, 1],
                data=TINY_DATA, progress=False)


@pytest.fixture(scope="module")
def serial() -> xr.Dataset:
    with toy_plugins():
        return chaoskit.Benchmark(**grid()).run()


def assert_same_numbers(a: xr.Dataset, b: xr.Dataset) -> None:
    b = b.sel(model=list(a["model"].values))
    assert (a["status"].values == b["status"].values).all()
    got = numbers(b)
    for name, values in numbers(a).items():
        np.testing.assert_array_equal(values, got[name], err_msg=name)


def test_two_processes_match_serial_and_a_dying_worker_fails_only_its_cell(serial: xr.Dataset, tmp_path: Path) -> None:
    with toy_plugins():
        bench = chaoskit.Benchmark(**grid([*MODELS, "suicide"]), workers=2, store=tmp_path / "s")
        out = bench.run()
    assert_same_numbers(serial, out)
    status = out["status"].sel(model="suicide")
    assert set(status.sel(system="spiral").values) == {"failed"}
    error = str(out["error"].sel(model="suicide", system="spiral", seed=0).values)
    assert "worker process running this cell died" in error
    assert "2 local processes" in chaoskit.decode_attrs(out.attrs)["machine"]["executor"]
    assert len(bench.executed) == 20


def test_any_concurrent_futures_executor_is_accepted(serial: xr.Dataset) -> None:
    with toy_plugins(), cf.ThreadPoolExecutor(max_workers=2) as pool:
        out = chaoskit.Benchmark(**grid(), executor=pool).run()
    assert_same_numbers(serial, out)


def test_dask_local_cluster_matches_serial(serial: xr.Dataset) -> None:
    distributed = pytest.importorskip("distributed", reason="Dask's distributed is not installed (pip install chaoskit[dask])")
    with toy_plugins(), distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                                 dashboard_address=None) as cluster:
        by_address = chaoskit.Benchmark(**grid(), dask=cluster.scheduler_address).run()  # as --dask does
        with distributed.Client(cluster) as client:
            by_client = chaoskit.Benchmark(**grid(models=["linear"]), executor=client).run()
            assert client.status == "running"  # a client passed in is left open
    assert_same_numbers(serial, by_address)
    assert_same_numbers(serial.sel(model=["linear"]), by_client)
    assert "Dask cluster" in chaoskit.decode_attrs(by_address.attrs)["machine"]["executor"]


def test_executor_arguments_are_checked() -> None:
    with toy_plugins():
        with pytest.raises(ParameterError, match="not workers and dask"):
            chaoskit.Benchmark(**grid(), workers=2, dask="tcp://x:1").run()
        with pytest.raises(ParameterError, match="submit"):
            chaoskit.Benchmark(**grid(), executor=object()).run()
