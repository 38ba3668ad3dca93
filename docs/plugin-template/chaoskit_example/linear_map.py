"""A least-squares affine one-step model x_{t+1} = A x_t + b (a baseline)."""

from __future__ import annotations

import attrs
import numpy as np

import chaoskit
from chaoskit.validators import nonnegative


@attrs.frozen(kw_only=True)
class LinearMap(chaoskit.Model):
    """Affine one-step map fitted by ridge-regularized least squares on all members."""

    ridge: float = attrs.field(default=1e-8, validator=nonnegative)

    def _fit(self, train, *, valid, trainer):
        x = train["state"].values
        inputs = x[:, :-1].reshape(-1, x.shape[-1])
        targets = x[:, 1:].reshape(-1, x.shape[-1])
        design = np.hstack([inputs, np.ones((len(inputs), 1))])
        gram = design.T @ design + self.ridge * np.eye(design.shape[1])
        self.__dict__["coef"] = np.linalg.solve(gram, design.T @ targets)

    def _forecast(self, context, steps):
        state = context["state"].values[:, -1]
        out = np.empty((state.shape[0], steps, state.shape[1]))
        for k in range(steps):
            state = state @ self.coef[:-1] + self.coef[-1]
            out[:, k] = state
        return out

    def _get_state(self):
        return {"coef": self.coef}

    def _set_state(self, state):
        self.__dict__["coef"] = np.asarray(state["coef"])
