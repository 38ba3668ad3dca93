"""Short-term error metrics and the valid prediction time."""

ENTRIES = [
    dict(name="rmse", target="chaoskit_metrics.short_term:RMSE",
         summary="Root-mean-square error over time and variables",
         tags=["short_term", "error"], aliases=["root_mean_squared_error"]),
    dict(name="mse", target="chaoskit_metrics.short_term:MSE",
         summary="Mean squared error over time and variables",
         tags=["short_term", "error"], aliases=["mean_squared_error"]),
    dict(name="mae", target="chaoskit_metrics.short_term:MAE",
         summary="Mean absolute error over time and variables",
         tags=["short_term", "error"], aliases=["mean_absolute_error"]),
    dict(name="smape", target="chaoskit_metrics.short_term:SMAPE",
         summary="Symmetric mean absolute percentage error (scale 200 by default: range 0-200)",
         tags=["short_term", "error"], aliases=["symmetric_mean_absolute_percentage_error"]),
    dict(name="vpt", target="chaoskit_metrics.vpt:ValidPredictionTime",
         summary="Valid prediction time in Lyapunov times (Pathak, NRMSE or sMAPE definition)",
         tags=["short_term", "horizon"], aliases=["valid_prediction_time"]),
]
