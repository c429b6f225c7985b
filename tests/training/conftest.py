"""Shared settings of the training tests."""

from __future__ import annotations

from collections.abc import Iterator

import pytest


@pytest.fixture(autouse=True)
def _one_torch_thread() -> Iterator[None]:
    """One CPU thread, as in tests/inference: on a shared 2-core machine two threads wait on each
    other. Training processes started by the tests get `threads=1` in their job."""
    import torch

    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)
