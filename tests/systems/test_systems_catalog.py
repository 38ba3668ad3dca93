"""The catalog generator (``python -m chaoskit_systems.tools.catalog``) and docs/systems.md."""

from __future__ import annotations

from pathlib import Path

import chaoskit
import pytest
from chaoskit_systems.tools import catalog

DOC = Path(__file__).resolve().parents[2] / "docs" / "systems.md"


def test_docs_catalog_is_up_to_date() -> None:
    # fails when a system is added or its metadata changes without regenerating the page:
    # python -m chaoskit_systems.tools.catalog --update docs/systems.md
    assert catalog.main(["--check", str(DOC)]) == 0


def test_rows_cover_the_registry() -> None:
    rows = {row["name"]: row for row in catalog.catalog_rows()}
    assert set(rows) == {e.name for e in chaoskit.systems.list(provider="systems")}
    lorenz = rows["lorenz"]
    assert lorenz["dim"] == 3 and lorenz["kind"] == "flow" and "Lorenz" in lorenz["aliases"]
    assert lorenz["λ1"] == "0.906" and lorenz["Lyapunov time"] == "1.104"
    assert lorenz["reference"] == "Lorenz 1963"
    assert "unbounded phase" in rows["forced_van_der_pol"]["flags"]


@pytest.mark.parametrize("citation, short", [
    ("Lorenz, Edward N (1963). Deterministic nonperiodic flow.", "Lorenz 1963"),
    ("V. I. Arnold (1966). Sur la topologie …", "Arnold 1966"),
    ("Meleshko & Aref. A blinking rotlet model. Physics of Fluids 1996. See also X PRE 2019",
     "Meleshko & Aref 1996"),
    ("Sprott Physics Letters A 2014", "Sprott 2014"),
    ("Ivan Emrich", "Ivan Emrich"),
])
def test_short_citations(citation: str, short: str) -> None:
    assert catalog._short_citation(citation) == short


def test_splice_needs_the_markers() -> None:
    assert catalog.splice(f"a\n{catalog.START}\nold\n{catalog.END}\nb", "new\n") == (
        f"a\n{catalog.START}\nnew\n{catalog.END}\nb"
    )
    with pytest.raises(ValueError, match="no <!-- catalog:start -->"):
        catalog.splice("no markers", "table")
