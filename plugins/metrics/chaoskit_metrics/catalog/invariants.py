"""Dynamical invariants: Lyapunov spectrum, Kaplan-Yorke dimension, largest exponent from data,
correlation dimension and FTLE fields."""

ENTRIES = [
    dict(name="lyapunov_spectrum", target="chaoskit_metrics.lyapunov:LyapunovSpectrum",
         summary="Lyapunov spectrum of a dynamics object by tangent-space QR, batched over initial "
                 "conditions, with a standard error across members",
         tags=["invariant", "dynamics", "lyapunov"], aliases=["lyapunov_exponents", "benettin"]),
    dict(name="kaplan_yorke", target="chaoskit_metrics.kaplan_yorke:KaplanYorke",
         summary="Kaplan-Yorke (Lyapunov) dimension from the Lyapunov spectrum",
         tags=["invariant", "dynamics", "dimension"],
         aliases=["kaplan_yorke_dimension", "lyapunov_dimension"]),
    dict(name="max_lyapunov", target="chaoskit_metrics.max_lyapunov:MaxLyapunov",
         summary="Largest Lyapunov exponent from data (Rosenstein or Kantz), per time unit",
         tags=["invariant", "long_term", "lyapunov"],
         aliases=["rosenstein", "largest_lyapunov_exponent"]),
    dict(name="correlation_dimension", target="chaoskit_metrics.correlation_dimension:CorrelationDimension",
         summary="Correlation dimension (Grassberger-Procaccia, or Takens' maximum-likelihood "
                 "estimator) with an automatic scaling region",
         tags=["invariant", "long_term", "dimension"], aliases=["d2", "grassberger_procaccia"]),
    dict(name="ftle", target="chaoskit_metrics.ftle:FTLE",
         summary="Finite-time Lyapunov exponent field of a 2-D or 3-D flow on a tracer grid",
         tags=["invariant", "dynamics", "lagrangian"], aliases=["finite_time_lyapunov_exponent"]),
]
