"""Toy systems and models for the tests of ``chaoskit bench`` (numpy only, fast)."""
