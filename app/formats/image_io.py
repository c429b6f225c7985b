"""Decode image files into display-ready arrays, never crashing on bad input.

Paths are read as bytes (np.fromfile) and decoded with cv2.imdecode, so non-ASCII paths work on
every platform (cv2.imread does not on Windows).

Two products: `read_image` decodes the full image (RGB for the tools and the models, plus the
zoomed-out pyramid the canvas draws); `read_preview` decodes a big JPEG at 1/2, 1/4 or 1/8 size
with libjpeg's DCT scaling, 4× faster than a full decode (43 against 186 ms for 24 MP), so the
first view of an image comes before the full decode finishes. Display arrays are 32-bit
B, G, R, 255 (Qt's Format_RGB32): Qt draws them scaled without a per-frame conversion (0.8 ms
against 4.2 ms from 24-bit RGB at 400 %, 4 against 16 ms at fit).
"""

from __future__ import annotations

import io
import os
from dataclasses import dataclass, field
from pathlib import Path

import cv2
import numpy as np

from app.core.text import QT_TRANSLATE_NOOP

IMAGE_EXTENSIONS = frozenset({".jpg", ".jpeg", ".png", ".bmp", ".tif", ".tiff", ".webp"})

#: Above this many pixels we refuse to decode (OpenCV's own default limit is 2^30).
MAX_PIXELS = 1 << 30
#: Display pyramid: halve until the longest side is at most this.
PYRAMID_MIN_SIDE = 2048
#: Images up to this many pixels also keep a full-size 32-bit copy for drawing (at most 16 MB):
#: cheaper than converting the visible part on every zoom. Bigger ones convert only what is seen.
DISPLAY_COPY_PIXELS = 4_200_000
#: Pyramid levels bigger than this are not kept (see build_pyramid).
LEVEL_MAX_PIXELS = 16_777_216
#: A preview is decoded only when it can be this long (long side) at 1/2 the size or less.
PREVIEW_MIN_SIDE = 1400
_REDUCED = {2: cv2.IMREAD_REDUCED_COLOR_2, 4: cv2.IMREAD_REDUCED_COLOR_4, 8: cv2.IMREAD_REDUCED_COLOR_8}


class ImageLoadError(Exception):
    """An image that cannot be shown; str(exc) is a message for the user."""


@dataclass(eq=False)
class LoadedImage:
    """A decoded image.

    rgb: uint8 (H, W, 3) for display and the tools (16-bit stretched, alpha composited, grayscale
        expanded); None for a preview.
    raw: the decoded pixels before that (H, W) or (H, W, C) in RGB(A) channel order, for the
        pixel-value readout; the same object as rgb for plain 8-bit colour images.
    pyramid: uint8 (h, w, 4) B, G, R, 255 copies for drawing (Qt Format_RGB32), largest first:
        the full size for small images, then halved until the long side fits PYRAMID_MIN_SIDE.
        A level's scale is width / level width. Levels given as 3-channel RGB are accepted too.
    size: (width, height) of the full image, for a preview whose rgb is None.
    preview: a reduced decode shown until the full image arrives; never given to the tools.
    source: the path decoded, so a preview and its full image are known to be one picture.
    """

    rgb: np.ndarray | None
    raw: np.ndarray | None
    description: str
    pyramid: list[np.ndarray] = field(default_factory=list)
    size: tuple[int, int] | None = None
    preview: bool = False
    source: str = ""

    @property
    def width(self) -> int:
        return int(self.size[0]) if self.size is not None else int(self.rgb.shape[1])

    @property
    def height(self) -> int:
        return int(self.size[1]) if self.size is not None else int(self.rgb.shape[0])

    @property
    def nbytes(self) -> int:
        """Bytes held by the pixel arrays (the loader's cache budget)."""
        arrays = {id(a): a for a in (self.rgb, self.raw, *self.pyramid) if a is not None}
        return sum(a.nbytes for a in arrays.values())

    def pixel_text(self, x: int, y: int) -> str:
        if self.raw is None or not (0 <= x < self.width and 0 <= y < self.height):
            return ""
        value = self.raw[y, x]
        if np.ndim(value) == 0:
            return str(value.item())
        return ", ".join(str(v) for v in value.tolist())

    def display_only(self, max_side: int | None = None) -> LoadedImage:
        """What to keep of an image that is no longer shown: when its long side fits `max_side`
        (default PYRAMID_MIN_SIDE), itself without its full-size 32-bit copy (the canvas
        converts what it shows; HD images cost 6 MB cached, not 14); else a preview of its
        largest pyramid level that fits (a 24 MP image: 6 MB instead of 102)."""
        max_side = PYRAMID_MIN_SIDE if max_side is None else max_side
        if self.preview or not self.pyramid:
            return self
        if max(self.width, self.height) <= max_side:
            if self.pyramid[0].shape[:2] != (self.height, self.width):
                return self
            return LoadedImage(self.rgb, self.raw, self.description, self.pyramid[1:], self.size, False, self.source)
        level = next((lv for lv in self.pyramid if max(lv.shape[:2]) <= max_side), self.pyramid[-1])
        return LoadedImage(None, None, self.description, [level], (self.width, self.height), True, self.source)


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


def _read_bytes(path: Path) -> tuple[np.ndarray, str]:
    try:
        data = np.fromfile(path, dtype=np.uint8)
    except PermissionError as exc:
        raise ImageLoadError(QT_TRANSLATE_NOOP("ImageFiles", "no permission to read {name}").format(name=path.name)) from exc
    except OSError as exc:
        raise ImageLoadError(QT_TRANSLATE_NOOP("ImageFiles", "cannot read {name}: {error}").format(name=path.name, error=exc.strerror or exc)) from exc
    if data.size == 0:
        raise ImageLoadError(QT_TRANSLATE_NOOP("ImageFiles", "{name} is empty (0 bytes)").format(name=path.name))
    kind = _sniff(data[:16].tobytes())
    if kind == "unknown":
        raise ImageLoadError(QT_TRANSLATE_NOOP("ImageFiles", "{name} is not an image file this app can read").format(name=path.name))
    size = _png_size(data[:24].tobytes())
    if size and size[0] * size[1] > MAX_PIXELS:
        raise ImageLoadError(QT_TRANSLATE_NOOP("ImageFiles", "{name} is {width}×{height} pixels: too large to open").format(name=path.name, width=size[0], height=size[1]))
    return data, kind


def _imdecode(data: np.ndarray, flags: int, name: str) -> np.ndarray:
    try:
        decoded = cv2.imdecode(data, flags)
    except cv2.error as exc:
        raise ImageLoadError(QT_TRANSLATE_NOOP("ImageFiles", "{name} could not be decoded ({error})").format(name=name, error=exc.err or "OpenCV error")) from exc
    if decoded is None or decoded.size == 0:
        raise ImageLoadError(QT_TRANSLATE_NOOP("ImageFiles", "{name} is corrupt or truncated and could not be decoded").format(name=name))
    return decoded


def read_image(path: str | os.PathLike, pyramid: bool = True) -> LoadedImage:
    """Decode an image file in full. Raises ImageLoadError with a user-readable reason.
    pyramid=False skips the display copies (batch work that only needs `rgb`)."""
    path = Path(path)
    data, kind = _read_bytes(path)
    return _full(data, kind, path, pyramid)


def _full(data: np.ndarray, kind: str, path: Path, pyramid: bool = True) -> LoadedImage:
    # PNG/WebP: keep alpha and 16 bits. Others: ANYDEPTH|ANYCOLOR keeps 16 bits and applies
    # EXIF orientation (IMREAD_UNCHANGED would skip it).
    flags = cv2.IMREAD_UNCHANGED if kind in ("png", "webp") else cv2.IMREAD_ANYDEPTH | cv2.IMREAD_ANYCOLOR
    image = _to_display(_imdecode(data, flags, path.name), pyramid)
    image.source = str(path)
    return image


def read_first(path: str | os.PathLike) -> LoadedImage:
    """The first view of an image: its preview when read_preview gives one, else the full
    image, from one read of the file. Raises ImageLoadError like read_image."""
    path = Path(path)
    data, kind = _read_bytes(path)
    return _preview(data, kind, path, None) or _full(data, kind, path)


def read_preview(path: str | os.PathLike, min_side: int | None = None) -> LoadedImage | None:
    """A reduced decode of a big JPEG (1/2, 1/4 or 1/8 size, the smallest whose long side is at
    least `min_side`), as a preview LoadedImage of the full image's size; None when the image is
    not a JPEG, too small to gain from it, or its header cannot be trusted (then decode in full).
    Raises ImageLoadError like read_image."""
    path = Path(path)
    data, kind = _read_bytes(path)
    return _preview(data, kind, path, min_side)


def _preview(data: np.ndarray, kind: str, path: Path, min_side: int | None) -> LoadedImage | None:
    if kind != "jpeg":
        return None
    size = jpeg_display_size(data)
    if size is None:
        return None
    width, height = size
    min_side = PREVIEW_MIN_SIDE if min_side is None else min_side
    factor = next((k for k in (8, 4, 2) if max(width, height) / k >= min_side), None)
    if factor is None:
        return None
    bgr = _imdecode(data, _REDUCED[factor], path.name)
    if bgr.shape[:2] != (-(-height // factor), -(-width // factor)):
        return None  # the header and the decoder disagree (odd EXIF): trust only a full decode
    bgra = cv2.cvtColor(bgr, cv2.COLOR_BGR2BGRA)
    return LoadedImage(None, None, f"preview 1/{factor}", [bgra], (width, height), True, str(path))


def jpeg_display_size(data: np.ndarray | bytes) -> tuple[int, int] | None:
    """(width, height) of a JPEG as decoded (EXIF orientation applied), from its header."""
    from PIL import Image  # header only: Pillow reads no pixels here

    try:
        with Image.open(io.BytesIO(data if isinstance(data, bytes) else data.tobytes())) as im:
            width, height = im.size
            orientation = im.getexif().get(0x0112, 1)
    except Exception:  # noqa: BLE001 (a damaged header: no preview, the full decode reports it)
        return None
    return (height, width) if orientation in (5, 6, 7, 8) else (width, height)


def _to_display(decoded: np.ndarray, pyramid: bool) -> LoadedImage:
    if decoded.ndim == 3 and decoded.shape[2] == 1:
        decoded = decoded[:, :, 0]
    channels = 1 if decoded.ndim == 2 else decoded.shape[2]
    # In place: a second 24 MP buffer would add 72 MB to every decode's peak.
    if channels == 3:
        raw = cv2.cvtColor(decoded, cv2.COLOR_BGR2RGB, dst=decoded)
    elif channels == 4:
        raw = cv2.cvtColor(decoded, cv2.COLOR_BGRA2RGBA, dst=decoded)
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
    """The display levels of an RGB image as 32-bit B, G, R, 255 arrays: a full-size copy when
    the image has at most DISPLAY_COPY_PIXELS, then halved copies (INTER_AREA, so zoomed-out
    views do not alias) until the long side fits PYRAMID_MIN_SIDE. Halvings above
    LEVEL_MAX_PIXELS are not kept (a 400 MP image would hold 400 MB in its first one): the
    canvas draws those zooms from the full image, by the part in view."""
    levels: list[np.ndarray] = []
    if rgb.shape[0] * rgb.shape[1] <= DISPLAY_COPY_PIXELS:
        levels.append(cv2.cvtColor(rgb, cv2.COLOR_RGB2BGRA))
    cur = rgb
    while max(cur.shape[:2]) > PYRAMID_MIN_SIDE:
        cur = cv2.resize(cur, (max(1, cur.shape[1] // 2), max(1, cur.shape[0] // 2)), interpolation=cv2.INTER_AREA)
        if cur.shape[0] * cur.shape[1] > LEVEL_MAX_PIXELS:
            continue  # only a step on the way down
        if cur.shape[2] == 3:  # converted once, at a quarter of the pixels; halved in 32 bits after
            cur = cv2.cvtColor(cur, cv2.COLOR_RGB2BGRA)
        levels.append(cur)
    return levels


def display_image(rgb: np.ndarray, source: str = "") -> LoadedImage:
    """A LoadedImage of an RGB array with its display pyramid (tests, benchmarks, generated images)."""
    return LoadedImage(rgb, rgb, "8-bit RGB", build_pyramid(rgb), source=source)


def read_image_size(path: str | os.PathLike) -> tuple[int, int] | None:
    """(width, height) from the header where cheap (PNG); None when unknown."""
    try:
        with open(path, "rb") as fh:
            return _png_size(fh.read(24))
    except OSError:
        return None
