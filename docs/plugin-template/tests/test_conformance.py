"""Every item of the plugin passes chaoskit's conformance suites."""

from chaoskit.testing import MetricConformance, ModelConformance, SystemConformance


class TestSystems(SystemConformance):
    provider = "example"


class TestModels(ModelConformance):
    provider = "example"


class TestMetrics(MetricConformance):
    provider = "example"
