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
        "mse", "chaoskit_metrics.short_term:MSE",
        summary="Mean squared error over time and variables",
        tags=["short_term", "error"], aliases=["mean_squared_error"],
    )
    registry.add(
        "mae", "chaoskit_metrics.short_term:MAE",
        summary="Mean absolute error over time and variables",
        tags=["short_term", "error"], aliases=["mean_absolute_error"],
    )
    registry.add(
        "smape", "chaoskit_metrics.short_term:SMAPE",
        summary="Symmetric mean absolute percentage error (scale 200 by default: range 0-200)",
        tags=["short_term", "error"], aliases=["symmetric_mean_absolute_percentage_error"],
    )
    registry.add(
        "vpt", "chaoskit_metrics.vpt:ValidPredictionTime",
        summary="Valid prediction time in Lyapunov times (Pathak, NRMSE or sMAPE definition)",
        tags=["short_term", "horizon"], aliases=["valid_prediction_time"],
    )
