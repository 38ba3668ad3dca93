"""``GTFModel``: the base of the DSR models whose default trainer uses adaptive generalized teacher forcing."""

from __future__ import annotations

import attrs
from chaoskit.validators import in_interval

from ..training.forcing import GeneralizedForcing
from ..training.protocol import TeacherForcing
from .model import DSRModel

__all__ = ["GTFModel"]


@attrs.define(frozen=True, kw_only=True, slots=False)
class GTFModel(DSRModel):
    """A :class:`~chaoskit_models.dsr.model.DSRModel` trained by default with adaptive GTF.

    Parameters
    ----------
    gtf_gamma
        γ, the annealing factor of the default trainer's adaptive generalized teacher forcing
        (α ← γ·α + (1 − γ)·α* every 5 batches, see
        :class:`~chaoskit_models.training.GeneralizedForcing`). Default 0.99: α relaxes to its
        estimate within ~500 steps, which a run of a few thousand steps needs; Hess et al.
        (2023) use 0.999 over 250,000 steps.
    **kwargs
        The rest of :class:`~chaoskit_models.dsr.model.DSRModel`'s parameters.
    """

    gtf_gamma: float = attrs.field(default=0.99, validator=in_interval(0.0, 1.0, closed_low=True))

    def default_forcing(self) -> TeacherForcing:
        """Adaptive GTF (α* estimated every 5 batches) annealed with ``gtf_gamma``."""
        return GeneralizedForcing(alpha="adaptive", gamma=self.gtf_gamma)
