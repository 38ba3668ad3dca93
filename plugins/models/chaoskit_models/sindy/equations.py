"""Identified SINDy equations as text: ``"x' = -10.000 x + 10.000 y"``."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from chaoskit import ParameterError

__all__ = ["equation_strings"]


def equation_strings(
    coefficients: np.ndarray, variables: Sequence[str], features: Sequence[str], precision: int = 3
) -> list[str]:
    """One line ``"v' = c₁ term₁ + c₂ term₂ - …"`` per variable.

    Terms whose coefficient rounds to zero at ``precision`` decimals are left out (as pysindy
    prints them); the constant term is written as its number alone; an equation with no term
    left reads ``"v' = 0"``.
    """
    if isinstance(precision, bool) or not isinstance(precision, int) or precision < 0:
        raise ParameterError(f"equations: precision must be an integer >= 0, got {precision!r}")
    lines = []
    for var, row in zip(variables, np.asarray(coefficients), strict=True):
        parts: list[str] = []
        for c, name in zip(row, features, strict=True):
            if round(float(c), precision) == 0:
                continue
            number = f"{abs(c):.{precision}f}"
            body = number if name == "1" else f"{number} {name}"
            if parts:
                parts.append(("- " if c < 0 else "+ ") + body)
            else:
                parts.append(("-" if c < 0 else "") + body)
        lines.append(f"{var}' = " + (" ".join(parts) if parts else "0"))
    return lines
