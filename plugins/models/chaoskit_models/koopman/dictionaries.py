"""EDMD dictionaries: observables ``ψ_1 … ψ_N`` evaluated on trajectories.

Every dictionary maps a batch of trajectories ``(member, time, n)`` to ``(member, time − lag,
N)`` in torch (on the data's device and dtype). ``lag`` is 0 for the pointwise dictionaries
and ``(delays − 1)·stride`` for :class:`Delays`. Data-dependent parameters (centres, random
frequencies) are set by ``fit`` from a seeded generator and kept as float64 numpy arrays by
``state``/``load_state``, so a saved model evaluates the same functions.
"""

from __future__ import annotations

import abc
import itertools
from collections.abc import Mapping, Sequence

import numpy as np
import scipy.cluster.vq
import torch

from .hankel import delay_embed

__all__ = ["Concat", "Delays", "Dictionary", "Monomials", "RadialBasis", "RandomFourier"]

#: Largest number of points k-means sees (a seeded random subset beyond it).
KMEANS_MAX_POINTS = 20_000
#: Default RBF width: this factor times the median nearest-centre distance.
WIDTH_FACTOR = 2.0


class Dictionary(abc.ABC):
    """A finite set of observables; see the module docstring for the array contract."""

    lag: int = 0

    def fit(self, values: np.ndarray, variables: Sequence[str], rng: np.random.Generator) -> None:
        """Set data-dependent parameters from training data ``(member, time, n)``."""
        self.variables = tuple(variables)

    @abc.abstractmethod
    def __call__(self, values: torch.Tensor) -> torch.Tensor:
        """``Ψ`` of ``values`` ``(member, time, n)``: ``(member, time − lag, N)``."""

    @property
    @abc.abstractmethod
    def names(self) -> tuple[str, ...]:
        """One readable name per function."""

    @property
    def size(self) -> int:
        return len(self.names)

    def state(self) -> dict[str, np.ndarray]:
        """Fitted parameters as named float64 arrays."""
        return {}

    def load_state(self, state: Mapping[str, np.ndarray], variables: Sequence[str]) -> None:
        """Restore :meth:`state`'s arrays."""
        self.variables = tuple(variables)


class Monomials(Dictionary):
    """All monomials ``∏ x_i^{α_i}`` of total degree ``|α| ≤ degree``, the constant included.

    Ordered by degree, then lexicographically (``1, x, y, x², xy, y², …``):
    ``C(n + degree, degree)`` functions of ``n`` variables.
    """

    def __init__(self, degree: int) -> None:
        self.degree = int(degree)

    @property
    def exponents(self) -> np.ndarray:
        """``α`` of every monomial, ``(N, n)`` integers."""
        cached = self.__dict__.get("_exponents")
        if cached is not None and cached[0] == self.variables:
            return cached[1]
        n = len(self.variables)
        rows = [np.zeros(n, dtype=np.int64)]
        for d in range(1, self.degree + 1):
            for combo in itertools.combinations_with_replacement(range(n), d):
                rows.append(np.bincount(combo, minlength=n))
        self.__dict__["_exponents"] = (self.variables, np.array(rows))
        return self.__dict__["_exponents"][1]

    def __call__(self, values: torch.Tensor) -> torch.Tensor:
        e = torch.as_tensor(self.exponents, dtype=values.dtype, device=values.device)
        return torch.prod(values[..., None, :] ** e, dim=-1)

    @property
    def names(self) -> tuple[str, ...]:
        out = []
        for row in self.exponents:
            terms = [v if p == 1 else f"{v}^{p}" for v, p in zip(self.variables, row) if p]
            out.append(" ".join(terms) or "1")
        return tuple(out)


class RadialBasis(Dictionary):
    """Gaussian radial basis functions ``exp(−‖x − c_j‖² / (2w²))``.

    Centres ``c_j`` by k-means (``init="kmeans"``, scipy's ``kmeans2`` with k-means++ seeding,
    on at most :data:`KMEANS_MAX_POINTS` points) or random training points (``"random"``).
    Width ``w``: given, or :data:`WIDTH_FACTOR` times the median distance from a centre to its
    nearest other centre. Measured on standardized Lorenz-63 with 200 k-means centres: the
    median pairwise distance (2.4, the "median heuristic") left ``G`` with numerical rank 37
    of 203 and a 5-step EDMD forecast error of 0.98; twice the nearest-centre distance (0.61)
    gave rank 184 and 0.016; one nearest-centre distance (0.31) over-localized (0.14).
    """

    def __init__(self, centers: int, *, init: str = "kmeans", width: float | None = None) -> None:
        self.n_centers, self.init, self.width = int(centers), init, width

    def fit(self, values: np.ndarray, variables: Sequence[str], rng: np.random.Generator) -> None:
        super().fit(values, variables, rng)
        points = values.reshape(-1, values.shape[-1])
        if points.shape[0] > KMEANS_MAX_POINTS:
            points = points[rng.choice(points.shape[0], KMEANS_MAX_POINTS, replace=False)]
        if self.init == "kmeans":
            centers, _ = scipy.cluster.vq.kmeans2(points, self.n_centers, minit="++", seed=rng)
        else:
            centers = points[rng.choice(points.shape[0], self.n_centers, replace=False)]
        self.centers = np.asarray(centers, dtype=np.float64)
        if self.width is not None:
            self.sigma = float(self.width)
        else:
            d = np.sqrt(((self.centers[:, None] - self.centers[None]) ** 2).sum(-1))
            np.fill_diagonal(d, np.inf)
            nearest = d.min(axis=1)
            nearest = nearest[np.isfinite(nearest) & (nearest > 0)]
            self.sigma = WIDTH_FACTOR * float(np.median(nearest)) if nearest.size else 1.0

    def __call__(self, values: torch.Tensor) -> torch.Tensor:
        c = torch.as_tensor(self.centers, dtype=values.dtype, device=values.device)
        sq = (values**2).sum(-1, keepdim=True) - 2 * values @ c.T + (c**2).sum(-1)
        return torch.exp(-sq.clamp_min(0) / (2 * self.sigma**2))

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(f"rbf{j}" for j in range(self.n_centers))

    def state(self) -> dict[str, np.ndarray]:
        return {"centers": self.centers, "sigma": np.asarray(self.sigma)}

    def load_state(self, state: Mapping[str, np.ndarray], variables: Sequence[str]) -> None:
        super().load_state(state, variables)
        self.centers, self.sigma = np.asarray(state["centers"], np.float64), float(state["sigma"])


class RandomFourier(Dictionary):
    """Random Fourier features ``√(2/D)·cos(ω_jᵀx + b_j)`` (Rahimi & Recht 2007).

    ``ω_j ~ N(0, I/ℓ²)`` with bandwidth ``ℓ``, ``b_j ~ U(0, 2π)``: their span approximates
    functions of a Gaussian-kernel space of length scale ``ℓ``.
    """

    def __init__(self, features: int, *, bandwidth: float = 1.0) -> None:
        self.n_features, self.bandwidth = int(features), float(bandwidth)

    def fit(self, values: np.ndarray, variables: Sequence[str], rng: np.random.Generator) -> None:
        super().fit(values, variables, rng)
        self.omega = rng.standard_normal((self.n_features, values.shape[-1])) / self.bandwidth
        self.phase = rng.uniform(0.0, 2 * np.pi, self.n_features)

    def __call__(self, values: torch.Tensor) -> torch.Tensor:
        w = torch.as_tensor(self.omega, dtype=values.dtype, device=values.device)
        b = torch.as_tensor(self.phase, dtype=values.dtype, device=values.device)
        return np.sqrt(2.0 / self.n_features) * torch.cos(values @ w.T + b)

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(f"rff{j}" for j in range(self.n_features))

    def state(self) -> dict[str, np.ndarray]:
        return {"omega": self.omega, "phase": self.phase}

    def load_state(self, state: Mapping[str, np.ndarray], variables: Sequence[str]) -> None:
        super().load_state(state, variables)
        self.omega, self.phase = (
            np.asarray(state["omega"], np.float64),
            np.asarray(state["phase"], np.float64),
        )


class Concat(Dictionary):
    """The functions of several pointwise dictionaries side by side."""

    def __init__(self, parts: Sequence[Dictionary]) -> None:
        self.parts = list(parts)

    def fit(self, values: np.ndarray, variables: Sequence[str], rng: np.random.Generator) -> None:
        super().fit(values, variables, rng)
        for part in self.parts:
            part.fit(values, variables, rng)

    def __call__(self, values: torch.Tensor) -> torch.Tensor:
        return torch.cat([part(values) for part in self.parts], dim=-1)

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(name for part in self.parts for name in part.names)

    def state(self) -> dict[str, np.ndarray]:
        return {f"{i}_{k}": v for i, part in enumerate(self.parts) for k, v in part.state().items()}

    def load_state(self, state: Mapping[str, np.ndarray], variables: Sequence[str]) -> None:
        super().load_state(state, variables)
        for i, part in enumerate(self.parts):
            prefix = f"{i}_"
            part.load_state(
                {k[len(prefix) :]: v for k, v in state.items() if k.startswith(prefix)}, variables
            )


class Delays(Dictionary):
    """Delay coordinates ``[x_{t−(d−1)s}, …, x_t]``, optionally fed to an ``inner`` dictionary.

    Without ``inner`` the functions are the ``d·n`` delayed variables (Hankel DMD as an EDMD);
    with one, the inner dictionary of the delay vector (e.g. monomials of delays).
    """

    def __init__(self, delays: int, *, stride: int = 1, inner: Dictionary | None = None) -> None:
        self.delays, self.stride, self.inner = int(delays), int(stride), inner
        self.lag = (self.delays - 1) * self.stride

    def _delayed_names(self) -> tuple[str, ...]:
        lags = self.stride * np.arange(self.delays - 1, -1, -1)
        return tuple(f"{v}(t-{k})" if k else f"{v}(t)" for k in lags for v in self.variables)

    def fit(self, values: np.ndarray, variables: Sequence[str], rng: np.random.Generator) -> None:
        super().fit(values, variables, rng)
        if self.inner is not None:
            self.inner.fit(
                delay_embed(values, self.delays, self.stride), self._delayed_names(), rng
            )

    def __call__(self, values: torch.Tensor) -> torch.Tensor:
        span = self.lag + 1
        windows = values.unfold(1, span, 1)[..., :: self.stride]  # (member, time', n, delays)
        embedded = windows.transpose(-1, -2).reshape(*windows.shape[:2], -1)
        return embedded if self.inner is None else self.inner(embedded)

    @property
    def names(self) -> tuple[str, ...]:
        return self._delayed_names() if self.inner is None else self.inner.names

    def state(self) -> dict[str, np.ndarray]:
        return {} if self.inner is None else self.inner.state()

    def load_state(self, state: Mapping[str, np.ndarray], variables: Sequence[str]) -> None:
        super().load_state(state, variables)
        if self.inner is not None:
            self.inner.load_state(state, self._delayed_names())
