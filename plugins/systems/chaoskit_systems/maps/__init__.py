"""Discrete-time systems (maps), one family per module, on the :class:`MapSystem` base.

Import a map from its module (``from chaoskit_systems.maps.henon import Henon``) or create it
through the registry (``chaoskit.systems.create("henon")``); this package imports nothing
itself, so listing systems stays cheap. The base class is :class:`chaoskit_systems.MapSystem`
(``chaoskit_systems.maps.base``).
"""
