"""Delay differential equations: the :class:`~.base.DelaySystem` base (method of steps) and the
dysts delay systems (:mod:`.systems`).

Import a system from its module (``from chaoskit_systems.delay.systems import MackeyGlass``) or
create it through the registry (``chaoskit.systems.create("mackey_glass")``); this package
imports nothing itself, so listing systems stays cheap.
"""
