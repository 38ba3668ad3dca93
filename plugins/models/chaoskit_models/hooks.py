"""chaoskit plugin hooks of chaoskit-models: registers every model, imports nothing heavy."""

from __future__ import annotations

import functools
from importlib.metadata import PackageNotFoundError, version

from chaoskit import hookimpl

CHAOSKIT_PLUGIN_API = "1.0"


@hookimpl
def chaoskit_register_models(registry):
    registry.add(
        "neural_ode", "chaoskit_models.neural_ode:NeuralODE",
        summary="Neural ODE: an MLP vector field fitted by multiple shooting, forecast with adaptive RK",
        tags=["ode", "torch", "gradient"], aliases=["node", "neuralode"],
    )
    registry.add(
        "ngrc", "chaoskit_models.ngrc:NextGenerationRC",
        summary="Next-generation RC (Gauthier et al. 2021): delay taps and their monomials, ridge readout",
        tags=["reservoir", "numpy", "closed-form", "delay"], aliases=["nvar", "next_generation_rc"],
    )
    registry.add(
        "dmd", "chaoskit_models.koopman.dmd:DMD",
        summary="Exact DMD: best-fit linear map with optimal hard-threshold rank truncation",
        tags=["koopman", "torch", "closed-form", "linear"], aliases=["exact_dmd"],
    )
    registry.add(
        "hankel_dmd", "chaoskit_models.koopman.hankel:HankelDMD",
        summary="Hankel (delay) DMD: exact DMD of delay vectors",
        tags=["koopman", "torch", "closed-form", "linear", "delay"], aliases=["delay_dmd", "hdmd"],
    )
    registry.add(
        "havok", "chaoskit_models.koopman.havok:HAVOK",
        summary="HAVOK: linear model in delay coordinates forced by the last one (Brunton et al. 2017)",
        tags=["koopman", "torch", "closed-form", "delay"], aliases=["hankel_havok"],
    )
    registry.add(
        "edmd", "chaoskit_models.koopman.edmd:EDMD",
        summary="Extended DMD with monomial, RBF, random Fourier or delay dictionaries",
        tags=["koopman", "torch", "closed-form"], aliases=["extended_dmd"],
    )
    registry.add(
        "resdmd", "chaoskit_models.koopman.resdmd:ResDMD",
        summary="Residual DMD: EDMD with residual-verified eigenpairs, pseudospectra, spectral measures",
        tags=["koopman", "torch", "closed-form"], aliases=["residual_dmd"],
    )
    registry.add(
        "lstm", "chaoskit_models.rnn_forecaster:LSTMForecaster",
        summary="LSTM forecaster: nn.LSTM over the inputs with a linear read-out of the next step",
        tags=["sequence", "torch", "gradient"], aliases=["lstm_forecaster"],
    )
    registry.add(
        "gru", "chaoskit_models.rnn_forecaster:GRUForecaster",
        summary="GRU forecaster: nn.GRU over the inputs with a linear read-out of the next step",
        tags=["sequence", "torch", "gradient"], aliases=["gru_forecaster"],
    )
    registry.add(
        "plrnn", "chaoskit_models.dsr.plrnn:PLRNN",
        summary="Piecewise-linear RNN (Durstewitz 2017) for dynamical-systems reconstruction, GTF",
        tags=["dsr", "rnn", "torch", "gradient"], aliases=["piecewise_linear_rnn"],
    )
    registry.add(
        "dendplrnn", "chaoskit_models.dsr.dendplrnn:DendPLRNN",
        summary="Dendritic PLRNN (Brenner et al. 2022): PLRNN with a basis expansion, GTF",
        tags=["dsr", "rnn", "torch", "gradient"], aliases=["dendritic_plrnn", "dend_plrnn"],
    )
    registry.add(
        "shplrnn", "chaoskit_models.dsr.shplrnn:ShallowPLRNN",
        summary="Shallow PLRNN (Hess et al. 2023): linear term plus one relu hidden layer, GTF",
        tags=["dsr", "rnn", "torch", "gradient"], aliases=["shallow_plrnn", "sh_plrnn"],
    )
    registry.add(
        "clipped_shplrnn", "chaoskit_models.dsr.shplrnn:ClippedShallowPLRNN",
        summary="Clipped shallow PLRNN (Hess et al. 2023): bounded orbits, generalized teacher forcing",
        tags=["dsr", "rnn", "torch", "gradient"], aliases=["clipped_shallow_plrnn", "cshplrnn"],
    )
    registry.add(
        "alrnn", "chaoskit_models.dsr.alrnn:ALRNN",
        summary="Almost-linear RNN (Brenner et al. 2024): P of M units piecewise linear, sparse TF",
        tags=["dsr", "rnn", "torch", "gradient", "symbolic"], aliases=["almost_linear_rnn", "al_rnn"],
    )
    registry.add(
        "sindy", "chaoskit_models.sindy.model:SINDy",
        summary="SINDy: sparse regression of the vector field on a library of candidate terms",
        tags=["equation-discovery", "closed-form", "numpy", "torch"],
        aliases=["sparse_identification"],
    )
    registry.add(
        "linear_ar", "chaoskit_models.linear_ar:LinearAutoregression",
        summary="Linear autoregression over delays, least squares (QR) with optional ridge",
        tags=["baseline", "numpy", "closed-form"],
        aliases=["linear_autoregression", "linear_regression"],
    )
    registry.add(
        "context_parroting", "chaoskit_models.parroting:ContextParroting",
        summary="Context parroting: continue the best-matching past window of the context",
        tags=["baseline", "numpy", "zero-shot"], aliases=["parroting", "parrot"],
    )
    registry.add(
        "esn", "chaoskit_models.esn:EchoStateNetwork",
        summary="Echo state network: leaky tanh reservoir with a ridge readout",
        tags=["reservoir", "torch", "closed-form"], aliases=["echo_state_network"],
    )
    registry.add(
        "persistence", "chaoskit_models.baselines:Persistence",
        summary="Persistence baseline: the last context value repeated",
        tags=["baseline", "numpy", "closed-form"], aliases=["naive", "last_value"],
    )
    registry.add(
        "mean", "chaoskit_models.baselines:MeanBaseline",
        summary="Mean baseline: the training mean at every step",
        tags=["baseline", "numpy", "closed-form"], aliases=["climatology", "mean_baseline"],
    )


@hookimpl
def chaoskit_register_trainers(registry):
    registry.add(
        "gradient", "chaoskit_models.training:GradientTrainer",
        summary="Mini-batch gradient training with teacher forcing (none, sparse, GTF), "
                "schedules, mixed precision, LoRA, early stopping and exact resume",
        tags=["torch", "gradient"], aliases=["gradient_trainer"],
    )


@hookimpl
def chaoskit_provenance():
    return _torch_version()


@functools.cache
def _torch_version():
    # cached: this hook runs for every dataset chaoskit makes (each trajectory and forecast),
    # and reading the installed metadata costs milliseconds
    try:
        return {"torch": version("torch")}
    except PackageNotFoundError:  # pragma: no cover - torch is a dependency
        return None
