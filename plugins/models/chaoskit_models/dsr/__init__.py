"""Dynamical-systems reconstruction RNNs: the PLRNN family and the almost-linear RNN.

One latent cell per module (each with its registered :class:`chaoskit.Model`):
:mod:`~chaoskit_models.dsr.plrnn` (PLRNN), :mod:`~chaoskit_models.dsr.dendplrnn` (dendritic
PLRNN), :mod:`~chaoskit_models.dsr.shplrnn` (shallow and clipped shallow PLRNN),
:mod:`~chaoskit_models.dsr.alrnn` (AL-RNN); shared parts in
:mod:`~chaoskit_models.dsr.model` (the Model base), :mod:`~chaoskit_models.dsr.observation`,
:mod:`~chaoskit_models.dsr.init`, :mod:`~chaoskit_models.dsr.dynamics` and
:mod:`~chaoskit_models.dsr.symbolic`. Import the submodules; this package imports nothing.
"""
