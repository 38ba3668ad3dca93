"""Equations with one parameter value per member: the batched calls behind parameter sweeps.

Private to this package. A system's equations read their parameters from ``self``
(``self.rho * x``), written for Python floats. :class:`SweptEquations` evaluates them for a
batch ``x`` of shape ``(members, d)`` where member ``k`` has its own values, without touching
the equations, in the first of three modes that reproduces the member-by-member result:

``"broadcast"``
    A private copy of the system whose swept attributes are tensors ``(members, *shape)``;
    equations written component-wise (``x.unbind(-1)``) then broadcast over the members at the
    cost of a plain call.
``"column"``
    The same with scalar parameters as columns ``(members, 1)``, for equations written on the
    whole state (``self.r * x * (1 - x)``, ``x + self.f``).
``"vmap"``
    :func:`torch.func.vmap` over the members of a copy whose swept attributes are the member's
    values (0-d tensors inside the map): the semantics of one member alone, for any tensor code
    (matrix products, array parameters), at a few times the cost of a plain call.
``"loop"``
    One call per member of ``attrs.evolve(system, **values)``: always right, slow for many
    members; the last resort for equations that turn parameters into Python numbers.

The choice is made once per call of :meth:`SweptEquations.prepare` by comparing each mode with
the loop on a probe batch (a copy of the states moved off special points), so a mode that
would broadcast along the wrong axis (``x * a`` with ``a`` per member and as many members as
components) or fail is never used.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

import attrs
import numpy as np
import torch
from chaoskit import DataError

__all__ = ["MODES", "SweptEquations", "distinct_systems"]

MODES = ("broadcast", "column", "vmap", "loop")
_PROBES = 16  # members compared with the loop when choosing a mode


class SweptEquations:
    """A system's equation method evaluated with per-member parameter values.

    Parameters
    ----------
    system
        The system (a frozen attrs instance); it is never modified.
    parameters
        Swept values by name, float64 arrays ``(members, *shape)`` (``TrajectoryRequest.parameters``).
    method
        The equation method's name: ``"_rhs"`` (flows: ``(t, x)``; delay equations
        ``(t, x, x_delayed)``), ``"_step"`` (maps: ``(x)``) or ``"_jacobian"`` (``(t, x)``).
    dtype, device
        Of the tensors the equations will see.

    Call :meth:`prepare` with example arguments before use; then the instance is a function of
    the same arguments as ``method``, with every array argument of leading dim ``members`` and
    ``t`` a number or a tensor ``(members,)``.
    """

    def __init__(
        self, system: Any, parameters: Mapping[str, np.ndarray], method: str, *,
        dtype: torch.dtype, device: torch.device,
    ) -> None:
        self.system, self.method = system, method
        self.names = tuple(parameters)
        self.members = next(iter(parameters.values())).shape[0]
        self.values = {
            k: torch.tensor(np.array(v), dtype=dtype, device=device) for k, v in parameters.items()
        }
        self._raw = {k: np.asarray(v) for k, v in parameters.items()}
        self.mode = ""
        self._call: Callable[..., torch.Tensor] | None = None
        self._loop_systems: list[Any] | None = None

    # ------------------------------------------------------------------ construction
    def _member_system(self, k: int) -> Any:
        combo = {n: (v[k].tolist() if v.ndim > 1 else float(v[k])) for n, v in self._raw.items()}
        return attrs.evolve(self.system, **combo)

    def _broadcast(self, column: bool = False) -> Callable[..., torch.Tensor]:
        view = attrs.evolve(self.system)
        for name, value in self.values.items():
            object.__setattr__(view, name, value[:, None] if column and value.ndim == 1 else value)
        return getattr(view, self.method)

    def _vmap(self, args: Sequence[Any]) -> Callable[..., torch.Tensor]:
        view = attrs.evolve(self.system)
        names, method = self.names, self.method

        def single(values: tuple[torch.Tensor, ...], *inner: Any) -> torch.Tensor:
            for name, value in zip(names, values, strict=True):
                object.__setattr__(view, name, value)
            return getattr(view, method)(*inner)

        values = tuple(self.values[n] for n in names)
        dims = self._in_dims(args)
        mapped = torch.func.vmap(single, in_dims=(0, *dims))

        def call(*inner: Any) -> torch.Tensor:
            if self._in_dims(inner) != dims:  # t switched between a number and a tensor
                return torch.func.vmap(single, in_dims=(0, *self._in_dims(inner)))(values, *inner)
            return mapped(values, *inner)

        return call

    def _loop(self) -> Callable[..., torch.Tensor]:
        if self._loop_systems is None:
            self._loop_systems = [self._member_system(k) for k in range(self.members)]
        systems, method = self._loop_systems, self.method

        def call(*args: Any) -> torch.Tensor:
            rows = [
                getattr(s, method)(*(_row(a, k) for a in args)) for k, s in enumerate(systems)
            ]
            return torch.stack(rows)

        return call

    @staticmethod
    def _in_dims(args: Sequence[Any]) -> tuple[int | None, ...]:
        return tuple(0 if isinstance(a, torch.Tensor) and a.ndim > 0 else None for a in args)

    # ------------------------------------------------------------------ use
    def prepare(self, *examples: Sequence[Any]) -> SweptEquations:
        """Choose the mode from example argument tuples (those the integrator will pass).

        Every example must have the full batch (leading dim ``members``) in its array
        arguments. The first mode in :data:`MODES` whose results match the member-by-member
        loop on every example (to 1e-9 relative) is kept; see the module docstring.
        """
        if not examples:
            raise ValueError("SweptEquations.prepare needs at least one example argument tuple")
        for a in examples[0]:
            if isinstance(a, torch.Tensor) and a.ndim > 0 and a.shape[0] != self.members:
                raise DataError(
                    f"{self.system.name}: a parameter sweep of {self.members} members got states "
                    f"with leading dim {a.shape[0]}"
                )
        picks = _probe_members(self.members)
        probes = [tuple(_probe(a) for a in args) for args in examples]
        references = [self._reference(args, picks) for args in probes]
        for mode in MODES[:-1]:
            try:
                call = (
                    self._vmap(probes[0]) if mode == "vmap"
                    else self._broadcast(column=mode == "column")
                )
                if all(
                    _agree(call(*args), ref, picks) for args, ref in zip(probes, references, strict=True)
                ):
                    self.mode, self._call = mode, call
                    return self
            except Exception:  # noqa: BLE001, S112 - a mode the equations do not support
                continue
        self.mode, self._call = "loop", self._loop()
        return self

    def _reference(self, args: Sequence[Any], picks: list[int]) -> torch.Tensor:
        rows = [
            getattr(self._member_system(k), self.method)(*(_row(a, k) for a in args)) for k in picks
        ]
        return torch.stack(rows)

    def __call__(self, *args: Any) -> torch.Tensor:
        if self._call is None:
            self.prepare(args)
        assert self._call is not None
        return self._call(*args)


def _row(a: Any, k: int) -> Any:
    """Member ``k``'s argument: row ``k`` of a batched tensor, a number as it is."""
    return a[k] if isinstance(a, torch.Tensor) and a.ndim > 0 else a


def _probe(a: Any) -> Any:
    """A float64 copy of a state moved off special points (zeros, symmetric values)."""
    if not isinstance(a, torch.Tensor) or not a.is_floating_point():
        return a
    gen = torch.Generator(device="cpu").manual_seed(1234)
    jitter = torch.rand(a.shape, generator=gen, dtype=torch.float64).to(a.device)
    moved = a.to(torch.float64) * (1.0 + 1e-3 * jitter) + 1e-3 * jitter
    return moved.to(a.dtype)


def _probe_members(members: int) -> list[int]:
    if members <= _PROBES:
        return list(range(members))
    return sorted(set(np.linspace(0, members - 1, _PROBES).round().astype(int).tolist()))


def _agree(got: Any, ref: torch.Tensor, picks: list[int]) -> bool:
    if not isinstance(got, torch.Tensor) or got.ndim == 0 or got.shape[1:] != ref.shape[1:]:
        return False
    rtol = 1e-9 if ref.dtype == torch.float64 else 1e-5
    got, ref = got[picks].to(torch.float64), ref.to(torch.float64)
    finite = torch.nan_to_num(ref.abs(), nan=0.0, posinf=0.0)
    scale = float(finite.max()) if ref.numel() else 0.0
    return bool(torch.allclose(got, ref, rtol=rtol, atol=rtol * scale, equal_nan=True))


def distinct_systems(system: Any, parameters: Mapping[str, np.ndarray]) -> list[Any]:
    """``attrs.evolve(system, **values)`` for every distinct combination of swept values."""
    if not parameters:
        return [system]
    count = next(iter(parameters.values())).shape[0]
    flat = np.concatenate([np.asarray(v).reshape(count, -1) for v in parameters.values()], axis=1)
    _, first = np.unique(flat, axis=0, return_index=True)
    return [
        attrs.evolve(system, **{
            n: (v[k].tolist() if v.ndim > 1 else float(v[k])) for n, v in parameters.items()
        })
        for k in sorted(first.tolist())
    ]
