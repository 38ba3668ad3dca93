"""Several GPUs shared out among local workers, one cell per device (simulated: no GPU needed)."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from _bench_helpers import TINY_DATA, toy_plugins
from chaoskit import ParameterError
from chaoskit.bench import Benchmark, cell
from chaoskit.bench.executors import claim_gpu, make_executor
from chaoskit.bench.store import Store


def test_claims_are_exclusive_and_run_out(tmp_path: Path) -> None:
    assert [claim_gpu(str(tmp_path), 3) for _ in range(4)] == [0, 1, 2, None]


def _device_of_worker(pause: float) -> str | None:
    time.sleep(pause)  # both workers busy at once, so each task lands on its own worker
    return cell.WORKER_DEVICE


def test_each_worker_claims_its_own_gpu() -> None:
    handle = make_executor(workers=2, gpus=2)
    try:
        futures = [handle.submit(_device_of_worker, 1.0) for _ in range(2)]
        devices = sorted(f.result(timeout=120) for f in futures)
        assert devices == ["cuda:0", "cuda:1"]
        assert "one of 2 GPUs each" in handle.description
    finally:
        handle.shutdown()


def test_more_workers_than_gpus_is_refused() -> None:
    with pytest.raises(ParameterError, match="3 workers for 2 GPUs.*--workers 2"):
        make_executor(workers=3, gpus=2)


def test_a_cuda_model_runs_on_the_workers_device(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(cell, "WORKER_DEVICE", "cuda:1")
    config = {"benchmark": {"systems": ["spiral"], "models": ["linear"], "metrics": ["toy_mae"], "seeds": [0]},
              "data": dict(TINY_DATA), "run": {"device": "cuda"}}
    with toy_plugins():
        Benchmark(config, store=tmp_path / "store", progress=False).run()
    (path,) = (tmp_path / "store" / "cells").glob("*.npz")
    assert Store.read_cell(path)["meta"]["device"] == "cuda:1"


def test_no_gpu_sharing_without_workers_or_without_cuda(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("chaoskit.bench.runner.cuda_device_count", lambda: 4)
    config = {"benchmark": {"systems": ["spiral"], "models": ["linear"], "metrics": ["toy_mae"], "seeds": [0]},
              "data": dict(TINY_DATA), "run": {"device": "cuda"}}
    with toy_plugins():
        assert Benchmark(config, progress=False)._gpus() == 0  # serial: everything on cuda
        assert Benchmark(config, workers=2, progress=False)._gpus() == 4
        config["run"]["device"] = "cuda:0"
        assert Benchmark(config, workers=2, progress=False)._gpus() == 0  # one named device
