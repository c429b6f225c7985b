"""At least ten kinds of bad or unusual image files open without a crash."""

from __future__ import annotations

import os
import struct

import cv2
import numpy as np
import pytest

from app.formats.image_folder import list_images, natural_key
from app.formats.image_io import ImageLoadError, read_image


def _encode(ext: str, arr: np.ndarray, params=()) -> bytes:
    ok, buf = cv2.imencode(ext, arr, list(params))
    assert ok
    return buf.tobytes()


def _jpeg_with_orientation(arr_bgr: np.ndarray, orientation: int) -> bytes:
    """Insert a minimal EXIF APP1 segment carrying an Orientation tag after the SOI marker."""
    jpg = _encode(".jpg", arr_bgr, [cv2.IMWRITE_JPEG_QUALITY, 95])
    tiff = b"II*\x00" + struct.pack("<I", 8) + struct.pack("<H", 1)
    tiff += struct.pack("<HHII", 0x0112, 3, 1, orientation) + struct.pack("<I", 0)
    app1 = b"Exif\x00\x00" + tiff
    segment = b"\xff\xe1" + struct.pack(">H", len(app1) + 2) + app1
    return jpg[:2] + segment + jpg[2:]


def test_plain_jpeg_rgb_order(tmp_path):
    bgr = np.zeros((8, 8, 3), np.uint8)
    bgr[..., 2] = 250  # red in BGR
    (tmp_path / "a.png").write_bytes(_encode(".png", bgr))
    img = read_image(tmp_path / "a.png")
    assert img.rgb[0, 0].tolist() == [250, 0, 0] and img.description == "8-bit RGB"


def test_truncated_jpeg(tmp_path):
    data = _encode(".jpg", np.full((64, 64, 3), 128, np.uint8))
    p = tmp_path / "t.jpg"
    p.write_bytes(data[: len(data) // 3])
    try:
        img = read_image(p)  # libjpeg may decode a partial image: that is fine too
        assert img.rgb.shape == (64, 64, 3)
    except ImageLoadError as exc:
        assert "t.jpg" in str(exc)


def test_zero_bytes(tmp_path):
    (tmp_path / "z.jpg").write_bytes(b"")
    with pytest.raises(ImageLoadError, match="empty"):
        read_image(tmp_path / "z.jpg")


def test_text_renamed_png(tmp_path):
    (tmp_path / "x.png").write_text("hello, I am not a picture")
    with pytest.raises(ImageLoadError, match="not an image"):
        read_image(tmp_path / "x.png")


def test_corrupt_png_body(tmp_path):
    data = bytearray(_encode(".png", np.random.default_rng(0).integers(0, 255, (32, 32, 3), np.uint8)))
    data[40:200] = b"\x00" * 160
    (tmp_path / "c.png").write_bytes(bytes(data))
    with pytest.raises(ImageLoadError):
        read_image(tmp_path / "c.png")


def test_16bit_png_is_stretched(tmp_path):
    arr = np.tile(np.linspace(1000, 4000, 64, dtype=np.uint16), (16, 1))  # 12-bit-ish data
    (tmp_path / "d.png").write_bytes(_encode(".png", arr))
    img = read_image(tmp_path / "d.png")
    assert img.rgb.dtype == np.uint8 and img.rgb.shape == (16, 64, 3)
    assert img.rgb[..., 0].min() < 10 and img.rgb[..., 0].max() > 245  # not crushed to black
    assert img.pixel_text(63, 0) == "4000" and "16-bit" in img.description


def test_rgba_png_composited(tmp_path):
    rgba = np.zeros((16, 16, 4), np.uint8)
    rgba[..., 2] = 255
    rgba[:8, ..., 3] = 255
    (tmp_path / "a.png").write_bytes(_encode(".png", rgba))
    img = read_image(tmp_path / "a.png")
    assert img.rgb[0, 0].tolist() == [255, 0, 0]
    assert img.rgb[15, 0].tolist() in ([204] * 3, [153] * 3)  # transparent -> checkerboard
    assert img.description == "8-bit RGBA" and len(img.pixel_text(0, 0).split(",")) == 4


def test_cmyk_jpeg(tmp_path):
    pil = pytest.importorskip("PIL.Image")
    p = tmp_path / "cmyk.jpg"
    pil.new("CMYK", (20, 10), (0, 255, 255, 0)).save(p)  # red in CMYK
    img = read_image(p)
    assert img.rgb.shape == (10, 20, 3)
    r, g, b = img.rgb[5, 10].tolist()
    assert r > 200 and g < 60 and b < 60


def test_exif_rotated_jpeg(tmp_path):
    bgr = np.zeros((20, 40, 3), np.uint8)  # landscape 40 wide
    bgr[:, :10] = 255  # white stripe on the left
    p = tmp_path / "rot.jpg"
    p.write_bytes(_jpeg_with_orientation(bgr, 6))  # 6 = rotate 90° clockwise to display
    img = read_image(p)
    assert img.rgb.shape == (40, 20, 3)  # shown as portrait
    assert img.rgb[2, 10].min() > 200 and img.rgb[38, 10].max() < 60  # stripe now on top


def test_one_by_one(tmp_path):
    (tmp_path / "1.bmp").write_bytes(_encode(".bmp", np.full((1, 1, 3), 9, np.uint8)))
    img = read_image(tmp_path / "1.bmp")
    assert (img.width, img.height) == (1, 1)


def test_grayscale_and_webp_and_tiff(tmp_path):
    gray = np.arange(256, dtype=np.uint8).reshape(16, 16)
    (tmp_path / "g.webp").write_bytes(_encode(".webp", gray, [cv2.IMWRITE_WEBP_QUALITY, 101]))
    (tmp_path / "g.tif").write_bytes(_encode(".tiff", gray))
    for name in ("g.webp", "g.tif"):
        img = read_image(tmp_path / name)
        assert img.rgb.shape == (16, 16, 3)


def test_non_ascii_path(tmp_path):
    folder = tmp_path / "데이터 – ünïcode"
    folder.mkdir()
    p = folder / "사진 1.jpg"
    p.write_bytes(_encode(".jpg", np.full((10, 12, 3), 77, np.uint8)))
    assert read_image(p).width == 12
    assert list_images(folder) == ["사진 1.jpg"]


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0, reason="root ignores permissions")
def test_unreadable_permissions(tmp_path):
    p = tmp_path / "locked.png"
    p.write_bytes(_encode(".png", np.zeros((4, 4, 3), np.uint8)))
    p.chmod(0)
    with pytest.raises(ImageLoadError, match="permission"):
        read_image(p)


def test_unreadable_path_is_a_folder(tmp_path):
    (tmp_path / "dir.png").mkdir()
    with pytest.raises(ImageLoadError):
        read_image(tmp_path / "dir.png")


@pytest.mark.slow
def test_huge_20000_square(tmp_path):
    big = np.zeros((20000, 20000), np.uint8)
    big[::1000] = 255
    p = tmp_path / "huge.png"
    p.write_bytes(_encode(".png", big, [cv2.IMWRITE_PNG_COMPRESSION, 1]))
    del big
    img = read_image(p)
    assert (img.width, img.height) == (20000, 20000)
    assert max(img.pyramid[-1].shape[:2]) <= 2048


def test_png_header_too_large_refused(tmp_path):
    data = bytearray(_encode(".png", np.zeros((2, 2), np.uint8)))
    data[16:24] = struct.pack(">II", 100000, 100000)
    (tmp_path / "bomb.png").write_bytes(bytes(data))
    with pytest.raises(ImageLoadError, match="too large"):
        read_image(tmp_path / "bomb.png")


def test_natural_sort_and_recursion(tmp_path):
    for name in ["img10.png", "img2.png", "Img1.png", "notes.txt"]:
        (tmp_path / name).write_bytes(b"x")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "a.jpg").write_bytes(b"x")
    (tmp_path / ".maskpilot").mkdir()
    (tmp_path / ".maskpilot" / "h.png").write_bytes(b"x")
    assert list_images(tmp_path) == ["Img1.png", "img2.png", "img10.png"]
    assert "sub/a.jpg" in list_images(tmp_path, recursive=True)
    assert natural_key("a2") < natural_key("a10")


def test_permission_error_is_reported(tmp_path, monkeypatch):
    """Root (CI) ignores file modes, so simulate the OS refusing the read."""
    p = tmp_path / "locked.png"
    p.write_bytes(b"\x89PNG....")

    def refuse(*_a, **_k):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(np, "fromfile", refuse)
    with pytest.raises(ImageLoadError, match="no permission"):
        read_image(p)
