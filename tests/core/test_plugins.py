"""Plugin discovery and isolation, through fake entry points (no installation needed)."""

from __future__ import annotations

import importlib.metadata
import sys
import textwrap
import types

import pytest

import chaoskit
import chaoskit.plugins
from chaoskit import PluginError, PluginWarning
from chaoskit.plugins import PluginHost
from chaoskit.testing import FakeDistribution, FakeEntryPoint, isolated_plugins

from ._toys import LinearFlow

KINDS = ("systems", "models", "metrics", "trainers")


# --------------------------------------------------------------------------- helpers
def hooks_module(name, api="1.0", **hooks):
    """A hooks module object: ``CHAOSKIT_PLUGIN_API`` and ``@hookimpl`` functions."""
    module = types.ModuleType(f"{name}_hooks")
    if api is not None:
        module.CHAOSKIT_PLUGIN_API = api
    for hook, func in hooks.items():
        setattr(module, hook, chaoskit.hookimpl(func))
    return module


def plugin(name, api="1.0", dist=None, **hooks):
    dist = FakeDistribution(dist or f"dist-{name}", "1.2.3")
    return FakeEntryPoint(name, value=f"{name}_hooks", obj=hooks_module(name, api, **hooks), dist=dist)


def adder(*names, target="pkg.mod:Thing"):
    def register(registry):
        for n in names:
            registry.add(n, target, summary=f"the {n}")
    return register


def good():
    return plugin(
        "good",
        chaoskit_register_systems=adder("alpha", "beta"),
        chaoskit_register_metrics=adder("gamma"),
    )


def items_of(provider):
    return [e.qualified_name for kind in KINDS for e in getattr(chaoskit, kind).list(provider=provider)]


def assert_isolated_failure(host, warned, name, cause, record_key=None):
    """The failed plugin was warned about, recorded with its reason, and registered nothing;
    the good plugin loaded whole."""
    messages = [str(w.message) for w in warned if issubclass(w.category, PluginWarning)]
    assert any(f"plugin {name!r}" in m and cause in m for m in messages), messages
    record = host.records[record_key or name]
    assert record.status == "failed"
    assert cause in record.error
    if record_key is None:
        assert items_of(name) == []
    assert host.records["good"].status == "loaded"
    assert items_of("good") == ["good/alpha", "good/beta", "good/gamma"]


@pytest.fixture
def broken_import_ep(tmp_path, monkeypatch):
    name = f"ck_broken_hooks_{abs(hash(str(tmp_path))) % 10**8}"
    (tmp_path / f"{name}.py").write_text("raise RuntimeError('kaboom at import')\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    yield FakeEntryPoint("broken", value=name, dist=FakeDistribution("dist-broken"))
    sys.modules.pop(name, None)


# --------------------------------------------------------------------------- loading
def test_a_good_plugin_loads_and_is_recorded(chaoskit_load_plugins):
    host = chaoskit_load_plugins(good())
    record = host.records["good"]
    assert record.status == "loaded"
    assert record.error is None
    assert record.api == "1.0"
    assert record.distribution == "dist-good" and record.version == "1.2.3"
    assert record.value == "good_hooks"
    assert record.counts == {"systems": 2, "models": 0, "metrics": 1, "trainers": 0}
    assert chaoskit.systems.names() == ["good/alpha", "good/beta"]
    assert chaoskit.metrics.info("gamma").summary == "the gamma"
    assert host.provider_names() == ["good"]


def test_hooks_receive_a_staging_registry_of_their_kind(chaoskit_load_plugins):
    seen = {}

    def spy(registry):
        seen["kind"], seen["provider"] = registry.kind, registry.provider
        registry.add("m", "pkg.mod:M")

    chaoskit_load_plugins(plugin("spy", chaoskit_register_models=spy))
    assert seen == {"kind": "models", "provider": "spy"}
    assert chaoskit.models.names() == ["spy/m"]


def test_older_minor_api_loads(chaoskit_load_plugins):
    host = chaoskit_load_plugins(plugin("old", api="1.0", chaoskit_register_systems=adder("a")))
    assert host.records["old"].status == "loaded"


FAILURES = {
    "hook raises after adding an item": (
        lambda: plugin("bad", chaoskit_register_systems=_add_then_raise),
        "its registration hook raised ValueError: hook exploded",
    ),
    "second hook raises": (
        lambda: plugin("bad", chaoskit_register_systems=adder("first"),
                       chaoskit_register_metrics=_add_then_raise),
        "its registration hook raised ValueError: hook exploded",
    ),
    "bad target in add": (
        lambda: plugin("bad", chaoskit_register_systems=adder("ok", target="not a target")),
        "the target must be a 'package.module:Attribute' string, got 'not a target'",
    ),
    "api major mismatch": (
        lambda: plugin("bad", api="2.0", chaoskit_register_systems=adder("a")),
        "it was written for plugin API 2.0, this chaoskit speaks 1.0",
    ),
    "api older major": (
        lambda: plugin("bad", api="0.9", chaoskit_register_systems=adder("a")),
        "it was written for plugin API 0.9",
    ),
    "newer minor api": (
        lambda: plugin("bad", api="1.7", chaoskit_register_systems=adder("a")),
        "it needs plugin API 1.7 but this chaoskit speaks 1.0; upgrade chaoskit",
    ),
    "malformed api": (
        lambda: plugin("bad", api="one", chaoskit_register_systems=adder("a")),
        "CHAOSKIT_PLUGIN_API = 'one' is not a 'MAJOR.MINOR' version",
    ),
    "no api declared": (
        lambda: plugin("bad", api=None, chaoskit_register_systems=adder("a")),
        "declares no CHAOSKIT_PLUGIN_API; add CHAOSKIT_PLUGIN_API = '1.0'",
    ),
    "unknown hook (typo)": (
        lambda: plugin("bad", chaoskit_register_sytems=adder("a"), chaoskit_register_metrics=adder("m")),
        "implements unknown hooks ['chaoskit_register_sytems']",
    ),
    "same name twice": (
        lambda: plugin("bad", chaoskit_register_systems=adder("a", "A")),
        "systems name 'a' is used twice",
    ),
    "alias repeating a name": (
        lambda: plugin("bad", chaoskit_register_systems=_name_and_alias_clash),
        "systems name 'one' is used twice",
    ),
}


def _add_then_raise(registry):
    registry.add("half", "pkg.mod:Half")
    raise ValueError("hook exploded")


def _name_and_alias_clash(registry):
    registry.add("one", "pkg.mod:One")
    registry.add("two", "pkg.mod:Two", aliases=["ONE"])


@pytest.mark.parametrize("case", list(FAILURES))
def test_a_failing_plugin_is_isolated(case, chaoskit_load_plugins):
    make, cause = FAILURES[case]
    with pytest.warns(PluginWarning) as warned:
        host = chaoskit_load_plugins(make(), good())
    assert_isolated_failure(host, warned, "bad", cause)
    assert host.provider_names() == ["good"]


@pytest.mark.parametrize("case", list(FAILURES))
def test_a_failing_plugin_raises_in_strict_mode(case, chaoskit_load_plugins):
    make, cause = FAILURES[case]
    with pytest.raises(PluginError) as err:
        chaoskit_load_plugins(make(), strict=True)
    msg = str(err.value)
    assert "chaoskit plugin 'bad' (dist-bad) was not loaded" in msg
    assert cause in msg
    assert items_of("bad") == []


def test_a_plugin_whose_import_raises(broken_import_ep, chaoskit_load_plugins):
    with pytest.warns(PluginWarning) as warned:
        host = chaoskit_load_plugins(broken_import_ep, good())
    assert_isolated_failure(host, warned, "broken", "failed: RuntimeError: kaboom at import")
    assert "Traceback" in host.records["broken"].error  # the record keeps the traceback
    assert "import of" in host.records["broken"].error


def test_a_plugin_whose_module_is_missing(chaoskit_load_plugins):
    ep = FakeEntryPoint("missing", value="ck_no_such_hooks_module_xyz", dist=FakeDistribution("dist-missing"))
    with pytest.warns(PluginWarning) as warned:
        host = chaoskit_load_plugins(ep, good())
    assert_isolated_failure(host, warned, "missing", "ModuleNotFoundError")


def test_import_failure_in_strict_mode_chains_the_cause(broken_import_ep, chaoskit_load_plugins):
    with pytest.raises(PluginError, match="'broken'.*kaboom at import") as err:
        chaoskit_load_plugins(broken_import_ep, strict=True)
    assert isinstance(err.value.__cause__, RuntimeError)


@pytest.mark.parametrize("value", ["1", "true", "YES", "on"])
def test_strict_mode_from_the_environment(value, monkeypatch, broken_import_ep, chaoskit_load_plugins):
    monkeypatch.setenv("CHAOSKIT_STRICT_PLUGINS", value)
    with pytest.raises(PluginError, match="kaboom at import"):
        chaoskit_load_plugins(broken_import_ep)


def test_strict_off_in_the_environment_warns(monkeypatch, broken_import_ep, chaoskit_load_plugins):
    monkeypatch.setenv("CHAOSKIT_STRICT_PLUGINS", "0")
    with pytest.warns(PluginWarning, match="kaboom at import"):
        chaoskit_load_plugins(broken_import_ep)


def test_strict_argument_overrides_the_environment(monkeypatch, broken_import_ep, chaoskit_load_plugins):
    monkeypatch.setenv("CHAOSKIT_STRICT_PLUGINS", "1")
    with pytest.warns(PluginWarning, match="kaboom at import"):
        chaoskit_load_plugins(broken_import_ep, strict=False)


def test_two_entry_points_with_the_same_plugin_name(chaoskit_load_plugins):
    first = plugin("good", dist="dist-one",
                   chaoskit_register_systems=adder("alpha", "beta"), chaoskit_register_metrics=adder("gamma"))
    second = plugin("good", dist="dist-two", chaoskit_register_systems=adder("alpha", "delta"))
    with pytest.warns(PluginWarning) as warned:
        host = chaoskit_load_plugins(first, second)
    assert_isolated_failure(host, warned, "good", "already taken by dist-one", record_key="good (dist-two)")
    assert host.records["good"].distribution == "dist-one"
    assert host.records["good (dist-two)"].distribution == "dist-two"
    assert "good/delta" not in chaoskit.systems
    assert chaoskit.systems.info("good/alpha").summary == "the alpha"
    with pytest.raises(PluginError, match="already taken"):
        chaoskit_load_plugins(first, second, strict=True)


def test_a_hooks_module_importing_its_own_package_is_not_a_typo(chaoskit_load_plugins):
    # `import chaoskit_toolbox` in a hooks module binds a module attribute with the chaoskit_
    # prefix (the naming convention of plugin packages); it is not a misspelt hook.
    module = hooks_module("toolbox", chaoskit_register_systems=adder("tool"))
    module.chaoskit_toolbox = types.ModuleType("chaoskit_toolbox")
    host = chaoskit_load_plugins(FakeEntryPoint("toolbox", obj=module))
    assert host.records["toolbox"].status == "loaded", host.records["toolbox"].error
    assert chaoskit.systems.names() == ["toolbox/tool"]


def test_a_hook_without_the_hookimpl_marker_is_not_silently_ignored(chaoskit_load_plugins):
    # A registration function without @chaoskit.hookimpl is never called by pluggy: the plugin
    # would load with nothing registered and no word of why.
    module = hooks_module("unmarked")
    module.chaoskit_register_systems = adder("forgotten")
    with pytest.warns(PluginWarning, match=r"'unmarked'.*chaoskit_register_systems.*hookimpl"):
        chaoskit_load_plugins(FakeEntryPoint("unmarked", obj=module))


def test_string_aliases_from_a_plugin_are_rejected(chaoskit_load_plugins):
    def register(registry):
        registry.add("lorenz", "pkg.flows:Lorenz", aliases="Lorenz63")

    with pytest.warns(PluginWarning, match=r"'stringy'.*aliases must be a list of names"):
        host = chaoskit_load_plugins(plugin("stringy", chaoskit_register_systems=register))
    assert host.records["stringy"].status == "failed"
    assert "l" not in chaoskit.systems  # no one-letter aliases


def test_a_name_taken_by_a_manual_registration_keeps_the_plugin_out(chaoskit_isolated):
    chaoskit.systems.register("alpha", LinearFlow, provider="good")
    with pytest.warns(PluginWarning, match=r"'good'.*systems 'good/alpha' is already registered"):
        chaoskit_isolated.load_plugin("good", hooks_module("good", chaoskit_register_systems=adder("alpha", "beta")))
    assert chaoskit.systems.get("good/alpha") is LinearFlow
    assert "good/beta" not in chaoskit.systems


def test_load_plugin_directly(chaoskit_isolated):
    record = chaoskit_isolated.load_plugin("direct", hooks_module("direct", chaoskit_register_trainers=adder("t")))
    assert record.status == "loaded" and record.counts["trainers"] == 1
    assert chaoskit.trainers.names() == ["direct/t"]
    with pytest.warns(PluginWarning, match="the plugin name 'direct' is already taken"):
        again = chaoskit_isolated.load_plugin("direct", hooks_module("direct2"))
    assert again.status == "failed"


def test_a_failed_plugin_takes_no_part_in_other_hooks(chaoskit_load_plugins):
    bad = plugin("bad", chaoskit_register_systems=_add_then_raise,
                 chaoskit_provenance=lambda: {"bad-extra": "6.6.6"})
    with pytest.warns(PluginWarning):
        host = chaoskit_load_plugins(bad, good())
    versions = host.collect_versions()
    assert "bad-extra" not in versions and "dist-bad" not in versions
    assert versions["dist-good"] == "1.2.3"


# --------------------------------------------------------------------------- environment
@pytest.fixture
def two_plugins():
    a = plugin("alpha", chaoskit_register_systems=adder("a1"))
    b = plugin("beta", chaoskit_register_systems=adder("b1"))
    missing = FakeEntryPoint("gamma", value="ck_no_such_module_gamma")  # only imported if enabled
    return a, b, missing


@pytest.mark.parametrize("disable, loaded", [
    ("gamma", {"alpha", "beta"}),
    ("gamma,alpha", {"beta"}),
    (" Gamma , BETA ", {"alpha"}),
    ("all", set()),
    ("ALL", set()),
])
def test_disable_plugins(disable, loaded, two_plugins, monkeypatch):
    monkeypatch.setenv("CHAOSKIT_DISABLE_PLUGINS", disable)
    with isolated_plugins(*two_plugins) as host:
        host.refresh()
        status = {n: r.status for n, r in host.records.items()}
        assert {n for n, s in status.items() if s == "loaded"} == loaded
        assert {n for n, s in status.items() if s == "disabled"} == {"alpha", "beta", "gamma"} - loaded
        assert {e.provider for e in chaoskit.systems.list()} == loaded


@pytest.mark.parametrize("allow, loaded", [("beta", {"beta"}), ("alpha, BETA", {"alpha", "beta"}),
                                           ("", {"alpha", "beta"})])
def test_allow_list(allow, loaded, two_plugins, monkeypatch):
    monkeypatch.setenv("CHAOSKIT_PLUGINS", allow)
    with isolated_plugins(*two_plugins[:2]) as host:
        host.refresh()
        assert {n for n, r in host.records.items() if r.status == "loaded"} == loaded
        assert {n for n, r in host.records.items() if r.status == "disabled"} == {"alpha", "beta"} - loaded
        assert {e.provider for e in chaoskit.systems.list()} == loaded


def test_disable_wins_over_allow(two_plugins, monkeypatch):
    monkeypatch.setenv("CHAOSKIT_PLUGINS", "alpha,beta")
    monkeypatch.setenv("CHAOSKIT_DISABLE_PLUGINS", "alpha")
    with isolated_plugins(*two_plugins[:2]) as host:
        host.refresh()
        assert host.records["alpha"].status == "disabled"
        assert host.records["beta"].status == "loaded"


def test_disabled_plugins_are_not_imported(monkeypatch, broken_import_ep):
    monkeypatch.setenv("CHAOSKIT_DISABLE_PLUGINS", "broken")
    with isolated_plugins(broken_import_ep) as host:
        host.ensure_loaded()  # no warning: the broken module is never imported
        assert host.records["broken"].status == "disabled"
        assert broken_import_ep.value not in sys.modules


def test_host_arguments_override_the_environment(monkeypatch, two_plugins):
    monkeypatch.setenv("CHAOSKIT_DISABLE_PLUGINS", "all")
    with chaoskit.host.isolated(two_plugins[:2], disable=[]) as host:
        host.ensure_loaded()
        assert {r.status for r in host.records.values()} == {"loaded"}
    with chaoskit.host.isolated(two_plugins[:2], allow=["Beta"], disable=[]) as host:
        host.ensure_loaded()
        assert host.records["alpha"].status == "disabled" and host.records["beta"].status == "loaded"


def test_refresh_keeps_manual_registrations(chaoskit_load_plugins):
    host = chaoskit_load_plugins(good())
    chaoskit.systems.register("linear", LinearFlow)
    chaoskit.systems.register("spiral", f"{LinearFlow.__module__}:LinearFlow", provider="acme")
    host.refresh()
    assert chaoskit.systems.names() == ["acme/spiral", "good/alpha", "good/beta", "user/linear"]
    assert chaoskit.systems.get("linear") is LinearFlow
    assert chaoskit.systems.get("spiral") is LinearFlow
    assert host.provider_names() == ["acme", "good", "user"]


# --------------------------------------------------------------------------- hooks
def test_call_hook_isolates_a_raising_hook_and_collect_versions_merges(chaoskit_load_plugins):
    def boom():
        raise RuntimeError("no versions today")

    a = plugin("alpha", chaoskit_provenance=lambda: {"libalpha": "2.0", "numpy": "9"})
    b = plugin("beta", chaoskit_provenance=boom)
    c = plugin("gamma", chaoskit_provenance=lambda: None)
    host = chaoskit_load_plugins(a, b, c)
    with pytest.warns(PluginWarning, match=r"'beta': hook chaoskit_provenance raised RuntimeError: no versions today"):
        versions = host.collect_versions()
    assert versions == {"dist-alpha": "1.2.3", "dist-beta": "1.2.3", "dist-gamma": "1.2.3",
                        "libalpha": "2.0", "numpy": "9"}
    assert list(versions) == sorted(versions)
    with pytest.warns(PluginWarning):
        prov = chaoskit.provenance()
    assert prov["versions"]["libalpha"] == "2.0"
    assert prov["versions"]["chaoskit"] == chaoskit.__version__


def test_call_hook_in_strict_mode_raises(chaoskit_load_plugins):
    def boom():
        raise RuntimeError("no versions today")

    host = chaoskit_load_plugins(plugin("beta", chaoskit_provenance=boom), strict=True)
    with pytest.raises(PluginError, match="'beta': hook chaoskit_provenance raised"):
        host.collect_versions()


def test_call_hook_passes_the_arguments_each_hook_takes(chaoskit_load_plugins):
    calls = []
    a = plugin("alpha", chaoskit_train_epoch_end=lambda epoch, logs: calls.append(("a", epoch, dict(logs))))
    b = plugin("beta", chaoskit_report_header=lambda result: f"# {result}")
    chaoskit_load_plugins(a, b)
    out = chaoskit.plugins.call_hook("chaoskit_train_epoch_end", model=None, trainer=None, epoch=3, logs={"loss": 0.5})
    assert out == [] and calls == [("a", 3, {"loss": 0.5})]
    assert chaoskit.plugins.call_hook("chaoskit_report_header", result="R") == ["# R"]


def test_call_hook_of_an_unknown_hook(chaoskit_isolated):
    with pytest.raises(PluginError, match=r"no hook named 'chaoskit_nothing'; see chaoskit\.hookspecs"):
        chaoskit_isolated.call_hook("chaoskit_nothing")


# --------------------------------------------------------------------------- discovery
def test_discovery_uses_importlib_metadata_lazily_and_caches(monkeypatch):
    calls = []
    fake = plugin("found", chaoskit_register_systems=adder("thing"))

    def entry_points(**kw):
        calls.append(kw)
        return [fake]

    monkeypatch.setattr(importlib.metadata, "entry_points", entry_points)
    host = PluginHost()
    assert calls == []  # nothing is discovered before the first registry access
    assert host.registries["systems"].names() == ["found/thing"]
    assert calls == [{"group": "chaoskit.plugins"}]
    host.registries["models"].list()
    len(host.registries["metrics"])
    assert len(calls) == 1  # cached
    host.refresh()
    assert len(calls) == 2
    assert host.records["found"].status == "loaded"


def test_import_chaoskit_discovers_nothing_until_asked():
    import subprocess

    code = textwrap.dedent("""
        import chaoskit
        assert chaoskit.host._loaded is False, "import chaoskit ran discovery"
        assert chaoskit.host.records == {}
        chaoskit.systems.names()
        assert chaoskit.host._loaded is True
    """)
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr


@pytest.mark.parametrize("name, distribution", [("systems", "chaoskit-systems"), ("models", "chaoskit-models"),
                                                ("metrics", "chaoskit-metrics")])
def test_installed_first_party_plugins_are_recorded(name, distribution):
    chaoskit.host.ensure_loaded()
    record = chaoskit.host.records[name]
    assert record.status == "loaded", record.error
    assert record.distribution == distribution
    assert record.version == importlib.metadata.version(distribution)
    assert record.api is not None and record.api.split(".")[0] == chaoskit.PLUGIN_API.split(".")[0]
    eps = {ep.name: ep.value for ep in importlib.metadata.entry_points(group="chaoskit.plugins")}
    assert record.value == eps[name]


def test_hook_specs_are_prefixed_and_plugin_api_is_versioned():
    import chaoskit.hookspecs as specs

    names = [n for n in dir(specs) if callable(getattr(specs, n)) and hasattr(getattr(specs, n), "chaoskit_spec")]
    assert set(names) >= {"chaoskit_register_systems", "chaoskit_register_models", "chaoskit_register_metrics",
                          "chaoskit_register_trainers", "chaoskit_provenance", "chaoskit_train_start",
                          "chaoskit_train_epoch_end", "chaoskit_train_end", "chaoskit_bench_start",
                          "chaoskit_bench_cell_done", "chaoskit_bench_end", "chaoskit_report_header"}
    assert all(n.startswith("chaoskit_") for n in names)
    major, minor = chaoskit.PLUGIN_API.split(".")
    assert major.isdigit() and minor.isdigit()
