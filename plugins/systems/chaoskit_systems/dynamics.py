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

    Notes
    -----
    ``step``, ``jacobian`` and ``jvp`` take tensors ``(..., d)`` batched over any leading dims
    (numpy arrays are accepted too and give numpy back). ``jacobian`` uses
    :func:`torch.func.jacrev` under :func:`torch.func.vmap`; ``jvp(x, v)`` pushes the ``k``
    tangent columns of ``v`` ``(..., d, k)`` through :func:`torch.func.jvp`, mapped over the
    columns, which is what tangent-space QR (Lyapunov spectra) needs. Subclasses that advance
    differently (map iterations, the method of steps) override :meth:`_advance` only.
    """

    backend: ClassVar[str] = "torch"

    def __init__(
        self,
        rhs: Callable[[Any, torch.Tensor], torch.Tensor],
        dimension: int,
        dt: float,
        *,
        max_step: float | None = None,
        substeps: int | None = None,
        t0: float = 0.0,
    ) -> None:
        super().__init__(dimension, dt)
        if (max_step is None) == (substeps is None):
            raise ParameterError("FlowMap: give max_step or substeps (one of them)")
        self.rhs = rhs
        self.substeps = count_substeps(self.dt, float(max_step)) if substeps is None else int(substeps)
        if self.substeps < 1:
            raise ParameterError(f"FlowMap: substeps must be a positive integer, got {substeps!r}")
        self.h = self.dt / self.substeps
        self.max_step = float(max_step) if max_step is not None else self.h
        self.t0 = float(t0)

    def __repr__(self) -> str:
        return f"{type(self).__name__}(dimension={self.dimension}, dt={self.dt}, substeps={self.substeps})"

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

        def push(column: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
            pushed = torch.func.jvp(self._advance, (x,), (column,))
            return pushed[0], pushed[1]

        # the primal does not depend on the tangent column: out_dims None keeps one copy
        mapped = torch.func.vmap(push, in_dims=-1, out_dims=(None, -1))  # type: ignore[arg-type]
        with quiet_forward_ad():
            y, jv = mapped(v)
        return y, jv


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
    """

    def __init__(
        self, system: TorchSystem, dt: float, *, max_step: float | None = None, t0: float = 0.0
    ) -> None:
        step = float(max_step) if max_step is not None else system.default_max_step()
        super().__init__(system._rhs, system.dimension, dt, max_step=step, t0=t0)
        self.system = system

    def __repr__(self) -> str:
        return f"TorchDynamics({self.system!r}, dt={self.dt}, substeps={self.substeps})"
