"""Further short-term scores: NRMSE, MASE, correlations, horizoned variants and PE(n)."""

ENTRIES = [
    dict(name="nrmse", target="chaoskit_metrics.short_term_extra:NRMSE",
         summary="RMSE normalized by the truth's std (or range) per variable",
         tags=["short_term", "error"], aliases=["normalized_root_mean_squared_error"]),
    dict(name="mase", target="chaoskit_metrics.short_term_extra:MASE",
         summary="Mean absolute error scaled by the naive (persistence) forecast's in-sample error",
         tags=["short_term", "error"], aliases=["mean_absolute_scaled_error"]),
    dict(name="pearson", target="chaoskit_metrics.correlation:Pearson",
         summary="Pearson correlation of forecast and truth per variable, mean over variables",
         tags=["short_term", "correlation"], aliases=["pearson_correlation"]),
    dict(name="spearman", target="chaoskit_metrics.correlation:Spearman",
         summary="Spearman rank correlation of forecast and truth per variable, mean over variables",
         tags=["short_term", "correlation"], aliases=["spearman_correlation"]),
    dict(name="horizoned", target="chaoskit_metrics.horizon:Horizoned",
         summary="Any pointwise metric over the first k Lyapunov times of the forecast",
         tags=["short_term", "horizon"], aliases=["horizon_metric"]),
    dict(name="prediction_error", target="chaoskit_metrics.prediction_error:NStepError",
         summary="Squared error at the n-th forecast step (n = 20); mean over starts = DSR PE(n)",
         tags=["short_term", "error", "dsr"], aliases=["pe_n", "n_step_error", "n_step_prediction_error"]),
]
