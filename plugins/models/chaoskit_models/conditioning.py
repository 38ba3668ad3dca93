"""The warning of chaoskit-models' closed-form fits when a least-squares problem is singular."""

from __future__ import annotations

__all__ = ["ConditioningWarning"]


class ConditioningWarning(UserWarning):
    """A Gram or snapshot matrix is singular or ill-conditioned; the solve was regularized."""
