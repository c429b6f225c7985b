"""Process-wide CPU settings for batch runs: glibc's allocator and torch's thread count.

`reuse_freed_memory`: let glibc reuse the big blocks a CPU forward pass frees instead of
unmapping them.
A Mask R-CNN forward pass on the CPU allocates and frees about a hundred 10-60 MB tensors.
glibc serves every allocation above its mmap threshold (32 MB at most) with a fresh `mmap`, so
each such tensor pays one page fault per 4 KB page when first written and an `munmap` when
freed. On the 2-core benchmark machine that was a third of the backbone's time (1.75 s instead
of 2.5 s per 800x1088 image). With mmap off, trimming at 2 GB and one heap for all threads,
freed blocks stay in the heap and the next tensor reuses them.

The price is that the process keeps its peak memory until the setting is undone, which suits
a batch run (`maskpilot-label`) but not an idle desktop app; hence a context manager that puts
glibc's defaults back and returns the free memory to the system on exit. The settings are
process-wide, so a library call like `Predictor.predict` never changes them on its own.
Elsewhere (macOS, Windows, musl) this is a no-op.

`torch_threads`: torch's intra-op thread count within a block, for running several images side
by side (see app/cli/label_workers.py). Importing this module does not import torch.
"""

from __future__ import annotations

import contextlib
import ctypes
import functools
import os
import platform
from collections.abc import Iterator

# mallopt parameters and glibc's defaults for them (malloc/malloc.c).
_M_TRIM_THRESHOLD = -1
_M_MMAP_MAX = -4
_M_ARENA_MAX = -8
_DEFAULT_TRIM_THRESHOLD = 128 * 1024
_DEFAULT_MMAP_MAX = 65536
#: Free memory at the top of the heap above this goes back to the system while reusing.
REUSE_TRIM_THRESHOLD = 2**31 - 1  # mallopt takes a C int


@functools.cache
def _load_glibc() -> ctypes.CDLL | None:
    if platform.system() != "Linux" or platform.libc_ver()[0] != "glibc":
        return None
    try:
        libc = ctypes.CDLL("libc.so.6")  # glibc's soname on every Linux architecture
        libc.mallopt.argtypes = [ctypes.c_int, ctypes.c_int]
        libc.malloc_trim.argtypes = [ctypes.c_size_t]
        return libc
    except (OSError, AttributeError):
        return None


def _glibc() -> ctypes.CDLL | None:
    """The C library when it is glibc and the user has not tuned malloc through the environment
    (their MALLOC_*_ or GLIBC_TUNABLES settings win)."""
    if "GLIBC_TUNABLES" in os.environ or any(k.startswith("MALLOC_") for k in os.environ):
        return None
    return _load_glibc()


@contextlib.contextmanager
def reuse_freed_memory() -> Iterator[bool]:
    """Within the block, freed memory is kept for reuse (see the module doc). Yields whether the
    setting took effect. Not reentrant across threads: use it around a whole run.

    Threads that first allocate inside the block share the main heap (M_ARENA_MAX=1): with a
    heap per worker thread, each worker kept faulting in fresh pages (300,000-400,000 faults per
    image) instead of reusing the blocks the other freed. glibc fixes its arena limit the first
    time a thread needs an arena, so this part outlives the block; it only means more threads
    share one heap, which costs nothing measurable for a process that allocates mostly big
    tensors."""
    libc = _glibc()
    applied = bool(
        libc
        and libc.mallopt(_M_MMAP_MAX, 0)
        and libc.mallopt(_M_TRIM_THRESHOLD, REUSE_TRIM_THRESHOLD)
        and libc.mallopt(_M_ARENA_MAX, 1)
    )
    try:
        yield applied
    finally:
        if libc is not None:
            libc.mallopt(_M_MMAP_MAX, _DEFAULT_MMAP_MAX)
            libc.mallopt(_M_TRIM_THRESHOLD, _DEFAULT_TRIM_THRESHOLD)
            libc.malloc_trim(0)


@contextlib.contextmanager
def torch_threads(count: int | None) -> Iterator[None]:
    """Within the block torch uses `count` intra-op CPU threads (None: leave it as it is); the
    previous count is restored on exit."""
    if count is None:
        yield
        return
    import torch  # only when a model is about to run (see the dependency rules)

    previous = torch.get_num_threads()
    torch.set_num_threads(max(1, int(count)))
    try:
        yield
    finally:
        torch.set_num_threads(previous)
