"""The torch device a component was asked to run on, checked to be usable on this machine.

One check for every plugin that runs torch code (systems, models, metrics, third-party ones):
a malformed device string, a CUDA or MPS device this machine does not have, or a device type
chaoskit does not run on (``"meta"``, ``"xla"`` …) is a chaoskit error that names the setting
and what to use instead, not an error from deep inside torch at the first tensor. torch is
imported on the first call only (the core does not depend on it).
"""

from __future__ import annotations

from typing import Any

from ._optional import require
from .errors import CapabilityError, ParameterError

__all__ = ["torch_device"]


def torch_device(device: Any, *, owner: str = "device") -> Any:
    """The :class:`torch.device` named by ``device``, checked to be usable here.

    Parameters
    ----------
    device
        A torch device string (``"cpu"``, ``"cuda"``, ``"cuda:1"``, ``"mps"``), a
        :class:`torch.device`, or ``None`` for the CPU.
    owner
        What the setting is called in error messages, e.g. ``"ESN.device"``.

    Raises
    ------
    ParameterError
        When ``device`` is not a device torch understands.
    CapabilityError
        When it is well-formed but absent here (no CUDA build or GPU, an index beyond the GPUs
        present, no MPS), or of a type chaoskit does not run on.
    """
    torch = require("torch", f"{owner} = {device!r}")
    try:
        dev = torch.device("cpu" if device is None else device)
    except (RuntimeError, TypeError, ValueError):
        raise ParameterError(
            f"{owner} = {device!r} is not a torch device string; "
            "use 'cpu', 'cuda' or 'cuda:<index>'"
        ) from None
    if dev.type == "cuda":
        if not torch.cuda.is_available():
            raise CapabilityError(
                f"{owner} = {device!r} but CUDA is not available here: torch {torch.__version__} "
                f"(built with CUDA {torch.version.cuda}) sees no CUDA device; use device='cpu', or "
                "a CUDA build of torch on a machine with a GPU"
            )
        count = torch.cuda.device_count()
        if dev.index is not None and dev.index >= count:
            raise CapabilityError(
                f"{owner} = {device!r} but only {count} CUDA device(s) are present; use "
                f"'cuda:0' … 'cuda:{count - 1}' or 'cpu'"
            )
    elif dev.type == "mps":
        if not torch.backends.mps.is_available():
            raise CapabilityError(
                f"{owner} = {device!r} but MPS is not available here; use device='cpu'"
            )
    elif dev.type != "cpu":
        raise CapabilityError(
            f"{owner} = {device!r}: chaoskit runs on 'cpu', 'cuda' (or 'cuda:<index>') "
            "and 'mps' only"
        )
    return dev
