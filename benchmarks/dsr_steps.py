"""CPU time of GTF training steps for ``dsr_lorenz.py --parts step``.

One step of the clipped shPLRNN (M = 3, L = 100, batch 16, windows of 200) on one thread, split
into forward, backward and optimizer, in float32 and float64; one step of the AL-RNN and the
PLRNN (M = 20) with and without their fused unroll; and one step of 20 clipped shPLRNNs stacked
under ``torch.func.vmap``. And :func:`measure_step`, the step time ``dsr_lorenz.py`` sizes its
``--minutes`` runs with.
"""

from __future__ import annotations

import json
import statistics
import time
from typing import Any

import chaoskit
import torch


def step_times(train: Any) -> list[dict[str, Any]]:
    """Forward / backward / optimizer split of one GTF step (clipped shPLRNN M = 3, L = 100)."""
    from chaoskit_models.training import GeneralizedForcing

    rows = []
    for dtype in ("float32", "float64"):
        model = chaoskit.models.create("clipped_shplrnn", seed=0, dtype=dtype)
        problem = model.training_problem(train, None)
        module, data = problem.module, problem.train
        runtime = GeneralizedForcing(alpha="adaptive").start()
        opt = torch.optim.RAdam(module.parameters(), lr=1e-4)
        gen = torch.Generator().manual_seed(0)
        parts: dict[str, list[float]] = {"forward": [], "backward": [], "optimizer": [], "total": []}
        for k in range(60):
            start = torch.randint(data.shape[1] - 200, (16,), generator=gen)
            windows = data[0, start[:, None] + torch.arange(200)]
            t0 = time.process_time()
            opt.zero_grad()
            loss = problem.loss(module, windows, runtime)
            t1 = time.process_time()
            loss.backward()
            t2 = time.process_time()
            opt.step()
            t3 = time.process_time()
            if k >= 10:
                for key, value in zip(parts, (t1 - t0, t2 - t1, t3 - t2, t3 - t0), strict=True):
                    parts[key].append(value)
        row = {"dtype": dtype, **{k: round(1000 * statistics.median(v), 2) for k, v in parts.items()}}
        rows.append(row)
        print(json.dumps(row), flush=True)
    rows.extend(fused_step_times(train))
    rows.append(ensemble_step_time(train))
    return rows


def fused_step_times(train: Any) -> list[dict[str, Any]]:
    """One training step of the AL-RNN (sparse forcing) and the PLRNN (adaptive GTF), M = 20.

    With the cells' fused unroll (``forced_states``, the default) and with it switched off (the
    step-by-step autograd unroll), interleaved; float32, batch 16 × 200, RAdam, median of 35 steps.
    """
    from chaoskit_models.dsr.alrnn import ALRNNCell
    from chaoskit_models.dsr.plrnn import PLRNNCell
    from chaoskit_models.training import GeneralizedForcing, SparseForcing

    def one(name: str, forcing: Any, cell_class: type, fused: bool) -> float:
        problem = chaoskit.models.create(name, seed=0, dtype="float32").training_problem(train, None)
        module, data, runtime = problem.module, problem.train, forcing.start()
        opt = torch.optim.RAdam(module.parameters(), lr=1e-4)
        gen, times = torch.Generator().manual_seed(0), []
        saved = cell_class.forced_states
        if not fused:
            cell_class.forced_states = lambda self, x, mix: None
        try:
            for _ in range(40):
                start = torch.randint(data.shape[1] - 200, (16,), generator=gen)
                windows = data[0, start[:, None] + torch.arange(200)]
                t0 = time.process_time()
                opt.zero_grad()
                problem.loss(module, windows, runtime).backward()
                opt.step()
                times.append(time.process_time() - t0)
        finally:
            cell_class.forced_states = saved
        return 1000 * statistics.median(times[5:])

    rows = []
    for name, forcing, cell_class in (("alrnn", SparseForcing(interval=16), ALRNNCell),
                                      ("plrnn", GeneralizedForcing(alpha="adaptive"), PLRNNCell)):
        row = {"model": name, "fused_ms": round(one(name, forcing, cell_class, True), 2),
               "autograd_ms": round(one(name, forcing, cell_class, False), 2)}
        rows.append(row)
        print(json.dumps(row), flush=True)
    return rows


class _WindowLoss(torch.nn.Module):
    """The GTF loss of one cell on a batch of windows, as a module (for torch.func.functional_call)."""

    def __init__(self, cell: torch.nn.Module, runtime: Any) -> None:
        super().__init__()
        self.cell = cell
        self.runtime = runtime

    def forward(self, windows: torch.Tensor) -> torch.Tensor:
        return torch.mean((self.runtime.unroll(self.cell, windows) - windows[:, 1:]) ** 2)


def ensemble_step_time(train: Any, members: int = 20) -> dict[str, Any]:
    """CPU time of one GTF step of ``members`` clipped shPLRNNs stacked and run under vmap.

    The cells' parameters are stacked along a leading ``ensemble`` dim
    (``torch.func.stack_module_state``), each member gets its own batch of windows, and one
    backward pass gives every member's gradient; RAdam is elementwise, so one optimizer on the
    stacked parameters is the same as one per member. α is held constant (0.1) here: the
    adaptive estimate is per member and would run outside vmap.
    """
    from chaoskit_models.training import GeneralizedForcing

    runtime = GeneralizedForcing(alpha=0.1).start()
    wrappers, data = [], None
    for seed in range(members):
        model = chaoskit.models.create("clipped_shplrnn", seed=seed, dtype="float32")
        problem = model.training_problem(train, None)
        wrappers.append(_WindowLoss(problem.module, runtime))
        data = problem.train
    params, buffers = torch.func.stack_module_state(wrappers)
    base = wrappers[0]

    def member_loss(p: dict[str, torch.Tensor], b: dict[str, torch.Tensor], w: torch.Tensor) -> torch.Tensor:
        return torch.func.functional_call(base, (p, b), (w,))

    batched = torch.func.vmap(member_loss)
    opt = torch.optim.RAdam(list(params.values()), lr=1e-4)
    gen = torch.Generator().manual_seed(0)
    times = []
    for k in range(15):
        start = torch.randint(data.shape[1] - 200, (members, 16), generator=gen)
        windows = data[0, start[..., None] + torch.arange(200)]  # (members, 16, 200, 3)
        t0 = time.process_time()
        opt.zero_grad()
        batched(params, buffers, windows).sum().backward()
        opt.step()
        if k >= 3:
            times.append(time.process_time() - t0)
    step = statistics.median(times)
    row = {"ensemble": members, "dtype": "float32", "total": round(1000 * step, 2),
           "per_model": round(1000 * step / members, 2)}
    print(json.dumps(row), flush=True)
    return row


def measure_step(model: Any, train: Any, forcing: Any, window: int) -> float:
    """CPU seconds per training step of ``model`` with ``forcing`` (median of 20 after warm-up)."""
    problem = model.training_problem(train, None)
    module, data = problem.module, problem.train
    runtime = forcing.start()
    opt = torch.optim.RAdam(module.parameters(), lr=1e-4)
    gen = torch.Generator().manual_seed(0)
    times = []
    for k in range(25):
        start = torch.randint(data.shape[1] - window, (16,), generator=gen)
        windows = data[0, start[:, None] + torch.arange(window)]
        t0 = time.process_time()
        opt.zero_grad()
        problem.loss(module, windows, runtime).backward()
        opt.step()
        if k >= 5:
            times.append(time.process_time() - t0)
    model.__dict__.pop("_stats", None)
    return statistics.median(times)
