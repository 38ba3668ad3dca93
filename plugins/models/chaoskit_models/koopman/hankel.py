"""Delay (Hankel) embedding, shared by Hankel DMD and HAVOK, and the ``"hankel_dmd"`` model."""

from __future__ import annotations

from typing import ClassVar

import attrs
import numpy as np
from chaoskit import DataError, Dynamics
from chaoskit.validators import integer

from .dmd import DMD

__all__ = ["HankelDMD", "delay_embed", "hankel_matrix"]


def delay_embed(values: np.ndarray, delays: int, stride: int = 1) -> np.ndarray:
    """Delay vectors of ``values`` ``(member, time, feature)``.

    Returns ``(member, time − (delays − 1)·stride, delays·feature)``: row ``k`` of a member is
    ``[x_k, x_{k+s}, …, x_{k+(d−1)s}]``, oldest first, so its last ``feature`` entries are the
    newest state ``x_{k+(d−1)s}``.

    Raises
    ------
    DataError
        When a member is shorter than one delay window.
    """
    values = np.asarray(values)
    if values.ndim != 3:
        raise DataError(f"delay_embed: expected (member, time, feature), got shape {values.shape}")
    span = (delays - 1) * stride + 1
    members, times, _ = values.shape
    if times < span:
        raise DataError(
            f"delay embedding of {delays} delays with stride {stride} spans {span} time points, "
            f"but the members have {times}; use longer trajectories or fewer delays"
        )
    windows = np.lib.stride_tricks.sliding_window_view(values, span, axis=1)[..., ::stride]
    # (member, time', feature, delay) -> (member, time', delay, feature)
    return np.ascontiguousarray(windows.transpose(0, 1, 3, 2)).reshape(
        members, times - span + 1, -1
    )


def hankel_matrix(series: np.ndarray, rows: int) -> np.ndarray:
    """The Hankel matrix ``H[i, k] = x_{i+k}`` ``(rows, len(series) − rows + 1)`` of a scalar series."""
    series = np.asarray(series)
    return delay_embed(series.reshape(1, -1, 1), rows)[0].T


@attrs.define(frozen=True, kw_only=True, slots=False)
class HankelDMD(DMD):
    """Hankel (delay) DMD: exact DMD of delay vectors ``[x_{k−(d−1)s}, …, x_k]``.

    Delays turn a few measured variables into a state rich enough for a linear map: a sum of
    ``K`` sinusoids needs ``2K`` real dimensions, which ``delays·variables ≥ 2K`` provide. The
    forecast embeds the last window of the context, runs the reduced linear map and returns
    the newest block of each delay vector.

    Parameters
    ----------
    delays
        Number of delayed copies ``d`` (≥ 1; 1 is plain DMD).
    stride
        Steps ``s`` between delays (≥ 1). The context must hold ``(d − 1)·s + 1`` points.
    rank, exact, device, dtype, seed
        As for :class:`~chaoskit_models.koopman.dmd.DMD`; the optimal hard threshold works well
        here because the delay matrix has many rows.
    """

    delays: int = attrs.field(default=10, validator=integer(1))
    stride: int = attrs.field(default=1, validator=integer(1))

    backend: ClassVar[str] = "torch"

    @property
    def min_context(self) -> int:  # type: ignore[override]
        """One delay window: ``(delays − 1)·stride + 1`` points."""
        return (self.delays - 1) * self.stride + 1

    def _embed(self, values: np.ndarray) -> np.ndarray:
        return delay_embed(values, self.delays, self.stride)

    def _observe(self, states: np.ndarray) -> np.ndarray:
        features = states.shape[-1] // self.delays
        return states[..., -features:]

    def _dynamics(self) -> Dynamics | None:
        return None  # the state is a delay vector, which one system state cannot fill

    def _feature_layout(self) -> tuple[tuple[str, ...], dict[str, np.ndarray]]:
        dims, coords = super()._feature_layout()
        lags = -self.stride * np.arange(self.delays - 1, -1, -1)
        return ("delay", *dims), {"delay": lags, **coords}
