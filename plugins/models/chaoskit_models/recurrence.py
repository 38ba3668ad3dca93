"""The reservoir recursion of an echo state network, in torch, batched over members.

States are kept in column layout: a batch of ``B`` reservoir states is a ``(units, B)`` matrix,
inputs are ``(inputs, B)``, and a driven run takes inputs ``(time, inputs, B)``. The column
layout lets ``W`` be a sparse CSR matrix on the left of every product
(``torch.addmm(pre, W, r)``), which is 1.5-3.5x faster than a dense ``W`` on the CPU from
~500 units at connectivity 0.1 (measured single-threaded, float64, torch 2.13).

The loops are latency-bound (one step is a few microseconds of arithmetic), so the in-place
loops of :meth:`Reservoir.drive` and :meth:`Reservoir.generate` work on vectors when ``B = 1``:
a sparse matrix-vector product (``addmv``, int32 indices) took 9 µs at 500 units where the
matrix-matrix product of a ``(500, 1)`` column took 24 µs.

One step is ``r' = (1 − a)·r + a·tanh(W_in u + W r + b)`` (the leaky-integrator update with
leak rate ``a``, reservoirpy's convention). The readout is ``y = W_out·[1; φ(r)]`` with
``φ(r) = r`` (linear) or ``[r; r²]`` (quadratic).
"""

from __future__ import annotations

from collections.abc import Callable

import torch

from .reservoir import ReservoirWeights
from .torch_utils import csr_tensor

__all__ = ["READOUTS", "Readout", "Reservoir", "features"]

READOUTS = ("linear", "quadratic")
#: Largest number of reservoir-state elements (time × units × members) held at once while
#: driving; longer runs are processed in chunks of time, so memory stays bounded.
CHUNK_ELEMENTS = 1 << 21


def features(r: torch.Tensor, kind: str) -> torch.Tensor:
    """The readout features ``φ(r)`` of column-layout states ``r`` (``(..., units, B)``), or of
    one state ``(units,)``."""
    return r if kind == "linear" else torch.cat([r, r * r], dim=-2 if r.ndim > 1 else 0)


class Reservoir:
    """The fixed weights of a reservoir as torch tensors, and its driven recursion.

    Parameters
    ----------
    weights
        The float64 weights (see :func:`chaoskit_models.reservoir.draw_reservoir`).
    leak
        Leak rate ``a`` in ``(0, 1]``.
    device, dtype
        Where and in which precision the recursion runs.
    sparse
        Keep ``W`` as a sparse CSR tensor (fast on the CPU for large, sparse reservoirs) or
        dense (needed for ``torch.func`` transforms, and faster on GPUs and for small sizes).
    """

    def __init__(
        self,
        weights: ReservoirWeights,
        *,
        leak: float,
        device: torch.device,
        dtype: torch.dtype,
        sparse: bool,
    ) -> None:
        n = weights.units
        self.units = n
        self.leak = float(leak)
        self.sparse = bool(sparse)
        if sparse:
            self.w = csr_tensor(
                weights.indptr,
                weights.indices,
                weights.data,
                (n, n),
                device=device,
                dtype=dtype,
                compact_indices=True,
            )
        else:
            self.w = torch.as_tensor(weights.dense_w(), dtype=dtype, device=device)
        self.w_in = torch.as_tensor(weights.w_in, dtype=dtype, device=device)
        self.bias = torch.as_tensor(weights.bias, dtype=dtype, device=device).reshape(n, 1)

    def zeros(self, batch: int) -> torch.Tensor:
        """The resting state ``r = 0`` for ``batch`` members, shape ``(units, batch)``."""
        return torch.zeros(self.units, batch, dtype=self.bias.dtype, device=self.bias.device)

    def step(self, r: torch.Tensor, u: torch.Tensor) -> torch.Tensor:
        """One update of states ``r`` (``(units, B)``) driven by inputs ``u`` (``(inputs, B)``).

        Out of place and free of in-place operations, so ``torch.func`` transforms apply.
        """
        pre = torch.addmm(torch.addmm(self.bias, self.w_in, u), self.w, r)
        return torch.lerp(r, torch.tanh(pre), self.leak)

    def drive(
        self,
        u: torch.Tensor,
        r: torch.Tensor,
        on_states: Callable[[int, torch.Tensor], None] | None = None,
    ) -> torch.Tensor:
        """Run the reservoir over inputs ``u`` (``(time, inputs, B)``) from states ``r``.

        ``W_in u + b`` is computed for a whole chunk of steps at once (one matrix product), so
        each step costs one (sparse or dense) matrix product, a ``tanh`` and a ``lerp``, all in
        place. After each chunk, ``on_states(start, states)`` receives the states
        ``r_{start+1} …`` reached after inputs ``u[start], …`` as a ``(chunk, units, B)`` tensor
        (valid only during the call).

        Returns
        -------
        torch.Tensor
            The final states ``(units, B)``, after the last input.
        """
        steps, _, batch = u.shape
        chunk = max(1, CHUNK_ELEMENTS // max(1, self.units * batch))
        w, w_in, bias, leak = self.w, self.w_in, self.bias, self.leak
        state = r[:, 0] if batch == 1 else r
        # one buffer for every chunk: fresh memory for each would cost a page fault per 4 KiB
        buffer = torch.empty(min(chunk, steps), self.units, batch, dtype=r.dtype, device=r.device)
        for start in range(0, steps, chunk):
            block = u[start : start + chunk]
            states = buffer[: block.shape[0]]
            if batch == 1:
                # W_in u_t + b for the whole chunk as one GEMM; then matrix-vector steps
                torch.addmm(bias[:, 0], block[:, :, 0], w_in.T, out=states[:, :, 0])
                for z in states[:, :, 0].unbind(0):
                    z.addmv_(w, state)
                    z.tanh_()
                    state = torch.lerp(state, z, leak, out=z)
            else:
                # W_in u_t + b as a batch of small products (a GEMM would need a transposing
                # copy into the column layout, measured no faster)
                torch.matmul(w_in, block, out=states).add_(bias)
                for z in states.unbind(0):
                    z.addmm_(w, state)
                    z.tanh_()
                    state = torch.lerp(state, z, leak, out=z)
            if on_states is not None:
                on_states(start, states)
            state = state.clone()  # release the chunk
        return state.unsqueeze(1) if batch == 1 else state

    def generate(self, r: torch.Tensor, readout: Readout, steps: int) -> torch.Tensor:
        """Run closed loop from states ``r`` (``(units, B)``): the readout becomes the next input.

        Returns the outputs ``y_k = W_out·[1; φ(r_k)]`` for ``k = 0 … steps − 1`` (``r_0 = r``),
        shape ``(steps, outputs, B)``. Equal to alternating :class:`Readout` and :meth:`step`
        (to rounding), but in place and on vectors when ``B = 1``.
        """
        batch = r.shape[1]
        out = torch.empty(steps, readout.intercept.shape[0], batch, dtype=r.dtype, device=r.device)
        w, w_in, leak = self.w, self.w_in, self.leak
        mul: Callable[..., torch.Tensor]  # addmv on vectors, addmm on column batches
        if batch == 1:
            state, z, bias = r[:, 0].clone(), torch.empty_like(r[:, 0]), self.bias[:, 0]
            rows, mul = out[:, :, 0].unbind(0), torch.addmv
        else:
            state, z, bias = r.clone(), torch.empty_like(r), self.bias
            rows, mul = out.unbind(0), torch.addmm
        for k, y in enumerate(rows):
            readout.into(state, y)
            if k + 1 < steps:
                mul(bias, w_in, y, out=z)
                (z.addmv_ if batch == 1 else z.addmm_)(w, state)
                z.tanh_()
                state.lerp_(z, leak)
        return out


class Readout:
    """The trained linear readout ``y = W_out·[1; φ(r)]`` on column-layout states.

    Parameters
    ----------
    w_out
        Weights ``(outputs, 1 + features)``; column 0 is the intercept.
    kind
        ``"linear"`` (``φ(r) = r``) or ``"quadratic"`` (``φ(r) = [r; r²]``).
    """

    def __init__(self, w_out: torch.Tensor, kind: str) -> None:
        self.intercept = w_out[:, :1].contiguous()
        self.weights = w_out[:, 1:].contiguous()
        self.kind = kind
        self._intercept = self.intercept[:, 0]

    def __call__(self, r: torch.Tensor) -> torch.Tensor:
        """Outputs ``(outputs, B)`` of states ``(units, B)``."""
        return torch.addmm(self.intercept, self.weights, features(r, self.kind))

    def into(self, r: torch.Tensor, out: torch.Tensor) -> None:
        """Write the outputs of states ``r`` into ``out``: ``(units, B) → (outputs, B)``, or a
        single state ``(units,) → (outputs,)``."""
        if r.ndim == 2:
            torch.addmm(self.intercept, self.weights, features(r, self.kind), out=out)
        else:
            torch.addmv(self._intercept, self.weights, features(r, self.kind), out=out)
