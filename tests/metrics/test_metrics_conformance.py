"""Every metric chaoskit-metrics registers passes the core's MetricConformance suite."""

from __future__ import annotations

from chaoskit.testing import MetricConformance


class TestMetricsConformance(MetricConformance):
    provider = "metrics"
    # dynamical invariants (tests/metrics/test_metrics_lyapunov.py has the reasons in full)
    params = {"max_lyapunov": {"theiler": 5, "horizon": 50, "fit": (0.0, 2.0)}}
    skip = {
        "metrics/lyapunov_spectrum": "needs a dynamics object, not a trajectory Dataset",
        "metrics/kaplan_yorke": "needs a Lyapunov spectrum, i.e. a dynamics object",
        "metrics/ftle": "needs a System or Dynamics to advect a tracer grid",
    }
