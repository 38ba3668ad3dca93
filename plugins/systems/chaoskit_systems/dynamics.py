"""``TorchDynamics``: the differentiable one-step map of a torch flow (fixed-step RK4)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

import torch
from chaoskit import DataError, Dynamics

from ._tensors import as_tensor, batched_jacobian, same_kind
from .integrators.rk4 import rk4_step, substeps

if TYPE_CHECKING:
    from .base import TorchSystem

__all__ = ["TorchDynamics"]


class TorchDynamics(Dynamics):
    """``Φ(x)``: advance a flow by ``dt`` with RK4 substeps, differentiable with autograd.

    Parameters
    ----------
    system
        The flow (a :class:`~chaoskit_systems.base.TorchSystem`).
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
    ``step``, ``jacobian`` and ``jvp`` take tensors ``(..., d)`` batched over any leading dims
    (numpy arrays are accepted too and give numpy back). ``jacobian`` uses
    :func:`torch.func.jacrev` under :func:`torch.func.vmap`; ``jvp(x, v)`` pushes the ``k``
    tangent columns of ``v`` ``(..., d, k)`` through :func:`torch.func.jvp`, mapped over the
    columns, which is what tangent-space QR (Lyapunov spectra) needs.
    """

    backend: ClassVar[str] = "torch"

    def __init__(
        self, system: TorchSystem, dt: float, *, max_step: float | None = None, t0: float = 0.0
    ) -> None:
        super().__init__(system.dimension, dt)
        self.system = system
        self.max_step = float(max_step) if max_step is not None else system.default_max_step()
        self.substeps = substeps(self.dt, self.max_step)
        self.h = self.dt / self.substeps
        self.t0 = float(t0)

    def __repr__(self) -> str:
        return f"TorchDynamics({self.system!r}, dt={self.dt}, substeps={self.substeps})"

    def _advance(self, x: torch.Tensor) -> torch.Tensor:
        for j in range(self.substeps):
            x = rk4_step(self.system._rhs, self.t0 + j * self.h, x, self.h)
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
                f"TorchDynamics.jvp: tangent vectors must have shape {(*x.shape, 'k')} for states "
                f"of shape {tuple(x.shape)}, got {tuple(v.shape)}"
            )

        def push(column: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
            pushed = torch.func.jvp(self._advance, (x,), (column,))
            return pushed[0], pushed[1]

        # the primal does not depend on the tangent column: out_dims None keeps one copy
        mapped = torch.func.vmap(push, in_dims=-1, out_dims=(None, -1))  # type: ignore[arg-type]
        y, jv = mapped(v)
        return y, jv
