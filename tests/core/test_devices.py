"""chaoskit.torch_device: the one device check of every torch-running plugin."""

from __future__ import annotations

import pytest
import torch
from chaoskit import CapabilityError, ParameterError, torch_device


def test_usable_devices_come_back_as_torch_devices() -> None:
    assert torch_device(None) == torch.device("cpu")
    assert torch_device("cpu") == torch.device("cpu")
    assert torch_device(torch.device("cpu")) == torch.device("cpu")


def test_malformed_and_unsupported_devices_name_the_setting() -> None:
    with pytest.raises(ParameterError, match=r"ESN\.device = 'gpu-please' is not a torch device string"):
        torch_device("gpu-please", owner="ESN.device")
    with pytest.raises(ParameterError, match="not a torch device string"):
        torch_device(3.5)
    with pytest.raises(CapabilityError, match=r"device = 'meta': chaoskit runs on 'cpu', 'cuda'"):
        torch_device("meta")


@pytest.mark.skipif(torch.cuda.is_available(), reason="a CUDA device is present")
def test_absent_cuda() -> None:
    for name in ("cuda", "cuda:1"):
        with pytest.raises(CapabilityError, match=rf"x\.device = '{name}' but CUDA is not available.*device='cpu'"):
            torch_device(name, owner="x.device")


@pytest.mark.cuda
@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA device")
def test_cuda_index_beyond_the_devices_present() -> None:
    assert torch_device("cuda:0").type == "cuda"
    count = torch.cuda.device_count()
    with pytest.raises(CapabilityError, match=f"only {count} CUDA device"):
        torch_device(f"cuda:{count}")
