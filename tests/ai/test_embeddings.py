"""The embedding cache: memory bounded in bytes (least recently used out first), float16 files
on disk keyed by the image file's identity."""

from __future__ import annotations

import os

import numpy as np

from app.ai.domain.embeddings import EmbeddingCache, ImageKey


class Emb:
    def __init__(self, value: float, nbytes: int = 100, size=(5000, 3001), name="sam_vit_b") -> None:
        self.value, self.nbytes, self.size, self.name = value, nbytes, size, name


def disk_cache(tmp_path, **kw) -> EmbeddingCache:
    return EmbeddingCache(
        folder=tmp_path / "emb",
        to_arrays=lambda e: {"v": np.full((4, 4), e.value), "size": np.array(e.size, np.int64), "model": np.array(e.name)},
        from_arrays=lambda _m, a: Emb(float(a["v"][0, 0]), size=tuple(int(v) for v in a["size"]), name=str(a["model"])),
        **kw,
    )


def test_memory_is_bounded_in_bytes_and_drops_the_least_recently_used():
    cache = EmbeddingCache(max_bytes=250)
    keys = [ImageKey("m", f"{i}.jpg", 1, 1) for i in range(3)]
    cache.put(keys[0], Emb(0)), cache.put(keys[1], Emb(1))
    assert cache.get(keys[0]).value == 0  # now the most recently used
    cache.put(keys[2], Emb(2))
    assert keys[1] not in cache and keys[0] in cache and keys[2] in cache
    assert cache.nbytes == 200


def test_disk_round_trip_in_float16_and_stale_files_are_ignored(tmp_path):
    image = tmp_path / "a.jpg"
    image.write_bytes(b"x" * 10)
    key = ImageKey.of("sam_vit_b", "a.jpg", image)
    disk_cache(tmp_path).put(key, Emb(0.1))
    path = disk_cache(tmp_path).path_for(key)
    assert path.is_file()
    again = disk_cache(tmp_path)
    got = again.get(key)
    assert again.disk_hits == 1 and abs(got.value - 0.1) < 1e-3 and got.value != 0.1  # float16
    assert got.size == (5000, 3001) and got.name == "sam_vit_b"  # sizes and names keep their types
    image.write_bytes(b"y" * 12)
    st = os.stat(image)
    os.utime(image, ns=(st.st_atime_ns, st.st_mtime_ns + 10**9))
    changed = ImageKey.of("sam_vit_b", "a.jpg", image)
    fresh = disk_cache(tmp_path)
    assert fresh.get(changed) is None and not path.exists()  # stale: removed, encode again


def test_an_unreadable_cache_file_means_encode_again(tmp_path):
    key = ImageKey("m", "a.jpg", 1, 1)
    cache = disk_cache(tmp_path)
    path = cache.path_for(key)
    path.parent.mkdir(parents=True)
    path.write_bytes(b"not an npz")
    assert cache.get(key) is None
