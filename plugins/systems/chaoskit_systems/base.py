"""``TorchSystem``: the base class of systems whose equations are written once, in torch.

A subclass declares its parameters as frozen attrs fields (with :mod:`chaoskit.validators`),
its ``kind``, ``variables`` and ``metadata``, and the vector field ``_rhs(t, x)``::

    @attrs.frozen(kw_only=True)
    class Lorenz(TorchSystem):
        sigma: float = attrs.field(default=10.0, validator=positive)
        ...
        variables = ("x", "y", "z")
        metadata = load_metadata("Lorenz")

        def _rhs(self, t, x):
            x_, y, z = x.unbind(-1)
            return torch.stack((self.sigma * (y - x_), ...), dim=-1)

Everything else — batched simulation on CPU or GPU in float32/float64, Jacobians by automatic
differentiation, the differentiable one-step map — comes from this class.
"""

from __future__ import annotations

import warnings
from typing import Any, ClassVar

import attrs
import numpy as np
import torch
from chaoskit import (
    CapabilityError,
    ChaoskitError,
    DivergenceWarning,
    Dynamics,
    ParameterError,
    Simulation,
    System,
    TrajectoryRequest,
)

from ._initial import DefaultInitialStates
from ._noise import GaussianIncrements
from ._sweep import SweptEquations, distinct_systems
from ._tensors import batched_jacobian, resolve_device, same_kind, time_like, torch_dtype
from .dynamics import TorchDynamics
from .integrators import METHODS, count_steps, integrate, integrate_euler_maruyama

__all__ = ["TorchSystem"]


@attrs.define(frozen=True, kw_only=True)
class TorchSystem(DefaultInitialStates, System):
    """A :class:`chaoskit.System` whose right-hand side is a batched torch function.

    Subclass contract
    -----------------
    ``_rhs(t, x)``
        ``dx/dt`` for a tensor ``x`` of shape ``(..., dimension)`` (any leading dims, none
        included), returning the same shape and dtype. ``t`` is a Python float or a tensor
        broadcastable to ``x.shape[:-1]`` in ``x``'s dtype (adaptive integration passes one time
        per member). Parameters are read from ``self`` as Python floats. Use torch operations
        only (no in-place writes into ``x``, no ``.item()``), so that ``vmap``, ``jacrev`` and
        ``jvp`` of :mod:`torch.func` apply.
    ``_jacobian(t, x)`` (optional)
        An analytic Jacobian ``(..., dimension, dimension)`` for tensors. The default uses
        :func:`torch.func.jacrev` mapped with :func:`torch.func.vmap`.

    The public ``rhs`` and ``jacobian`` accept numpy arrays as well as tensors and return the
    kind they were given; ``_rhs`` and an overriding ``_jacobian`` only ever see tensors.

    Simulation (``trajectory``)
    ---------------------------
    - ``methods``: every integrator of :data:`~chaoskit_systems.integrators.METHODS`.
      ``"dop853"`` (default) and ``"dopri5"``: adaptive, per-member step control, tolerances
      ``rtol=1e-9, atol=1e-12`` in float64 and ``1e-6, 1e-8`` in float32. ``"rk4"``: fixed
      step, every sampling interval ``dt`` is split into ``ceil(dt / max_step)`` equal
      substeps (see :meth:`default_max_step`); it takes no ``rtol``/``atol``. The
      ``*_compiled`` variants run the same methods through ``torch.compile`` (compiled once per
      system value, method, dtype, device and number of members; see
      :mod:`chaoskit_systems.compiled`).
    - Initial states: ``initial_state`` when given; otherwise member 0 starts at
      ``metadata.initial_state`` and member ``k ≥ 1`` at ``x0 + s·ξ_k`` with ``ξ_k`` standard
      Gaussian drawn by ``numpy.random.default_rng(seed)`` as one ``(members − 1, dimension)``
      array (so member ``k`` does not depend on how many members follow, and CPU and GPU runs
      start identically) and ``s = perturbation · max|x0ᵢ|`` over the components not in
      ``metadata.unbounded_indices`` (``perturbation = 1e-2``; ``s = 1e-2`` when those are 0);
      ``_initial_states`` comes from :class:`~chaoskit_systems._initial.DefaultInitialStates`,
      shared with the maps. In a parameter sweep every member starts at member 0's state.
    - The transient is integrated and discarded; output time 0 is the state after it (the
      vector field sees the physical time ``transient + time``).
    - Members that stop early (see :func:`~chaoskit_systems.integrators.integrate`) hold NaN
      from then on, are listed in the ``failed_*`` attributes, and raise a
      :class:`chaoskit.DivergenceWarning`.
    - Parameter sweeps (``trajectory(parameters={"rho": values})``, ``supports_sweeps``): the
      equations are evaluated with one parameter value per member by
      :class:`~chaoskit_systems._sweep.SweptEquations` (broadcast, ``vmap`` or a loop, the
      first that reproduces member-by-member evaluation on a probe); ``info["sweep_mode"]``
      says which. The RK4 step is the smallest :meth:`default_max_step` of the members.
    - Dynamical noise (``noise > 0``, ``supports_noise``): Euler–Maruyama
      (:func:`~chaoskit_systems.integrators.integrate_euler_maruyama`) with the step
      ``dt / ceil(dt / sde_step)``, ``sde_step`` defaulting to :meth:`default_max_step`;
      ``noise_kind="additive"`` (``σ dW``) or ``"multiplicative"`` (``σ x dW``, Itô). The
      transient is integrated with noise. Member ``k``'s increments come from its own
      generator (:func:`chaoskit.system.member_generators`, stream 1), drawn in float64 on the
      CPU, so a path depends on the seed and ``k`` only, whatever the device or the number of
      members. ``method``, ``rtol`` and ``atol`` do not apply.
    """

    backend: ClassVar[str] = "torch"
    supports_noise: ClassVar[bool] = True
    supports_sweeps: ClassVar[bool] = True
    methods: ClassVar[tuple[str, ...]] = tuple(METHODS)
    max_step: ClassVar[float | None] = None
    perturbation: ClassVar[float] = 1e-2

    # ------------------------------------------------------------------ equations
    def rhs(self, t: Any, x: Any) -> Any:
        """``dx/dt`` at time ``t`` for states ``x`` ``(..., dimension)``, numpy or torch."""
        return same_kind(x, lambda xt: System.rhs(self, time_like(t, xt), xt))

    def jacobian(self, t: Any, x: Any) -> Any:
        """``∂f/∂x`` of shape ``(..., dimension, dimension)``, numpy or torch like ``x``."""
        return same_kind(x, lambda xt: System.jacobian(self, time_like(t, xt), xt))

    def _jacobian(self, t: Any, x: Any) -> Any:
        """Reverse-mode automatic differentiation, vectorised over the leading dims of ``x``."""
        return same_kind(x, lambda xt: batched_jacobian(self._rhs, t, xt))

    # ------------------------------------------------------------------ simulation
    def default_max_step(self) -> float:
        """The largest internal RK4 step, in time units.

        ``max_step`` when the class sets it, else ``metadata.period / 200`` when the period is
        known (Lorenz: 0.0075, so ``dt = 0.01`` is taken in 2 substeps of 0.005), else
        ``metadata.dt``.
        """
        if self.max_step is not None:
            return float(self.max_step)
        period = self.metadata.period
        return period / 200.0 if period is not None else float(self.metadata.dt)

    def _trajectory(self, request: TrajectoryRequest) -> Simulation:
        if self.kind != "flow":
            raise CapabilityError(
                f"{self.name} is a {self.kind}; TorchSystem simulates flows only, so a {self.kind} "
                "system must override _trajectory"
            )
        device, dtype = resolve_device(request.device), torch_dtype(request.dtype)
        states, extra = self._start_states(request)
        time = request.dt * np.arange(request.n, dtype=np.float64)
        t_out = request.transient + time
        with torch.inference_mode():
            x0 = torch.as_tensor(states, dtype=dtype, device=device)
            rhs = self._equations(request, "_rhs", x0, request.transient)
            try:
                if request.noise:
                    result = self._integrate_sde(rhs, x0, t_out, request)
                else:
                    method = request.method or self.methods[0]
                    options = self._integration_options(method, request)
                    result = integrate(rhs, x0, t_out, t0=0.0, **options)
            except ParameterError as exc:  # name the system and the call
                raise ParameterError(f"{self.name}.trajectory: {exc}") from None
            except ChaoskitError as exc:  # e.g. the step budget of a stiff system: name the system
                if type(exc) is not ChaoskitError:
                    raise
                raise ChaoskitError(f"{self.name}.trajectory: {exc}") from None
            state = result.state.cpu().numpy()
        if isinstance(rhs, SweptEquations):
            extra["sweep_mode"] = rhs.mode
        info = {**result.info, **extra}
        self._warn_failed(result.failed_members, info)
        return Simulation(time=time, state=state, info=info)

    def _equations(
        self, request: TrajectoryRequest, method: str, x0: torch.Tensor, t: float
    ) -> Any:
        """``getattr(self, method)``, or its :class:`SweptEquations` in a parameter sweep
        (prepared with a float time and per-member times, as the integrators pass them)."""
        if not request.parameters:
            return getattr(self, method)
        swept = SweptEquations(self, request.parameters, method, dtype=x0.dtype, device=x0.device)
        times = torch.full((x0.shape[0],), float(t), dtype=x0.dtype, device=x0.device)
        return swept.prepare((float(t), x0), (times, x0))

    def _max_step(self, request: TrajectoryRequest) -> float:
        """The largest fixed step: :meth:`default_max_step`, the smallest over a sweep's members."""
        return min(s.default_max_step() for s in distinct_systems(self, request.parameters))

    def _integrate_sde(
        self, rhs: Any, x0: torch.Tensor, t_out: np.ndarray, request: TrajectoryRequest
    ) -> Any:
        """Euler–Maruyama with seeded per-member increments (see the class docstring)."""
        if request.method is not None or request.rtol is not None or request.atol is not None:
            raise ParameterError(
                "with noise > 0 a flow is integrated by Euler–Maruyama; method, rtol and atol do "
                "not apply (set its step with sde_step=…), or use noise=0"
            )
        step = request.sde_step if request.sde_step is not None else self._max_step(request)
        draws = GaussianIncrements(
            request.seed, x0.shape[0], x0.shape[1], count_steps(0.0, t_out, step),
            dtype=x0.dtype, device=x0.device,
        )
        return integrate_euler_maruyama(
            rhs, x0, torch.as_tensor(t_out), t0=0.0, step=step, noise=request.noise,
            kind=request.noise_kind, increments=draws,
        )

    def _warn_failed(self, failed: list[int], info: dict[str, Any]) -> None:
        if failed:
            reasons = sorted(set(info["failed_reasons"]))
            warnings.warn(
                f"{self.name}: {len(failed)} member(s) stopped early and hold NaN from then on "
                f"(members {failed[:10]}, reasons {reasons}); see the dataset's failed_* "
                "attributes",
                DivergenceWarning,
                stacklevel=4,
            )

    def _integration_options(self, method: str, request: TrajectoryRequest) -> dict[str, Any]:
        """Keyword arguments of :func:`~chaoskit_systems.integrators.integrate` for a request."""
        if method not in METHODS:  # a subclass declared a method no integrator implements
            raise ParameterError(
                f"{self.name}.trajectory: method {method!r} has no integrator; valid methods are "
                f"{sorted(METHODS)}"
            )
        if METHODS[method].adaptive:
            return {"method": method, "rtol": request.rtol, "atol": request.atol}
        if request.rtol is not None or request.atol is not None:
            raise ParameterError(
                f"{self.name}.trajectory: {method} is a fixed-step method and takes no rtol/atol; "
                f"its step is dt / ceil(dt / {self._max_step(request):g}). Drop rtol/atol or use "
                "method='dop853'"
            )
        return {"method": method, "step": self._max_step(request)}

    # ------------------------------------------------------------------ one-step map
    def _dynamics(self, dt: float) -> Dynamics:
        if self.kind != "flow":
            raise CapabilityError(
                f"{self.name} is a {self.kind}; TorchSystem provides dynamics for flows only"
            )
        return TorchDynamics(self, dt)
