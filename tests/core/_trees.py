"""A tiny uninstalled plugin distribution written into a temporary directory."""

from __future__ import annotations

import itertools
import sys
import textwrap
from pathlib import Path

_counter = itertools.count()

DECAY = '''
import attrs
import numpy as np
import chaoskit

@attrs.define(frozen=True, kw_only=True)
class Decay(chaoskit.System):
    """x' = -k x."""

    variables = ("x",)
    metadata = chaoskit.SystemMetadata(name="decay", dt=0.5, initial_state=(1.0,))
    k: float = attrs.field(default=1.0, validator=chaoskit.validators.positive)

    def _rhs(self, t, x):
        return -self.k * np.asarray(x)

    def _trajectory(self, request):
        x0 = np.ones((request.members, 1)) if request.initial_state is None else request.initial_state
        t = request.dt * np.arange(request.n)
        return chaoskit.Simulation(time=t, state=x0[:, None, :] * np.exp(-self.k * t)[None, :, None])
'''


def write_plugin_tree(tmp_path: Path, *, extra_add: str = "") -> tuple[Path, str]:
    """Write ``tmp_path/tinyplug`` (pyproject.toml, hooks module, a lazy target); return
    ``(root, package name)``. The package name is unique within the test session."""
    pkg = f"chaoskit_tinyplug_{next(_counter)}_{abs(hash(str(tmp_path))) % 10**6}"
    root = tmp_path / "tinyplug"
    (root / pkg).mkdir(parents=True)
    (root / "pyproject.toml").write_text(textwrap.dedent(f"""
        [project]
        name = "chaoskit-tinyplug"
        version = "0.3.1"

        [project.entry-points."chaoskit.plugins"]
        tiny = "{pkg}.hooks"
    """))
    (root / pkg / "__init__.py").write_text("")
    (root / pkg / "hooks.py").write_text(textwrap.dedent(f"""
        from chaoskit import hookimpl

        CHAOSKIT_PLUGIN_API = "1.0"

        @hookimpl
        def chaoskit_register_systems(registry):
            registry.add("decay", "{pkg}.decay:Decay", summary="x' = -k x", tags=["flow"], aliases=["Decay1"])
            {extra_add}

        @hookimpl
        def chaoskit_provenance():
            return {{"chaoskit-tinyplug": "0.3.1"}}
    """).replace("{pkg}", pkg))
    (root / pkg / "decay.py").write_text(DECAY)
    return root, pkg


def forget(pkg: str) -> None:
    for name in [m for m in sys.modules if m == pkg or m.startswith(pkg + ".")]:
        del sys.modules[name]
