"""chaoskit-models: data-driven models of dynamical systems, in torch on CPU or GPU."""

__version__ = "0.1.0"
