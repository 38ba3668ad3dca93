"""A Lyapunov time for every chaotic system: published λ1 first, chaoskit's computed one otherwise.

Systems without a published largest exponent (most of dysts' catalogue: Lorenz-96 at N = 4,
Mackey–Glass, Aizawa …) take ``1/λ1`` from ``data/invariants.json`` when that entry is converged
and chaotic, at the default parameters only; trajectories name the source in
``lyapunov_time_source``. The rule itself is checked on synthetic entries (the stored database
changes as systems are recomputed); the stored entries are read, never hard-coded.
"""

from __future__ import annotations

from typing import Any

import chaoskit
import pytest
from chaoskit_systems import metadata as md
from chaoskit_systems.metadata import COMPUTED_SOURCE, computed_invariants, load_metadata


def _published(meta: chaoskit.SystemMetadata) -> bool:
    return any(meta.references[k].source != COMPUTED_SOURCE
               for k in ("max_lyapunov", "lyapunov_spectrum") if k in meta.references)


def test_lorenz_keeps_its_published_value() -> None:
    lorenz = chaoskit.systems.create("lorenz")
    ds = lorenz.trajectory(20)
    assert ds.attrs["lyapunov_time"] == pytest.approx(1 / 0.906)
    assert ds.attrs["lyapunov_time_source"] == lorenz.metadata.references["lyapunov_spectrum"].source
    assert ds.attrs["lyapunov_time_source"].startswith("lit:")
    assert "max_lyapunov" not in lorenz.metadata.references  # nothing computed added


def test_lorenz96_takes_the_computed_value_at_defaults_only() -> None:
    entry = computed_invariants()["systems"].get("lorenz96")
    if not entry or entry["status"] != "converged" or entry["character"] not in ("chaotic", "hyperchaotic"):
        pytest.skip("no converged chaotic Lorenz-96 entry in data/invariants.json")
    lam = entry["lyapunov_spectrum"]["value"][0]
    system = chaoskit.systems.create("lorenz96")
    ds = system.trajectory(20)
    assert ds.attrs["max_lyapunov"] == pytest.approx(lam)
    assert ds.attrs["lyapunov_time"] == pytest.approx(1 / lam)
    assert ds.attrs["lyapunov_time_source"] == COMPUTED_SOURCE
    assert ds.chaos.lyapunov_time == pytest.approx(1 / lam)
    ref = system.metadata.references["max_lyapunov"]
    assert ref.uncertainty == pytest.approx(entry["lyapunov_spectrum"]["uncertainty"][0])
    # another dimension is another system: no Lyapunov time (the existing rule)
    other = chaoskit.systems.create("lorenz96", n=6).trajectory(20)
    assert "lyapunov_time" not in other.attrs and "lyapunov_time_source" not in other.attrs


def test_every_stored_entry_follows_the_rule() -> None:
    stored = computed_invariants()["systems"]
    checked = 0
    for key in md.names():
        meta = load_metadata(key)
        entry = stored.get(md.entry(key)["name"])
        if _published(meta) or entry is None:
            continue
        spectrum = entry.get("lyapunov_spectrum") or {"value": [float("nan")]}
        expected = (entry["status"] == "converged" and entry.get("character") in ("chaotic", "hyperchaotic")
                    and spectrum["value"][0] > 0)
        if expected:
            assert meta.lyapunov_time == pytest.approx(1 / spectrum["value"][0]), key
            assert meta.lyapunov_time_source == COMPUTED_SOURCE
        else:
            assert meta.lyapunov_time is None and meta.lyapunov_time_source is None, key
        checked += 1
    if not checked:
        pytest.skip("data/invariants.json holds no entry for a system without a published λ1")


def _raw(references: dict[str, Any] | None = None) -> dict[str, Any]:
    return {"name": "toy", "references": references or {}}


def _computed(status: str = "converged", character: str = "chaotic", lam: float = 0.5) -> dict[str, Any]:
    return {"systems": {"toy": {
        "status": status, "character": character, "date": "2026-01-01",
        "lyapunov_spectrum": {"value": [lam, 0.0, -3.0], "uncertainty": [0.01, 0.001, 0.02]},
        "lyapunov_settings": {"members": 64, "time_per_member": 50.0, "window": "parabolic"},
    }}}


@pytest.mark.parametrize(("computed", "expected"), [
    (_computed(), 2.0),
    (_computed(character="hyperchaotic", lam=0.25), 4.0),
    (_computed(status="not_converged"), None),
    (_computed(character="regular", lam=0.01), None),
    (_computed(lam=-0.1), None),
    ({"systems": {}}, None),
])
def test_the_rule_on_synthetic_entries(monkeypatch: pytest.MonkeyPatch, computed: dict[str, Any],
                                       expected: float | None) -> None:
    monkeypatch.setattr(md, "computed_invariants", lambda: computed)
    meta = chaoskit.SystemMetadata(name="toy", dt=0.1, initial_state=(0.0,),
                                   references=md._with_computed_lyapunov(_raw()))
    if expected is None:
        assert meta.lyapunov_time is None and "max_lyapunov" not in meta.references
    else:
        assert meta.lyapunov_time == pytest.approx(expected)
        assert meta.lyapunov_time_source == COMPUTED_SOURCE
        assert "50.0 time units" in meta.references["max_lyapunov"].method


def test_a_published_value_wins(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(md, "computed_invariants", _computed)
    for key in ("max_lyapunov", "lyapunov_spectrum"):
        value = 0.8 if key == "max_lyapunov" else [0.8, 0.0, -2.0]
        refs = md._with_computed_lyapunov(_raw({key: {"value": value, "source": "lit: somebody"}}))
        meta = chaoskit.SystemMetadata(name="toy", dt=0.1, initial_state=(0.0,), references=refs)
        assert meta.lyapunov_time == pytest.approx(1 / 0.8)
        assert meta.lyapunov_time_source == "lit: somebody"
