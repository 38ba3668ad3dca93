"""The contract between the gradient trainer, teacher forcing, and the torch models it trains.

Three roles, kept apart so each can be written and tested alone:

- a **model** (a :class:`chaoskit.Model` with :class:`TorchTrainable`) turns its training data
  into a :class:`TrainingProblem`: an ``nn.Module`` holding every trainable parameter, the data
  as tensors, and a loss closure;
- the **trainer** (``GradientTrainer``) samples windows, runs the optimizer, mixed precision,
  LoRA, clipping, schedules, checkpoints and early stopping; it knows nothing of the model's
  equations;
- a **teacher-forcing strategy** (:class:`TeacherForcing`) decides how a latent recurrent model
  is unrolled over a window (free running, sparse forcing, generalized teacher forcing). The
  trainer creates its runtime once per run and hands it to the loss closure; models that are
  not latent recurrent models (LSTM, neural ODE) may ignore it or reject strategies they cannot
  use with a :class:`chaoskit.CapabilityError` at set-up.

Shapes: data windows are ``(batch, time, features)`` in the model's dtype and device; a latent
state is ``(..., latent)``; a Jacobian is ``(..., latent, latent)``.
"""

from __future__ import annotations

import abc
import contextlib
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any, ClassVar, Protocol, runtime_checkable

import attrs
import torch
from chaoskit import CapabilityError

__all__ = [
    "EnsembleRuntime", "ForcingRuntime", "LatentCell", "StackableCell", "TeacherForcing", "TorchTrainable",
    "TrainingProblem",
]


@runtime_checkable
class LatentCell(Protocol):
    """A latent recurrent model ``z_{t+1} = F(z_t)``, ``x_t ≈ G(z_t)`` (an ``nn.Module``).

    ``latent_dim`` is M, ``obs_dim`` is N (the number of observed features). Optional fast path:
    a method ``forced_states(x, mix)`` returning the un-forced states ``z_1 … z_{T−1}``
    ``(..., T−1, M)`` of the unroll over windows ``x`` that carries ``z̃_t = lerp(z_t,
    infer(z_t, x_t), mix[t−1])`` on (``None`` in ``mix``: no forcing at ``t``), or ``None`` where
    it does not apply; the teacher-forcing strategies use it instead of calling ``step`` step by step.
    """

    latent_dim: int
    obs_dim: int

    def initial(self, x0: torch.Tensor) -> torch.Tensor:
        """The latent state ``(B, M)`` at the first observation ``x0`` ``(B, N)``."""

    def step(self, z: torch.Tensor) -> torch.Tensor:
        """One step of the latent map, ``(..., M) -> (..., M)``."""

    def observe(self, z: torch.Tensor) -> torch.Tensor:
        """The observation of a latent state, ``(..., M) -> (..., N)``."""

    def infer(self, z: torch.Tensor, x: torch.Tensor) -> torch.Tensor:
        """The data-inferred latent state ``ẑ`` at observation ``x`` given the model's ``z``.

        Identity observation: ``z`` with its first N components replaced by ``x``. Affine
        observation ``x = Bz + b``: the least-squares correction of ``z`` that observes ``x``.
        """

    def jacobian(self, z: torch.Tensor) -> torch.Tensor:
        """``∂F/∂z`` at ``z``, ``(..., M, M)`` (closed form where the model has one)."""


@runtime_checkable
class StackableCell(Protocol):
    """A :class:`LatentCell` that can act for several cells of its class at once (ensembles).

    ``stack_members(cells)`` returns a cell whose parameters are those of ``cells`` stacked
    along a new leading ``ensemble`` dim (differentiably, so gradients reach each member's own
    parameters) and whose methods take states ``(E, ..., M)`` and windows ``(E, ..., N)``: member
    ``e`` of every output is what ``cells[e]`` gives for slice ``e`` of the input.
    """

    def stack_members(self, cells: Sequence[torch.nn.Module]) -> LatentCell:
        """The ensemble view of ``cells`` (all of this cell's class and configuration)."""


class ForcingRuntime(abc.ABC):
    """The live state of a teacher-forcing strategy during one training run.

    ``training`` is ``True`` while the trainer draws training batches; the trainer sets it to
    ``False`` while it scores validation windows, and a runtime must then neither count the
    batch nor update its annealing state (:meth:`frozen` does this as a context manager).
    """

    training: bool = True

    @contextlib.contextmanager
    def frozen(self) -> Iterator[ForcingRuntime]:
        """Evaluate with the current state: ``training`` is ``False`` inside the block."""
        previous = self.training
        self.training = False
        try:
            yield self
        finally:
            self.training = previous

    @abc.abstractmethod
    def unroll(self, cell: LatentCell, x: torch.Tensor) -> torch.Tensor:
        """Unroll ``cell`` over the window ``x`` ``(B, T, N)``; return predictions of ``x[:, 1:]``.

        Called once per training batch (the runtime counts batches itself, for annealing).
        """

    @property
    @abc.abstractmethod
    def alpha(self) -> float:
        """The current forcing strength (0 = free running), logged by the trainer."""

    def state_dict(self) -> dict[str, Any]:
        """Everything needed to resume exactly (counters, current α); plain numbers only."""
        return {}

    def load_state_dict(self, state: Mapping[str, Any]) -> None:
        """Restore :meth:`state_dict`'s output."""


class EnsembleRuntime(ForcingRuntime):
    """The runtime of a strategy for an ensemble of ``members`` models trained together.

    :meth:`unroll` takes an ensemble view of stacked cells (:class:`StackableCell`) and windows
    ``(E, B, T, N)``, one batch per member, for the members listed in :attr:`active` (in that
    order; the trainer drops members that stopped). Per-member state (α) is kept for all
    ``members``; :attr:`alphas` reports it.
    """

    def __init__(self, members: int) -> None:
        self.members = int(members)
        self.active: list[int] = list(range(self.members))

    @property
    def alphas(self) -> list[float]:
        """The forcing strength of every member."""
        return [self.alpha] * self.members

    @property
    def alpha(self) -> float:
        return 0.0


class TeacherForcing(abc.ABC):
    """A teacher-forcing strategy: frozen configuration; :meth:`start` makes the runtime."""

    @abc.abstractmethod
    def start(self) -> ForcingRuntime:
        """A fresh runtime for one training run."""

    def start_ensemble(self, members: int) -> EnsembleRuntime:
        """A fresh runtime for ``members`` models trained as one ensemble (optional)."""
        raise CapabilityError(
            f"the teacher forcing {type(self).__name__} has no ensemble runtime; train the models "
            "with separate fits, or use NoForcing, SparseForcing or GeneralizedForcing"
        )


@attrs.define(kw_only=True, eq=False)
class TrainingProblem:
    """What a model hands the trainer.

    Attributes
    ----------
    module
        Holds every trainable parameter (on the model's device, in its dtype). LoRA adapters
        are attached to its ``nn.Linear`` submodules by qualified name.
    train, valid
        Data ``(member, time, features)`` already preprocessed (e.g. standardized) by the model;
        the trainer draws windows ``(batch, window, features)`` from them.
    loss
        ``loss(module, windows, forcing) -> scalar tensor``. ``forcing`` is the run's
        :class:`ForcingRuntime`.
    forecast
        Optional ``forecast(module, context, steps) -> (batch, steps, features)`` in the same
        preprocessed units: closed-loop prediction, used to score validation data with a
        chaoskit metric for early stopping.
    min_window
        The shortest window the loss accepts.
    """

    module: torch.nn.Module
    train: torch.Tensor
    loss: Callable[[torch.nn.Module, torch.Tensor, ForcingRuntime], torch.Tensor]
    valid: torch.Tensor | None = None
    forecast: Callable[[torch.nn.Module, torch.Tensor, int], torch.Tensor] | None = None
    min_window: int = 2


class TorchTrainable(abc.ABC):
    """Mixin for a :class:`chaoskit.Model` fitted by the gradient trainer.

    ``_fit`` of such a model calls :func:`chaoskit_models.training.fit_torch_model`, which
    resolves the trainer (the one passed to ``fit`` or :meth:`default_trainer`), asks for the
    problem, trains, and stores the :class:`chaoskit.TrainResult` as ``model.train_result``.
    """

    #: Hyperparameters besides ``seed`` that may differ between the members of one
    #: :func:`~chaoskit_models.training.fit_ensemble`: those that change only the member's own
    #: loss or its default trainer, never the module's structure (the trainers the members
    #: resolve are compared on their own, see ``fit_ensemble``).
    ensemble_free: ClassVar[frozenset[str]] = frozenset()

    @abc.abstractmethod
    def training_problem(self, train: Any, valid: Any) -> TrainingProblem:
        """Build the module (fresh initialisation from ``seed``) and the problem."""

    @abc.abstractmethod
    def default_trainer(self) -> Any:
        """The trainer used when ``fit`` gets none (model-specific defaults)."""

    @abc.abstractmethod
    def finish_training(self, module: torch.nn.Module) -> None:
        """Store the trained module's weights as the model's fitted state."""

    def module_state(self) -> Mapping[str, torch.Tensor] | None:
        """The ``state_dict`` of the last trained module, or ``None`` when there is none.

        The trainer starts from these weights instead of a fresh initialisation when it
        fine-tunes (``GradientTrainer(lora=...)`` or ``warm_start=True``). The default returns
        the copy that :func:`~chaoskit_models.training.fit_torch_model` keeps after training in
        this session; a model may override it to rebuild the weights from a loaded state.
        """
        return self.__dict__.get("_chaoskit_module_state")
