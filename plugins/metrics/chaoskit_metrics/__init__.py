"""chaoskit-metrics: short-term, attractor-geometry and dynamical-invariant metrics."""

__version__ = "0.1.0"
