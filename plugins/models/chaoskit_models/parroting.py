"""Context parroting (Zhang & Gilpin 2025): continue the best-matching past window of a context."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

import attrs
import numpy as np
import xarray as xr
from chaoskit import DataError, Model
from chaoskit.validators import choice, integer

from .arrays import feature_values, output_dtype

__all__ = ["ContextParroting", "parrot"]

CHANNELS = ("joint", "independent")


@attrs.define(frozen=True, kw_only=True, slots=False)
class ContextParroting(Model):
    """Context parroting: copy what followed the past motif that best matches the context's end.

    For each member with context ``x_1 … x_T``, the query is the last ``D = window`` points
    ``q = (x_{T−D+1}, …, x_T)``. Every earlier window of the context that ends at ``s`` (with
    ``D ≤ s ≤ T − min_lag``) is scored by its Euclidean distance to the query::

        d(s)² = Σ_{j=0}^{D−1} ‖x_{s−j} − x_{T−j}‖²

    and the ``k = neighbors`` closest windows ``s_1 … s_k`` give the forecast, each through its
    lag ``p_i = T − s_i``::

        x̂_{T+h} = (1/k) Σ_i y_{T+h−p_i},    y = (x_1, …, x_T, x̂_{T+1}, …)

    For ``h ≤ p_i`` this copies the context points that followed the match
    (``x_{s_i+1}, x_{s_i+2}, …``). Past that the copy would need points after ``x_T``, and the
    recursion reads them from the forecast itself: the model goes on parroting the sequence it
    has parroted. With one neighbour this repeats the last ``p`` context points periodically,
    so a periodic signal whose period is a whole number of steps is continued exactly.

    Parameters
    ----------
    window
        Motif length ``D`` (the embedding dimension of the delay vectors that are compared).
    neighbors
        Number ``k`` of closest motifs whose continuations are averaged (1 in the paper).
    min_lag
        Smallest lag ``T − s`` a match may have; ``None`` (the default) means ``window``, so a
        matched window never overlaps the query. 1 admits every earlier window, overlapping
        ones included. Overlapping windows right behind the query are trivial near-matches of
        a finely sampled flow (their continuation is close to persistence): on Lorenz-63 at
        ``dt = 0.01`` with 512-point contexts the median valid prediction time was 0.14
        Lyapunov times with ``min_lag = 1`` and 0.65 with the default (``window = 10``, 40
        contexts); with 2,000- and 8,000-point contexts the two agree within 0.2.
    channels
        ``"joint"``: one search over the whole state (all variables and grid points together);
        ``"independent"``: each feature is parroted on its own, as a univariate series, the way
        univariate foundation models treat a multivariate context.
    device, dtype, seed
        As for every :class:`chaoskit.Model`; numpy in float64 (or complex128), the forecast
        returned in ``dtype``.

    Notes
    -----
    Parroting needs no training: ``fit`` only records the variables and ``dt`` (to check the
    contexts). Ties between equally distant windows go to the earliest. The search costs
    ``D·T·features`` operations per member, vectorized over members. Complex fields are
    supported (distances use ``|·|²``). There is no ``dynamics()``: the forecast depends on the
    whole context, not on a state.

    References
    ----------
    Y. Zhang and W. Gilpin, "Context parroting: A simple but tough-to-beat baseline for
    foundation models in scientific machine learning", arXiv:2505.11349 (2025).
    """

    window: int = attrs.field(default=10, validator=integer(1))
    neighbors: int = attrs.field(default=1, validator=integer(1))
    min_lag: int | None = attrs.field(default=None, validator=integer(1, optional=True))
    channels: str = attrs.field(default="joint", validator=choice(CHANNELS))

    backend: ClassVar[str] = "numpy"

    @property
    def min_context(self) -> int:  # type: ignore[override]
        """Shortest context with ``neighbors`` candidates: window + lag_floor + neighbors − 1."""
        return self.window + self.lag_floor + self.neighbors - 1

    @property
    def lag_floor(self) -> int:
        """The smallest admitted lag: ``min_lag``, or ``window`` when it is ``None``."""
        return self.window if self.min_lag is None else self.min_lag

    def _fit(self, train: xr.Dataset, *, valid: xr.Dataset | None, trainer: Any) -> None:
        return None

    def _forecast(self, context: xr.Dataset, steps: int) -> np.ndarray:
        values = feature_values(context, "context", type(self).__name__, complex_ok=True)
        members, times, features = values.shape
        if self.channels == "independent":
            values = values.transpose(0, 2, 1).reshape(members * features, times, 1)
        out = parrot(
            values, steps, window=self.window, neighbors=self.neighbors, min_lag=self.lag_floor
        )
        if self.channels == "independent":
            out = out.reshape(members, features, steps).transpose(0, 2, 1)
        dtype = output_dtype(self.dtype, np.iscomplexobj(values))
        return out.reshape(members, steps, *context["state"].shape[2:]).astype(dtype)

    def _get_state(self) -> Mapping[str, np.ndarray]:
        return {}

    def _set_state(self, state: Mapping[str, np.ndarray]) -> None:
        return None


def parrot(
    values: np.ndarray, steps: int, *, window: int, neighbors: int = 1, min_lag: int = 1
) -> np.ndarray:
    """Parroted forecasts of ``steps`` points for contexts ``values`` ``(member, time, feature)``.

    See :class:`ContextParroting` for the definition. Returns ``(member, steps, feature)``.

    Raises
    ------
    DataError
        When a context has fewer than ``neighbors`` candidate windows.
    """
    members, times, features = values.shape
    candidates = times - window - min_lag + 1  # window ends s = window−1 … times−1−min_lag
    if candidates < neighbors:
        raise DataError(
            f"context: {times} points leave {max(candidates, 0)} candidate windows of length "
            f"{window} with lag >= {min_lag}, fewer than neighbors = {neighbors}; use a context "
            f"of at least {window + min_lag + neighbors - 1} points or a smaller window"
        )
    # squared distances of every candidate window to the query window, (member, candidate)
    dist = np.zeros((members, candidates))
    for j in range(window):
        past = values[:, window - 1 - j : window - 1 - j + candidates]
        diff = past - values[:, times - 1 - j][:, None]
        dist += np.sum(np.abs(diff) ** 2, axis=-1)
    best = np.argsort(dist, axis=1, kind="stable")[:, :neighbors]
    lags = times - 1 - (window - 1 + best)  # (member, neighbor), each >= min_lag
    y = np.concatenate([values, np.empty((members, steps, features), values.dtype)], axis=1)
    shortest = int(lags.min())
    rows = np.arange(members)[:, None, None]
    for start in range(times, times + steps, shortest):
        size = min(shortest, times + steps - start)
        index = start + np.arange(size)[None, None, :] - lags[:, :, None]  # (member, k, size)
        y[:, start : start + size] = y[rows, index].mean(axis=1)
    return y[:, times:]
