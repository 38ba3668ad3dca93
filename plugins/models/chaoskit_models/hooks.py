"""chaoskit plugin hooks of chaoskit-models: registers every model, imports nothing heavy."""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

from chaoskit import hookimpl

CHAOSKIT_PLUGIN_API = "1.0"


@hookimpl
def chaoskit_register_models(registry):
    registry.add(
        "esn", "chaoskit_models.esn:EchoStateNetwork",
        summary="Echo state network: leaky tanh reservoir with a ridge readout",
        tags=["reservoir", "torch", "closed-form"], aliases=["echo_state_network"],
    )


@hookimpl
def chaoskit_provenance():
    try:
        return {"torch": version("torch")}
    except PackageNotFoundError:  # pragma: no cover - torch is a dependency
        return None
