"""The runnable examples of examples/ run to the end and write what they say they write.

Each runs in a subprocess with the temporary directory as its working directory (the examples
write to ``results/`` relative to it), the Agg backend and one thread. The DSR example trains
for a few steps only (``--steps``): the test checks that the recipe runs, not its quality, which
docs/models/dsr.md reports.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"

#: example → (extra arguments, the file it writes or None, a phrase its output prints)
CASES = {
    "quickstart.py": ([], "results/quickstart_forecast.png", "vpt"),
    "bifurcation_sweep.py": ([], "results/bifurcation_sweep.png", "Rössler flow"),
    "havok_lorenz.py": ([], "results/havok_lorenz.png", "lobe switches"),
    "resdmd_spectrum.py": (["--centers", "40"], "results/resdmd_spectrum.png", "EDMD eigenvalues"),
    "sindy_lorenz.py": ([], None, "x'"),
    "dsr_lorenz_gtf.py": (["--steps", "30"], "results/dsr_lorenz_gtf.png", "dstsp"),
}


def test_every_example_is_covered() -> None:
    assert sorted(p.name for p in EXAMPLES.glob("*.py")) == sorted(CASES)


@pytest.mark.parametrize("name", sorted(CASES))
def test_example_runs(name: str, tmp_path: Path) -> None:
    args, writes, mentions = CASES[name]
    env = {**os.environ, "MPLBACKEND": "Agg", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}
    done = subprocess.run(
        [sys.executable, str(EXAMPLES / name), *args], cwd=tmp_path, env=env,
        capture_output=True, text=True, timeout=600, check=False,
    )
    assert done.returncode == 0, f"{name} failed:\n{done.stdout[-2000:]}\n{done.stderr[-4000:]}"
    if writes is not None:
        out = tmp_path / writes
        assert out.is_file() and out.stat().st_size > 1000, f"{name} did not write {writes}"
    assert mentions in done.stdout, f"{name} did not print {mentions!r}:\n{done.stdout[-2000:]}"
