"""Shared settings of the inference tests."""

from __future__ import annotations

from collections.abc import Iterator

import pytest


@pytest.fixture(autouse=True)
def _one_torch_thread() -> Iterator[None]:
    """Run models on one CPU thread: with two, any other busy process on a 2-core machine makes
    PyTorch's worker threads wait on each other and steps get many times slower."""
    import torch

    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)
