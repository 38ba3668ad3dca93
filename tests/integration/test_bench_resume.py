"""Resume after SIGKILL: `chaoskit bench` killed at random moments and started again with the same
command ends with the results of an uninterrupted run, and no finished cell ran again."""

from __future__ import annotations

import collections
import random
import subprocess
import sys
import time
from pathlib import Path

import chaoskit as ck
import numpy as np
from _bench_helpers import chaoskit, numbers, toy_env, toy_plugins
from chaoskit.bench import Store, load_result

CONFIG = """\
[benchmark]
name = "resume"
systems = ["spiral", "spiral_nolt"]
models = ["a", "b"]
metrics = ["toy_mae", "rmse"]
seeds = [0, 1, 2]

[data]
train_length = 200
context = 20
horizon = 2.0
test_members = 3
transient = 1.0

[models.a]
model = "drift"
marker_dir = "{markers}"
sleep = 0.1

[models.b]
model = "drift"
scale = 0.5
marker_dir = "{markers}"
sleep = 0.1
"""
CELLS = 12


def markers(folder: Path) -> collections.Counter[int]:
    """Fits per model seed (each fit of a Drift model writes one file named after its seed)."""
    return collections.Counter(int(p.name.split("-")[0]) for p in folder.glob("*-*"))


def finished(store: Path) -> dict[str, tuple[int, int]]:
    """Cell file name -> (model seed, mtime) of the cells in the store."""
    out = {}
    for path in (store / "cells").glob("*.npz"):
        if path.name.startswith(".tmp-"):  # a write the kill interrupted: never a cell file
            continue
        meta = Store.read_cell(path)["meta"]
        out[path.name] = (meta["seeds"]["model"], path.stat().st_mtime_ns)
    return out


def test_killed_runs_resume_without_recomputing_finished_cells(tmp_path: Path) -> None:
    env = toy_env(tmp_path / "site")
    marks = tmp_path / "markers"
    config = tmp_path / "resume.toml"
    config.write_text(CONFIG.format(markers=marks))
    store = tmp_path / "store"
    command = [sys.executable, "-m", "chaoskit.cli", "bench", str(config), "--store", str(store), "--no-progress"]
    rng = random.Random()
    # kill points: after a random number of fits (so that kills land mid-run on any machine
    # speed), plus a random delay that may fall into a fit, a store write or the start-up
    targets = sorted(rng.sample(range(1, CELLS), 2))
    kills = []
    snapshots = []
    for target in targets:
        proc = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 120
        while sum(markers(marks).values()) < target and proc.poll() is None and time.monotonic() < deadline:
            time.sleep(0.01)
        delay = rng.uniform(0.0, 0.3)
        time.sleep(delay)
        proc.kill()  # SIGKILL
        proc.wait()
        kills.append((target, round(delay, 3)))
        if store.exists():
            snapshots.append((finished(store), markers(marks)))
    delays = kills
    done = chaoskit(env, "bench", str(config), "--store", str(store), "--no-progress")
    assert done.returncode == 0, done.stderr
    final, counts = finished(store), markers(marks)
    assert len(final) == CELLS, f"delays {delays}"
    assert not list((store / "cells").glob(".tmp-*")), "a temporary file of a killed write was left"
    for cells, counted in snapshots:
        for name, (seed, mtime) in cells.items():
            assert final[name][1] == mtime, f"{name} was written again (delays {delays})"
            assert counts[seed] == counted[seed], f"a finished cell ran again (delays {delays})"
    assert all(counts[seed] >= 1 for seed, _ in final.values())
    # in a serial run at most the one cell in flight is lost to each kill
    assert any(cells for cells, _ in snapshots), f"no kill landed after a finished cell (kills {kills})"
    assert sum(counts.values()) - CELLS <= len(delays), f"{counts} (delays {delays})"
    # the same numbers as an uninterrupted run
    config.write_text(CONFIG.format(markers=tmp_path / "other-markers"))
    with toy_plugins():
        reference = ck.Benchmark(config, progress=False).run()
    resumed = load_result(store)
    assert (resumed["status"].values == reference["status"].values).all()
    expected = numbers(reference)
    for name, values in numbers(resumed).items():
        np.testing.assert_array_equal(values, expected[name], err_msg=name)
