"""The reference-invariants database (``data/invariants.json``) and its tool.

The stored values are checked against published ones (REFERENCES.md §1: Sprott's spectra,
Grassberger & Procaccia's dimensions) and against exact identities (the sum of the Lorenz
spectrum is the constant divergence); the tool's ``--check`` is run on a tiny subset with a
stale and a missing entry, and its computation on one map at a tiny size.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import chaoskit
import numpy as np
import pytest
from chaoskit_systems import metadata
from chaoskit_systems.tools import invariant_report, invariants
from chaoskit_systems.tools.invariant_runs import InvariantSettings, fingerprint

pytestmark = pytest.mark.filterwarnings("ignore:`torch.jit.script` is deprecated:DeprecationWarning")

STATUSES = {"converged", "not_converged", "diverged", "failed"}
# REFERENCES.md §1 (Sprott's tables; Grassberger & Procaccia 1983; Kaplan–Yorke from them)
PUBLISHED = {
    "lorenz": {"spectrum": (0.906, 0.0, -14.572), "ky": 2.062, "d2": (2.05, 0.08)},
    "rossler": {"spectrum": (0.0714, 0.0, -5.3943), "ky": 2.0132},
    "henon": {"spectrum": (0.41922, -1.62319), "ky": 1.2583, "d2": (1.21, 0.05)},
}


@pytest.fixture(scope="module")
def database() -> dict[str, Any]:
    data = metadata.computed_invariants()
    if not data["systems"]:
        pytest.fail("data/invariants.json is missing: python -m chaoskit_systems.tools.invariants --update")
    return dict(data)


def test_the_file_parses_and_covers_every_registered_system(database: dict[str, Any]) -> None:
    names = {e.name for e in chaoskit.systems.list(provider="systems")}
    assert set(database["systems"]) == names
    generated = database["generated"]
    assert generated["command"].startswith("python -m chaoskit_systems.tools.invariants")
    assert {"chaoskit-systems", "chaoskit-metrics", "torch"} <= set(generated["versions"])
    for name, entry in database["systems"].items():
        assert entry["status"] in STATUSES, name
        if entry["status"] == "failed":
            assert entry["notes"], name  # a failure says why
            continue
        spec = entry["lyapunov_spectrum"]
        k = len(spec["value"])
        assert k == (entry["dimension"] if entry["kind"] != "delay" else spec["exponents"]), name
        assert len(spec["uncertainty"]) == k and all(u is None or u >= 0 for u in spec["uncertainty"])
        settings = entry["lyapunov_settings"]
        assert {"dt", "steps", "transient", "tangent_transient", "members", "qr_every", "tangent",
                "window"} <= set(settings), name
        assert entry["version"] and entry["date"] and entry["fingerprint"]
        assert "correlation_dimension" in entry


def test_stored_spectra_match_the_published_ones(database: dict[str, Any]) -> None:
    for name, ref in PUBLISHED.items():
        entry = database["systems"][name]
        value = np.array(entry["lyapunov_spectrum"]["value"])
        se = np.array(entry["lyapunov_spectrum"]["uncertainty"])
        published = np.array(ref["spectrum"])
        # within 4 standard errors, and λ1 within 5 % (the database aims at a few % at most)
        assert np.all(np.abs(value - published) <= 4 * se + 1e-3 * np.abs(published).max()), name
        assert value[0] == pytest.approx(published[0], rel=0.05), name
        assert entry["kaplan_yorke_dimension"]["value"] == pytest.approx(ref["ky"], abs=0.02), name
        if "d2" in ref:
            center, tol = ref["d2"]
            assert entry["correlation_dimension"]["value"] == pytest.approx(center, abs=tol), name


def test_lorenz_sum_is_the_constant_divergence(database: dict[str, Any]) -> None:
    entry = database["systems"]["lorenz"]
    divergence = -(10.0 + 1.0 + 8.0 / 3.0)
    assert sum(entry["lyapunov_spectrum"]["value"]) == pytest.approx(divergence, rel=1e-2)
    assert entry["mean_divergence"]["value"] == pytest.approx(divergence, rel=1e-5)  # 6 digits stored
    assert entry["mean_divergence"]["std"] == pytest.approx(0.0, abs=1e-9)


def test_henon_sum_is_log_b(database: dict[str, Any]) -> None:
    # |det J| = b at every step, so the sum is exact up to the rounding of the file
    assert sum(database["systems"]["henon"]["lyapunov_spectrum"]["value"]) == pytest.approx(np.log(0.3), rel=1e-5)


# --------------------------------------------------------------------------- the tool
def _subset(database: dict[str, Any], names: list[str]) -> dict[str, Any]:
    return {**database, "systems": {n: json.loads(json.dumps(database["systems"][n])) for n in names}}


def test_check_detects_missing_and_stale_entries(
    database: dict[str, Any], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    names = ["lorenz", "henon", "rossler"]
    path = tmp_path / "invariants.json"
    invariants.write(path, _subset(database, names))
    assert invariants.main(["--check", "--systems", *names, "--data", str(path)]) == 0
    data = _subset(database, ["lorenz", "henon"])  # rossler missing
    data["systems"]["henon"]["fingerprint"] = "0" * 16  # henon stale
    invariants.write(path, data)
    capsys.readouterr()
    assert invariants.main(["--check", "--systems", *names, "--data", str(path)]) == 1
    out = capsys.readouterr().out
    assert "rossler: missing" in out and "henon: stale" in out and "lorenz:" not in out


def test_fingerprint_follows_parameters_and_settings() -> None:
    settings = InvariantSettings()
    lorenz = chaoskit.systems.create("lorenz")
    base = fingerprint(lorenz, settings)
    assert fingerprint(chaoskit.systems.create("lorenz"), settings) == base
    assert fingerprint(chaoskit.systems.create("lorenz", rho=30.0), settings) != base
    assert fingerprint(lorenz, InvariantSettings(periods=60.0)) != base
    assert fingerprint(lorenz, InvariantSettings(max_relative_se=0.05)) == base  # judging only


def test_tool_computes_and_writes_an_entry(tmp_path: Path) -> None:
    path = tmp_path / "invariants.json"
    tiny = ["map_members=16", "map_iterations=300", "map_transient=50", "map_tangent_transient=10",
            "d2_points=600", "d2_members=4"]
    assert invariants.main(["--systems", "henon", "--update", "--data", str(path), "--set", *tiny]) == 0
    entry = invariants.read(path)["systems"]["henon"]
    assert entry["status"] in STATUSES - {"failed"}
    assert entry["lyapunov_settings"]["members"] == 16 and entry["lyapunov_settings"]["steps"] == 300
    assert entry["lyapunov_spectrum"]["value"][0] == pytest.approx(0.419, abs=0.03)
    assert entry["correlation_dimension"]["points"] == 600
    # up to date under the settings it was computed with, stale under the defaults
    assert invariants.main(["--check", "--systems", "henon", "--data", str(path), "--set", *tiny]) == 0
    assert invariants.main(["--check", "--systems", "henon", "--data", str(path)]) == 1


def test_settings_overrides_are_typed_and_checked() -> None:
    assert InvariantSettings.from_overrides(["members=8", "periods=2.5"]).members == 8
    with pytest.raises(chaoskit.ParameterError, match="key one of"):
        InvariantSettings.from_overrides(["nonsense=1"])
    with pytest.raises(chaoskit.ParameterError, match="expected a int"):
        InvariantSettings.from_overrides(["members=many"])


# --------------------------------------------------------------------------- the report
def test_dysts_comparison_rule() -> None:
    def entry(lam: float, se: float) -> dict[str, Any]:
        return {"kind": "flow", "dimension": 3, "status": "converged", "character": "chaotic",
                "lyapunov_spectrum": {"value": [lam, 0.0, -10.0], "uncertainty": [se, 0.0, 0.1]}}

    data = {"systems": {"lorenz": entry(1.0, 0.01), "rossler": entry(1.0, 0.05)}}
    dysts = {"Lorenz": {"maximum_lyapunov_estimated": 1.15},  # > max(0.03, 0.1): differs
             "Rossler": {"maximum_lyapunov_estimated": 1.12}}  # < max(0.15, 0.1): agrees
    rows = {r["name"]: r for r in invariant_report.compare_dysts(data, dysts)}
    assert not rows["lorenz"]["agree"] and rows["lorenz"]["reason"]
    assert rows["rossler"]["agree"] and rows["rossler"]["reason"] == ""


def test_docs_report_is_up_to_date(database: dict[str, Any]) -> None:
    dysts, _ = invariant_report.dysts_estimates()
    if not dysts:
        pytest.skip("dysts' metadata is not available (pip install dysts==0.96 or set CHAOSKIT_DYSTS_DATA)")
    doc = Path(__file__).resolve().parents[2] / "docs" / "systems.md"
    text = doc.read_text(encoding="utf-8")
    expected = invariant_report.splice(text, invariant_report.report(database))
    # regenerate with: python -m chaoskit_systems.tools.invariants --report docs/systems.md
    assert text == expected
