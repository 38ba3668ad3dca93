"""chaoskit plugin hooks of chaoskit-metrics: registers every metric, imports nothing heavy."""

from __future__ import annotations

from chaoskit import hookimpl

CHAOSKIT_PLUGIN_API = "1.0"


@hookimpl
def chaoskit_register_metrics(registry):
    registry.add(
        "rmse", "chaoskit_metrics.short_term:RMSE",
        summary="Root-mean-square error over time and variables",
        tags=["short_term", "error"], aliases=["root_mean_squared_error"],
    )
    registry.add(
        "vpt", "chaoskit_metrics.vpt:ValidPredictionTime",
        summary="Valid prediction time in Lyapunov times (Pathak, NRMSE or sMAPE definition)",
        tags=["short_term", "horizon"], aliases=["valid_prediction_time"],
    )
