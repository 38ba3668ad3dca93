"""Hooks of the benchmark test toys."""

from chaoskit import hookimpl

CHAOSKIT_PLUGIN_API = "1.0"
_T = "chaoskit_benchtoys.toys"


@hookimpl
def chaoskit_register_systems(registry):
    registry.add("spiral", f"{_T}:Spiral", summary="a rotation with random initial radius and phase")
    registry.add("spiral_nolt", f"{_T}:SpiralNoLyapunov", summary="the rotation without a Lyapunov time")
    registry.add("broken_system", f"{_T}:BrokenSystem", summary="a system whose simulation raises")
    registry.add("rotation_map", f"{_T}:RotationMap", summary="a rotation map (whole iterations only)")


@hookimpl
def chaoskit_register_models(registry):
    registry.add("linear", f"{_T}:LinearMap", summary="least-squares linear one-step map")
    registry.add("drift", f"{_T}:Drift", summary="persistence plus drift; writes a marker file per fit")
    registry.add("failing", f"{_T}:Failing", summary="raises in fit")
    registry.add("diverging", f"{_T}:Diverging", summary="forecasts that blow up")
    registry.add("suicide", f"{_T}:Suicide", summary="kills its own process in fit")


@hookimpl
def chaoskit_register_metrics(registry):
    registry.add("toy_mae", f"{_T}:ToyMAE", summary="mean absolute error")
