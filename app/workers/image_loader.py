"""Decode images off the GUI thread: a quick first view, the full image after it, and the
neighbours ahead, in an order that keeps the image asked for first.

A 24 MP JPEG takes ~190 ms to decode in full and ~45 ms at 1/4 size (app.formats.image_io
read_preview), so an image is shown in two steps: its preview (`loaded` with image.preview
set), then the full image (`loaded` again). Small images and formats without reduced decoding
come in full at once.

Two pool threads. One is kept for the image asked for (`request`), so a step never waits behind
work done ahead; the other does the rest one job at a time, and nothing while the current
image's first view decodes: on two cores, a preview decoded beside it (and the GUI thread)
made stepping slower, not faster (next image p95 125-154 ms against 71-80). Neighbours'
previews go first, then the current image's full decode once it has been current SETTLE_S, so
stepping through images fast never starts a full decode it would leave behind (it would hold
a thread 200 ms). At most one full decode of a big image runs at a time, which bounds memory.

Only the current image is kept at full resolution: when another one is asked for, the previous
one shrinks to its display size (a 24 MP image: 6 MB instead of 102), and the cache holds images
at display size. cv2.imdecode releases the GIL, so decoding runs beside the GUI. Pool threads
never touch Qt: emitting Qt signals carrying Python objects from non-Qt threads crashed PySide6
6.12 (a refcount error) under load, so the GUI thread polls finished futures with a 4 ms timer
that runs only while decodes are pending. Each result carries the path it was decoded from, so
a late result can never be shown for another image.
"""

from __future__ import annotations

import time
from collections import Counter, OrderedDict
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

from PySide6.QtCore import QObject, QTimer, Signal

from app.core.text import QT_TRANSLATE_NOOP
from app.formats.image_io import ImageLoadError, LoadedImage, read_first, read_image

#: Images kept at display size: the current one, prefetched neighbours and a few recent ones.
#: Both limits hold: a long walk through small images must not fill the bytes budget with
#: hundreds of them (memory would keep growing for the first thousand images of a session).
CACHE_BYTES = 256_000_000
CACHE_IMAGES = 12
#: The full decode of the current image starts once it has been current this long: stepping
#: faster than that (holding the key down) only ever decodes previews.
SETTLE_S = 0.12
FIRST, FULL = "first", "full"  # a job: the first view (a preview or, when small, the image), the full image


class ImageLoader(QObject):
    loaded = Signal(str, object)  # path, LoadedImage (a preview first for big JPEGs)
    failed = Signal(str, object)  # path, user-readable message (a str; a Text: show it with show_text)

    def __init__(
        self, parent: QObject | None = None, cache_bytes: int = CACHE_BYTES, cache_images: int = CACHE_IMAGES
    ) -> None:
        super().__init__(parent)
        self._pool = ThreadPoolExecutor(max_workers=2, thread_name_prefix="image-loader")
        self._cache: OrderedDict[str, LoadedImage] = OrderedDict()
        self._errors: dict[str, str] = {}
        self._running: dict[tuple[str, str], Future] = {}
        self._ahead: list[str] = []  # neighbours to decode ahead, in order
        self._cache_bytes = cache_bytes
        self._cache_images = max(1, cache_images)
        self._wanted: str | None = None
        self.decodes: Counter[str] = Counter()  # jobs started per kind (tests count work)
        self._poll = QTimer(self)
        self._poll.setInterval(4)
        self._poll.timeout.connect(self._collect)
        self._asked_at = 0.0  # when the current image was first asked for
        self._settle = QTimer(self, singleShot=True)
        self._settle.timeout.connect(self._pump)

    # ---- asking ------------------------------------------------------------------------------
    def cached(self, path: str) -> LoadedImage | None:
        img = self._cache.get(path)
        if img is not None:
            self._cache.move_to_end(path)
        return img

    def error(self, path: str) -> str | None:
        return self._errors.get(path)

    def request(self, path: str) -> LoadedImage | None:
        """The best image at hand for `path` (full, or a display-size preview), or None; what is
        missing is decoded first, and `loaded` (or `failed`) follows for this path."""
        if path != self._wanted:
            self._asked_at = time.monotonic()
            previous, self._wanted = self._wanted, path
            if previous is not None and previous in self._cache:
                self._cache[previous] = self._cache[previous].display_only()  # full size only for the current
        img = self.cached(path)
        self._pump()
        return img

    def prefetch(self, paths: list[str]) -> None:
        """Decode these ahead (their first view only), after what the current image needs."""
        self._ahead = [p for p in paths if p != self._wanted]
        self._pump()

    # ---- scheduling ----------------------------------------------------------------------------
    def _needs(self, path: str) -> str | None:
        if path in self._errors:
            return None
        img = self._cache.get(path)
        if img is None:
            return FIRST
        return FULL if img.preview and path == self._wanted else None

    def _pump(self) -> None:
        """Start what the free threads should do next."""
        wanted = self._wanted
        if wanted is not None and self._needs(wanted) == FIRST and not self._busy(wanted):
            self._start(wanted, FIRST)  # the thread kept for the current image
        if self._running:
            return  # one job at a time, and none beside the current image's first view
        queue = [(p, FIRST) for p in self._ahead if self._needs(p) == FIRST]
        if wanted is not None and self._needs(wanted) == FULL:
            wait = SETTLE_S - (time.monotonic() - self._asked_at)
            if wait > 0:  # still stepping? a full decode left behind would hold a thread 200 ms
                self._settle.start(max(1, round(wait * 1000)))
            else:
                queue.append((wanted, FULL))
        if queue:
            self._start(*queue[0])

    def _busy(self, path: str) -> bool:
        return any(key[0] == path for key in self._running)

    def _start(self, path: str, kind: str) -> None:
        self.decodes[kind] += 1
        self._running[(path, kind)] = self._pool.submit(_decode, path, kind)
        self._poll.start()

    def _collect(self) -> None:
        for key, fut in [(k, f) for k, f in self._running.items() if f.done()]:
            del self._running[key]
            if not fut.cancelled():
                self._on_finished(key[0], fut.result())
        self._pump()
        if not self._running:
            self._poll.stop()

    def _on_finished(self, path: str, result: LoadedImage | str) -> None:
        if isinstance(result, str):
            self._errors[path] = result
            self.failed.emit(path, result)
            return
        have = self._cache.get(path)
        if have is not None and not have.preview and result.preview:
            return  # a preview that lost the race against its full image
        self._cache[path] = result if path == self._wanted else result.display_only()
        self._cache.move_to_end(path)
        self._evict(keep=self._wanted)
        self.loaded.emit(path, self._cache[path])

    def _evict(self, keep: str | None) -> None:
        total = sum(i.nbytes for i in self._cache.values())
        for path in list(self._cache):
            if (total <= self._cache_bytes and len(self._cache) <= self._cache_images) or len(self._cache) <= 1:
                break
            if path == keep:
                continue
            total -= self._cache.pop(path).nbytes

    def shutdown(self) -> None:
        self._poll.stop()
        self._settle.stop()
        self._running.clear()
        self._pool.shutdown(wait=False, cancel_futures=True)


def _decode(path: str, kind: str) -> LoadedImage | str:
    """A FIRST job: the preview of a big JPEG, else the full image; a FULL job: the full image."""
    try:
        return read_first(Path(path)) if kind == FIRST else read_image(Path(path))
    except ImageLoadError as exc:
        return str(exc)
    except MemoryError:
        return QT_TRANSLATE_NOOP("ImageLoader", "{name} is too large to decode with the memory available").format(name=Path(path).name)
    except Exception as exc:  # a decoder bug must not kill the pool thread silently
        return QT_TRANSLATE_NOOP("ImageLoader", "{name} could not be opened: {error}").format(
            name=Path(path).name, error=f"{type(exc).__name__}: {exc}")


def _nbytes(img: LoadedImage) -> int:
    """Bytes an image holds in the cache (bench/bench_soak.py reads the cache with it)."""
    return img.nbytes
