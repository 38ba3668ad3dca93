"""``FlowMap``: the differentiable one-step map of any torch vector field (fixed-step RK4), and
``TorchDynamics``, the one of a chaoskit-systems flow."""

from __future__ import annotations

import contextlib
import warnings
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any, ClassVar

import torch
from chaoskit import DataError, Dynamics, ParameterError

from ._tensors import as_tensor, batched_jacobian, same_kind
from .integrators.rk4 import rk4_step
from .integrators.rk4 import substeps as count_substeps

if TYPE_CHECKING:
    from .base import TorchSystem

__all__ = ["FlowMap", "TorchDynamics", "quiet_forward_ad"]


@contextlib.contextmanager
def quiet_forward_ad() -> Iterator[None]:
    """Silence torch's own DeprecationWarning on the first forward-mode AD call.

    torch 2.13 loads its forward-mode decompositions with ``torch.jit.script`` on first use and
    warns that ``jit.script`` is deprecated; the warning is torch's, not the caller's.
    """
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=".*torch.jit.script.*", category=DeprecationWarning)
        yield


class FlowMap(Dynamics):
    """``Φ(x)``: advance any batched torch vector field by ``dt`` with RK4 substeps.

    The one-step map of a flow ``dx/dt = rhs(t, x)``, differentiable with autograd — the
    machinery behind every flow's :meth:`~chaoskit.System.dynamics` and the learned or identified
    vector fields of chaoskit-models (neural ODE, SINDy).

    Parameters
    ----------
    rhs
        Batched vector field ``rhs(t, x)`` for tensors ``x`` ``(..., dimension)``.
    dimension
        Size of the state.
    dt
        Time advanced by one step.
    max_step, substeps
        Give one: the largest RK4 substep (``dt`` is split into ``ceil(dt / max_step)`` equal
        substeps) or the number of substeps.
    t0
        Time at which every step starts (only non-autonomous fields see it).
    rhs_jacobian
        Optional analytic Jacobian of the vector field, ``rhs_jacobian(t, x)`` →
        ``(..., dimension, dimension)``. When given, :meth:`jvp` integrates the variational
        equation instead of differentiating the RK4 step (see Notes).

    Notes
    -----
    ``step``, ``jacobian`` and ``jvp`` take tensors ``(..., d)`` batched over any leading dims
    (numpy arrays are accepted too and give numpy back). ``jacobian`` uses
    :func:`torch.func.jacrev` under :func:`torch.func.vmap`; ``jvp(x, v)`` pushes the ``k``
    tangent columns of ``v`` ``(..., d, k)`` through one step, which is what tangent-space QR
    (Lyapunov spectra) needs: through :func:`torch.func.jvp` mapped over the columns, or, when
    ``rhs_jacobian`` is given (:attr:`variational`), by RK4 on the variational system
    ``x' = f(t, x)``, ``V' = J(t, x) V`` with the same stages — each stage one evaluation of
    the analytic Jacobian and one batched matrix product. The two agree to rounding: RK4 of
    the variational system is the exact derivative of the RK4 step (Runge–Kutta methods commute
    with linearization), and the state part is the RK4 step itself, bit for bit. Subclasses
    that advance differently (map iterations, the method of steps) override :meth:`_advance`
    only, and always take the :func:`torch.func.jvp` path.
    """

    backend: ClassVar[str] = "torch"
    #: subclasses that bypass ``__init__`` (map iterations, delay histories) have none
    rhs_jacobian: Callable[[Any, torch.Tensor], torch.Tensor] | None = None

    def __init__(
        self,
        rhs: Callable[[Any, torch.Tensor], torch.Tensor],
        dimension: int,
        dt: float,
        *,
        max_step: float | None = None,
        substeps: int | None = None,
        t0: float = 0.0,
        rhs_jacobian: Callable[[Any, torch.Tensor], torch.Tensor] | None = None,
    ) -> None:
        super().__init__(dimension, dt)
        if (max_step is None) == (substeps is None):
            raise ParameterError("FlowMap: give max_step or substeps (one of them)")
        self.rhs = rhs
        if substeps is None:
            assert max_step is not None  # exactly one of the two is given (checked just above)
            self.substeps = count_substeps(self.dt, float(max_step))
        else:
            self.substeps = int(substeps)
        if self.substeps < 1:
            raise ParameterError(f"FlowMap: substeps must be a positive integer, got {substeps!r}")
        self.h = self.dt / self.substeps
        self.max_step = float(max_step) if max_step is not None else self.h
        self.t0 = float(t0)
        self.rhs_jacobian = rhs_jacobian

    def __repr__(self) -> str:
        return f"{type(self).__name__}(dimension={self.dimension}, dt={self.dt}, substeps={self.substeps})"

    @property
    def variational(self) -> bool:
        """Whether :meth:`jvp` integrates the variational equation with an analytic Jacobian."""
        return self.rhs_jacobian is not None and type(self)._advance is FlowMap._advance

    def _advance(self, x: torch.Tensor) -> torch.Tensor:
        for j in range(self.substeps):
            x = rk4_step(self.rhs, self.t0 + j * self.h, x, self.h)
        return x

    def _step(self, x: Any) -> Any:
        return same_kind(x, self._advance)

    def _jacobian(self, x: Any) -> Any:
        return same_kind(x, lambda xt: batched_jacobian(lambda _, y: self._advance(y), 0.0, xt))

    def jvp(self, x: Any, v: Any) -> tuple[Any, Any]:
        """``(Φ(x), J(x) @ v)`` for tangent vectors ``v`` of shape ``(..., dimension, k)``."""
        self._check(x)
        if not isinstance(x, torch.Tensor):
            y, jv = self.jvp(as_tensor(x), as_tensor(v))
            return y.detach().cpu().numpy(), jv.detach().cpu().numpy()
        v = as_tensor(v, dtype=x.dtype, device=x.device)
        if v.ndim != x.ndim + 1 or v.shape[:-1] != x.shape:
            raise DataError(
                f"{type(self).__name__}.jvp: tangent vectors must have shape {(*x.shape, 'k')} for states "
                f"of shape {tuple(x.shape)}, got {tuple(v.shape)}"
            )

        if self.variational:
            return self._variational_advance(x, v)

        def push(column: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
            pushed = torch.func.jvp(self._advance, (x,), (column,))
            return pushed[0], pushed[1]

        # the primal does not depend on the tangent column: out_dims None keeps one copy
        mapped = torch.func.vmap(push, in_dims=-1, out_dims=(None, -1))  # type: ignore[arg-type]
        with quiet_forward_ad():
            y, jv = mapped(v)
        return y, jv

    def _variational_advance(self, x: torch.Tensor, v: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """RK4 substeps of ``(x, V)`` under ``x' = f(t, x)``, ``V' = J(t, x) V``.

        The state is advanced with exactly the arithmetic of
        :func:`~chaoskit_systems.integrators.rk4.rk4_step`, so ``jvp(x, v)[0] == step(x)``.
        """
        f, jac = self.rhs, self.rhs_jacobian
        assert jac is not None
        h = self.h
        half = 0.5 * h
        for j in range(self.substeps):
            t = self.t0 + j * h
            k1, g1 = f(t, x), jac(t, x) @ v
            xs, vs = torch.add(x, k1, alpha=half), torch.add(v, g1, alpha=half)
            k2, g2 = f(t + half, xs), jac(t + half, xs) @ vs
            xs, vs = torch.add(x, k2, alpha=half), torch.add(v, g2, alpha=half)
            k3, g3 = f(t + half, xs), jac(t + half, xs) @ vs
            xs, vs = torch.add(x, k3, alpha=h), torch.add(v, g3, alpha=h)
            k4, g4 = f(t + h, xs), jac(t + h, xs) @ vs
            x = torch.add(x, torch.add(k1 + k4, k2 + k3, alpha=2.0), alpha=h / 6.0)
            v = torch.add(v, torch.add(g1 + g4, g2 + g3, alpha=2.0), alpha=h / 6.0)
        return x, v


class TorchDynamics(FlowMap):
    """The one-step map of a :class:`~chaoskit_systems.base.TorchSystem` flow (RK4 substeps).

    Parameters
    ----------
    system
        The flow.
    dt
        Time advanced by one step.
    max_step
        Largest RK4 substep (default ``system.default_max_step()``); ``dt`` is split into
        ``ceil(dt / max_step)`` equal substeps — the same substeps as
        ``system.trajectory(method="rk4", dt=dt)``.
    t0
        Time at which every step starts (only non-autonomous systems see it).

    Notes
    -----
    When the system's class overrides ``_jacobian`` (an analytic Jacobian), it is passed as
    ``rhs_jacobian``: :meth:`jvp` then integrates the variational equation (exact, and several
    times faster than forward-mode AD through the RK4 step in eager torch).
    """

    def __init__(
        self, system: TorchSystem, dt: float, *, max_step: float | None = None, t0: float = 0.0
    ) -> None:
        from .base import TorchSystem  # here: base imports this module

        step = float(max_step) if max_step is not None else system.default_max_step()
        analytic = type(system)._jacobian is not TorchSystem._jacobian
        super().__init__(system._rhs, system.dimension, dt, max_step=step, t0=t0,
                         rhs_jacobian=system._jacobian if analytic else None)
        self.system = system

    def __repr__(self) -> str:
        return f"TorchDynamics({self.system!r}, dt={self.dt}, substeps={self.substeps})"
