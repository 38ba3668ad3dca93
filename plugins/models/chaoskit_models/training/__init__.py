"""Gradient training of chaoskit's torch models: the trainer, teacher forcing, and their parts.

``GradientTrainer`` (registered as the trainer ``"gradient"``) fits every model that implements
:class:`TorchTrainable`; such a model's ``_fit`` calls :func:`fit_torch_model`. :func:`fit_ensemble`
trains several seeds of one model at once as a batched ensemble. Teacher-forcing
strategies (:class:`NoForcing`, :class:`SparseForcing`, :class:`GeneralizedForcing`) unroll any
:class:`LatentCell`. See ``docs/training.md``.
"""

from chaoskit.errors import TrainingDivergedError

from .ensemble import fit_ensemble
from .forcing import GeneralizedForcing, NoForcing, SparseForcing, estimate_alpha
from .lora import LoRA, LoRALinear, apply_lora, lora_state_dict, remove_lora
from .optim import OPTIMIZERS, Lion, make_optimizer
from .protocol import ForcingRuntime, LatentCell, TeacherForcing, TorchTrainable, TrainingProblem
from .schedules import SCHEDULES, Constant, Cosine, Exponential, Plateau, Schedule
from .trainer import GradientTrainer, fit_torch_model

__all__ = [
    "OPTIMIZERS",
    "SCHEDULES",
    "Constant",
    "Cosine",
    "Exponential",
    "ForcingRuntime",
    "GeneralizedForcing",
    "GradientTrainer",
    "LatentCell",
    "Lion",
    "LoRA",
    "LoRALinear",
    "NoForcing",
    "Plateau",
    "Schedule",
    "SparseForcing",
    "TeacherForcing",
    "TorchTrainable",
    "TrainingDivergedError",
    "TrainingProblem",
    "apply_lora",
    "estimate_alpha",
    "fit_ensemble",
    "fit_torch_model",
    "lora_state_dict",
    "make_optimizer",
    "remove_lora",
]
