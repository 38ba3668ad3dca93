"""``chaoskit.plugincheck.validate_distribution``: strict checks of a plugin before publishing."""

from __future__ import annotations

import subprocess
import sys

import pytest

import chaoskit
from chaoskit import UnknownNameError
from chaoskit.plugincheck import validate_distribution

from ._trees import forget, write_plugin_tree


def test_importing_the_plugin_checker_keeps_chaoskit_validate_callable():
    code = (
        "import chaoskit, chaoskit.plugincheck, chaoskit.cli\n"
        "assert callable(chaoskit.validate), "
        "f'chaoskit.validate is now {chaoskit.validate!r}, not the dataset validator'\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr.strip().splitlines()[-1]


@pytest.fixture
def tree(tmp_path):
    made = []

    def make(**kw):
        root, pkg = write_plugin_tree(tmp_path / f"t{len(made)}", **kw)
        made.append(pkg)
        return root, pkg

    yield make
    for pkg in made:
        forget(pkg)


def test_a_good_tree_passes(tree):
    root, pkg = tree()
    problems, lines = validate_distribution(str(root))
    assert problems == 0, lines
    assert "ok   plugin tiny (plugin API 1.0)" in lines
    assert f"ok   system tiny/decay -> {pkg}.decay:Decay" in lines
    assert "tiny" not in chaoskit.host.records  # the global host is left alone


def test_problems_are_counted_and_named(tree):
    root, pkg = tree(extra_add='registry.add("nosummary", "{pkg}.decay:Decay"); '
                               'registry.add("ghost", "{pkg}.nowhere:Ghost", summary="gone")')
    problems, lines = validate_distribution(str(root))
    assert problems == 2, lines
    assert "FAIL system tiny/nosummary: registered without a summary" in lines
    assert any(line.startswith("FAIL system tiny/ghost: PluginError") and "nowhere" in line for line in lines)


def test_a_plugin_that_fails_to_load_is_a_problem(tree):
    root, pkg = tree(extra_add='registry.add("decay", "{pkg}.decay:Decay", summary="twice")')
    problems, lines = validate_distribution(str(root))
    assert problems >= 1
    assert any(line.startswith("FAIL") and "used twice" in line for line in lines), lines
    assert "FAIL plugin tiny (plugin API 1.0)" in lines


def test_unknown_distribution_and_directory_without_pyproject(tmp_path):
    with pytest.raises(UnknownNameError, match="no installed distribution named 'ck-no-such-dist'"):
        validate_distribution("ck-no-such-dist")
    with pytest.raises(UnknownNameError, match="without a pyproject.toml"):
        validate_distribution(str(tmp_path))
