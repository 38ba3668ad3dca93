"""The Trainer interface, the abstract classes and the error hierarchy."""

from __future__ import annotations


import pytest

import chaoskit
from chaoskit import (
    DataError,
    ParameterError,
)

from ._toys import (
    DriftModel,
    FitTrainer,
    dataset,
)



@pytest.fixture
def train():
    return dataset(members=3, n=40, dt=0.1)




# =========================================================================== Trainer
def test_trainer_fit(train):
    model = DriftModel()
    result = FitTrainer(epochs=2).fit(model, train)
    assert isinstance(result, chaoskit.TrainResult)
    assert result.best_epoch == 1 and result.history.sizes["epoch"] == 2
    assert model.is_fitted


@pytest.mark.parametrize("not_a_model", [object(), "drift", DriftModel])
def test_trainer_fit_with_a_non_model(train, not_a_model):
    with pytest.raises(ParameterError, match=r"FitTrainer\.fit expects a chaoskit Model, got"):
        FitTrainer().fit(not_a_model, train)


def test_trainer_validates_the_data():
    with pytest.raises(DataError, match="^train:"):
        FitTrainer().fit(DriftModel(), dataset(n=1))


# =========================================================================== abstractness
@pytest.mark.parametrize("cls", [chaoskit.System, chaoskit.Model, chaoskit.Metric, chaoskit.Invariant,
                                 chaoskit.Trainer, chaoskit.Dynamics])
def test_interfaces_are_abstract(cls):
    with pytest.raises(TypeError):
        cls() if cls is not chaoskit.Dynamics else cls(2, 0.1)


# =========================================================================== errors
@pytest.mark.parametrize("error, builtin", [
    (chaoskit.DataError, ValueError), (chaoskit.ParameterError, ValueError),
    (chaoskit.ConfigError, ValueError), (chaoskit.UnknownNameError, LookupError),
    (chaoskit.AmbiguousNameError, chaoskit.UnknownNameError), (chaoskit.NotFittedError, RuntimeError),
    (chaoskit.CapabilityError, NotImplementedError), (chaoskit.PluginError, RuntimeError),
])
def test_error_hierarchy(error, builtin):
    assert issubclass(error, chaoskit.ChaoskitError)
    assert issubclass(error, builtin)
    assert issubclass(chaoskit.PluginWarning, UserWarning)
    assert issubclass(chaoskit.DivergenceWarning, UserWarning)
    assert str(chaoskit.UnknownNameError("plain message")) == "plain message"  # not quoted like a key
