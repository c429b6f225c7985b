"""Decode image files into display-ready RGB arrays, never crashing on bad input.

Paths are read as bytes (np.fromfile) and decoded with cv2.imdecode, so non-ASCII paths work on
every platform (cv2.imread does not on Windows).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

import cv2
import numpy as np

IMAGE_EXTENSIONS = frozenset({".jpg", ".jpeg", ".png", ".bmp", ".tif", ".tiff", ".webp"})

#: Above this many pixels we refuse to decode (OpenCV's own default limit is 2^30).
MAX_PIXELS = 1 << 30
#: Display pyramid: halve until the longest side is at most this.
PYRAMID_MIN_SIDE = 2048


class ImageLoadError(Exception):
    """An image that cannot be shown; str(exc) is a message for the user."""


@dataclass
class LoadedImage:
    """A decoded image.

    rgb: uint8 (H, W, 3) for display (16-bit stretched, alpha composited, grayscale expanded).
    raw: the decoded pixels before that (H, W) or (H, W, C) in RGB(A) channel order, for the
        pixel-value readout; the same object as rgb for plain 8-bit colour images.
    pyramid: rgb downsampled by 2, 4, ... for drawing large images zoomed out.
    """

    rgb: np.ndarray
    raw: np.ndarray
    description: str
    pyramid: list[np.ndarray] = field(default_factory=list)

    @property
    def width(self) -> int:
        return int(self.rgb.shape[1])

    @property
    def height(self) -> int:
        return int(self.rgb.shape[0])

    def pixel_text(self, x: int, y: int) -> str:
        if not (0 <= x < self.width and 0 <= y < self.height):
            return ""
        value = self.raw[y, x]
        if np.ndim(value) == 0:
            return str(value.item())
        return ", ".join(str(v) for v in value.tolist())


def _sniff(head: bytes) -> str:
    if head.startswith(b"\x89PNG"):
        return "png"
    if head.startswith(b"\xff\xd8"):
        return "jpeg"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "webp"
    if head[:4] in (b"II*\x00", b"MM\x00*"):
        return "tiff"
    if head.startswith(b"BM"):
        return "bmp"
    return "unknown"


def _png_size(head: bytes) -> tuple[int, int] | None:
    if len(head) >= 24 and head.startswith(b"\x89PNG"):
        return int.from_bytes(head[16:20], "big"), int.from_bytes(head[20:24], "big")
    return None


def read_image(path: str | os.PathLike, pyramid: bool = True) -> LoadedImage:
    """Decode an image file. Raises ImageLoadError with a user-readable reason."""
    path = Path(path)
    try:
        data = np.fromfile(path, dtype=np.uint8)
    except PermissionError as exc:
        raise ImageLoadError(f"no permission to read {path.name}") from exc
    except OSError as exc:
        raise ImageLoadError(f"cannot read {path.name}: {exc.strerror or exc}") from exc
    if data.size == 0:
        raise ImageLoadError(f"{path.name} is empty (0 bytes)")
    kind = _sniff(data[:16].tobytes())
    if kind == "unknown":
        raise ImageLoadError(f"{path.name} is not an image file this app can read")
    size = _png_size(data[:24].tobytes())
    if size and size[0] * size[1] > MAX_PIXELS:
        raise ImageLoadError(f"{path.name} is {size[0]}×{size[1]} pixels: too large to open")
    # PNG/WebP: keep alpha and 16 bits. Others: ANYDEPTH|ANYCOLOR keeps 16 bits and applies
    # EXIF orientation (IMREAD_UNCHANGED would skip it).
    flags = cv2.IMREAD_UNCHANGED if kind in ("png", "webp") else cv2.IMREAD_ANYDEPTH | cv2.IMREAD_ANYCOLOR
    try:
        decoded = cv2.imdecode(data, flags)
    except cv2.error as exc:
        raise ImageLoadError(f"{path.name} could not be decoded ({exc.err or 'OpenCV error'})") from exc
    if decoded is None or decoded.size == 0:
        raise ImageLoadError(f"{path.name} is corrupt or truncated and could not be decoded")
    return _to_display(decoded, pyramid)


def _to_display(decoded: np.ndarray, pyramid: bool) -> LoadedImage:
    if decoded.ndim == 3 and decoded.shape[2] == 1:
        decoded = decoded[:, :, 0]
    channels = 1 if decoded.ndim == 2 else decoded.shape[2]
    if channels == 3:
        raw = cv2.cvtColor(decoded, cv2.COLOR_BGR2RGB)
    elif channels == 4:
        raw = cv2.cvtColor(decoded, cv2.COLOR_BGRA2RGBA)
    else:
        raw = decoded
    depth = raw.dtype
    eight = raw if depth == np.uint8 else _stretch_to_uint8(raw)
    if channels == 1:
        rgb = cv2.cvtColor(eight, cv2.COLOR_GRAY2RGB)
    elif channels == 4:
        rgb = _composite_over_checkerboard(eight)
    else:
        rgb = eight
    bits = {np.dtype(np.uint8): "8-bit", np.dtype(np.uint16): "16-bit"}.get(depth, str(depth))
    kind = {1: "grayscale", 3: "RGB", 4: "RGBA"}.get(channels, f"{channels}-channel")
    if channels == 3 and depth == np.uint8:
        raw = rgb
    levels = build_pyramid(rgb) if pyramid else []
    return LoadedImage(rgb=rgb, raw=raw, description=f"{bits} {kind}", pyramid=levels)


def _stretch_to_uint8(arr: np.ndarray) -> np.ndarray:
    """Map 16-bit / float data to 0-255 using the 0.5-99.5 percentile range of a subsample:
    12-bit microscopy or depth data would look black if simply divided by 257."""
    sample = arr[:: max(1, arr.shape[0] // 512), :: max(1, arr.shape[1] // 512)]
    finite = sample[np.isfinite(sample)] if np.issubdtype(arr.dtype, np.floating) else sample
    if finite.size == 0:
        return np.zeros(arr.shape, np.uint8)
    lo, hi = np.percentile(finite, [0.5, 99.5])
    if hi <= lo:
        hi = lo + 1
    scaled = (np.nan_to_num(arr.astype(np.float32)) - lo) * (255.0 / (hi - lo))
    return np.clip(scaled, 0, 255).astype(np.uint8)


def _composite_over_checkerboard(rgba: np.ndarray) -> np.ndarray:
    h, w = rgba.shape[:2]
    yy, xx = np.ogrid[:h, :w]
    board = np.where(((yy // 8) + (xx // 8)) % 2 == 0, 204, 153).astype(np.float32)[..., None]
    alpha = rgba[..., 3:4].astype(np.float32) / 255.0
    out = rgba[..., :3].astype(np.float32) * alpha + board * (1.0 - alpha)
    return out.astype(np.uint8)


def build_pyramid(rgb: np.ndarray) -> list[np.ndarray]:
    """Halved copies (INTER_AREA, so zoomed-out views do not alias) until the long side fits."""
    levels: list[np.ndarray] = []
    cur = rgb
    while max(cur.shape[:2]) > PYRAMID_MIN_SIDE:
        cur = cv2.resize(cur, (max(1, cur.shape[1] // 2), max(1, cur.shape[0] // 2)), interpolation=cv2.INTER_AREA)
        levels.append(cur)
    return levels


def read_image_size(path: str | os.PathLike) -> tuple[int, int] | None:
    """(width, height) from the header where cheap (PNG); None when unknown."""
    try:
        with open(path, "rb") as fh:
            return _png_size(fh.read(24))
    except OSError:
        return None
