"""The System interface: a dynamical system with its metadata and its simulator."""

from __future__ import annotations

import abc
import math
import numbers
from collections.abc import Mapping
from typing import Any, ClassVar

import attrs
import numpy as np
import xarray as xr

from .data import make_dataset, provenance
from .dynamics import Dynamics, finite_difference_jacobian
from .errors import CapabilityError, DataError, ParameterError

__all__ = ["SYSTEM_KINDS", "ReferenceValue", "Simulation", "System", "SystemMetadata", "TrajectoryRequest"]

SYSTEM_KINDS = ("flow", "map", "delay", "pde", "sde", "stochastic")
DTYPES = ("float32", "float64")
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
    ``"hamiltonian"``, ``"nonautonomous"``, ``"unbounded"``.
    """

    name: str
    description: str = ""
    citation: str = ""
    dt: float
    period: float | None = None
    initial_state: tuple[float, ...]
    references: Mapping[str, ReferenceValue] = attrs.field(factory=dict)
    flags: frozenset[str] = frozenset()

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


@attrs.frozen(kw_only=True)
class TrajectoryRequest:
    """A validated ``System.trajectory`` call, as handed to ``System._trajectory``.

    ``n`` output points spaced ``dt`` apart after discarding ``transient`` time units;
    ``initial_state`` of shape ``(members, dimension)`` or ``None`` (the provider chooses, from
    the default initial condition and ``seed``); ``method``, ``rtol``, ``atol`` ``None`` mean the
    provider's defaults; ``noise`` is the amplitude of dynamical (Brownian) forcing.
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
        (they may accept numpy too); ``supports_noise`` whether ``noise > 0`` is simulated.

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
        members: int = 1,
        initial_state: Any = None,
        transient: float = 0.0,
        method: str | None = None,
        rtol: float | None = None,
        atol: float | None = None,
        noise: float = 0.0,
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
            Number of trajectories. Without ``initial_state`` the provider starts them from the
            default initial condition, perturbed under ``seed`` for members after the first.
        initial_state
            Shape ``(dimension,)`` (shared) or ``(members, dimension)``.
        transient
            Time units simulated and discarded before the first output point.
        method, rtol, atol
            Integrator and tolerances; ``None`` takes the provider's defaults.
        noise
            Amplitude of dynamical noise (systems with ``supports_noise`` only).
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
            atol=atol, noise=noise, seed=seed, device=device, dtype=dtype,
        )
        sim = self._trajectory(request)
        info = dict(sim.info)
        known = self.at_defaults
        base = dict(
            system=self.name,
            system_kind=self.kind,
            parameters=self.parameters,
            dt=request.dt,
            members=request.members,
            transient=request.transient,
            noise=request.noise,
            seed=-1 if request.seed is None else request.seed,
            device=request.device,
            dtype=request.dtype,
        )
        attrs_ = provenance(**{**info, **base})  # the request's values win over a provider's info
        if known and self.metadata.lyapunov_time is not None:
            attrs_["max_lyapunov"] = self.metadata.max_lyapunov
            attrs_["lyapunov_time"] = self.metadata.lyapunov_time
        return make_dataset(
            sim.state, time=np.asarray(sim.time, dtype=float), variables=self.variables,
            space=sim.space, attrs=attrs_,
        )

    def _request(self, n: int, **kw: Any) -> TrajectoryRequest:
        def bad(field: str, expected: str, value: Any) -> ParameterError:
            return ParameterError(f"{self.name}.trajectory: {field} must be {expected}, got {value!r}")

        if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 1:
            raise bad("n", "a positive integer (number of points)", n)
        members = kw["members"]
        if isinstance(members, bool) or not isinstance(members, (int, np.integer)) or members < 1:
            raise bad("members", "a positive integer", members)
        dt, ppp = kw["dt"], kw["pts_per_period"]
        if dt is not None and ppp is not None:
            raise ParameterError(f"{self.name}.trajectory: give dt or pts_per_period, not both")
        if ppp is not None:
            if not _positive(ppp):
                raise bad("pts_per_period", "a positive number", ppp)
            if self.metadata.period is None:
                raise ParameterError(f"{self.name} has no known period; give dt instead of pts_per_period")
            dt = self.metadata.period / float(ppp)
        if dt is None:
            dt = self.default_dt
        if not _positive(dt):
            raise bad("dt", "a positive number", dt)
        if self.kind == "map" and float(dt) != 1.0:
            raise bad("dt", "1 for a map (one iteration per step)", dt)
        for field in ("rtol", "atol"):
            if kw[field] is not None and not _positive(kw[field]):
                raise bad(field, "a positive number or None", kw[field])
        if not _nonneg(kw["transient"]):
            raise bad("transient", "a non-negative time", kw["transient"])
        if not _nonneg(kw["noise"]):
            raise bad("noise", "a non-negative amplitude", kw["noise"])
        if kw["noise"] and not self.supports_noise:
            raise CapabilityError(f"{self.name} does not simulate dynamical noise; use noise=0")
        if kw["method"] is not None and kw["method"] not in self.methods:
            raise bad("method", f"one of {list(self.methods)}", kw["method"])
        seed = kw["seed"]
        if seed is not None and (isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0):
            raise bad("seed", "a non-negative integer or None", seed)
        if kw["dtype"] not in DTYPES:
            raise bad("dtype", f"one of {list(DTYPES)}", kw["dtype"])
        if not isinstance(kw["device"], str):
            raise bad("device", "a device string such as 'cpu' or 'cuda'", kw["device"])
        x0 = kw["initial_state"]
        if x0 is not None:
            x0 = np.array(x0, dtype=float)
            if x0.ndim == 1:
                x0 = np.broadcast_to(x0, (members, x0.size)).copy()
            if x0.shape != (members, self.dimension):
                raise DataError(
                    f"{self.name}.trajectory: initial_state must have shape ({self.dimension},) or "
                    f"({members}, {self.dimension}), got {np.shape(kw['initial_state'])}"
                )
            if not np.all(np.isfinite(x0)):
                raise DataError(f"{self.name}.trajectory: initial_state holds non-finite values")
        return TrajectoryRequest(
            n=int(n), dt=float(dt), members=int(members), initial_state=x0,
            transient=float(kw["transient"]), method=kw["method"], rtol=kw["rtol"],
            atol=kw["atol"], noise=float(kw["noise"]), seed=None if seed is None else int(seed),
            device=kw["device"], dtype=kw["dtype"],
        )

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


def _real(value: Any) -> bool:
    return isinstance(value, numbers.Real) and not isinstance(value, (bool, np.bool_)) and math.isfinite(value)


def _positive(value: Any) -> bool:
    return _real(value) and value > 0


def _nonneg(value: Any) -> bool:
    return _real(value) and value >= 0
