"""One step of the orbit and its tangent vectors, ``(x, V) → (Φ(x), J(x) V)``, for every member.

Private to :mod:`chaoskit_metrics.tangent` (whose docstring describes the tangent modes).
:func:`pusher` returns the function the engine calls once per step:

- ``"jvp"``: the dynamics' own ``jvp``;
- ``"difference"``: central differences of ``step`` along the columns of ``V``, the state and
  the ``2k`` perturbed states in one ``step`` call on a ``(members, 2k + 1, d)`` batch;
- ``compile=True`` (torch dynamics): that function fused by ``torch.compile`` through
  chaoskit-systems' compiled-function cache (:func:`chaoskit_systems.compiled.compiled`), keyed
  by the system, step and batch layout, so that later estimates in the process reuse it.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from typing import Any

from chaoskit import CapabilityError, Dynamics, ParameterError

from .tangent_backend import TangentBackend

__all__ = ["TANGENT_MODES", "Push", "pusher", "resolve_mode"]

TANGENT_MODES = ("auto", "jvp", "difference")
#: ``push(x, v, normalized)``: ``normalized`` says the columns of ``v`` have unit norm
Push = Callable[[Any, Any, bool], tuple[Any, Any]]


def resolve_mode(tangent: str, backend: str, dtype: str) -> str:
    """The tangent mode ``"auto"`` stands for: differences for torch in float64, else ``jvp``."""
    if tangent not in TANGENT_MODES:
        raise ParameterError(f"tangent must be one of {list(TANGENT_MODES)}, got {tangent!r}")
    if tangent != "auto":
        return tangent
    return "difference" if backend == "torch" and dtype == "float64" else "jvp"


def pusher(dynamics: Dynamics, backend: TangentBackend, mode: str, *, compile: bool = False) -> Push:
    """The step function of ``mode`` for ``dynamics`` (fused with ``torch.compile`` if asked)."""
    delta = backend.eps ** (1.0 / 3.0)
    if mode == "jvp":
        def push(x: Any, v: Any, normalized: bool) -> tuple[Any, Any]:
            return _jvp(dynamics, x, v)
    elif backend.name == "torch":
        def push(x: Any, v: Any, normalized: bool) -> tuple[Any, Any]:
            return _difference_torch(backend.torch, dynamics.step, x, v, delta, normalized)
    else:
        def push(x: Any, v: Any, normalized: bool) -> tuple[Any, Any]:
            return _difference_numpy(dynamics.step, x, v, delta)
    if not compile:
        return push
    if backend.name != "torch":
        raise ParameterError("compile=True fuses torch dynamics only; this dynamics is numpy")
    try:
        from chaoskit_systems.compiled import compiled
    except ImportError:
        raise CapabilityError(
            "compile=True uses chaoskit-systems' torch.compile cache; install chaoskit-systems "
            "or leave compile=False (eager, same results)"
        ) from None

    def build() -> Callable[[Any, Any], tuple[Any, Any]]:
        # always normalizing keeps one graph (a bool argument would compile twice)
        return lambda x, v: push(x, v, False)

    fused = compiled(_key(dynamics, mode, backend), build)
    # one stride layout (QR returns column-major Q): no second compilation for the other
    return lambda x, v, normalized: fused(x.contiguous(), v.contiguous())


def _key(dynamics: Dynamics, mode: str, backend: TangentBackend) -> Hashable:
    """What the compiled push depends on: for a chaoskit-systems flow (a frozen, hashable
    system) its class, parameters, step and substeps, so equal dynamics share a compilation;
    otherwise the dynamics object itself (identity)."""
    system = getattr(dynamics, "system", None)
    ident: Hashable = dynamics
    if system is not None:
        try:
            hash(system)
            ident = (type(dynamics), system, dynamics.dt, getattr(dynamics, "substeps", None),
                     getattr(dynamics, "t0", None))
        except TypeError:
            pass
    return ("chaoskit_metrics.tangent_push", mode, ident, str(backend.dtype), str(backend.device))


def _jvp(dynamics: Dynamics, x: Any, v: Any) -> tuple[Any, Any]:
    try:
        return dynamics.jvp(x, v)
    except CapabilityError as exc:
        raise CapabilityError(
            f"the Lyapunov spectrum needs tangent vectors pushed through one step, but "
            f"{type(dynamics).__name__} gives no Jacobian ({exc}); use tangent='difference' "
            "(central differences of step) or give the dynamics a jacobian/jvp"
        ) from None


def _difference_torch(torch: Any, step: Callable[[Any], Any], x: Any, v: Any, delta: float,
                      normalized: bool) -> tuple[Any, Any]:
    """Central differences along every column, members and columns in one ``step`` call.

    The offset of member ``m`` is ``ε_m = δ · max(1, ‖x_m‖∞)^(1/3)`` along each unit column;
    columns fresh from a QR are unit already (``normalized``) and skip the normalization.
    """
    k = v.shape[-1]
    scale = x.abs().amax(-1, keepdim=True).clamp(min=1.0).pow(1.0 / 3.0).mul(delta)  # (M, 1)
    if normalized:
        norm = None
        unit = v
    else:
        norm = torch.linalg.vector_norm(v, dim=-2, keepdim=True)  # (M, 1, k)
        norm = torch.where(norm > 0, norm, torch.ones_like(norm))
        unit = v / norm
    pert = unit.transpose(-1, -2) * scale.unsqueeze(-1)  # (M, k, d)
    centre = x.unsqueeze(-2)
    out = step(torch.cat((centre, centre + pert, centre - pert), dim=-2))  # (M, 2k + 1, d)
    jv = (out[..., 1 : 1 + k, :] - out[..., 1 + k :, :]).transpose(-1, -2) * (0.5 / scale).unsqueeze(-1)
    return out[..., 0, :], (jv if norm is None else jv * norm)


def _difference_numpy(step: Callable[[Any], Any], x: Any, v: Any, delta: float) -> tuple[Any, Any]:
    import numpy as np

    k = v.shape[-1]
    scale = np.maximum(np.abs(x).max(-1, keepdims=True), 1.0) ** (1.0 / 3.0) * delta
    norm = np.linalg.norm(v, axis=-2, keepdims=True)
    norm = np.where(norm > 0, norm, 1.0)
    pert = np.swapaxes(v / norm, -1, -2) * scale[..., None]
    centre = x[..., None, :]
    out = step(np.concatenate((centre, centre + pert, centre - pert), axis=-2))
    jv = np.swapaxes(out[..., 1 : 1 + k, :] - out[..., 1 + k :, :], -1, -2) * (0.5 / scale)[..., None]
    return out[..., 0, :], jv * norm
