"""The core never imports torch: listing every registry and collecting versions stays light."""

from __future__ import annotations

import subprocess
import sys
import textwrap


def run(code: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-c", textwrap.dedent(code)], capture_output=True,
                          text=True, timeout=120)


def test_import_list_and_versions_do_not_import_torch():
    proc = run("""
        import sys
        import chaoskit

        assert "torch" not in sys.modules, "import chaoskit imported torch"
        counts = {}
        for kind in ("systems", "models", "metrics", "trainers"):
            registry = getattr(chaoskit, kind)
            entries = registry.list()
            counts[kind] = len(entries)
            for entry in entries:
                registry.info(entry.qualified_name)
        versions = chaoskit.host.collect_versions()
        assert "chaoskit" in chaoskit.provenance()["versions"]
        assert "torch" not in sys.modules, "listing the registries imported torch"
        print("OK", counts, sorted(versions))
    """)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert proc.stdout.startswith("OK"), proc.stdout
    assert "chaoskit-systems" in proc.stdout  # the installed plugins were actually discovered


def test_core_modules_and_testing_tools_do_not_import_torch():
    proc = run("""
        import sys
        import chaoskit, chaoskit.data, chaoskit.accessor, chaoskit.registry, chaoskit.plugins
        import chaoskit.testing, chaoskit.testing.plugin
        assert "torch" not in sys.modules, sorted(m for m in sys.modules if m.startswith("torch"))
        print("OK")
    """)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert proc.stdout.strip() == "OK"
