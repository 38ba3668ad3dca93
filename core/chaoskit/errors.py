"""Exception and warning classes of chaoskit.

Every error chaoskit raises on bad input derives from :class:`ChaoskitError` and says what was
expected, what came, and what to do. They also derive from the matching built-in class
(``ValueError``, ``LookupError`` …) so that generic ``except`` clauses keep working.
"""

from __future__ import annotations

__all__ = [
    "AmbiguousNameError",
    "CapabilityError",
    "ChaoskitError",
    "ConfigError",
    "DataError",
    "DivergenceWarning",
    "NotFittedError",
    "ParameterError",
    "PluginError",
    "PluginWarning",
    "TrainingDivergedError",
    "UnknownNameError",
]


class ChaoskitError(Exception):
    """Base class of every error chaoskit raises on purpose."""


class DataError(ChaoskitError, ValueError):
    """A dataset does not follow chaoskit's conventions (dims, coordinates, values, attrs)."""


class ParameterError(ChaoskitError, ValueError):
    """A parameter, hyperparameter or argument has a wrong type or value."""


class ConfigError(ChaoskitError, ValueError):
    """A configuration file or mapping is malformed."""


class UnknownNameError(ChaoskitError, LookupError):
    """A registry lookup found no item of that name."""

    def __str__(self) -> str:  # LookupError would quote the message like a key
        return str(self.args[0]) if self.args else ""


class AmbiguousNameError(UnknownNameError):
    """A bare registry name matches items of several providers."""


class NotFittedError(ChaoskitError, RuntimeError):
    """A model was asked to forecast, save or expose dynamics before ``fit``."""


class CapabilityError(ChaoskitError, NotImplementedError):
    """An optional capability (Jacobian, dynamics, device …) is not provided by this object."""


class TrainingDivergedError(ChaoskitError, RuntimeError):
    """Training produced a non-finite loss; the message names the step and the last checkpoint.

    ``step`` is the optimizer step at which the loss became non-finite and ``checkpoint`` the
    path of the last good checkpoint (``None`` when the run wrote none).
    """

    def __init__(self, message: str, *, step: int | None = None, checkpoint: str | None = None) -> None:
        super().__init__(message)
        self.step = step
        self.checkpoint = checkpoint


class PluginError(ChaoskitError, RuntimeError):
    """A plugin failed to load or register (raised instead of warned in strict mode)."""


class PluginWarning(UserWarning):
    """A plugin was skipped or registered something questionable; see ``chaoskit plugins``."""


class DivergenceWarning(UserWarning):
    """A forecast left the attractor or produced non-finite values."""
