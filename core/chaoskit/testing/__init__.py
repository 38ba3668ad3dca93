"""Testing tools for chaoskit and its plugins: fake entry points, isolated plugin hosts,
conformance suites. The pytest fixtures live in :mod:`chaoskit.testing.plugin` (registered as a
pytest plugin, so they are available in any test suite of an environment with chaoskit)."""

from .conformance import MetricConformance, ModelConformance, SystemConformance
from .conformance._common import synthetic_dataset
from .fakes import (
    FakeDistribution,
    FakeEntryPoint,
    entry_points_of,
    isolated_plugins,
    plugin_path,
    write_dist_info,
)

__all__ = [
    "FakeDistribution",
    "FakeEntryPoint",
    "MetricConformance",
    "ModelConformance",
    "SystemConformance",
    "entry_points_of",
    "isolated_plugins",
    "plugin_path",
    "synthetic_dataset",
    "write_dist_info",
]
