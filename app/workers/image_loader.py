"""Decode images off the GUI thread, keep a small LRU cache, and prefetch neighbours.

cv2.imdecode releases the GIL, so a two-thread pool decodes in parallel with the GUI. Pool
threads never touch Qt: emitting Qt signals carrying Python objects from non-Qt threads crashed
PySide6 6.12 (a refcount error) under load, so the GUI thread polls finished futures with a 4 ms
timer that runs only while decodes are pending. Each result carries the path it was decoded from,
so a late result can never be shown for another image.
"""

from __future__ import annotations

from collections import OrderedDict
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

from PySide6.QtCore import QObject, QTimer, Signal

from app.formats.image_io import ImageLoadError, LoadedImage, read_image

#: Decoded images kept in memory: the current one, prefetched neighbours and a few recent ones.
#: Both limits hold: a long walk through small images must not fill the bytes budget with
#: hundreds of them (memory would keep growing for the first thousand images of a session).
CACHE_BYTES = 512_000_000
CACHE_IMAGES = 12


class ImageLoader(QObject):
    loaded = Signal(str, object)  # path, LoadedImage
    failed = Signal(str, str)  # path, user-readable message

    def __init__(
        self, parent: QObject | None = None, cache_bytes: int = CACHE_BYTES, cache_images: int = CACHE_IMAGES
    ) -> None:
        super().__init__(parent)
        self._pool = ThreadPoolExecutor(max_workers=2, thread_name_prefix="image-loader")
        self._cache: OrderedDict[str, LoadedImage] = OrderedDict()
        self._errors: dict[str, str] = {}
        self._pending: dict[str, Future] = {}
        self._cache_bytes = cache_bytes
        self._cache_images = max(1, cache_images)
        self._wanted: str | None = None
        self._poll = QTimer(self)
        self._poll.setInterval(4)
        self._poll.timeout.connect(self._collect)

    def cached(self, path: str) -> LoadedImage | None:
        img = self._cache.get(path)
        if img is not None:
            self._cache.move_to_end(path)
        return img

    def error(self, path: str) -> str | None:
        return self._errors.get(path)

    def request(self, path: str) -> LoadedImage | None:
        """The image if cached; otherwise start decoding it first and return None (then
        `loaded` or `failed` is emitted for this path)."""
        self._wanted = path
        img = self.cached(path)
        if img is not None:
            return img
        self._submit(path)
        return None

    def prefetch(self, paths: list[str]) -> None:
        for p in paths:
            if p not in self._cache and p not in self._errors:
                self._submit(p)

    def _submit(self, path: str) -> None:
        if path in self._pending:
            return
        self._pending[path] = self._pool.submit(_decode, path)
        self._poll.start()

    def _collect(self) -> None:
        for path, fut in [(p, f) for p, f in self._pending.items() if f.done()]:
            self._on_finished(path, fut)
        if not self._pending:
            self._poll.stop()

    def _on_finished(self, path: str, fut: Future) -> None:
        self._pending.pop(path, None)
        if fut.cancelled():
            return
        result = fut.result()
        if isinstance(result, str):
            self._errors[path] = result
            self.failed.emit(path, result)
            return
        self._cache[path] = result
        self._cache.move_to_end(path)
        self._evict(keep=self._wanted)
        self.loaded.emit(path, result)

    def _evict(self, keep: str | None) -> None:
        total = sum(_nbytes(i) for i in self._cache.values())
        for path in list(self._cache):
            if (total <= self._cache_bytes and len(self._cache) <= self._cache_images) or len(self._cache) <= 1:
                break
            if path == keep:
                continue
            total -= _nbytes(self._cache.pop(path))

    def shutdown(self) -> None:
        self._poll.stop()
        self._pending.clear()
        self._pool.shutdown(wait=False, cancel_futures=True)


def _decode(path: str) -> LoadedImage | str:
    try:
        return read_image(Path(path))
    except ImageLoadError as exc:
        return str(exc)
    except MemoryError:
        return f"{Path(path).name} is too large to decode with the memory available"
    except Exception as exc:  # a decoder bug must not kill the pool thread silently
        return f"{Path(path).name} could not be opened: {type(exc).__name__}: {exc}"


def _nbytes(img: LoadedImage) -> int:
    n = img.rgb.nbytes + sum(level.nbytes for level in img.pyramid)
    return n if img.raw is img.rgb else n + img.raw.nbytes
