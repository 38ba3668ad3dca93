"""LoRA adapters: exact start, merge/unmerge, only adapters trained and saved."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from _trainer_toys import ToyModel, rotation_data
from chaoskit import ParameterError
from chaoskit_models.training import (
    GradientTrainer,
    LoRA,
    LoRALinear,
    apply_lora,
    lora_state_dict,
    remove_lora,
)
from torch import nn


def net() -> nn.Module:
    torch.manual_seed(0)
    return nn.Sequential(nn.Linear(4, 6, dtype=torch.float64), nn.Tanh(), nn.Linear(6, 2, dtype=torch.float64))


@pytest.fixture
def x() -> torch.Tensor:
    return torch.randn(5, 4, generator=torch.Generator().manual_seed(1), dtype=torch.float64)


def test_adapters_start_at_the_base_output_and_only_they_train(x) -> None:
    module = net()
    before = module(x).detach()
    names = [n for n, _ in module.named_parameters()]
    layers = apply_lora(module, LoRA(targets=("0",), rank=2), torch.Generator().manual_seed(0))
    assert len(layers) == 1 and isinstance(module[0], LoRALinear)
    assert torch.equal(module(x), before)  # B = 0
    trainable = [n for n, p in module.named_parameters() if p.requires_grad]
    assert trainable == ["0.lora_a", "0.lora_b"]
    assert set(lora_state_dict(module)) == {"0.lora_a", "0.lora_b"}
    remove_lora(module)
    assert [n for n, _ in module.named_parameters()] == names and isinstance(module[0], nn.Linear)


def test_the_update_is_scaled_low_rank_and_merges_exactly(x) -> None:
    module = net()
    base_w = module[2].weight.detach().clone()
    (layer,) = apply_lora(module, LoRA(targets=["2"], rank=2, alpha=3.0), torch.Generator().manual_seed(0))
    with torch.no_grad():
        layer.lora_b.normal_(generator=torch.Generator().manual_seed(2))
    h = torch.tanh(module[0](x))
    a, b = layer.lora_a.detach().numpy(), layer.lora_b.detach().numpy()
    w = base_w.numpy() + (3.0 / 2) * b @ a
    ref = h.detach().numpy() @ w.T + module[2].base.bias.detach().numpy()
    unmerged = module(x).detach()
    np.testing.assert_allclose(unmerged.numpy(), ref, rtol=1e-12, atol=1e-13)
    layer.merge()
    layer.merge()  # idempotent
    np.testing.assert_allclose(module(x).detach().numpy(), unmerged.numpy(), rtol=1e-12, atol=1e-13)
    layer.unmerge()
    np.testing.assert_allclose(layer.base.weight.detach().numpy(), base_w.numpy(), rtol=0, atol=1e-15)
    np.testing.assert_allclose(module(x).detach().numpy(), unmerged.numpy(), rtol=1e-12, atol=1e-13)


def test_initialisations_are_seeded() -> None:
    a = apply_lora(net(), LoRA(targets=("0",), init="normal", rank=3), torch.Generator().manual_seed(5))[0]
    b = apply_lora(net(), LoRA(targets=("0",), init="normal", rank=3), torch.Generator().manual_seed(5))[0]
    assert torch.equal(a.lora_a, b.lora_a)
    assert float(a.lora_a.detach().std()) == pytest.approx(1 / 3, rel=0.5)


def test_target_errors() -> None:
    with pytest.raises(ParameterError, match=r"'decoder' is not a submodule of Sequential; its nn.Linear submodules are \['0', '2'\]"):
        apply_lora(net(), LoRA(targets=("decoder",)))
    with pytest.raises(ParameterError, match="'1' is not an nn.Linear"):
        apply_lora(net(), LoRA(targets=("1",)))
    with pytest.raises(ParameterError, match="LoRA.targets"):
        LoRA(targets=())
    with pytest.raises(ParameterError, match="rank"):
        LoRA(targets="0", rank=0)


# ------------------------------------------------------------------------- through the trainer
@pytest.fixture
def pretrained() -> ToyModel:
    return ToyModel(seed=0).fit(rotation_data().isel(member=[0]))


def test_fine_tuning_trains_a_low_rank_update_of_the_target_only(pretrained, tmp_path) -> None:
    w0 = {k: v.copy() for k, v in pretrained.__dict__["_weights"].items()}
    trainer = GradientTrainer(epochs=2, batches_per_epoch=5, batch_size=4, window=12, lr=0.05, progress=False,
                              lora=LoRA(targets=("lin",), rank=1), checkpoint_dir=tmp_path, checkpoint_every=5)
    tuned = pretrained.fit(rotation_data(seed=3).isel(member=[0]), trainer=trainer)
    w1 = tuned.__dict__["_weights"]
    delta = w1["lin.weight"] - w0["lin.weight"]
    assert np.abs(delta).max() > 1e-6
    assert np.linalg.matrix_rank(delta, tol=1e-10) == 1
    np.testing.assert_array_equal(w1["lin.bias"], w0["lin.bias"])  # frozen, not targeted
    ckpt = torch.load(tmp_path / "last.pt", weights_only=True)
    assert set(ckpt["module"]) == {"lin.lora_a", "lin.lora_b"}  # only adapters are saved


def test_fine_tuning_needs_trained_weights() -> None:
    trainer = GradientTrainer(epochs=1, batches_per_epoch=1, window=12, progress=False, lora=LoRA(targets=("lin",)))
    with pytest.raises(ParameterError, match="LoRA fine-tuning starts from trained weights"):
        ToyModel(seed=0).fit(rotation_data(), trainer=trainer)
    with pytest.raises(ParameterError, match=r"'nope' is not a submodule of LinearCell; its nn.Linear submodules are \['lin'\]"):
        ToyModel(seed=0, latent=3).fit(rotation_data()).fit(
            rotation_data(), trainer=GradientTrainer(epochs=1, window=12, progress=False, lora=LoRA(targets=("nope",))))
