"""Training and validation windows drawn from ``(member, time, features)`` tensors."""

from __future__ import annotations

import torch
from chaoskit import DataError

__all__ = ["WindowSampler", "check_length", "validation_windows"]


def check_length(data: torch.Tensor, window: int, name: str) -> None:
    """Raise :class:`DataError` unless ``data`` ``(member, time, features)`` holds a ``window``."""
    if data.ndim != 3:
        raise DataError(
            f"{name}: the training problem's data must be (member, time, features), "
            f"got shape {tuple(data.shape)}; this is a bug in the model's training_problem"
        )
    if data.shape[1] < window:
        raise DataError(
            f"{name}: members of {data.shape[1]} time points are shorter than the training window "
            f"of {window}; use longer trajectories or a smaller window: GradientTrainer(window=...) "
            "when a trainer is passed to fit, else the model's own field that sizes its default "
            "trainer's windows (sequence_length= of the PLRNN family, window= of the LSTM/GRU "
            "and neural ODE)"
        )


class WindowSampler:
    """Random windows ``(batch, window, features)`` of a ``(member, time, features)`` tensor.

    Every (member, start) pair is equally likely; indices and noise come from ``generator``
    (a CPU :class:`torch.Generator`, so that the draws are the same on every device).

    Parameters
    ----------
    data
        The training tensor, on the model's device and in its dtype.
    window, batch
        Window length L and number of windows per batch.
    noise
        Standard deviation of Gaussian noise added to every window (0: none), in the units of
        ``data`` (the model's preprocessed units).
    generator
        The source of randomness; its state is part of a checkpoint.
    """

    def __init__(
        self, data: torch.Tensor, window: int, batch: int, *, noise: float, generator: torch.Generator
    ) -> None:
        check_length(data, window, "train")
        self.data = data
        self.window = window
        self.batch = batch
        self.noise = float(noise)
        self.generator = generator
        members, times, _ = data.shape
        self._starts_per_member = times - window + 1
        self._count = members * self._starts_per_member
        self._offsets = torch.arange(window, device=data.device)

    def sample(self) -> torch.Tensor:
        """One batch of windows."""
        flat = torch.randint(self._count, (self.batch,), generator=self.generator)
        member = (flat // self._starts_per_member).to(self.data.device)
        start = (flat % self._starts_per_member).to(self.data.device)
        windows = self.data[member[:, None], start[:, None] + self._offsets]
        if self.noise > 0.0:
            eps = torch.randn(windows.shape, generator=self.generator, dtype=windows.dtype)
            windows = windows + self.noise * eps.to(windows.device)
        return windows


def validation_windows(data: torch.Tensor, window: int, limit: int) -> torch.Tensor:
    """Fixed validation windows: consecutive non-overlapping windows of every member.

    At most ``limit`` windows are kept, evenly spread over all of them (deterministic, so the
    validation score is comparable from epoch to epoch and run to run).
    """
    if data.ndim == 3 and data.shape[1] < window:
        raise DataError(
            f"valid: members of {data.shape[1]} time points are shorter than the validation window "
            f"of {window}; pass longer validation data or a shorter GradientTrainer(valid_window=...) "
            "(default: the training window)"
        )
    check_length(data, window, "valid")
    members, times, features = data.shape
    per_member = times // window
    tiles = data[:, : per_member * window].reshape(members * per_member, window, features)
    if tiles.shape[0] > limit:
        pick = torch.linspace(0, tiles.shape[0] - 1, limit).round().long().to(data.device)
        tiles = tiles[pick]
    return tiles
