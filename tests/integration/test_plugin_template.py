"""The plugin template of docs/ works as docs/writing-plugins.md says: it is discovered like an
installed plugin, `chaoskit plugins` and `chaoskit validate` accept it, and its own conformance
tests pass."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from chaoskit.testing import write_dist_info

TEMPLATE = Path(__file__).resolve().parents[2] / "docs" / "plugin-template"


@pytest.fixture(scope="module")
def env(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    site = tmp_path_factory.mktemp("site")
    write_dist_info(TEMPLATE, site)
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(site), str(TEMPLATE), env.get("PYTHONPATH", "")])
    return env


def run(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, *args], env=env, capture_output=True, text=True, timeout=300)


def test_template_shows_up_in_chaoskit_plugins(env: dict[str, str]) -> None:
    out = run(env, "-m", "chaoskit.cli", "plugins", "--json")
    assert out.returncode == 0, out.stderr
    records = {r["name"]: r for r in json.loads(out.stdout)}
    assert records["example"]["status"] == "loaded"
    assert records["example"]["distribution"] == "chaoskit-example"
    assert records["example"]["counts"] == {"systems": 1, "models": 1, "metrics": 1, "trainers": 0}


def test_template_passes_chaoskit_validate(env: dict[str, str]) -> None:
    out = run(env, "-m", "chaoskit.cli", "validate", "chaoskit-example")
    assert out.returncode == 0, out.stdout + out.stderr
    assert "example/damped_oscillator" in out.stdout and "all checks passed" in out.stdout


def test_template_conformance_suite_passes(env: dict[str, str]) -> None:
    out = run(env, "-m", "pytest", str(TEMPLATE / "tests"), "-q", "-p", "no:cacheprovider",
              "--rootdir", str(TEMPLATE))
    assert out.returncode == 0, out.stdout[-4000:] + out.stderr[-2000:]
    assert " passed" in out.stdout and " failed" not in out.stdout
