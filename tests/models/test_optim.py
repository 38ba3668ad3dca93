"""Lion against a hand-written update, optimizers by name, and the learning-rate schedules."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch
from chaoskit import ParameterError
from chaoskit_models.training import OPTIMIZERS, Cosine, Exponential, Lion, Plateau, make_optimizer
from chaoskit_models.training.schedules import schedule_of


def lion_reference(theta, grads, lr, beta1, beta2, wd):
    """Chen et al. 2023, Algorithm 2, in float64 numpy."""
    m = np.zeros_like(theta)
    for g in grads:
        c = beta1 * m + (1 - beta1) * g
        theta = theta - lr * (np.sign(c) + wd * theta)
        m = beta2 * m + (1 - beta2) * g
    return theta, m


@pytest.mark.parametrize("wd", [0.0, 0.1])
def test_lion_matches_the_reference_update(wd) -> None:
    rng = np.random.default_rng(0)
    theta0 = rng.standard_normal((3, 4))
    grads = [rng.standard_normal((3, 4)) for _ in range(5)]
    grads[2][0, 0] = 0.0  # sign(0) = 0: no move from the gradient part
    p = torch.nn.Parameter(torch.tensor(theta0))
    opt = Lion([p], lr=0.01, betas=(0.8, 0.95), weight_decay=wd)
    for g in grads:
        p.grad = torch.tensor(g)
        opt.step()
    ref, m = lion_reference(theta0, grads, 0.01, 0.8, 0.95, wd)
    np.testing.assert_allclose(p.detach().numpy(), ref, rtol=1e-14, atol=1e-15)
    np.testing.assert_allclose(opt.state[p]["exp_avg"].numpy(), m, rtol=1e-14, atol=1e-15)


def test_lion_skips_parameters_without_gradient_and_uses_groups() -> None:
    a = torch.nn.Parameter(torch.ones(2, dtype=torch.float64))
    b = torch.nn.Parameter(torch.ones(2, dtype=torch.float64))
    opt = Lion([{"params": [a]}, {"params": [b], "lr": 0.5}], lr=0.1)
    a.grad = torch.tensor([1.0, -2.0], dtype=torch.float64)
    loss = opt.step(lambda: torch.tensor(3.0))
    assert float(loss) == 3.0
    np.testing.assert_allclose(a.detach().numpy(), [0.9, 1.1])
    np.testing.assert_array_equal(b.detach().numpy(), [1.0, 1.0])
    b.grad = torch.tensor([-1.0, 1.0], dtype=torch.float64)
    opt.step()
    np.testing.assert_allclose(b.detach().numpy(), [1.5, 0.5])


def test_lion_state_round_trips() -> None:
    p = torch.nn.Parameter(torch.zeros(3, dtype=torch.float64))
    opt = Lion([p], lr=0.1)
    p.grad = torch.ones(3, dtype=torch.float64)
    opt.step()
    other = Lion([torch.nn.Parameter(p.detach().clone())], lr=0.1)
    other.load_state_dict(opt.state_dict())
    assert torch.equal(next(iter(other.state.values()))["exp_avg"], opt.state[p]["exp_avg"])


def test_lion_rejects_bad_settings() -> None:
    p = [torch.nn.Parameter(torch.zeros(1))]
    for kwargs in ({"lr": 0.0}, {"lr": -1.0}, {"betas": (1.0, 0.9)}, {"weight_decay": -0.1}):
        with pytest.raises(ParameterError):
            Lion(p, **kwargs)


@pytest.mark.parametrize("name", sorted(OPTIMIZERS))
def test_every_optimizer_by_name_reduces_a_quadratic(name) -> None:
    p = torch.nn.Parameter(torch.tensor([2.0, -3.0], dtype=torch.float64))
    opt = make_optimizer(name.upper(), [p], lr=0.05, weight_decay=0.0, options={})
    start = float((p.detach() ** 2).sum())
    for _ in range(20):
        opt.zero_grad()
        (p**2).sum().backward()
        opt.step()
    assert float((p.detach() ** 2).sum()) < start


def test_make_optimizer_errors() -> None:
    p = [torch.nn.Parameter(torch.zeros(1))]
    with pytest.raises(ParameterError, match=r"unknown optimizer 'adagrad'.*'lion'"):
        make_optimizer("adagrad", p, lr=1e-3, weight_decay=0.0, options={})
    with pytest.raises(ParameterError, match="no trainable parameters"):
        make_optimizer("adam", [], lr=1e-3, weight_decay=0.0, options={})
    with pytest.raises(ParameterError, match=r"must not set \['lr'\]"):
        make_optimizer("adam", p, lr=1e-3, weight_decay=0.0, options={"lr": 1.0})
    with pytest.raises(ParameterError, match="rejected optimizer_options"):
        make_optimizer("sgd", p, lr=1e-3, weight_decay=0.0, options={"nesterov_typo": True})
    with pytest.raises(ParameterError, match="optimizer 'sgd'"):
        make_optimizer("sgd", p, lr=1e-3, weight_decay=0.0, options={"momentum": -1.0})


# ------------------------------------------------------------------------- schedules
def test_exponential_decay_runs_from_lr_to_lr_end() -> None:
    run = Exponential().start(1e-3, 1e-6, 11)
    rates = np.array([run.lr(k) for k in range(11)])
    np.testing.assert_allclose(rates, 1e-3 * (1e-3) ** (np.arange(11) / 10), rtol=1e-12)
    assert Exponential().start(2e-3, None, 5).lr(4) == pytest.approx(2e-6)


def test_cosine_runs_half_a_cosine() -> None:
    run = Cosine().start(1.0, 0.1, 5)
    expected = 0.1 + 0.45 * (1 + np.cos(np.pi * np.arange(5) / 4))
    np.testing.assert_allclose([run.lr(k) for k in range(5)], expected, rtol=1e-14)
    assert Cosine().start(1.0, None, 3).lr(2) == pytest.approx(0.0, abs=1e-15)


def test_plateau_reduces_after_patience_epochs_without_improvement() -> None:
    run = Plateau(factor=0.5, patience=1, threshold=0.0).start(1.0, 0.2, 100)
    seen = []
    for value in [3.0, 2.0, 2.0, 2.5, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, math.nan]:
        run.epoch_end(value)
        seen.append(run.lr(0))
    assert seen == [1.0, 1.0, 1.0, 0.5, 0.5, 0.5, 0.25, 0.25, 0.2, 0.2, 0.2]
    again = Plateau(factor=0.5, patience=1).start(1.0, 0.2, 100)
    again.load_state_dict(run.state_dict())
    assert again.state_dict() == run.state_dict()


def test_schedule_names() -> None:
    assert schedule_of("COSINE") == Cosine()
    assert schedule_of(Plateau(patience=3)) == Plateau(patience=3)
    with pytest.raises(ParameterError, match=r"schedule must be one of \['constant', 'cosine'"):
        schedule_of("linear")
    with pytest.raises(ParameterError, match="factor"):
        Plateau(factor=1.0)
