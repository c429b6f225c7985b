"""ImageLoader: a quick first view, then the full image; the image asked for never waits behind
work ahead; only the current image stays at full size. Counts decodes, never times them."""

from __future__ import annotations

import threading

import cv2
import numpy as np
import pytest

from app.formats import image_io
from app.workers import image_loader
from app.workers.image_loader import FIRST, FULL, ImageLoader


@pytest.fixture(autouse=True)
def _small_previews(monkeypatch):
    # Previews for images of 800+ px: tests stay quick, the code path is the 24 MP one.
    monkeypatch.setattr(image_io, "PREVIEW_MIN_SIDE", 200)
    monkeypatch.setattr(image_io, "PYRAMID_MIN_SIDE", 256)
    monkeypatch.setattr(image_io, "DISPLAY_COPY_PIXELS", 100_000)


def jpeg(path, w=960, h=640, value=100):
    img = np.full((h, w, 3), value, np.uint8)
    cv2.circle(img, (w // 2, h // 2), h // 3, (0, 0, 255), -1)
    ok, buf = cv2.imencode(".jpg", img)
    path.write_bytes(buf.tobytes())
    return str(path)


def collect(qtbot, loader):
    got = []
    loader.loaded.connect(lambda path, img: got.append((path, img)))
    loader.failed.connect(lambda path, msg: got.append((path, msg)))
    return got


def test_a_big_jpeg_comes_as_a_preview_then_in_full(qtbot, tmp_path):
    path = jpeg(tmp_path / "big.jpg")
    loader = ImageLoader()
    got = collect(qtbot, loader)
    assert loader.request(path) is None
    qtbot.waitUntil(lambda: len(got) == 2, timeout=5000)
    (p1, preview), (p2, full) = got
    assert p1 == p2 == path
    assert preview.preview and preview.rgb is None and (preview.width, preview.height) == (960, 640)
    assert preview.pyramid[0].shape[:2] == (160, 240)  # 1/4 size, the smallest >= 200 px long
    assert not full.preview and full.rgb.shape == (640, 960, 3) and full.rgb[320, 480].tolist()[0] > 200
    assert loader.decodes == {FIRST: 1, FULL: 1}
    assert loader.request(path) is full  # cached: no more decoding
    loader.shutdown()


def test_neighbours_are_decoded_ahead_at_display_size_only(qtbot, tmp_path):
    paths = [jpeg(tmp_path / f"{i}.jpg", value=30 * i) for i in range(4)]
    loader = ImageLoader()
    got = collect(qtbot, loader)
    loader.request(paths[0])
    loader.prefetch(paths[1:])
    qtbot.waitUntil(lambda: {p for p, _ in got} == set(paths) and loader.cached(paths[0]).rgb is not None, timeout=8000)
    assert loader.decodes == {FIRST: 4, FULL: 1}  # only the current one in full
    assert all(loader.cached(p).preview for p in paths[1:])
    before = loader.cached(paths[0]).nbytes
    loader.request(paths[1])  # stepping on: the previous image shrinks to display size
    assert loader.cached(paths[0]).preview and loader.cached(paths[0]).nbytes < before / 4
    qtbot.waitUntil(lambda: not loader.cached(paths[1]).preview, timeout=5000)
    loader.shutdown()


def test_the_image_asked_for_never_waits_behind_work_ahead(qtbot, tmp_path, monkeypatch):
    gate = threading.Event()
    real = image_loader._decode
    slow = str(tmp_path / "slow.jpg")

    def decode(path, kind):
        if path == slow:
            gate.wait(10)  # a decode ahead that takes forever
        return real(path, kind)

    monkeypatch.setattr(image_loader, "_decode", decode)
    jpeg(tmp_path / "slow.jpg")
    current = jpeg(tmp_path / "current.jpg", w=300, h=200)  # small: comes in full at once
    loader = ImageLoader()
    got = collect(qtbot, loader)
    loader.prefetch([slow])
    loader.request(current)
    qtbot.waitUntil(lambda: any(p == current for p, _ in got), timeout=5000)
    assert not any(p == slow for p, _ in got)
    gate.set()
    loader.shutdown()


def test_a_preview_that_arrives_after_the_full_image_is_dropped(qtbot, tmp_path):
    path = jpeg(tmp_path / "a.jpg")
    loader = ImageLoader()
    got = collect(qtbot, loader)
    loader.request(path)
    qtbot.waitUntil(lambda: len(got) == 2, timeout=5000)
    loader._on_finished(path, image_io.read_preview(path))
    assert len(got) == 2 and not loader.cached(path).preview
    loader.shutdown()


def test_unreadable_files_fail_once(qtbot, tmp_path):
    bad = tmp_path / "bad.jpg"
    bad.write_bytes(b"\xff\xd8 not really")
    loader = ImageLoader()
    got = collect(qtbot, loader)
    loader.request(str(bad))
    qtbot.waitUntil(lambda: bool(got), timeout=5000)
    assert isinstance(got[0][1], str) and loader.error(str(bad))
    loader.request(str(bad))
    assert sum(loader.decodes.values()) == 1
    loader.shutdown()


def _with_orientation(jpg: bytes, orientation: int) -> bytes:
    """A minimal EXIF APP1 segment with an Orientation tag, after the SOI marker."""
    import struct

    tiff = b"II*\x00" + struct.pack("<I", 8) + struct.pack("<H", 1)
    tiff += struct.pack("<HHII", 0x0112, 3, 1, orientation) + struct.pack("<I", 0)
    app1 = b"Exif\x00\x00" + tiff
    return jpg[:2] + b"\xff\xe1" + struct.pack(">H", len(app1) + 2) + app1 + jpg[2:]


@pytest.mark.parametrize("orientation", [1, 6])
def test_a_preview_has_the_size_of_the_full_image_as_decoded(tmp_path, orientation):
    path = tmp_path / "r.jpg"
    jpeg(path, w=1000, h=600)
    path.write_bytes(_with_orientation(path.read_bytes(), orientation))
    preview, full = image_io.read_preview(path), image_io.read_image(path)
    assert (preview.width, preview.height) == (full.width, full.height) == ((1000, 600) if orientation == 1 else (600, 1000))
    assert preview.pyramid[0].shape[1] * 4 >= preview.width  # reduced 1/4, in the same orientation


def test_no_preview_for_small_images_or_other_formats(tmp_path):
    jpeg(tmp_path / "small.jpg", w=300, h=200)
    cv2.imwrite(str(tmp_path / "big.png"), np.zeros((640, 960, 3), np.uint8))
    assert image_io.read_preview(tmp_path / "small.jpg") is None
    assert image_io.read_preview(tmp_path / "big.png") is None
    assert not image_io.read_first(tmp_path / "big.png").preview
