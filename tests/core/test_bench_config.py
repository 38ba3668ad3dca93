"""Benchmark configs: TOML parsed into attrs classes, and errors that name file, line, field and
the allowed values. Pure core: no registry lookups here (see tests/integration for those)."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
from chaoskit import ConfigError
from chaoskit.bench import BenchmarkConfig, default_config, load_config, parse_config
from chaoskit.bench.config import DATA_FIELDS

MINIMAL = """\
[benchmark]
systems = ["lorenz", "rossler"]
models = ["persistence", "esn"]
metrics = ["rmse", "vpt"]
seeds = [0, 1, 2]
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "bench.toml"
    path.write_text(textwrap.dedent(text))
    return path


def error(tmp_path: Path, text: str) -> str:
    path = write(tmp_path, text)
    with pytest.raises(ConfigError) as info:
        load_config(path)
    message = str(info.value)
    assert message.startswith(str(path)), message
    return message


def test_the_five_line_config_of_the_issue(tmp_path: Path) -> None:
    config = load_config(write(tmp_path, MINIMAL))
    assert isinstance(config, BenchmarkConfig)
    assert [s.label for s in config.systems] == ["lorenz", "rossler"]
    assert [(m.label, m.name) for m in config.models] == [("persistence", "persistence"), ("esn", "esn")]
    assert [m.name for m in config.metrics] == ["rmse", "vpt"]
    assert config.seeds == (0, 1, 2)
    assert config.name == "bench" and config.missing == "error"
    assert config.data.dims == ()
    (combo,) = config.data.combinations()
    assert combo == {k: f.default for k, f in DATA_FIELDS.items()}
    assert config.text is not None and config.source == str(tmp_path / "bench.toml")


def test_sections_hyperparameters_sweeps_and_data_dims() -> None:
    config = parse_config(MINIMAL.replace('"esn"]', '"esn", "small"]') + textwrap.dedent("""
        [data]
        train_length = [500, 1000]
        horizon = 5
        noise = 0.01
        pts_per_lyapunov = 30

        [systems.lorenz]
        rho = 28.0

        [models.esn]
        units = 100
        sweep = {ridge = [1e-9, 1e-6], leak_rate = [0.3, 1.0]}

        [models.small]
        model = "esn"
        units = 50

        [metrics.vpt]
        criterion = "smape"

        [run]
        threads = 2
        attractor_steps = 0
    """))
    assert config.data.dims == ("train_length",)
    assert [c["train_length"] for c in config.data.combinations()] == [500, 1000]
    assert config.data.values["horizon"] == (5.0,) and config.data.values["pts_per_lyapunov"] == (30.0,)
    labels = [m.label for m in config.models]
    assert labels == ["persistence", "esn[ridge=1e-09,leak_rate=0.3]", "esn[ridge=1e-09,leak_rate=1]",
                      "esn[ridge=1e-06,leak_rate=0.3]", "esn[ridge=1e-06,leak_rate=1]", "small"]
    assert config.models[1].params == {"units": 100, "ridge": 1e-9, "leak_rate": 0.3}
    assert config.models[-1].name == "esn" and config.models[-1].params == {"units": 50}
    assert config.systems[0].params == {"rho": 28.0}
    assert config.metrics[1].params == {"criterion": "smape"}
    assert config.run.threads == 2 and config.run.attractor_steps == 0
    assert config.fingerprint()["data"]["train_length"] == [500, 1000]


def test_seeds_as_a_count_and_mapping_source() -> None:
    config = load_config({"benchmark": {"systems": "lorenz", "models": ["mean"], "metrics": ["rmse"], "seeds": 3}})
    assert config.seeds == (0, 1, 2) and config.source == "<mapping>"
    assert [s.label for s in config.systems] == ["lorenz"]


def test_the_fingerprint_ignores_names_but_not_settings() -> None:
    a = parse_config(MINIMAL)
    b = parse_config(MINIMAL.replace("[benchmark]", '[benchmark]\nname = "other"\ndescription = "x"'))
    c = parse_config(MINIMAL + "[data]\nhorizon = 3\n")
    assert a.fingerprint() == b.fingerprint()
    assert a.fingerprint() != c.fingerprint()


def test_the_default_config_lists_the_five_systems_of_the_issue() -> None:
    config = default_config()
    assert [s.name for s in config.systems] == ["lorenz", "rossler", "henon", "lorenz96", "mackey_glass"]
    assert {"persistence", "mean", "linear_ar", "context_parroting", "esn", "ngrc", "sindy"} <= {
        m.name for m in config.models}  # the models that fit in seconds
    assert {"rmse", "vpt", "smape", "permutation_entropy"} <= {m.name for m in config.metrics}
    assert config.seeds == (0, 1, 2) and config.missing == "skip"
    assert config.source == "<default benchmark>" and config.name == "default"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (MINIMAL + "[data]\nhorizn = 3\n", ["line 7", "[data] horizn", "unknown field 'horizn'",
                                            "did you mean 'horizon'", "allowed fields: train_length"]),
        (MINIMAL + "[data]\n\nhorizon = \"10\"\n", ["line 8", "[data] horizon", "must be a number",
                                                    "Lyapunov times", "got string '10'"]),
        (MINIMAL + "[data]\ntest_members = 2.5\n", ["line 7", "must be an integer", "got number 2.5"]),
        (MINIMAL + "[data]\ncontext = 0\n", ["line 7", "[data] context", "must be >= 1", "got 0"]),
        (MINIMAL + "[data]\ndt = 0.01\npts_per_period = 50\n", ["line 8", "give one granularity"]),
        (MINIMAL + "[results]\nx = 1\n", ["line 6", "unknown section 'results'", "allowed sections: benchmark"]),
        (MINIMAL.replace("seeds = [0, 1, 2]", "seeds = [0, -1]"), ["line 5", "[benchmark] seeds", "non-negative"]),
        (MINIMAL.replace("seeds = [0, 1, 2]", "seed = 1"), ["line 5", "unknown field 'seed'", "did you mean 'seeds'"]),
        (MINIMAL.replace('metrics = ["rmse", "vpt"]', 'metrics = []'), ["line 4", "[benchmark] metrics", "non-empty list"]),
        (MINIMAL.replace('"esn"]', '"esn", "esn"]'), ["line 3", "'esn' is listed twice"]),
        (MINIMAL + "[models.ens]\nunits = 3\n", ["line 6", "[models.ens]", "does not list", "persistence, esn"]),
        (MINIMAL + "[models.esn]\nseed = 3\n", ["line 7", "[models.esn] seed", "[benchmark] seeds"]),
        (MINIMAL + "[models.esn]\nsweep = {units = 3}\n", ["line 7", "[models.esn] sweep.units", "non-empty list"]),
        (MINIMAL + "[benchmark.extra]\n", ["unknown field 'extra'"]),
        (MINIMAL.replace("[benchmark]", '[benchmark]\nmissing = "ignore"'), ["line 2", "missing", "'error', 'skip'"]),
        (MINIMAL + "[run]\nthreads = 0\n", ["line 7", "[run] threads", ">= 1"]),
        ("[benchmark]\nsystems = [\"lorenz\"]\n", ["missing field 'models'"]),
        ("[data]\nhorizon = 1\n", ["[benchmark]", "the section is missing"]),
        (MINIMAL + "x = = 1\n", ["invalid TOML", "line 6"]),
    ],
)
def test_config_errors_name_the_file_line_field_and_allowed_values(tmp_path: Path, text: str, expected: list[str]) -> None:
    message = error(tmp_path, text)
    for part in expected:
        assert part in message, f"{part!r} not in {message!r}"


def test_a_missing_file_is_a_config_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="no such config file"):
        load_config(tmp_path / "nope.toml")
