"""Image embeddings of interactive models (SAM), kept so that a click never waits for an encoder
run that was already done: in memory (least recently used out first, bounded in bytes) and,
when the project allows it, on disk in `.maskpilot/embeddings/<model>/` as float16 arrays.

An embedding belongs to one image file as it was: the key holds the file's size and
modification time, so a replaced image is encoded again (its old file on disk is ignored and
removed). Thread-safe: the encoder thread puts, the decoder thread and the GUI get.
"""

from __future__ import annotations

import hashlib
import io
import os
import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from app.formats.atomic import write_bytes_atomic

#: Default memory budget: a SAM ViT embedding is 4 MB (256×64×64 float32), SAM 2.1 about 6 MB.
DEFAULT_MEMORY_BYTES = 512 * 1024 * 1024


@dataclass(frozen=True)
class ImageKey:
    """Which model's embedding of which image file, as the file is now."""

    model: str
    rel: str
    size: int
    mtime_ns: int

    @staticmethod
    def of(model: str, rel: str, path: str | os.PathLike) -> ImageKey:
        st = os.stat(path)
        return ImageKey(model, rel, st.st_size, st.st_mtime_ns)


class EmbeddingCache:
    """get/put embeddings by ImageKey. `to_arrays(emb) -> {name: ndarray}` and
    `from_arrays(arrays) -> emb` convert for the disk; without a folder only memory is used."""

    def __init__(
        self,
        max_bytes: int = DEFAULT_MEMORY_BYTES,
        folder: Path | None = None,
        to_arrays: Callable[[object], dict[str, np.ndarray]] | None = None,
        from_arrays: Callable[[str, dict[str, np.ndarray]], object] | None = None,
    ) -> None:
        self.max_bytes = max_bytes
        self.folder = folder
        self._to_arrays, self._from_arrays = to_arrays, from_arrays
        self._memory: OrderedDict[ImageKey, object] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()
        self.disk_hits = self.disk_writes = 0

    # ---- memory ------------------------------------------------------------------------------
    def __contains__(self, key: ImageKey) -> bool:
        with self._lock:
            return key in self._memory

    @property
    def nbytes(self) -> int:
        return self._bytes

    def has(self, key: ImageKey) -> bool:
        """Whether get(key) would find an embedding, without turning a file into one (which
        needs the model: the GUI thread asks this and must not load a model)."""
        if key in self:
            return True
        path = self.path_for(key)
        if path is None or not path.is_file():
            return False
        try:
            with np.load(path, allow_pickle=False) as data:  # reads the small "meta" member only
                return [str(v) for v in data["meta"]] == _meta(key)
        except (OSError, ValueError, KeyError):
            return False

    def get(self, key: ImageKey) -> object | None:
        """The embedding in memory, else from disk (then kept in memory), else None."""
        with self._lock:
            emb = self._memory.get(key)
            if emb is not None:
                self._memory.move_to_end(key)
                return emb
        emb = self._read(key)
        if emb is not None:
            self.disk_hits += 1
            self._remember(key, emb)
        return emb

    def put(self, key: ImageKey, emb: object, persist: bool = True) -> None:
        self._remember(key, emb)
        if persist:
            self._write(key, emb)

    def _remember(self, key: ImageKey, emb: object) -> None:
        size = int(getattr(emb, "nbytes", 0))
        with self._lock:
            old = self._memory.pop(key, None)
            if old is not None:
                self._bytes -= int(getattr(old, "nbytes", 0))
            self._memory[key] = emb
            self._bytes += size
            while self._bytes > self.max_bytes and len(self._memory) > 1:
                _, dropped = self._memory.popitem(last=False)
                self._bytes -= int(getattr(dropped, "nbytes", 0))

    # ---- disk --------------------------------------------------------------------------------
    def path_for(self, key: ImageKey) -> Path | None:
        if self.folder is None:
            return None
        name = hashlib.sha1(key.rel.encode("utf-8")).hexdigest()[:20]
        return self.folder / _safe(key.model) / f"{name}.npz"

    def _write(self, key: ImageKey, emb: object) -> None:
        path = self.path_for(key)
        if path is None or self._to_arrays is None:
            return
        # Float arrays go to float16 (the model's features already are); sizes and names keep
        # their own types (a float16 image size would round above 2048 px).
        arrays = {f"a_{k}": _compact(np.asarray(v)) for k, v in self._to_arrays(emb).items()}
        meta = np.array(_meta(key))
        buf = io.BytesIO()
        np.savez(buf, meta=meta, **arrays)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            write_bytes_atomic(path, buf.getvalue())
            self.disk_writes += 1
        except OSError:
            pass  # a full or read-only disk costs an encoder run next time, nothing more

    def _read(self, key: ImageKey) -> object | None:
        path = self.path_for(key)
        if path is None or self._from_arrays is None or not path.is_file():
            return None
        try:
            with np.load(io.BytesIO(path.read_bytes()), allow_pickle=False) as data:
                meta = [str(v) for v in data["meta"]]
                if meta != _meta(key):
                    path.unlink(missing_ok=True)  # the image changed since: stale
                    return None
                arrays = {k[2:]: data[k] for k in data.files if k.startswith("a_")}
            return self._from_arrays(key.model, arrays)
        except (OSError, ValueError, KeyError):
            return None  # unreadable cache file: encode again


def _meta(key: ImageKey) -> list[str]:
    return [key.rel, str(key.size), str(key.mtime_ns), key.model]


def _compact(array: np.ndarray) -> np.ndarray:
    return array.astype(np.float16) if array.dtype.kind == "f" and array.ndim > 1 else array


def _safe(name: str) -> str:
    return "".join(c if c.isalnum() or c in "._-" else "_" for c in name)
