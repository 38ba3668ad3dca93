"""Hooks of the example plugin. Keep this module light: it is imported at discovery time."""

from chaoskit import hookimpl

CHAOSKIT_PLUGIN_API = "1.0"


@hookimpl
def chaoskit_register_systems(registry):
    registry.add(
        "damped_oscillator", "chaoskit_example.oscillator:DampedOscillator",
        summary="Damped harmonic oscillator, solved exactly", tags=["flow", "linear"],
    )


@hookimpl
def chaoskit_register_models(registry):
    registry.add(
        "linear_map", "chaoskit_example.linear_map:LinearMap",
        summary="Least-squares affine one-step map x' = A x + b", tags=["baseline", "linear"],
    )


@hookimpl
def chaoskit_register_metrics(registry):
    registry.add(
        "max_abs_error", "chaoskit_example.max_error:MaxAbsError",
        summary="Largest absolute error over time and variables", tags=["short_term"],
    )
