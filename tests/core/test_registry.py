"""The lazy registries: registration, listing, lookup, lazy import, errors."""

from __future__ import annotations

import sys
import textwrap
import types

import pytest

import chaoskit
from chaoskit import (
    AmbiguousNameError,
    ParameterError,
    PluginError,
    PluginWarning,
    UnknownNameError,
)
from chaoskit.testing import FakeEntryPoint

from ._toys import AbsError, DriftModel, FitTrainer, LinearFlow, NoisyFlow, ScaleMap

pytestmark = pytest.mark.usefixtures("chaoskit_isolated")


@pytest.fixture
def target_module(tmp_path, monkeypatch):
    """Write an importable module defining a System subclass; return its (unique) name."""
    name = f"ck_lazy_target_{abs(hash(str(tmp_path))) % 10**8}"
    (tmp_path / f"{name}.py").write_text(textwrap.dedent("""
        import attrs
        import chaoskit

        @attrs.define(frozen=True, kw_only=True)
        class Lazy(chaoskit.System):
            variables = ("x",)
            metadata = chaoskit.SystemMetadata(name="lazy", dt=0.1, initial_state=(0.0,))
            k: float = 1.0

            def _trajectory(self, request):
                raise NotImplementedError

        NotASystem = dict
    """))
    monkeypatch.syspath_prepend(str(tmp_path))
    yield name
    sys.modules.pop(name, None)


def plugin(name, **hooks):
    module = types.ModuleType(f"{name}_hooks")
    module.CHAOSKIT_PLUGIN_API = "1.0"
    for hook, func in hooks.items():
        setattr(module, hook, chaoskit.hookimpl(func))
    return FakeEntryPoint(name, obj=module)


def adder(*items):
    def register(registry):
        for name, target, kw in items:
            registry.add(name, target, **kw)
    return register


# --------------------------------------------------------------------------- registration
def test_isolated_registries_start_empty():
    for kind in ("systems", "models", "metrics", "trainers"):
        registry = getattr(chaoskit, kind)
        assert registry.list() == [] and len(registry) == 0
        assert registry.kind == kind


def test_register_a_class():
    entry = chaoskit.systems.register("linear", LinearFlow, summary="spiral", tags=["flow", "linear"])
    assert isinstance(entry, chaoskit.Entry)
    assert entry.provider == "user"
    assert entry.qualified_name == "user/linear"
    assert entry.target == f"{LinearFlow.__module__}:LinearFlow"
    assert entry.kind == "systems"
    assert chaoskit.systems.get("linear") is LinearFlow
    assert "linear" in chaoskit.systems and "nothing" not in chaoskit.systems
    assert len(chaoskit.systems) == 1
    assert [e.name for e in chaoskit.systems] == ["linear"]


def test_register_a_target_string(target_module):
    entry = chaoskit.systems.register("lazy", f"{target_module}:Lazy", provider="acme")
    assert entry.qualified_name == "acme/lazy"
    assert chaoskit.systems.get("acme/lazy").__name__ == "Lazy"


@pytest.mark.parametrize("registry, cls", [("models", DriftModel), ("metrics", AbsError),
                                           ("trainers", FitTrainer)])
def test_each_registry_takes_its_kind(registry, cls):
    reg = getattr(chaoskit, registry)
    reg.register("toy", cls)
    assert reg.get("toy") is cls
    with pytest.raises(PluginError, match=rf"{registry} 'user/other' resolves to .*LinearFlow.*"
                                          rf"not a subclass of chaoskit\.{reg.base.__name__}"):
        reg.register("other", LinearFlow)


def test_lazy_import(target_module):
    chaoskit.systems.register("lazy", f"{target_module}:Lazy", summary="s", tags=["t"])
    assert target_module not in sys.modules
    chaoskit.systems.list()
    chaoskit.systems.names()
    entry = chaoskit.systems.info("lazy")
    assert entry.summary == "s" and "lazy" in chaoskit.systems
    assert target_module not in sys.modules, "listing or describing imported the target"
    cls = chaoskit.systems.get("lazy")
    assert target_module in sys.modules
    assert cls is sys.modules[target_module].Lazy
    assert chaoskit.systems.get("lazy") is cls  # cached


def test_list_filters_and_names():
    chaoskit.systems.register("linear", LinearFlow, tags=["flow", "Linear"])
    chaoskit.systems.register("noisy", NoisyFlow, provider="acme", tags=["flow", "sde"])
    chaoskit.systems.register("scale", ScaleMap, provider="acme", tags=["map"])
    assert [e.qualified_name for e in chaoskit.systems.list()] == ["acme/noisy", "acme/scale", "user/linear"]
    assert chaoskit.systems.names() == ["acme/noisy", "acme/scale", "user/linear"]
    assert chaoskit.systems.names(tag="flow") == ["acme/noisy", "user/linear"]
    assert chaoskit.systems.names(tag="LINEAR") == ["user/linear"]
    assert chaoskit.systems.names(provider="acme") == ["acme/noisy", "acme/scale"]
    assert chaoskit.systems.names(provider="ACME", tag="map") == ["acme/scale"]
    assert chaoskit.systems.names(tag="nothing") == []


def test_create_builds_an_instance():
    chaoskit.systems.register("linear", LinearFlow)
    system = chaoskit.systems.create("linear", a=0.2)
    assert isinstance(system, LinearFlow) and system.a == 0.2
    assert chaoskit.systems.create("linear") == LinearFlow()


def test_create_with_an_unknown_parameter_lists_the_accepted_ones():
    chaoskit.systems.register("linear", LinearFlow)
    with pytest.raises(ParameterError) as err:
        chaoskit.systems.create("linear", rho=28.0, a=0.1)
    msg = str(err.value)
    assert "user/linear has no parameter 'rho'" in msg
    assert "['a', 'w']" in msg


def test_create_with_a_bad_parameter_value():
    chaoskit.systems.register("linear", LinearFlow)
    with pytest.raises(ParameterError, match=r"LinearFlow\.w must be > 0"):
        chaoskit.systems.create("linear", w=-2.0)


def test_info_describes_without_importing():
    chaoskit.models.register("drift", DriftModel, provider="acme", summary="persistence + drift",
                             tags=["baseline"], aliases=["Drift1"])
    entry = chaoskit.models.info("Drift1")
    assert entry.qualified_name == "acme/drift"
    assert entry.summary == "persistence + drift"
    assert entry.tags == ("baseline",)
    assert entry.aliases == ("Drift1",)
    assert entry.keys() == ("drift", "drift1")


# --------------------------------------------------------------------------- lookups
def test_qualified_case_insensitive_and_alias_lookups():
    chaoskit.systems.register("linear", LinearFlow, provider="acme", aliases=["LinSpiral", "lin2"])
    for name in ("linear", "LINEAR", "acme/linear", "ACME/Linear", "linspiral", "LinSpiral",
                 "acme/lin2", "Acme/LINSPIRAL"):
        assert chaoskit.systems.get(name) is LinearFlow, name
        assert chaoskit.systems.info(name).qualified_name == "acme/linear"


def test_unknown_name_lists_close_matches_and_providers():
    chaoskit.systems.register("lorenz", LinearFlow, provider="acme")
    chaoskit.systems.register("lorenz96", NoisyFlow, provider="other")
    with pytest.raises(UnknownNameError) as err:
        chaoskit.systems.get("lorenx")
    msg = str(err.value)
    assert "unknown system 'lorenx'" in msg
    assert "did you mean" in msg and "acme/lorenz" in msg
    assert "Installed providers: acme, other" in msg
    assert "chaoskit list systems" in msg
    assert isinstance(err.value, LookupError)


def test_unknown_name_without_anything_installed():
    with pytest.raises(UnknownNameError) as err:
        chaoskit.metrics.get("rmse")
    msg = str(err.value)
    assert "unknown metric 'rmse'" in msg and "Installed providers: none" in msg
    assert "did you mean" not in msg


def test_unknown_provider():
    chaoskit.systems.register("linear", LinearFlow, provider="acme")
    with pytest.raises(UnknownNameError, match="unknown system 'nobody/linear'"):
        chaoskit.systems.get("nobody/linear")


@pytest.mark.parametrize("name", ["", None, 3])
def test_lookup_needs_a_string(name):
    with pytest.raises(ParameterError, match="a name must be a non-empty string"):
        chaoskit.systems.get(name)


def test_ambiguous_bare_name_names_both_candidates():
    chaoskit.systems.register("lorenz", LinearFlow, provider="acme")
    chaoskit.systems.register("lorenz", NoisyFlow, provider="other")
    with pytest.raises(AmbiguousNameError) as err:
        chaoskit.systems.get("lorenz")
    msg = str(err.value)
    assert "'acme/lorenz'" in msg and "'other/lorenz'" in msg
    assert chaoskit.systems.get("acme/lorenz") is LinearFlow
    assert chaoskit.systems.get("other/lorenz") is NoisyFlow
    assert isinstance(err.value, UnknownNameError)


def test_alias_colliding_with_another_providers_name_is_ambiguous():
    chaoskit.systems.register("lorenz", LinearFlow, provider="acme")
    chaoskit.systems.register("lorenz63", NoisyFlow, provider="other", aliases=["Lorenz"])
    with pytest.raises(AmbiguousNameError, match=r"'acme/lorenz' and 'other/lorenz63'"):
        chaoskit.systems.info("lorenz")


def test_ambiguity_between_plugins_is_warned_at_registration(chaoskit_load_plugins):
    a = plugin("alpha", chaoskit_register_systems=adder(("lorenz", "mod_a:Lorenz", {})))
    b = plugin("beta", chaoskit_register_systems=adder(("lorenz", "mod_b:Lorenz", {})))
    with pytest.warns(PluginWarning, match=r"plugin 'beta'.*'alpha/lorenz' and 'beta/lorenz'.*ambiguous"):
        host = chaoskit_load_plugins(a, b)
    assert host.records["beta"].status == "loaded"
    assert chaoskit.systems.names() == ["alpha/lorenz", "beta/lorenz"]
    with pytest.raises(AmbiguousNameError, match=r"'alpha/lorenz' and 'beta/lorenz'"):
        chaoskit.systems.info("lorenz")
    assert chaoskit.systems.info("beta/lorenz").target == "mod_b:Lorenz"


# --------------------------------------------------------------------------- broken targets
def test_target_that_fails_to_import_names_the_target():
    chaoskit.systems.register("ghost", "ck_no_such_module_xyz.sub:Ghost", provider="acme")
    with pytest.raises(PluginError) as err:
        chaoskit.systems.get("ghost")
    msg = str(err.value)
    assert "'ck_no_such_module_xyz.sub:Ghost'" in msg
    assert "ModuleNotFoundError" in msg
    assert "'acme'" in msg


def test_target_with_a_missing_attribute(target_module):
    chaoskit.systems.register("ghost", f"{target_module}:Missing")
    with pytest.raises(PluginError, match=rf"cannot load its target '{target_module}:Missing' \(AttributeError"):
        chaoskit.systems.get("ghost")


def test_target_that_is_not_a_subclass_of_the_base(target_module):
    chaoskit.systems.register("wrong", f"{target_module}:NotASystem")
    with pytest.raises(PluginError, match=r"systems 'user/wrong' resolves to .*dict.*not a subclass of chaoskit\.System"):
        chaoskit.systems.get("wrong")
    chaoskit.metrics.register("wrong", f"{target_module}:Lazy")
    with pytest.raises(PluginError, match=r"not a subclass of chaoskit\.Metric"):
        chaoskit.metrics.create("wrong")


def test_register_a_non_subclass_object():
    with pytest.raises(PluginError, match="not a subclass of chaoskit.System"):
        chaoskit.systems.register("x", DriftModel)
    with pytest.raises(PluginError, match="not a subclass of chaoskit.System"):
        chaoskit.systems.register("y", LinearFlow())  # an instance, not a class
    assert chaoskit.systems.list() == []


def test_duplicate_register_needs_replace():
    chaoskit.systems.register("linear", LinearFlow)
    with pytest.raises(PluginError, match=r"(?i)systems 'user/linear' is already registered; pass replace=True"):
        chaoskit.systems.register("Linear", NoisyFlow)
    assert chaoskit.systems.get("linear") is LinearFlow
    chaoskit.systems.register("linear", NoisyFlow, replace=True)
    assert chaoskit.systems.get("linear") is NoisyFlow
    assert len(chaoskit.systems) == 1


def test_replace_with_a_target_string_drops_the_cached_object(target_module):
    chaoskit.systems.register("linear", LinearFlow)
    assert chaoskit.systems.get("linear") is LinearFlow
    chaoskit.systems.register("linear", f"{target_module}:Lazy", replace=True)
    assert chaoskit.systems.get("linear").__name__ == "Lazy"


@pytest.mark.parametrize("name, target, field", [
    ("a/b", "pkg.mod:Cls", "name"),
    ("", "pkg.mod:Cls", "name"),
    ("has space", "pkg.mod:Cls", "name"),
    ("good", "no_colon", "target"),
    ("good", "pkg.mod:", "target"),
    ("good", ":Cls", "target"),
    ("good", "pkg mod:Cls", "target"),
])
def test_bad_names_and_targets(name, target, field):
    with pytest.raises(PluginError) as err:
        chaoskit.systems.register(name, target)
    msg = str(err.value)
    if field == "name":
        assert "the name must be letters, digits" in msg and "without '/'" in msg
    else:
        assert f"the target must be a 'package.module:Attribute' string, got {target!r}" in msg
    assert chaoskit.systems.list() == []


@pytest.mark.parametrize("kw", [{"tags": "flow"}, {"aliases": "Lorenz"},
                                {"aliases": ["ok", "not/ok"]}, {"tags": [1]}])
def test_bad_tags_and_aliases(kw):
    # a bare string is the classic slip: it must not become one tag (or alias) per character
    with pytest.raises(PluginError, match="must be a list of names"):
        chaoskit.systems.register("linear", LinearFlow, **kw)
    assert chaoskit.systems.list() == []


def test_refresh_from_a_registry():
    chaoskit.systems.register("linear", LinearFlow)
    chaoskit.systems.refresh()
    assert chaoskit.systems.names() == ["user/linear"]


def test_repr():
    assert repr(chaoskit.systems) == "<chaoskit systems registry>"
