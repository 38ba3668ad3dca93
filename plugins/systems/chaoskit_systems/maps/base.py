"""``MapSystem``: the base class of discrete-time maps whose step is written once, in torch.

A subclass declares its parameters as frozen attrs fields, its ``variables`` and ``metadata``,
and the batched step ``_step(x)``::

    @attrs.frozen(kw_only=True)
    class Henon(MapSystem):
        a: float = attrs.field(default=1.4, validator=finite)
        b: float = attrs.field(default=0.3, validator=finite)

        variables = ("x", "y")
        metadata = load_metadata("Henon")

        def _step(self, x):
            u, v = x.unbind(-1)
            return torch.stack((1 - self.a * u * u + v, self.b * u), dim=-1)

Everything else — batched iteration on CPU or GPU in float32/float64, Jacobians by automatic
differentiation, the differentiable one-step map — comes from this class.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable
from typing import Any, ClassVar

import attrs
import numpy as np
import torch
from chaoskit import (
    DivergenceWarning,
    Dynamics,
    ParameterError,
    Simulation,
    System,
    TrajectoryRequest,
)

from .._initial import DefaultInitialStates
from .._noise import GaussianIncrements
from .._sweep import SweptEquations
from .._tensors import batched_jacobian, resolve_device, same_kind, torch_dtype
from ..dynamics import TorchDynamics

__all__ = ["MapDynamics", "MapSystem", "iterate", "matrix"]


@attrs.define(frozen=True, kw_only=True)
class MapSystem(DefaultInitialStates, System):
    """A :class:`chaoskit.System` of kind ``"map"`` whose step is a batched torch function.

    Subclass contract
    -----------------
    ``_step(x)``
        The next state for a tensor ``x`` of shape ``(..., dimension)`` (any leading dims, none
        included), same shape and dtype. Parameters are read from ``self`` as Python floats.
        Use torch operations only (no in-place writes into ``x``, no ``.item()``, no branches
        on values), so that ``vmap``, ``jacrev`` and ``jvp`` of :mod:`torch.func` apply and a
        batch of members iterates exactly like each member alone. Maps on a circle or torus
        reduce their angles in ``_step`` (``torch.remainder``) and say so in their docstring.
    ``_jacobian(t, x)`` (optional)
        An analytic Jacobian ``(..., dimension, dimension)`` for tensors (``t`` is ignored).
        The default uses :func:`torch.func.jacrev` mapped with :func:`torch.func.vmap`.

    The public ``step`` and ``jacobian`` accept numpy arrays as well as tensors and return
    the kind they were given; ``_step`` and an overriding ``_jacobian`` only ever see tensors.

    Simulation (``trajectory``)
    ---------------------------
    - ``methods = ("iterate",)``; ``dt`` is 1 (one iteration per output point), ``transient``
      a whole number of iterations, and ``rtol``/``atol`` are refused (iteration is exact).
    - Initial states: ``initial_state`` when given; otherwise member 0 starts at
      ``metadata.initial_state`` and member ``k ≥ 1`` at ``x0 + s·ξ_k`` exactly as for flows
      (:class:`~chaoskit_systems._initial.DefaultInitialStates`: ``ξ_k`` standard Gaussian
      from ``numpy.random.default_rng(seed)``, ``s = 1e-2·max|x0|``).
    - One loop over time, batched over members, on the requested device and dtype: the
      ``transient`` iterations are discarded, then ``n`` states are recorded, the first being
      the state after the transient.
    - A member whose state becomes non-finite stops: it holds NaN from then on (even where the
      map would carry ``inf`` back to finite numbers), the dataset's ``failed_members``,
      ``failed_times`` (the iteration, counted from the initial state, transient included)
      and ``failed_reasons`` name it, and a :class:`chaoskit.DivergenceWarning` is issued.
    - Parameter sweeps (``trajectory(parameters={"r": values})``): member ``k`` iterates with
      its own values (:class:`~chaoskit_systems._sweep.SweptEquations`, as for flows); every
      member starts at member 0's default state.
    - Dynamical noise (``noise = σ > 0``) is added after each iteration:
      ``x ← f(x) + σ ξ`` (``noise_kind="additive"``) or ``x ← f(x)·(1 + σ ξ)``
      (``"multiplicative"``), ``ξ`` standard Gaussian per component from the member's own
      generator (as for flows), through the transient too. Maps that reduce an angle do so
      inside ``f``, so a noisy output may lie just outside the reduced range.

    ``dynamics(dt)`` returns a :class:`MapDynamics` advancing ``dt`` iterations (a positive
    integer, default 1).
    """

    kind: ClassVar[str] = "map"
    backend: ClassVar[str] = "torch"
    supports_noise: ClassVar[bool] = True
    supports_sweeps: ClassVar[bool] = True
    methods: ClassVar[tuple[str, ...]] = ("iterate",)

    # ------------------------------------------------------------------ equations
    def step(self, x: Any) -> Any:
        """One iteration of the map for states ``x`` ``(..., dimension)``, numpy or torch."""
        return same_kind(x, lambda xt: System.step(self, xt))

    def jacobian(self, t: Any, x: Any) -> Any:
        """``∂step/∂x`` of shape ``(..., dimension, dimension)``, numpy or torch like ``x``.

        ``t`` is ignored (maps are autonomous); it is there for the common System signature.
        """
        return same_kind(x, lambda xt: System.jacobian(self, t, xt))

    def _jacobian(self, t: Any, x: Any) -> Any:
        """Reverse-mode automatic differentiation, vectorised over the leading dims of ``x``."""
        return same_kind(x, lambda xt: batched_jacobian(lambda _, y: self._step(y), 0.0, xt))

    # ------------------------------------------------------------------ simulation
    def _trajectory(self, request: TrajectoryRequest) -> Simulation:
        if request.rtol is not None or request.atol is not None:
            raise ParameterError(
                f"{self.name}.trajectory: a map is iterated exactly and takes no rtol/atol; "
                "drop them"
            )
        transient = request.transient
        if transient != math.floor(transient):
            raise ParameterError(
                f"{self.name}.trajectory: transient must be a whole number of iterations for a "
                f"map, got {transient!r}"
            )
        if request.sde_step is not None:
            raise ParameterError(
                f"{self.name}.trajectory: a map adds its noise once per iteration and takes no "
                "sde_step; drop it"
            )
        device, dtype = resolve_device(request.device), torch_dtype(request.dtype)
        states, extra = self._start_states(request)
        with torch.inference_mode():
            x0 = torch.as_tensor(states, dtype=dtype, device=device)
            step: Callable[[torch.Tensor], torch.Tensor] = self._step
            if request.parameters:
                swept = SweptEquations(
                    self, request.parameters, "_step", dtype=dtype, device=device
                ).prepare((x0,))
                extra["sweep_mode"] = swept.mode
                step = swept
            if request.noise:
                step = _noisy(step, request, x0, int(transient) + request.n - 1)
            out, failed = iterate(step, x0, request.n, transient=int(transient))
            state = out.cpu().numpy()
        members = sorted(failed)
        info: dict[str, Any] = {
            "integrator": "iterate",
            "iterations": int(transient) + request.n - 1,
            "failed_members": members,
            "failed_times": [float(failed[m]) for m in members],
            "failed_reasons": ["non-finite state"] * len(members),
            **extra,
        }
        if members:
            warnings.warn(
                f"{self.name}: {len(members)} member(s) became non-finite and hold NaN from then "
                f"on (members {members[:10]}, first at iterations "
                f"{[failed[m] for m in members[:10]]}); see the dataset's failed_* attributes",
                DivergenceWarning,
                stacklevel=3,
            )
        time = np.arange(request.n, dtype=np.float64)
        return Simulation(time=time, state=state, info=info)

    # ------------------------------------------------------------------ one-step map
    def _dynamics(self, dt: float) -> Dynamics:
        if dt != math.floor(dt):
            raise ParameterError(
                f"{self.name}.dynamics: dt counts iterations of a map and must be a positive "
                f"integer, got {dt!r}"
            )
        return MapDynamics(self, int(dt))


def _noisy(
    step: Callable[[torch.Tensor], torch.Tensor], request: TrajectoryRequest, x0: torch.Tensor,
    iterations: int,
) -> Callable[[torch.Tensor], torch.Tensor]:
    """``step`` followed by the request's noise (see :class:`MapSystem`)."""
    draws = GaussianIncrements(
        request.seed, x0.shape[0], x0.shape[1], iterations, dtype=x0.dtype, device=x0.device
    )
    sigma = request.noise
    if request.noise_kind == "additive":
        return lambda x: step(x) + sigma * draws()

    def multiplicative(x: torch.Tensor) -> torch.Tensor:
        y = step(x)
        return y + sigma * y * draws()

    return multiplicative


def matrix(rows: Any, like: torch.Tensor) -> torch.Tensor:
    """Stack a Jacobian ``(..., m, d)`` from ``rows`` of tensors or numbers shaped like ``like``.

    Numbers (parameters, constants) are broadcast to ``like``'s shape, dtype and device, so an
    analytic Jacobian reads like the formula: ``matrix([[-2 * a * u, 1], [b, 0]], u)``.
    """
    def full(v: Any) -> torch.Tensor:
        return v if isinstance(v, torch.Tensor) else torch.full_like(like, float(v))

    return torch.stack([torch.stack([full(v) for v in row], dim=-1) for row in rows], dim=-2)


def iterate(
    step: Any, x0: torch.Tensor, n: int, *, transient: int = 0
) -> tuple[torch.Tensor, dict[int, int]]:
    """Iterate ``step`` from ``x0`` ``(members, d)``: ``transient`` discarded steps, ``n`` outputs.

    Returns the states ``(members, n, d)`` (the first is the state after the transient) and,
    for every member that became non-finite, the iteration at which it first did (counted from
    ``x0``). Such a member is NaN from that iteration on. One Python loop over time; each
    iteration is batched over the members.
    """
    members, d = x0.shape
    out = x0.new_empty((members, n, d))
    alive = torch.isfinite(x0).all(dim=-1)
    lived = torch.zeros(members, dtype=torch.long, device=x0.device)  # finite iterations so far
    nan = torch.tensor(float("nan"), dtype=x0.dtype, device=x0.device)
    x = x0
    for k in range(transient + n):
        if k:
            x = step(x)
            alive &= torch.isfinite(x).all(dim=-1)
            x = torch.where(alive.unsqueeze(-1), x, nan)
            lived += alive
        if k >= transient:
            out[:, k - transient] = x
    dead = torch.nonzero(~alive).flatten().tolist()
    first = (lived + 1).tolist()
    failed = {m: (0 if not bool(torch.isfinite(x0[m]).all()) else first[m]) for m in dead}
    return out, failed


class MapDynamics(TorchDynamics):
    """``Φ = f^k``: ``k`` iterations of a :class:`MapSystem`, differentiable with autograd.

    ``step``, ``jacobian`` and ``jvp`` take tensors ``(..., d)`` batched over any leading dims
    (numpy arrays are accepted too and give numpy back). ``jacobian`` multiplies the system's
    Jacobians along the ``k`` iterations (analytic where the system has one, else
    :func:`torch.func.jacrev` under :func:`torch.func.vmap`); ``jvp(x, v)`` pushes the tangent
    columns of ``v`` ``(..., d, k)`` through :func:`torch.func.jvp` — the machinery of
    :class:`~chaoskit_systems.dynamics.TorchDynamics`, with map iterations in place of RK4
    steps. ``dt`` is the number of iterations ``k``.
    """

    def __init__(self, system: MapSystem, iterations: int = 1) -> None:
        if isinstance(iterations, bool) or iterations < 1:
            raise ParameterError(
                f"MapDynamics: iterations must be a positive integer, got {iterations!r}"
            )
        Dynamics.__init__(self, system.dimension, float(iterations))
        self.system = system  # type: ignore[assignment]
        self.iterations = int(iterations)

    def __repr__(self) -> str:
        return f"MapDynamics({self.system!r}, iterations={self.iterations})"

    def _advance(self, x: torch.Tensor) -> torch.Tensor:
        for _ in range(self.iterations):
            x = self.system._step(x)
        return x

    def _jacobian(self, x: Any) -> Any:
        return same_kind(x, self._chain)

    def _chain(self, x: torch.Tensor) -> torch.Tensor:
        jac = self.system._jacobian(0.0, x)
        for _ in range(self.iterations - 1):
            x = self.system._step(x)
            jac = self.system._jacobian(0.0, x) @ jac
        return jac
