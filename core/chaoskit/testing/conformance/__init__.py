"""Conformance suites that a plugin's tests subclass to check every item the plugin registers.

Example (in a plugin's ``tests/test_conformance.py``)::

    from chaoskit.testing import SystemConformance

    class TestMySystems(SystemConformance):
        provider = "myplugin"
"""

from .metric import MetricConformance
from .model import ModelConformance
from .system import SystemConformance

__all__ = ["MetricConformance", "ModelConformance", "SystemConformance"]
