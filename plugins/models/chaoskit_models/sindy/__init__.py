"""SINDy for chaoskit: libraries, derivatives, sparse optimizers, ensembles and the model.

>>> from chaoskit_models.sindy import SINDy, PolynomialLibrary, FiniteDifference, STLSQ
>>> model = SINDy(library=PolynomialLibrary(degree=2), differentiation=FiniteDifference(order=4),
...               optimizer=STLSQ(threshold=0.1))                    # doctest: +SKIP
>>> print("\\n".join(model.fit(train).equations()))                   # doctest: +SKIP
"""

from __future__ import annotations

from .derivatives import (
    DIFFERENTIATIONS,
    Differentiation,
    FiniteDifference,
    SmoothedFiniteDifference,
    SuppliedDerivatives,
    fd_weights,
    finite_difference,
    smooth,
)
from .dynamics import SINDyDynamics
from .ensemble import Ensemble
from .library import (
    LIBRARIES,
    ConcatLibrary,
    CustomLibrary,
    FourierLibrary,
    Library,
    PolynomialLibrary,
    TensorLibrary,
)
from .model import SINDy
from .optimizers import OPTIMIZERS, SR3, STLSQ, Optimizer, SINDyConvergenceWarning

__all__ = [
    "DIFFERENTIATIONS",
    "LIBRARIES",
    "OPTIMIZERS",
    "SR3",
    "STLSQ",
    "ConcatLibrary",
    "CustomLibrary",
    "Differentiation",
    "Ensemble",
    "FiniteDifference",
    "FourierLibrary",
    "Library",
    "Optimizer",
    "PolynomialLibrary",
    "SINDy",
    "SINDyConvergenceWarning",
    "SINDyDynamics",
    "SmoothedFiniteDifference",
    "SuppliedDerivatives",
    "TensorLibrary",
    "fd_weights",
    "finite_difference",
    "smooth",
]
