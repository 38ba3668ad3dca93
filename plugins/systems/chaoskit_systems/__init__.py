"""chaoskit-systems: chaotic dynamical systems, simulated in batches with torch on CPU or GPU."""

__version__ = "0.1.0"
