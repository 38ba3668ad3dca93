"""Package metadata (data/*.json): loading, validation, agreement with the classes."""

from __future__ import annotations

import attrs
import numpy as np
import pytest

import chaoskit
from chaoskit_systems import metadata as md

def load_class(target: str) -> type:
    import importlib

    module, _, name = target.partition(":")
    return getattr(importlib.import_module(module), name)


def test_lorenz_metadata() -> None:
    meta = md.load_metadata("Lorenz")
    assert isinstance(meta, chaoskit.SystemMetadata)
    assert meta.name == "Lorenz" and "Lorenz" in meta.citation and "1963" in meta.citation
    assert meta.initial_state == (-9.7869288, -15.03852, 20.533978)
    assert meta.dt == pytest.approx(0.0003002100350058257) and meta.period == pytest.approx(1.5008)
    spectrum = meta.references["lyapunov_spectrum"]
    assert spectrum.value == (0.906, 0.0, -14.572) and spectrum.source == "lit: Sprott"
    assert meta.references["kaplan_yorke_dimension"].value == pytest.approx(2.062)
    d2 = meta.references["correlation_dimension"]
    assert (d2.value, d2.uncertainty) == (2.05, 0.01) and "Grassberger" in d2.source
    assert meta.references["lyapunov_sum"].value == pytest.approx(-(10 + 1 + 8 / 3))
    assert sum(spectrum.value) == pytest.approx(meta.references["lyapunov_sum"].value, abs=2e-3)
    assert meta.max_lyapunov == 0.906 and meta.lyapunov_time == pytest.approx(1.1038, abs=1e-4)
    assert md.load_metadata("Lorenz") is meta  # cached


@pytest.mark.parametrize("name", md.names())
def test_every_entry_agrees_with_its_class(name: str) -> None:
    raw = md.entry(name)
    cls = load_class(raw["target"])
    system = cls()
    assert cls.metadata is md.load_metadata(name)
    assert raw["kind"] == system.kind
    assert len(raw["initial_state"]) == system.dimension
    defaults = {f.name: f.default for f in attrs.fields(cls)}
    assert set(raw["parameters"]) <= set(defaults), "JSON parameters the class does not have"
    for key, value in raw["parameters"].items():
        np.testing.assert_allclose(np.asarray(defaults[key], float), np.asarray(value, float), rtol=1e-15,
                                   err_msg=f"{name}.{key}: JSON default differs from the class default")


def test_unknown_name_suggests_close_ones() -> None:
    expected = r"no system 'Lorentz'; did you mean \['Lorenz'"
    with pytest.raises(chaoskit.UnknownNameError, match=expected):
        md.load_metadata("Lorentz")


def test_malformed_entries_name_the_field() -> None:
    good = dict(md.entry("Lorenz"))
    md._validate("X", good)
    with pytest.raises(chaoskit.ConfigError, match=r"system 'X' lacks fields \['dt'\]"):
        md._validate("X", {k: v for k, v in good.items() if k != "dt"})
    with pytest.raises(chaoskit.ConfigError, match=r"unknown fields \['colour'\]"):
        md._validate("X", {**good, "colour": "red"})
    with pytest.raises(chaoskit.ConfigError, match=r"field 'kind' must be one of"):
        md._validate("X", {**good, "kind": "ode"})
    with pytest.raises(chaoskit.ConfigError, match=r"field 'initial_state' must be a non-empty"):
        md._validate("X", {**good, "initial_state": []})
    with pytest.raises(chaoskit.ConfigError, match=r"field 'references'"):
        md._validate("X", {**good, "references": {"lyapunov_spectrum": {"valu": 1.0}}})
