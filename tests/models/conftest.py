"""Fixtures shared by the model tests."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import torch


@pytest.fixture(scope="module")
def single_thread() -> Iterator[None]:
    """Run a module with one intra-op thread, restored afterwards: small recurrent models and
    small linear algebra are dispatcher-bound, and two threads slow them down 10–100× when the
    other core of a shared machine is busy (REFERENCES §6). Use it with
    ``pytestmark = pytest.mark.usefixtures("single_thread")``."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)
