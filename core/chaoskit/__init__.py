"""chaoskit: learn, forecast and evaluate models of chaotic dynamical systems.

The core defines four interfaces — :class:`System`, :class:`Model`, :class:`Metric` (with
:class:`Invariant`) and :class:`Trainer` — the xarray data conventions, and four lazy
registries filled by plugins::

    import chaoskit
    lorenz = chaoskit.systems.create("lorenz")
    ds = lorenz.trajectory(5000)

The core never imports torch.
"""

from __future__ import annotations

__version__ = "0.1.0"

from . import accessor as _accessor  # noqa: F401  (registers the ds.chaos accessor)
from .data import decode_attrs, encode_attrs, make_dataset, provenance, validate
from .bench import Benchmark
from .devices import torch_device
from .dynamics import Dynamics, finite_difference_jacobian
from .errors import (
    AmbiguousNameError,
    CapabilityError,
    ChaoskitError,
    ConfigError,
    DataError,
    DivergenceWarning,
    NotFittedError,
    ParameterError,
    PluginError,
    PluginWarning,
    TrainingDivergedError,
    UnknownNameError,
)
from .hookspecs import hookimpl
from .metric import Invariant, Metric, divergence_times
from .model import FitInfo, Model, load_model
from .plugins import PLUGIN_API, host
from .registry import Entry, Registry
from .system import ReferenceValue, Simulation, System, SystemMetadata, TrajectoryRequest
from .trainer import Trainer, TrainResult

systems: Registry = host.registries["systems"]
models: Registry = host.registries["models"]
metrics: Registry = host.registries["metrics"]
trainers: Registry = host.registries["trainers"]

__all__ = [
    "PLUGIN_API",
    "AmbiguousNameError",
    "Benchmark",
    "CapabilityError",
    "ChaoskitError",
    "ConfigError",
    "DataError",
    "DivergenceWarning",
    "Dynamics",
    "Entry",
    "FitInfo",
    "Invariant",
    "Metric",
    "Model",
    "NotFittedError",
    "ParameterError",
    "PluginError",
    "PluginWarning",
    "ReferenceValue",
    "Registry",
    "Simulation",
    "System",
    "SystemMetadata",
    "TrainResult",
    "Trainer",
    "TrainingDivergedError",
    "TrajectoryRequest",
    "UnknownNameError",
    "__version__",
    "decode_attrs",
    "divergence_times",
    "encode_attrs",
    "finite_difference_jacobian",
    "hookimpl",
    "load_model",
    "make_dataset",
    "metrics",
    "models",
    "provenance",
    "systems",
    "torch_device",
    "trainers",
    "validate",
]
