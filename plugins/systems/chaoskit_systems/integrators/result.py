"""What every integrator takes and returns: the vector-field type and :class:`IntegrationResult`."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, TypeAlias

import attrs
import torch

__all__ = ["RHS", "IntegrationResult", "mark_nonfinite"]

RHS: TypeAlias = Callable[[Any, torch.Tensor], torch.Tensor]
"""A vector field ``f(t, x)``: ``x`` of shape ``(members, d)``, ``t`` a Python float (one time
for every member) or a tensor of shape ``(members,)`` in ``x``'s dtype (one time per member, as
adaptive integrators with per-member steps pass it). Returns ``dx/dt`` of shape ``(members, d)``."""


@attrs.frozen(kw_only=True)
class IntegrationResult:
    """The output of an integrator.

    Attributes
    ----------
    state
        Tensor ``(members, n, d)``: the states at the requested output times, NaN for every
        output time after a member failed.
    info
        Provenance for the dataset attributes: ``integrator`` and its settings, per-member step
        counts, and ``failed_members`` / ``failed_times`` / ``failed_reasons`` (empty lists when
        every member reached the end). Values are numbers, strings and lists of those.
    """

    state: torch.Tensor
    info: Mapping[str, Any] = attrs.field(factory=dict)

    @property
    def failed_members(self) -> list[int]:
        """Indices of members that stopped early (non-finite state, step-size underflow)."""
        return list(self.info.get("failed_members", []))


def mark_nonfinite(state: torch.Tensor, times: torch.Tensor) -> tuple[list[int], list[float]]:
    """Fill every output of a member from its first non-finite one on with NaN, in place.

    Returns the members concerned and the output time where each first went non-finite.
    """
    bad = ~torch.isfinite(state).all(dim=-1)  # (members, n)
    if not bool(bad.any()):
        return [], []
    after = torch.cumsum(bad.to(torch.int32), dim=1) > 0
    state[after] = float("nan")
    members = torch.nonzero(bad.any(dim=1)).flatten()
    first = bad[members].to(torch.int8).argmax(dim=1)
    return members.tolist(), [float(times[k]) for k in first.tolist()]
