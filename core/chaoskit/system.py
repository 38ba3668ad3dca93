"""The System interface: a dynamical system with its metadata and its simulator."""

from __future__ import annotations

import abc
from collections.abc import Callable, Mapping
from typing import Any, ClassVar

import attrs
import numpy as np
import xarray as xr

from ._postprocess import member_generators, observation_noise, standardize
from ._request import (
    DTYPES,
    NOISE_KINDS,
    OBSERVATION_NOISE_KINDS,
    _positive,
    build_request,
    check_post,
)
from .data import _to_numpy, make_dataset, provenance
from .dynamics import Dynamics, finite_difference_jacobian
from .errors import CapabilityError, DataError, ParameterError

__all__ = [
    "DTYPES", "NOISE_KINDS", "OBSERVATION_NOISE_KINDS", "SYSTEM_KINDS", "ReferenceValue", "Simulation",
    "System", "SystemMetadata", "TrajectoryRequest", "member_generators",
]

SYSTEM_KINDS = ("flow", "map", "delay", "pde", "sde", "stochastic")
DEFAULT_PTS_PER_PERIOD = 100  # dysts' default granularity


@attrs.frozen(kw_only=True)
class ReferenceValue:
    """A reference invariant with its uncertainty and where it comes from.

    ``value`` is a number or a tuple (a Lyapunov spectrum); ``uncertainty`` likewise or ``None``;
    ``method`` says how it was computed (e.g. ``"tangent-space QR, RK4 dt=0.01, T=5000"``) and
    ``source`` whether it is published (``"lit: Sprott 2003"``) or computed by chaoskit.
    """

    value: float | tuple[float, ...]
    uncertainty: float | tuple[float, ...] | None = None
    method: str = ""
    source: str = ""

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> ReferenceValue:
        value = data["value"]
        unc = data.get("uncertainty")
        return cls(
            value=tuple(value) if isinstance(value, list) else float(value),
            uncertainty=tuple(unc) if isinstance(unc, list) else unc,
            method=str(data.get("method", "")),
            source=str(data.get("source", "")),
        )


@attrs.frozen(kw_only=True)
class SystemMetadata:
    """What is known about a system, from its provider's package data.

    ``dt`` is the default sampling interval, ``period`` the dominant period (``None`` when
    unknown), ``initial_state`` the default initial condition, ``references`` the reference
    invariants by name (``"lyapunov_spectrum"``, ``"max_lyapunov"``, ``"kaplan_yorke_dimension"``,
    ``"correlation_dimension"`` …) valid at the default parameters, ``flags`` labels such as
    ``"hamiltonian"``, ``"nonautonomous"``, ``"unbounded"``; ``unbounded_indices`` the state
    components that grow without bound on the attractor (phases, clocks), which statistics of
    the state's scale (such as the perturbation of default initial states) leave out.
    """

    name: str
    description: str = ""
    citation: str = ""
    dt: float
    period: float | None = None
    initial_state: tuple[float, ...]
    references: Mapping[str, ReferenceValue] = attrs.field(factory=dict)
    flags: frozenset[str] = frozenset()
    unbounded_indices: tuple[int, ...] = ()

    @property
    def max_lyapunov(self) -> float | None:
        """The largest Lyapunov exponent at the default parameters, when known."""
        if "max_lyapunov" in self.references:
            return float(self.references["max_lyapunov"].value)  # type: ignore[arg-type]
        spectrum = self.references.get("lyapunov_spectrum")
        if spectrum is not None:
            return float(spectrum.value[0])  # type: ignore[index]
        return None

    @property
    def lyapunov_time(self) -> float | None:
        """``1 / λ1`` at the default parameters, or ``None`` when unknown or not chaotic."""
        lam = self.max_lyapunov
        return 1.0 / lam if lam is not None and lam > 0 else None

    @property
    def lyapunov_time_source(self) -> str | None:
        """Where :attr:`lyapunov_time` comes from: the ``source`` of the reference giving λ1
        (a publication, or a value the provider computed), ``None`` without a Lyapunov time."""
        if self.lyapunov_time is None:
            return None
        ref = self.references.get("max_lyapunov") or self.references["lyapunov_spectrum"]
        return ref.source or "unspecified"


@attrs.frozen(kw_only=True)
class TrajectoryRequest:
    """A validated ``System.trajectory`` call, as handed to ``System._trajectory``.

    ``n`` output points spaced ``dt`` apart after discarding ``transient`` time units;
    ``initial_state`` of shape ``(members, dimension)`` or ``None`` (the provider chooses, from
    the default initial condition and ``seed``); ``method``, ``rtol``, ``atol`` ``None`` mean the
    provider's defaults; ``noise`` is the amplitude of dynamical (Brownian) forcing,
    ``noise_kind`` ``"additive"`` (``σ dW``) or ``"multiplicative"`` (``σ x dW``, Itô), and
    ``sde_step`` the largest step of the stochastic integrator (``None``: the provider's).
    ``parameters`` maps swept parameter names to float64 arrays ``(members, *shape)``: member
    ``k`` is simulated with ``parameters[name][k]`` (empty without a sweep; providers declare
    ``supports_sweeps``). The random streams of member ``k`` come from
    :func:`member_generators` (``seed`` and the member's index only).
    """

    n: int
    dt: float
    members: int
    initial_state: np.ndarray | None
    transient: float
    method: str | None
    rtol: float | None
    atol: float | None
    noise: float
    seed: int | None
    device: str
    dtype: str
    noise_kind: str = "additive"
    sde_step: float | None = None
    parameters: Mapping[str, np.ndarray] = attrs.field(factory=dict)


@attrs.frozen(kw_only=True)
class Simulation:
    """What ``System._trajectory`` returns: output times ``(n,)`` starting at 0, states
    ``(members, n, *space, dimension)`` as a numpy array or tensor, and ``info`` for provenance
    (integrator name, tolerances used, step counts …)."""

    time: Any
    state: Any
    info: Mapping[str, Any] = attrs.field(factory=dict)
    space: Mapping[str, Any] = attrs.field(factory=dict)


@attrs.define(frozen=True, kw_only=True)
class System(abc.ABC):
    """A dynamical system: its parameters (frozen attrs fields), metadata and simulator.

    Class attributes every subclass sets
    ------------------------------------
    kind
        One of ``"flow"``, ``"map"``, ``"delay"``, ``"pde"``, ``"sde"``, ``"stochastic"``.
    variables
        Names of the state components, e.g. ``("x", "y", "z")``.
    metadata
        A :class:`SystemMetadata` (loaded from the provider's package data).
    methods
        The integrator names ``trajectory(method=...)`` accepts (the first is the default).
    backend
        ``"numpy"`` or ``"torch"``: the array type ``rhs``, ``step`` and ``jacobian`` work on
        (they may accept numpy too); ``supports_noise`` whether ``noise > 0`` is simulated;
        ``supports_sweeps`` whether ``trajectory(parameters=...)`` is (one call, one
        parameter value per member).

    Contract
    --------
    Parameters are attrs fields with validators, so ``attrs.evolve(system, rho=30.0)`` makes a
    variant and ``system.parameters`` fills provenance. Public methods validate their arguments
    and call the underscored method that does the work:

    - flows, delay equations, PDEs and SDEs implement ``_rhs(t, x)``; maps ``_step(x)``. Both are
      batched over all leading dims of ``x``.
    - ``_trajectory(request)`` simulates and returns a :class:`Simulation`; this base class turns
      it into the conventional Dataset with provenance attributes.
    - ``_jacobian(t, x)`` defaults to central finite differences in float64; providers override
      it with analytic or automatic derivatives.
    - ``_dynamics(dt)`` returns the differentiable one-step map (:class:`Dynamics`); the default
      raises :class:`CapabilityError`.
    """

    kind: ClassVar[str] = "flow"
    variables: ClassVar[tuple[str, ...]] = ()
    metadata: ClassVar[SystemMetadata]
    supports_noise: ClassVar[bool] = False
    supports_sweeps: ClassVar[bool] = False
    backend: ClassVar[str] = "numpy"
    methods: ClassVar[tuple[str, ...]] = ()

    # ------------------------------------------------------------------ description
    @property
    def dimension(self) -> int:
        """Number of state components."""
        return len(self.variables)

    @property
    def name(self) -> str:
        """The system's name as its metadata gives it."""
        return self.metadata.name

    @property
    def default_dt(self) -> float:
        """The default sampling interval: 1 for maps; period / 100 when the period is known
        (dysts' default granularity); else the metadata's ``dt``."""
        if self.kind == "map":
            return 1.0
        if self.metadata.period is not None:
            return self.metadata.period / DEFAULT_PTS_PER_PERIOD
        return self.metadata.dt

    @property
    def parameters(self) -> dict[str, Any]:
        """The parameter values, by name."""
        return attrs.asdict(self, recurse=False)

    @property
    def at_defaults(self) -> bool:
        """Whether every parameter has its default value (reference invariants then apply)."""
        try:
            defaults = type(self)()
        except Exception:  # noqa: BLE001 - a system with required parameters has no defaults
            return False
        return all(
            np.array_equal(np.asarray(a), np.asarray(b))
            for a, b in zip(attrs.astuple(self, recurse=False), attrs.astuple(defaults, recurse=False))
        )

    # ------------------------------------------------------------------ equations
    def rhs(self, t: Any, x: Any) -> Any:
        """The vector field ``dx/dt`` at time ``t`` for states ``x`` of shape ``(..., dimension)``."""
        if self.kind == "map":
            raise CapabilityError(f"{self.name} is a map; use step(x) instead of rhs(t, x)")
        self._check_state(x)
        return self._rhs(t, x)

    def step(self, x: Any) -> Any:
        """One iteration of a map for states ``x`` of shape ``(..., dimension)``."""
        if self.kind != "map":
            raise CapabilityError(f"{self.name} is a {self.kind}, not a map; use rhs(t, x) or dynamics(dt)")
        self._check_state(x)
        return self._step(x)

    def jacobian(self, t: Any, x: Any) -> Any:
        """``∂f/∂x`` (of ``rhs`` for flows, of ``step`` for maps): shape ``(..., d, d)``."""
        self._check_state(x)
        return self._jacobian(t, x)

    def conserved_quantities(self) -> Mapping[str, Callable[[Any], Any]]:
        """The quantities the equations conserve, by name (an optional capability).

        Each maps states of shape ``(..., *space, variable)`` to one value per leading index
        (numpy arrays in, numpy arrays out), e.g. ``{"energy": H}`` of a Hamiltonian system or
        the mass and momentum of a PDE. The default is none; the conservation metric of
        chaoskit-metrics uses them (``quantity="system"``).
        """
        return {}

    def _rhs(self, t: Any, x: Any) -> Any:
        raise CapabilityError(f"{self.name} defines no right-hand side")

    def _step(self, x: Any) -> Any:
        raise CapabilityError(f"{self.name} defines no map step")

    def _jacobian(self, t: Any, x: Any) -> Any:
        f = self._step if self.kind == "map" else (lambda y: self._rhs(t, y))
        return finite_difference_jacobian(f, x)

    def _check_state(self, x: Any) -> None:
        shape = tuple(getattr(x, "shape", np.shape(x)))
        if not shape or shape[-1] != self.dimension:
            raise DataError(
                f"{self.name}: expected states of shape (..., {self.dimension}) for variables "
                f"{self.variables}, got shape {shape}"
            )

    # ------------------------------------------------------------------ simulation
    def trajectory(
        self,
        n: int,
        *,
        dt: float | None = None,
        pts_per_period: float | None = None,
        members: int | None = None,
        initial_state: Any = None,
        transient: float = 0.0,
        method: str | None = None,
        rtol: float | None = None,
        atol: float | None = None,
        parameters: Mapping[str, Any] | None = None,
        noise: float = 0.0,
        noise_kind: str = "additive",
        sde_step: float | None = None,
        observation_noise: float = 0.0,
        observation_noise_kind: str = "relative",
        return_clean: bool = False,
        standardize: bool = False,
        seed: int | None = None,
        device: str = "cpu",
        dtype: str = "float64",
    ) -> xr.Dataset:
        """Simulate ``members`` trajectories of ``n`` points each and return the Dataset.

        Parameters
        ----------
        n
            Number of output points (the first is the state after the transient).
        dt, pts_per_period
            Sampling interval, or points per dominant period (dysts' granularity); give at most
            one. Default: 100 points per period when the period is known (as dysts), else the
            metadata's ``dt``; 1 for maps.
        members
            Number of trajectories (default: the length of a parameter sweep, else the number
            of rows of a 2-D ``initial_state``, else 1). Without
            ``initial_state`` the provider starts them from the default initial condition,
            perturbed under ``seed`` for members after the first (a sweep starts every member
            at the default initial condition).
        initial_state
            Shape ``(dimension,)`` (shared) or ``(members, dimension)``.
        transient
            Time units simulated and discarded before the first output point.
        method, rtol, atol
            Integrator and tolerances; ``None`` takes the provider's defaults.
        parameters
            A parameter sweep in one batched call (systems with ``supports_sweeps``): parameter
            name → one value per member (shape ``(members,)``; ``(members, *shape)`` for an
            array-valued parameter) or one value for all. Member ``k`` is simulated with the
            ``k``-th values, the other parameters stay this instance's. A swept scalar
            parameter becomes a ``member`` coordinate of the dataset (``ds.rho``) and the
            ``sweep`` attribute records every swept value.
        noise, noise_kind, sde_step
            Dynamical noise (systems with ``supports_noise``): amplitude ``σ ≥ 0``; ``"additive"``
            (``dx = f dt + σ dW``) or ``"multiplicative"`` (``dx = f dt + σ x dW``, Itô, per
            component); the largest step of the stochastic integrator (default: the
            provider's). Seeded per member (see :func:`member_generators`).
        observation_noise, observation_noise_kind, return_clean
            Gaussian measurement noise added to the returned states, drawn independently of
            the dynamical noise: ``"relative"`` (default, dysts' convention) scales it by the
            standard deviation of each member's clean variable over time, ``"absolute"`` uses
            ``observation_noise`` as the standard deviation. ``return_clean=True`` keeps the
            noise-free states as the variable ``clean_state``.
        standardize
            Z-score every variable over (member, time) of the returned states; the attributes
            ``standardize_mean`` and ``standardize_std`` undo it (``x = z·std + mean``).
        seed
            Seed of every random choice (perturbed initial conditions, noise).
        device, dtype
            Where and in which precision to simulate (``"float64"`` or ``"float32"``).

        Returns
        -------
        xarray.Dataset
            ``state`` with dims ``(member, time, [space…], variable)``, time starting at 0,
            and provenance attributes.
        """
        request = self._request(
            n, dt=dt, pts_per_period=pts_per_period, members=members,
            initial_state=initial_state, transient=transient, method=method, rtol=rtol,
            atol=atol, parameters=parameters, noise=noise, noise_kind=noise_kind,
            sde_step=sde_step, seed=seed, device=device, dtype=dtype,
        )
        post = check_post(
            self.name, observation_noise, observation_noise_kind, return_clean, standardize
        )
        sim = self._trajectory(request)
        return self._dataset(request, sim, post)

    def _dataset(self, request: TrajectoryRequest, sim: Simulation, post: Mapping[str, Any]) -> xr.Dataset:
        """Observation noise, standardization and provenance: the Dataset of a simulation."""
        state = _to_numpy(sim.state)
        base: dict[str, Any] = {
            "system": self.name, "system_kind": self.kind, "parameters": self.parameters,
            "dt": request.dt, "members": request.members, "transient": request.transient,
            "noise": request.noise, "seed": -1 if request.seed is None else request.seed,
            "device": request.device, "dtype": request.dtype,
        }
        if request.noise:
            base["noise_kind"] = request.noise_kind
        if request.parameters:
            base["sweep"] = {k: v.tolist() for k, v in request.parameters.items()}
        clean = None
        if post["observation_noise"]:
            noisy, _ = observation_noise(
                state, post["observation_noise"], post["observation_noise_kind"], request.seed
            )
            clean, state = (state if post["return_clean"] else None), noisy
            base["observation_noise"] = post["observation_noise"]
            base["observation_noise_kind"] = post["observation_noise_kind"]
        elif post["return_clean"]:
            clean = state
        if post["standardize"]:
            arrays, mean, std = standardize(state, *([] if clean is None else [clean]))
            state, clean = arrays[0], (arrays[1] if clean is not None else None)
            base.update(standardize=True, standardize_mean=mean.tolist(), standardize_std=std.tolist())
        attrs_ = provenance(**{**dict(sim.info), **base})  # the request's values win over a provider's info
        if self.at_defaults and not request.parameters and self.metadata.lyapunov_time is not None:
            attrs_["max_lyapunov"] = self.metadata.max_lyapunov
            attrs_["lyapunov_time"] = self.metadata.lyapunov_time
            attrs_["lyapunov_time_source"] = self.metadata.lyapunov_time_source
        reserved = {"member", "time", "variable", *sim.space}
        coords = {
            (name if name not in reserved else f"parameter_{name}"): values
            for name, values in request.parameters.items() if values.ndim == 1
        }
        ds = make_dataset(
            state, time=np.asarray(sim.time, dtype=float), variables=self.variables,
            space=sim.space, attrs=attrs_, member_coords=coords,
        )
        if clean is not None:
            ds["clean_state"] = ds["state"].copy(data=clean)
        return ds

    def _request(self, n: int, **kw: Any) -> TrajectoryRequest:
        """Validate the arguments of :meth:`trajectory` (all but the post-processing options)."""
        return build_request(self, n, **kw)

    @abc.abstractmethod
    def _trajectory(self, request: TrajectoryRequest) -> Simulation:
        """Simulate a validated request; see :class:`TrajectoryRequest` and :class:`Simulation`."""

    # ------------------------------------------------------------------ one-step map
    def dynamics(self, dt: float | None = None) -> Dynamics:
        """The differentiable one-step map advancing ``dt`` time units (default: :attr:`default_dt`)."""
        if dt is None:
            dt = self.default_dt
        if not _positive(dt):
            raise ParameterError(f"{self.name}.dynamics: dt must be a positive number, got {dt!r}")
        return self._dynamics(float(dt))

    def _dynamics(self, dt: float) -> Dynamics:
        raise CapabilityError(f"{self.name} provides no differentiable one-step map")

