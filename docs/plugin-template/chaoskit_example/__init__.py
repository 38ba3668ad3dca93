"""chaoskit-example: a minimal chaoskit plugin (template)."""

__version__ = "0.1.0"
