"""inference.cpu_tuning: glibc keeps big freed blocks for reuse only inside reuse_freed_memory(),
and torch_threads restores torch's thread count."""

from __future__ import annotations

import ctypes
import json
import os
import platform
import subprocess
import sys
from pathlib import Path

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


# Runs in a fresh process, as maskpilot-label does: glibc fixes its heap-per-thread limit the first
# time a thread needs a heap, so the test process's own history must not decide the result.
_THREAD_ROUNDS = """
import contextlib, json, resource, sys, threading
import torch
from inference import reuse_freed_memory

torch.manual_seed(0)
conv = torch.nn.Conv2d
net = torch.nn.Sequential(conv(3, 16, 3, padding=1), torch.nn.ReLU(), conv(16, 16, 3, padding=1),
                          torch.nn.MaxPool2d(2), conv(16, 32, 3, padding=1)).eval()
x = torch.rand(1, 3, 512, 768)  # activations of 12-25 MB, freed as the forward pass goes
faults = []

def work():
    for _ in range(5):
        before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
        with torch.inference_mode():
            net(x)
        faults.append(resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before)

with reuse_freed_memory() if sys.argv[1] == "reuse" else contextlib.nullcontext():
    thread = threading.Thread(target=work)
    thread.start()
    thread.join()
print(json.dumps(faults))
"""


def _faults_per_round_in_a_worker_thread(mode: str) -> list[int]:
    root = Path(__file__).resolve().parents[2]
    env = {k: v for k, v in os.environ.items() if not k.startswith("MALLOC_") and k != "GLIBC_TUNABLES"}
    env["PYTHONPATH"] = str(root)
    out = subprocess.run([sys.executable, "-c", _THREAD_ROUNDS, mode], cwd=root, env=env, check=True,
                         capture_output=True, text=True).stdout  # fmt: skip
    return json.loads(out.strip().splitlines()[-1])


@pytest.mark.skipif(platform.libc_ver()[0] != "glibc" or _glibc() is None, reason="glibc only")
def test_a_worker_thread_reuses_freed_blocks() -> None:
    """A forward pass in a worker thread faults in fresh pages every time by default (about
    24,000 here) and next to none once warm inside reuse_freed_memory()."""
    assert min(_faults_per_round_in_a_worker_thread("default")[2:]) > 5000
    assert max(_faults_per_round_in_a_worker_thread("reuse")[2:]) < 500


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
