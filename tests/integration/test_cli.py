"""The `chaoskit` command, run as a user would: in a subprocess, checking output and exit status."""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pytest
import xarray as xr


def chaoskit(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "chaoskit.cli", *args], capture_output=True, text=True, timeout=300)


def test_plugins_table_lists_the_first_party_plugins() -> None:
    out = chaoskit("plugins")
    assert out.returncode == 0, out.stderr
    for name in ("systems", "models", "metrics"):
        assert any(line.split()[:1] == [name] and "loaded" in line for line in out.stdout.splitlines())


def test_plugins_json_and_requirements() -> None:
    records = json.loads(chaoskit("plugins", "--json").stdout)
    assert {r["name"]: r["status"] for r in records} == {"systems": "loaded", "models": "loaded", "metrics": "loaded"}
    pins = chaoskit("plugins", "--requirements").stdout.split()
    names = {p.split("==")[0] for p in pins}
    assert {"chaoskit", "chaoskit-systems", "chaoskit-models", "chaoskit-metrics", "numpy", "torch"} <= names
    assert all("==" in p for p in pins)


def test_list_and_info() -> None:
    out = chaoskit("list", "systems", "--tag", "chaotic")
    assert out.returncode == 0 and "systems/lorenz" in out.stdout
    out = chaoskit("list", "metrics", "--provider", "metrics")
    assert "metrics/vpt" in out.stdout and "metrics/rmse" in out.stdout
    out = chaoskit("info", "Lorenz")
    assert out.returncode == 0, out.stderr
    assert "systems/lorenz" in out.stdout and "rho = 28.0" in out.stdout and "lyapunov_spectrum" in out.stdout


def test_simulate_writes_netcdf(tmp_path) -> None:
    path = tmp_path / "lorenz.nc"
    out = chaoskit("simulate", "lorenz", "--steps", "200", "--members", "3", "--seed", "1",
                   "--param", "rho=30", "--out", str(path))
    assert out.returncode == 0, out.stderr
    with xr.open_dataset(path) as ds:
        assert dict(ds["state"].sizes) == {"member": 3, "time": 200, "variable": 3}
        assert ds.chaos.attrs["parameters"]["rho"] == 30
        assert ds.chaos.attrs["seed"] == 1


def test_simulate_sweep_with_noise_and_standardization(tmp_path) -> None:
    path = tmp_path / "sweep.nc"
    out = chaoskit("simulate", "lorenz", "--steps", "100", "--sweep", "rho=20,24,28", "--seed", "2",
                   "--noise", "0.1", "--observation-noise", "0.01", "--standardize",
                   "--out", str(path))
    assert out.returncode == 0, out.stderr
    with xr.open_dataset(path) as ds:
        assert dict(ds["state"].sizes) == {"member": 3, "time": 100, "variable": 3}
        assert list(ds["rho"].values) == [20.0, 24.0, 28.0]
        attrs = ds.chaos.attrs
        assert attrs["noise"] == 0.1 and attrs["observation_noise"] == 0.01
        values = ds["state"].values
        np.testing.assert_allclose(values.mean(axis=(0, 1)), 0.0, atol=1e-10)
        np.testing.assert_allclose(values.std(axis=(0, 1)), 1.0, rtol=1e-10)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("simulate", "lorenz", "--steps", "5", "--sweep", "rho=", "--out", "x.nc"), "NAME=V1,V2"),
        (("info", "lorentz"), "did you mean systems/lorenz"),
        (("simulate", "lorenz", "--steps", "0", "--out", "x.nc"), "n must be a positive integer"),
        (("simulate", "lorenz", "--steps", "5", "--param", "rho", "--out", "x.nc"), "NAME=VALUE"),
        (("simulate", "lorenz", "--steps", "5", "--param", "rhoo=3", "--out", "x.nc"), "has no parameter 'rhoo'"),
        (("simulate", "lorenz", "--steps", "5", "--out", "x.csv"), ".nc"),
        (("validate", "no-such-distribution"), "no installed distribution"),
    ],
)
def test_usage_errors_are_one_line_with_status_2(args, message, tmp_path) -> None:
    out = subprocess.run([sys.executable, "-m", "chaoskit.cli", *args], capture_output=True, text=True,
                         timeout=300, cwd=tmp_path)
    assert out.returncode == 2, out.stdout + out.stderr
    assert message in out.stderr
    assert "Traceback" not in out.stderr and len(out.stderr.strip().splitlines()) == 1


def test_validate_first_party_plugins() -> None:
    for dist in ("chaoskit-systems", "chaoskit-models", "chaoskit-metrics"):
        out = chaoskit("validate", dist)
        assert out.returncode == 0, out.stdout + out.stderr
        assert "all checks passed" in out.stdout


def test_a_reader_that_leaves_early_is_no_traceback() -> None:
    """`chaoskit list systems | head`: the pipe closes before the output is written."""
    proc = subprocess.Popen([sys.executable, "-m", "chaoskit.cli", "list", "systems"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert proc.stdout is not None and proc.stderr is not None
    proc.stdout.close()  # no reader left: the first write fails with EPIPE
    err = proc.stderr.read()
    assert proc.wait(timeout=300) == 141, err
    assert "Traceback" not in err and "BrokenPipeError" not in err, err
