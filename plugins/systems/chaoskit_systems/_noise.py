"""Seeded Gaussian increments for dynamical noise, identical on every device.

Private to this package. Member ``k`` draws from its own numpy generator
(:func:`chaoskit.system.member_generators`, stream 1), so its noise depends on the seed and
``k`` only — not on how many members there are, nor on the device or dtype (the draws are made
in float64 on the CPU and then moved). Draws are made in chunks of many steps, so a step costs
no Python loop over members.
"""

from __future__ import annotations

import numpy as np
import torch
from chaoskit.system import member_generators

__all__ = ["DYNAMICAL_NOISE", "GaussianIncrements"]

DYNAMICAL_NOISE = 1  # the stream number of member_generators for dynamical noise
_CHUNK_VALUES = 1 << 21  # numbers drawn per refill (16 MiB in float64)


class GaussianIncrements:
    """Standard normal draws ``(members, dimension)``, one call per step.

    Parameters
    ----------
    seed
        The call's seed (``None``: fresh entropy).
    members, dimension
        The shape of one draw.
    steps
        How many draws will be asked for (chunks never exceed what is left).
    dtype, device
        Of the returned tensors.
    """

    def __init__(
        self, seed: int | None, members: int, dimension: int, steps: int, *,
        dtype: torch.dtype, device: torch.device,
    ) -> None:
        self.generators = member_generators(seed, DYNAMICAL_NOISE, members)
        self.shape = (members, dimension)
        self.left = int(steps)
        self.dtype, self.device = dtype, device
        self._chunk: torch.Tensor | None = None
        self._next = 0

    def __call__(self) -> torch.Tensor:
        if self._chunk is None or self._next == self._chunk.shape[0]:
            self._refill()
        assert self._chunk is not None
        draw = self._chunk[self._next]
        self._next += 1
        return draw

    def _refill(self) -> None:
        members, dimension = self.shape
        size = max(1, min(max(self.left, 1), _CHUNK_VALUES // (members * dimension)))
        block = np.stack([g.standard_normal((size, dimension)) for g in self.generators], axis=1)
        self._chunk = torch.as_tensor(block).to(device=self.device, dtype=self.dtype)
        self._next = 0
        self.left -= size
