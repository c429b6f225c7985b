"""inference.cpu_tuning: glibc keeps big freed blocks for reuse only inside reuse_freed_memory(),
and torch_threads restores torch's thread count."""

from __future__ import annotations

import ctypes
import platform
import resource
import threading

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


def _faults_per_round_in_a_new_thread(rounds: int = 3) -> list[int]:
    """Page faults of a new thread allocating, writing and freeing 48 MB blocks (activations)."""
    faults: list[int] = []

    def work() -> None:
        for _ in range(rounds):
            before = resource.getrusage(resource.RUSAGE_THREAD).ru_minflt
            block = np.empty(48 * 2**20, np.uint8)
            block.fill(1)
            del block
            faults.append(resource.getrusage(resource.RUSAGE_THREAD).ru_minflt - before)

    thread = threading.Thread(target=work)
    thread.start()
    thread.join()
    return faults


@pytest.mark.skipif(platform.libc_ver()[0] != "glibc" or _glibc() is None, reason="glibc only")
def test_a_worker_thread_reuses_freed_blocks() -> None:
    pages = 48 * 2**20 // 4096
    assert min(_faults_per_round_in_a_new_thread()) >= pages // 2  # by default every round faults
    with reuse_freed_memory():
        later_rounds = _faults_per_round_in_a_new_thread()[1:]
    assert max(later_rounds) < pages // 20


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
