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
from chaoskit_systems.tools import invariant_overrides, invariant_report, invariants
from chaoskit_systems.tools.invariant_runs import STATUSES, InvariantSettings, fingerprint
from chaoskit_systems.tools.invariant_status import judge

pytestmark = pytest.mark.filterwarnings("ignore:`torch.jit.script` is deprecated:DeprecationWarning")

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
    overrides = database.get("overrides", {})
    for name, entry in database["systems"].items():
        assert entry["status"] in STATUSES, name
        assert entry.get("overrides") == overrides.get(name), name  # each entry records its row
        if entry["status"] == "failed":
            assert entry["notes"], name  # a failure says why
            continue
        if entry["status"] not in ("converged", "not_converged", "diverged"):  # a structural verdict
            assert entry["overrides"]["status"] == entry["status"] and entry["overrides"]["why"], name
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
    assert entry["status"] in set(STATUSES) - {"failed"}
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


# --------------------------------------------------------------------------- per-system overrides
def test_override_rows_are_merged_typed_and_validated() -> None:
    base = InvariantSettings()
    merged = invariant_overrides.settings_for(base, {"periods": 120, "members": 16, "why": "x"})
    assert merged.periods == 120.0 and isinstance(merged.periods, float) and merged.members == 16
    assert merged.map_members == base.map_members  # the rest stays global
    assert invariant_overrides.settings_for(base, None) is base
    invariant_overrides.validate({"lorenz": {"periods": 60.0, "status": "zero_exponent", "why": "evidence"}})
    for bad, match in [({"periods": 60.0}, "why"), ({"nonsense": 1, "why": "x"}, "unknown key"),
                       ({"status": "flaky", "why": "x"}, "not one of")]:
        with pytest.raises(chaoskit.ConfigError, match=match):
            invariant_overrides.validate({"lorenz": bad})
    with pytest.raises(chaoskit.ConfigError, match="periods"):
        invariant_overrides.settings_for(base, {"periods": -1.0})


def test_an_override_changes_the_fingerprint_and_check_sees_it(
    database: dict[str, Any], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    names = ["lorenz", "henon"]
    path = tmp_path / "invariants.json"
    data = _subset(database, names)
    data["overrides"] = {}
    invariants.write(path, data)
    assert invariants.main(["--check", "--systems", *names, "--data", str(path)]) == 0
    data["overrides"] = {"lorenz": {"periods": 60.0, "why": "test"}}
    invariants.write(path, data)
    capsys.readouterr()
    assert invariants.main(["--check", "--systems", *names, "--data", str(path)]) == 1
    assert "lorenz: stale" in capsys.readouterr().out
    # an entry computed under the override is up to date again
    lorenz = chaoskit.systems.create("lorenz")
    data["systems"]["lorenz"]["fingerprint"] = fingerprint(lorenz, InvariantSettings(periods=60.0))
    invariants.write(path, data)
    assert invariants.main(["--check", "--systems", *names, "--data", str(path)]) == 0


def _fake_entry(lam: float, se: float, time_per_member: float = 100.0) -> dict[str, Any]:
    return {"kind": "flow", "dimension": 3, "notes": [], "cpu_seconds": 1.0,
            "lyapunov_spectrum": {"value": [lam, 0.0, -10.0], "uncertainty": [se, se, 0.1],
                                  "members_used": 64, "members_diverged": 0},
            "lyapunov_settings": {"time_per_member": time_per_member, "tangent_transient": 10, "dt": 0.1}}


def test_a_structural_verdict_replaces_the_status_with_its_evidence() -> None:
    entry = _fake_entry(0.3, 0.05)  # SE 17 % of λ1
    judge(entry, InvariantSettings())
    assert entry["status"] == "not_converged"
    entry["overrides"] = {"periods": 120.0, "status": "multistable", "why": "members in two groups"}
    judge(entry, InvariantSettings())
    assert entry["status"] == "multistable"
    assert any(n.startswith("structural: multistable") and "two groups" in n for n in entry["notes"])
    judge(entry, InvariantSettings())  # re-judging does not pile up notes
    assert sum(n.startswith("structural:") for n in entry["notes"]) == 1
    diverged = _fake_entry(0.5, 0.001)
    diverged["lyapunov_spectrum"]["members_diverged"] = 30
    diverged["overrides"] = {"status": "multistable", "why": "x"}
    judge(diverged, InvariantSettings())
    assert diverged["status"] == "diverged"  # a verdict never hides a divergence


def test_converge_grows_the_counted_time_until_converged() -> None:
    calls: list[float] = []

    def compute(name: str, settings: InvariantSettings, row: Any) -> dict[str, Any]:
        # chaos: SE ∝ 1/√T; converged (SE ≤ 5 % of 0.5) from 30 × 0.08² / 0.025² ≈ 307 periods
        calls.append(settings.periods)
        entry = _fake_entry(0.5, 0.08 * (30.0 / settings.periods) ** 0.5, settings.periods)
        judge(entry, settings)
        return entry

    entry, row = invariant_overrides.converge("lorenz", InvariantSettings(), None, budget=1e6,
                                              compute=compute, log=lambda _: None)
    assert entry["status"] == "converged" and calls[0] == 30.0 and len(calls) >= 2
    assert row["periods"] == calls[-1] and row["periods"] >= 307
    assert row["why"].startswith("--converge (converged") and entry["overrides"] == row
    # a stored entry under the same settings is taken as the first run, not recomputed
    calls.clear()
    stored = compute("lorenz", InvariantSettings(), None)
    stored["fingerprint"] = fingerprint(chaoskit.systems.create("lorenz"), InvariantSettings())
    calls.clear()
    invariant_overrides.converge("lorenz", InvariantSettings(), None, budget=1e6, compute=compute,
                                 log=lambda _: None, previous=stored)
    assert calls[0] > 30.0
    # a stored entry that is already settled is returned with its row untouched
    settled = _fake_entry(0.5, 0.001)
    judge(settled, InvariantSettings())
    settled["fingerprint"] = stored["fingerprint"]
    calls.clear()
    entry, row = invariant_overrides.converge("lorenz", InvariantSettings(), None, budget=1e6,
                                              compute=compute, log=lambda _: None, previous=settled)
    assert calls == [] and row == {} and entry["status"] == "converged"
    # the budget stops it, and the row says so; a hand-set verdict and its reason are kept
    calls.clear()
    entry, row = invariant_overrides.converge(
        "lorenz", InvariantSettings(), {"status": "zero_exponent", "why": "by hand"}, budget=3.0,
        compute=compute, log=lambda _: None)
    assert calls == [30.0] and "budget" in row["why"] and row["why"].startswith("by hand")
    assert row["status"] == "zero_exponent" and "periods" not in row
    # an SE that does not fall with the counted time (members on two attractors) stops it early
    calls.clear()

    def stuck(name: str, settings: InvariantSettings, row: Any) -> dict[str, Any]:
        calls.append(settings.periods)
        entry = _fake_entry(0.5, 0.08, settings.periods)
        judge(entry, settings)
        return entry

    entry, row = invariant_overrides.converge("lorenz", InvariantSettings(), None, budget=1e6,
                                              compute=stuck, log=lambda _: None)
    assert len(calls) == 2 and "lambda1_members" in row["why"] and entry["status"] == "not_converged"
