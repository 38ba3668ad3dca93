"""Teacher-forcing strategies for latent recurrent models (the :class:`LatentCell` protocol).

Time runs ``t = 0 … T−1`` over a window ``x`` ``(B, T, N)``. Every strategy starts from
``z_0 = cell.initial(x_0)`` and returns the predictions ``observe(z_t)``, ``t = 1 … T−1``, of the
model's own states ``z_t = F(z̃_{t−1})`` *before* any forcing at ``t`` (the loss is taken on the
un-forced prediction). Strategies differ in the state ``z̃_t`` that is carried on:

- :class:`NoForcing`: ``z̃_t = z_t`` (free running, back-propagation through the whole window);
- :class:`SparseForcing`: ``z̃_t = infer(z_t, x_t)`` when ``t`` is a multiple of ``τ``, else ``z_t``;
- :class:`GeneralizedForcing`: ``z̃_t = (1 − α) z_t + α ẑ_t`` with ``ẑ_t = infer(z_t, x_t)``
  (Hess, Monfared, Brenner & Durstewitz 2023), α constant or estimated and annealed.

This follows the Durstewitz lab's GTF-shPLRNN code (``tfrecur.jl``, ``alpha_estimation.jl``):
sparse forcing at ``(t_julia − 1) mod τ = 0`` is ``t mod τ = 0`` here; the adaptive α uses their
``product_upper_bound`` estimate at the forcing signals of the window (the latent states inferred
from the data alone, :func:`forcing_signals`).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from typing import Any

import attrs
import torch
from chaoskit import ParameterError
from chaoskit.validators import in_interval, integer

from .protocol import EnsembleRuntime, ForcingRuntime, LatentCell, TeacherForcing

__all__ = [
    "FORCINGS", "GeneralizedForcing", "NoForcing", "SparseForcing", "alpha_of_growth", "anneal", "estimate_alpha",
    "forced_states", "forcing_of", "forcing_signals", "free_unroll", "growth", "gtf_unroll", "sparse_unroll",
]


def forced_states(cell: LatentCell, x: torch.Tensor, mix: list[Any]) -> torch.Tensor:
    """The un-forced states ``z_1 … z_{T−1}`` ``(..., T−1, M)`` of every strategy's unroll.

    The state carried on is ``z̃_t = lerp(z_t, infer(z_t, x_t), mix[t − 1])`` (``None``: no
    forcing at ``t``; lerp is exact at both ends, so 1 is ``infer``'s replacement, with no
    gradient into the replaced part). A cell may compute this faster than step by step with
    ``forced_states(x, mix)`` (e.g. :mod:`chaoskit_models.dsr.shallow_unroll`), returning
    ``None`` where its fast path does not cover the call.
    """
    fused = getattr(cell, "forced_states", None)
    states = None if fused is None else fused(x, mix)
    if states is not None:
        return states
    z = cell.initial(x[..., 0, :])
    steps = []
    for t in range(1, x.shape[-2]):
        z = cell.step(z)
        steps.append(z)
        if mix[t - 1] is not None:
            z = torch.lerp(z, cell.infer(z, x[..., t, :]), mix[t - 1])
    return torch.stack(steps, dim=-2)


def _check_window(x: torch.Tensor) -> None:
    if x.ndim != 3 or x.shape[1] < 2:
        raise ParameterError(
            f"teacher forcing needs windows (batch, time >= 2, features), got shape {tuple(x.shape)}"
        )


# ----------------------------------------------------------------------------- none
@attrs.frozen
class NoForcing(TeacherForcing):
    """Free running: back-propagation through time over the whole window, no forcing."""

    def start(self) -> ForcingRuntime:
        return _FreeRuntime()

    def start_ensemble(self, members: int) -> EnsembleRuntime:
        from .ensemble_forcing import FreeEnsemble

        return FreeEnsemble(members)


def free_unroll(cell: LatentCell, x: torch.Tensor) -> torch.Tensor:
    """Free-running predictions of ``x[..., 1:, :]`` from ``x[..., 0, :]`` (any leading dims)."""
    return cell.observe(forced_states(cell, x, [None] * (x.shape[-2] - 1)))


class _FreeRuntime(ForcingRuntime):
    def unroll(self, cell: LatentCell, x: torch.Tensor) -> torch.Tensor:
        _check_window(x)
        return free_unroll(cell, x)

    @property
    def alpha(self) -> float:
        return 0.0


# ----------------------------------------------------------------------------- sparse
@attrs.frozen
class SparseForcing(TeacherForcing):
    """Sparse teacher forcing: every ``interval`` steps the state is replaced by ``infer(z, x)``.

    Parameters
    ----------
    interval
        τ, the number of free steps between two forcings (τ = 1 forces every step). Mikhaeil et
        al. (2022) choose τ near the predictability time of the system; the AL-RNN paper uses
        τ = 16 on Lorenz-63 at dt = 0.01.
    """

    interval: int = attrs.field(default=16, validator=integer(1))

    def start(self) -> ForcingRuntime:
        return _SparseRuntime(self.interval)

    def start_ensemble(self, members: int) -> EnsembleRuntime:
        from .ensemble_forcing import SparseEnsemble

        return SparseEnsemble(self.interval, members)


def sparse_unroll(cell: LatentCell, x: torch.Tensor, interval: int) -> torch.Tensor:
    """Predictions of ``x[..., 1:, :]`` with ``z`` replaced by ``infer(z, x_t)`` when ``t % interval == 0``."""
    mix = [1.0 if t % interval == 0 else None for t in range(1, x.shape[-2])]
    return cell.observe(forced_states(cell, x, mix))


class _SparseRuntime(ForcingRuntime):
    def __init__(self, interval: int) -> None:
        self.interval = interval

    def unroll(self, cell: LatentCell, x: torch.Tensor) -> torch.Tensor:
        _check_window(x)
        return sparse_unroll(cell, x, self.interval)

    @property
    def alpha(self) -> float:
        return 1.0 / self.interval


# ----------------------------------------------------------------------------- generalized
def _alpha_value(instance: Any, attribute: Any, value: Any) -> None:
    if value == "adaptive":
        return
    in_interval(0.0, 1.0, closed_low=True)(instance, attribute, value)


@attrs.frozen
class GeneralizedForcing(TeacherForcing):
    """Generalized teacher forcing (GTF), Hess et al., ICML 2023.

    ``z̃_t = (1 − α)·z_t + α·ẑ_t`` with ``ẑ_t = infer(z_t, x_t)``; the loss is taken on the
    un-mixed ``z_t``. α = 1 gives one-step-ahead training, α = 0 free running.

    Parameters
    ----------
    alpha
        A constant α in ``[0, 1]``, or ``"adaptive"`` (default): α starts at ``alpha_start`` and
        every ``update_every`` training batches the estimate α* = max(0, 1 − 1/G) is computed
        (:func:`estimate_alpha`) at the forcing signals of that batch (the latent states
        inferred from its data alone, :func:`forcing_signals`, as Hess et al.'s code); α jumps
        up to α* when α* > α, else decays as α ← γ·α + (1 − γ)·α*. The new α is used from
        the next batch on (Hess et al.'s code uses it at once; one batch later lets the
        ensemble trainer compute the estimate after the backward pass has freed the graph).
    update_every
        k, the number of training batches between two estimates (the paper's 5).
    gamma
        γ, the decay factor of the annealing (0.999).
    alpha_start
        The initial α of the adaptive schedule (1: start fully forced).
    """

    alpha: float | str = attrs.field(default="adaptive", validator=_alpha_value)
    update_every: int = attrs.field(default=5, validator=integer(1))
    gamma: float = attrs.field(default=0.999, validator=in_interval(0.0, 1.0, closed_low=True))
    alpha_start: float = attrs.field(default=1.0, validator=in_interval(0.0, 1.0, closed_low=True))

    @property
    def adaptive(self) -> bool:
        return self.alpha == "adaptive"

    def start(self) -> ForcingRuntime:
        return _GeneralizedRuntime(self)

    def start_ensemble(self, members: int) -> EnsembleRuntime:
        from .ensemble_forcing import GeneralizedEnsemble

        return GeneralizedEnsemble(self, members)


def gtf_unroll(
    cell: LatentCell, x: torch.Tensor, alpha: float | torch.Tensor, *, force: bool, collect: bool
) -> tuple[torch.Tensor, torch.Tensor | None]:
    """GTF predictions of ``x[..., 1:, :]`` and, with ``collect``, the forcing signals (:func:`forcing_signals`) of ``x[..., 1:, :]``.

    ``alpha`` is a number or a tensor broadcasting against the latent states (one α per
    ensemble member); ``force`` says whether any α is positive (otherwise no mixing at all).
    """
    signals = forcing_signals(cell, x[..., 1:, :]) if collect else None
    return cell.observe(forced_states(cell, x, [alpha if force else None] * (x.shape[-2] - 1))), signals


def forcing_signals(cell: LatentCell, x: torch.Tensor) -> torch.Tensor:
    """The latent states inferred from the observations ``x`` alone (detached), where α* is estimated.

    As the reference code: ``O⁻¹(x)`` — the identity observation's ``[x; 0]``, the affine one's
    ``B⁺(x − b)`` — from a cell's ``forcing_signal``; a cell without one is taken to observe its
    whole state (``x`` itself). With M = N these are the data-inferred states of the forcing; with
    M > N the unobserved units are 0, not the model's own (estimating at the model's unobserved
    states kept α* higher: 0.25 against 0.14 at the end of a default PLRNN fit, M = 20).
    """
    signal = getattr(cell, "forcing_signal", None)
    return (x if signal is None else signal(x)).detach()


def anneal(alpha: float, estimate: float, gamma: float) -> float:
    """The adaptive α after an estimate α*: a jump up to α*, or ``γ·α + (1 − γ)·α*``."""
    if estimate > alpha:
        return estimate
    return gamma * alpha + (1.0 - gamma) * estimate


class _GeneralizedRuntime(ForcingRuntime):
    def __init__(self, config: GeneralizedForcing) -> None:
        self.config = config
        self.value = config.alpha_start if config.adaptive else float(config.alpha)
        self.estimate = math.nan  # the last α* (NaN before the first estimate)
        self.batches = 0

    @property
    def alpha(self) -> float:
        return self.value

    def unroll(self, cell: LatentCell, x: torch.Tensor) -> torch.Tensor:
        _check_window(x)
        collect = False
        if self.training:
            self.batches += 1
            collect = self.config.adaptive and self.batches % self.config.update_every == 0
        preds, inferred = gtf_unroll(cell, x, self.value, force=self.value > 0.0, collect=collect)
        if inferred is not None:
            self.estimate = estimate_alpha(cell, inferred)
            self.value = anneal(self.value, self.estimate, self.config.gamma)
        return preds

    def state_dict(self) -> dict[str, Any]:
        return {"alpha": float(self.value), "estimate": float(self.estimate), "batches": int(self.batches)}

    def load_state_dict(self, state: Mapping[str, Any]) -> None:
        self.value = float(state["alpha"])
        self.estimate = float(state["estimate"])
        self.batches = int(state["batches"])


def estimate_alpha(cell: LatentCell, z_hat: torch.Tensor) -> float:
    """α* = max(0, 1 − 1/G) from the Jacobians at latent states ``z_hat`` ``(B, T, M)`` (the forcing signals).

    ``G`` is, for each sequence, the geometric mean over time of the spectral norms
    ``‖J(ẑ_t)‖₂`` (an upper bound on the growth of the Jacobian product along the window), and
    the maximum of those over the batch (Hess et al. 2023, "product upper bound"). Computed in
    float64 without gradients; a zero norm counts as the smallest positive float.
    """
    return alpha_of_growth(float(growth(cell, z_hat)))


def growth(
    cell: LatentCell, z_hat: torch.Tensor, norms_of: Callable[[torch.Tensor], torch.Tensor] | None = None
) -> torch.Tensor:
    """G of :func:`estimate_alpha` for states ``(..., B, T, M)``: a float64 tensor ``(...)``.

    ``norms_of`` computes the spectral norms of float64 Jacobians (default
    ``torch.linalg.matrix_norm(ord=2)``).
    """
    with torch.no_grad():
        jac = cell.jacobian(z_hat).double()
        norms = torch.linalg.matrix_norm(jac, ord=2) if norms_of is None else norms_of(jac)  # (..., B, T)
        logs = torch.log(norms.clamp_min(torch.finfo(torch.float64).tiny))
        return torch.exp(logs.mean(dim=-1)).amax(dim=-1)


def alpha_of_growth(g: float) -> float:
    """α* = max(0, 1 − 1/G); 1 when G is not finite."""
    if not math.isfinite(g):
        return 1.0  # an exploding Jacobian calls for full forcing
    return max(0.0, 1.0 - 1.0 / g)


FORCINGS: dict[str, type[TeacherForcing]] = {
    "none": NoForcing,
    "sparse": SparseForcing,
    "gtf": GeneralizedForcing,
    "generalized": GeneralizedForcing,
}


def forcing_of(value: str | TeacherForcing) -> TeacherForcing:
    """A strategy from its name (default settings) or a :class:`TeacherForcing` object."""
    if isinstance(value, TeacherForcing):
        return value
    if isinstance(value, str) and value.lower() in FORCINGS:
        return FORCINGS[value.lower()]()
    raise ParameterError(
        f"GradientTrainer.teacher_forcing must be one of {sorted(FORCINGS)} or a TeacherForcing object "
        f"(e.g. GeneralizedForcing(alpha='adaptive'), SparseForcing(interval=16)), got {value!r}"
    )
