"""Continuous-time systems (ordinary differential equations), one family per module.

Import a system from its module (``from chaoskit_systems.flows.lorenz import Lorenz``) or create
it through the registry (``chaoskit.systems.create("lorenz")``); this package imports nothing
itself, so listing systems stays cheap.
"""
