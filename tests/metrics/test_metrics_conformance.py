"""Every metric chaoskit-metrics registers passes the core's MetricConformance suite."""

from __future__ import annotations

from chaoskit.testing import MetricConformance


class TestMetricsConformance(MetricConformance):
    provider = "metrics"
