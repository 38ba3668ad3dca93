"""The few array operations the tangent-space engine needs, for numpy or torch dynamics.

Private to :mod:`chaoskit_metrics.tangent`: torch is imported only when a torch-backend dynamics
is given (chaoskit-metrics does not depend on torch).
"""

from __future__ import annotations

from typing import Any

import numpy as np
from chaoskit import ParameterError, torch_device

__all__ = ["TangentBackend"]


class TangentBackend:
    """Array operations in the dynamics' backend (``"numpy"`` or ``"torch"``), dtype and device."""

    def __init__(self, name: str, dtype: str, device: str | None) -> None:
        self.name = name
        if name == "torch":
            import torch  # a torch-backend dynamics exists, so torch is installed

            self.torch = torch
            self.dtype = getattr(self.torch, dtype)
            self.device = torch_device(device)
        else:
            if device not in (None, "cpu"):
                raise ParameterError(f"a numpy dynamics runs on the CPU; got device={device!r}")
            self.dtype = np.dtype(dtype)
        self.eps = float(np.finfo(np.dtype(dtype)).eps)

    def array(self, x: Any) -> Any:
        if self.name == "torch":
            if isinstance(x, self.torch.Tensor):
                return x.detach().to(dtype=self.dtype, device=self.device)
            return self.torch.as_tensor(np.asarray(x), dtype=self.dtype, device=self.device)
        return np.asarray(x, dtype=self.dtype)

    def numpy(self, x: Any) -> np.ndarray:
        if self.name == "torch":
            return x.detach().cpu().numpy()
        return np.asarray(x)

    def zeros(self, members: int, k: int) -> Any:
        if self.name == "torch":
            return self.torch.zeros(members, k, dtype=self.dtype, device=self.device)
        return np.zeros((members, k), dtype=self.dtype)

    def eye(self, members: int, d: int, k: int) -> Any:
        if self.name == "torch":
            e = self.torch.eye(d, k, dtype=self.dtype, device=self.device)
            return e.expand(members, d, k).clone()
        return np.broadcast_to(np.eye(d, k, dtype=self.dtype), (members, d, k)).copy()

    def qr_logs(self, v: Any) -> tuple[Any, Any]:
        """``(Q, log |diag R|)`` of the QR decomposition of every member's columns."""
        if self.name == "torch":
            q, r = self.torch.linalg.qr(v)
            return q, self.torch.diagonal(r, dim1=-2, dim2=-1).abs().log()
        q, r = np.linalg.qr(v)
        return q, np.log(np.abs(np.diagonal(r, axis1=-2, axis2=-1)))

    def accumulate(self, total: Any, logs: Any, factor: float) -> Any:
        """``total + factor · logs``, in place where the backend allows."""
        if self.name == "torch":
            return total.add_(logs, alpha=factor)
        total += logs if factor == 1.0 else factor * logs
        return total

    def finite_rows(self, x: Any) -> np.ndarray:
        """``(members,)`` bool: every entry of the trailing dims finite."""
        xs = self.numpy(x)
        return np.isfinite(xs.reshape(xs.shape[0], -1)).all(axis=1)

    def where_rows(self, mask: np.ndarray, a: Any, b: Any) -> Any:
        """Rows of ``a`` where ``mask``, else of ``b`` (``b`` broadcast to ``a``)."""
        if self.name == "torch":
            m = self.torch.as_tensor(mask, device=self.device).reshape(-1, *([1] * (a.ndim - 1)))
            return self.torch.where(m, a, b)
        return np.where(mask.reshape(-1, *([1] * (a.ndim - 1))), a, b)

    def quiet(self) -> Any:
        """No autograd graph (torch); no overflow warnings from diverging members (numpy)."""
        if self.name == "torch":
            return self.torch.no_grad()
        return np.errstate(over="ignore", invalid="ignore", divide="ignore")
