"""inference.cpu_tuning: glibc keeps big freed blocks for reuse only inside reuse_freed_memory(),
and torch_threads restores torch's thread count."""

from __future__ import annotations

import ctypes
import platform

import numpy as np
import pytest

from inference import reuse_freed_memory, torch_threads
from inference.cpu_tuning import _glibc


class _MallInfo2(ctypes.Structure):
    _fields_ = [(name, ctypes.c_size_t) for name in
                ("arena", "ordblks", "smblks", "hblks", "hblkhd", "usmblks", "fsmblks", "uordblks", "fordblks",
                 "keepcost")]  # fmt: skip


def _mapped_bytes_of_big_allocation() -> int:
    """Bytes glibc serves through mmap while a 64 MB array is alive."""
    libc = _glibc()
    assert libc is not None
    libc.mallinfo2.restype = _MallInfo2
    before = libc.mallinfo2().hblkhd
    block = np.ones(64 * 2**20, np.uint8)
    during = libc.mallinfo2().hblkhd
    del block
    return during - before


@pytest.mark.skipif(platform.libc_ver()[0] != "glibc" or _glibc() is None, reason="glibc only")
def test_big_blocks_come_from_the_heap_only_inside_the_block() -> None:
    assert _mapped_bytes_of_big_allocation() >= 64 * 2**20  # glibc's default: a fresh mmap
    with reuse_freed_memory() as applied:
        assert applied
        assert _mapped_bytes_of_big_allocation() == 0
    assert _mapped_bytes_of_big_allocation() >= 64 * 2**20  # defaults are back


def test_user_malloc_settings_win(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MALLOC_ARENA_MAX", "2")
    with reuse_freed_memory() as applied:
        assert not applied


def test_torch_threads_restores_the_count() -> None:
    import torch

    before = torch.get_num_threads()
    with torch_threads(1):
        assert torch.get_num_threads() == 1
    assert torch.get_num_threads() == before
    with torch_threads(None):
        assert torch.get_num_threads() == before
