"""The tools of ``chaoskit.testing``: isolated hosts, fake entry points, uninstalled plugin trees."""

from __future__ import annotations

import sys
import types

import pytest

import chaoskit
from chaoskit import PluginWarning
from chaoskit.testing import FakeDistribution, FakeEntryPoint, entry_points_of, isolated_plugins, plugin_path

from ._toys import LinearFlow
from ._trees import forget, write_plugin_tree


def hooks(name, **impls):
    module = types.ModuleType(name)
    module.CHAOSKIT_PLUGIN_API = "1.0"
    for hook, func in impls.items():
        setattr(module, hook, chaoskit.hookimpl(func))
    return module


def register_systems(*names):
    def register(registry):
        for n in names:
            registry.add(n, "pkg.mod:Cls")
    return register


# --------------------------------------------------------------------------- isolation
def test_isolated_host_is_empty(chaoskit_isolated):
    assert chaoskit_isolated is chaoskit.host
    assert chaoskit.host.records == {}
    for kind in ("systems", "models", "metrics", "trainers"):
        assert getattr(chaoskit, kind).list() == []
    assert chaoskit.host.provider_names() == []
    chaoskit.systems.register("temporary", LinearFlow)  # must not leak into other tests


def test_installed_plugins_are_present_outside_isolation():
    # runs before or after the isolated test above: either way the global host is whole
    chaoskit.host.ensure_loaded()
    assert "systems" in chaoskit.host.records
    assert "temporary" not in chaoskit.systems


def test_isolation_restores_the_host_afterwards():
    chaoskit.host.ensure_loaded()
    before_records = dict(chaoskit.host.records)
    before = {k: getattr(chaoskit, k).names() for k in ("systems", "models", "metrics", "trainers")}
    with isolated_plugins(FakeEntryPoint("fake", obj=hooks("fake_h", chaoskit_register_systems=register_systems("x")))):
        assert chaoskit.systems.names() == ["fake/x"]
        chaoskit.systems.register("manual", LinearFlow)
        assert "systems" not in chaoskit.host.records
    assert chaoskit.host.records == before_records
    assert {k: getattr(chaoskit, k).names() for k in before} == before
    assert "manual" not in chaoskit.systems


def test_isolation_restores_manual_registrations_made_before():
    with isolated_plugins():
        chaoskit.systems.register("outer", LinearFlow)
        with isolated_plugins():
            assert "outer" not in chaoskit.systems
            chaoskit.systems.register("inner", LinearFlow)
        assert chaoskit.systems.names() == ["user/outer"]
        chaoskit.systems.refresh()
        assert chaoskit.systems.names() == ["user/outer"]


def test_isolated_plugins_strict():
    bad = FakeEntryPoint("bad", obj=hooks("bad_h"), dist=FakeDistribution("bad-dist"))
    del bad.obj.CHAOSKIT_PLUGIN_API
    with isolated_plugins(bad, strict=True) as host:
        with pytest.raises(chaoskit.PluginError, match="'bad' \\(bad-dist\\)"):
            host.ensure_loaded()
    with isolated_plugins(bad) as host:
        with pytest.warns(PluginWarning, match="declares no CHAOSKIT_PLUGIN_API"):
            host.ensure_loaded()


def test_chaoskit_load_plugins(chaoskit_load_plugins):
    ep = FakeEntryPoint("fake", obj=hooks("fake_h", chaoskit_register_systems=register_systems("a", "b")),
                        dist=FakeDistribution("fake-dist", "2.0"))
    host = chaoskit_load_plugins(ep)
    assert host is chaoskit.host
    assert host.records["fake"].status == "loaded"
    assert host.records["fake"].distribution == "fake-dist" and host.records["fake"].version == "2.0"
    assert chaoskit.systems.names() == ["fake/a", "fake/b"]
    assert "systems" not in host.records  # the installed plugins are replaced
    # calling it again replaces the plugins once more
    host = chaoskit_load_plugins()
    assert chaoskit.systems.names() == []


def test_fake_entry_point_imports_its_value():
    ep = FakeEntryPoint("x", value="chaoskit.hookspecs:hookimpl")
    assert ep.load() is chaoskit.hookimpl
    assert FakeEntryPoint("y", value="chaoskit.hookspecs").load() is sys.modules["chaoskit.hookspecs"]
    assert ep.group == "chaoskit.plugins"


# --------------------------------------------------------------------------- plugin trees
@pytest.fixture
def plugin_tree(tmp_path):
    """A tiny uninstalled plugin distribution: pyproject.toml, a hooks module, a lazy target."""
    root, pkg = write_plugin_tree(tmp_path)
    yield root, pkg
    forget(pkg)


def test_entry_points_of_reads_the_pyproject(plugin_tree):
    root, pkg = plugin_tree
    eps = list(entry_points_of(root))
    assert len(eps) == 1
    ep = eps[0]
    assert (ep.name, ep.value, ep.group) == ("tiny", f"{pkg}.hooks", "chaoskit.plugins")
    assert ep.dist == FakeDistribution("chaoskit-tinyplug", "0.3.1")


def test_plugin_path_makes_the_tree_importable_and_cleans_up(plugin_tree):
    root, pkg = plugin_tree
    with pytest.raises(ImportError):
        __import__(f"{pkg}.hooks")
    with plugin_path(root):
        hooks_module = __import__(f"{pkg}.hooks", fromlist=["x"])
        assert hooks_module.CHAOSKIT_PLUGIN_API == "1.0"
        assert f"{pkg}.hooks" in sys.modules
    assert f"{pkg}.hooks" not in sys.modules and pkg not in sys.modules
    assert str(root.resolve()) not in sys.path


def test_chaoskit_plugin_tree_loads_an_uninstalled_plugin(plugin_tree, chaoskit_plugin_tree):
    root, pkg = plugin_tree
    host = chaoskit_plugin_tree(root)
    record = host.records["tiny"]
    assert record.status == "loaded", record.error
    assert record.distribution == "chaoskit-tinyplug" and record.version == "0.3.1"
    assert record.counts["systems"] == 1
    assert chaoskit.systems.names() == ["tiny/decay"]
    assert f"{pkg}.hooks" in sys.modules
    assert f"{pkg}.decay" not in sys.modules  # the target is imported on first use only
    cls = chaoskit.systems.get("decay1")
    assert f"{pkg}.decay" in sys.modules
    assert sys.modules[f"{pkg}.decay"].__file__.startswith(str(root.resolve()))
    ds = chaoskit.systems.create("tiny/decay", k=2.0).trajectory(4, members=2)
    assert isinstance(ds.chaos.validate(), type(ds))
    assert cls.__name__ == "Decay"
    assert host.collect_versions()["chaoskit-tinyplug"] == "0.3.1"
