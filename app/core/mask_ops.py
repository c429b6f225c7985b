"""Mask operations for the editing tools: merge, split, subtract, flood fill and GrabCut.

Everything here works on cropped masks (RasterGeometry: bool (h, w) mask plus the image offset of
mask[0, 0]) and allocates at most the union of the boxes involved, never a full-image mask per
instance. Coordinates follow app.core.geometry: pixel (x, y) covers [x, x+1) × [y, y+1); boxes are
(x0, y0, x1, y1) with x1/y1 exclusive; masks are indexed [y, x]. Images are RGB uint8 (H, W, 3).
"""

from __future__ import annotations

from collections.abc import Iterable

import cv2
import numpy as np

from app.core.geometry import Box, Geometry, PolygonGeometry, RasterGeometry, to_raster

#: Connected components are 8-connected by default: cv2.findContours (which to_polygon uses)
#: traces 8-connected foreground as one outline, so each part of split_parts becomes exactly one
#: polygon part.
DEFAULT_CONNECTIVITY = 8


def _rasters(geometries: Iterable[Geometry], clip: tuple[int, int] | None) -> list[RasterGeometry]:
    return [r for r in (to_raster(g, clip) for g in geometries) if not r.is_empty()]


def union_box(boxes: Iterable[Box]) -> Box | None:
    """Smallest box holding every box; None for no boxes."""
    boxes = list(boxes)
    if not boxes:
        return None
    x0s, y0s, x1s, y1s = zip(*boxes)
    return (min(x0s), min(y0s), max(x1s), max(y1s))


def merge(geometries: Iterable[Geometry], clip: tuple[int, int] | None = None) -> RasterGeometry:
    """Union of any geometries as one tight raster (empty for none).

    Polygons are rasterized (clipped to clip=(H, W) when given). Allocates one bool array the size
    of the union of the inputs' boxes.
    """
    rasters = _rasters(geometries, clip)
    if not rasters:
        return RasterGeometry.empty()
    if len(rasters) == 1:
        return rasters[0]
    box = union_box(r.bbox() for r in rasters)
    x0, y0, x1, y1 = box
    canvas = np.zeros((y1 - y0, x1 - x0), bool)
    for r in rasters:
        rx0, ry0, rx1, ry1 = r.bbox()
        canvas[ry0 - y0 : ry1 - y0, rx0 - x0 : rx1 - x0] |= r.mask
    return RasterGeometry(canvas, x0, y0).tight()


def subtract(
    geometry: Geometry, others: Iterable[Geometry], clip: tuple[int, int] | None = None
) -> RasterGeometry:
    """`geometry` minus every pixel covered by any of `others`, as a tight raster.

    Used for "subtract the overlap with the instances above": pass the geometries above the
    instance in z-order. Only `geometry`'s own box is allocated; others are read over their
    intersection with it, so far-away instances cost one box test.
    """
    base = to_raster(geometry, clip)
    if base.is_empty():
        return base
    box = base.bbox()
    out: np.ndarray | None = None
    for other in _rasters(others, clip):
        ox0, oy0, ox1, oy1 = other.bbox()
        if ox1 <= box[0] or ox0 >= box[2] or oy1 <= box[1] or oy0 >= box[3]:
            continue
        if out is None:
            out = base.mask.copy()  # copy on first overlap: geometries are shared and immutable
        out &= ~other.region(box)
    if out is None:
        return base
    return RasterGeometry(out, base.x, base.y).tight()


def split_parts(
    geometry: Geometry,
    connectivity: int = DEFAULT_CONNECTIVITY,
    clip: tuple[int, int] | None = None,
) -> list[RasterGeometry]:
    """Connected components of a geometry, each a tight raster, in raster-scan order of their
    first pixel (top-most, then left-most first).

    connectivity: 8 (default; diagonal neighbours join, matching the outlines cv2.findContours
    traces) or 4. The parts are disjoint and their union is the input, so their areas add up.
    """
    if connectivity not in (4, 8):
        raise ValueError(f"connectivity must be 4 or 8, got {connectivity}")
    raster = to_raster(geometry, clip)
    if raster.is_empty():
        return []
    count, labels, stats, _ = cv2.connectedComponentsWithStats(
        raster.mask.astype(np.uint8), connectivity=connectivity, ltype=cv2.CV_32S
    )
    parts: list[RasterGeometry] = []
    for label in range(1, count):  # label 0 is the background
        x, y, w, h = (int(v) for v in stats[label, :4])
        crop = labels[y : y + h, x : x + w] == label
        parts.append(RasterGeometry(crop, raster.x + x, raster.y + y))
    return parts


def mask_to_polygon(raster: RasterGeometry, tolerance: float = 1.0) -> PolygonGeometry:
    """Outlines (with holes) of a raster, simplified by `tolerance` pixels (Douglas-Peucker)."""
    return raster.to_polygon(tolerance)


def polygon_to_mask(polygon: PolygonGeometry, clip: tuple[int, int] | None = None) -> RasterGeometry:
    """A polygon set rasterized with COCO's rules, clipped to clip=(H, W) when given."""
    return polygon.to_raster(clip)


def flood_fill_region(
    image: np.ndarray,
    x: float,
    y: float,
    tolerance: int = 32,
    connectivity: int = 4,
) -> RasterGeometry:
    """The connected region of similar colour around image point (x, y), as a tight raster.

    image: RGB uint8 (H, W, 3) or grey (H, W). A pixel joins when every channel is within
    `tolerance` (0-255) of the *seed pixel's* colour (cv2.FLOODFILL_FIXED_RANGE). The fixed range
    is deliberate: comparing with neighbours instead (floating range) lets the fill creep along
    smooth gradients and shadows until it floods the whole image, which is the wrong default for
    picking out one object. connectivity: 4 (default, so the fill does not leak through
    diagonal one-pixel gaps) or 8. A seed outside the image gives an empty region.
    """
    if connectivity not in (4, 8):
        raise ValueError(f"connectivity must be 4 or 8, got {connectivity}")
    h, w = image.shape[:2]
    px, py = int(np.floor(x)), int(np.floor(y))
    if not (0 <= px < w and 0 <= py < h):
        return RasterGeometry.empty()
    tol = int(np.clip(tolerance, 0, 255))
    # floodFill wants a (H+2, W+2) mask; it is one temporary per click, not stored anywhere.
    fill_mask = np.zeros((h + 2, w + 2), np.uint8)
    flags = connectivity | cv2.FLOODFILL_FIXED_RANGE | cv2.FLOODFILL_MASK_ONLY | (1 << 8)
    diff = (tol, tol, tol) if image.ndim == 3 else tol
    _, _, _, rect = cv2.floodFill(
        np.ascontiguousarray(image), fill_mask, (px, py), 0, diff, diff, flags
    )
    rx, ry, rw, rh = (int(v) for v in rect)
    if rw <= 0 or rh <= 0:
        return RasterGeometry.empty()
    crop = fill_mask[ry + 1 : ry + 1 + rh, rx + 1 : rx + 1 + rw].astype(bool)
    return RasterGeometry(crop, rx, ry).tight()


def grabcut_box(
    image: np.ndarray,
    box: Box,
    iterations: int = 5,
    margin: int | None = None,
    max_side: int = 800,
) -> RasterGeometry:
    """Foreground inside `box` by GrabCut (cv2.grabCut, GC_INIT_WITH_RECT), as a tight raster.

    image: RGB uint8 (H, W, 3); box: (x0, y0, x1, y1) image pixels, clipped to the image. GrabCut
    runs on a crop of the box plus `margin` pixels of context on each side (default: a fifth of the
    box's longer side, at least 8), so its cost follows the box, not the image. Crops whose longer
    side passes `max_side` are shrunk for the solve and the mask is scaled back (boundary detail
    then follows the reduced resolution), which keeps a drag on a 24 MP image interactive.
    The result lies inside the box. Degenerate boxes (under 2 pixels a side after clipping) and
    boxes GrabCut cannot model (no background pixels around them) give an empty raster.
    """
    h, w = image.shape[:2]
    x0, y0, x1, y1 = (int(v) for v in box)
    x0, y0, x1, y1 = max(x0, 0), max(y0, 0), min(x1, w), min(y1, h)
    if x1 - x0 < 2 or y1 - y0 < 2:
        return RasterGeometry.empty()
    pad = max(8, max(x1 - x0, y1 - y0) // 5) if margin is None else max(int(margin), 0)
    cx0, cy0, cx1, cy1 = max(x0 - pad, 0), max(y0 - pad, 0), min(x1 + pad, w), min(y1 + pad, h)
    crop = np.ascontiguousarray(image[cy0:cy1, cx0:cx1, :3])
    scale = min(1.0, max_side / max(cx1 - cx0, cy1 - cy0))
    if scale < 1.0:
        size = (max(round((cx1 - cx0) * scale), 1), max(round((cy1 - cy0) * scale), 1))
        crop = cv2.resize(crop, size, interpolation=cv2.INTER_AREA)
    rect = _scaled_rect((x0 - cx0, y0 - cy0, x1 - cx0, y1 - cy0), scale, crop.shape[1], crop.shape[0])
    if rect is None:
        return RasterGeometry.empty()
    gc_mask = np.zeros(crop.shape[:2], np.uint8)
    bgd, fgd = np.zeros((1, 65), np.float64), np.zeros((1, 65), np.float64)
    try:
        # grabCut expects BGR, but it only fits colour mixtures, so channel order is irrelevant.
        cv2.grabCut(crop, gc_mask, rect, bgd, fgd, max(int(iterations), 1), cv2.GC_INIT_WITH_RECT)
    except cv2.error:
        return RasterGeometry.empty()  # e.g. a box covering the whole image: no background model
    fg = ((gc_mask == cv2.GC_FGD) | (gc_mask == cv2.GC_PR_FGD)).astype(np.uint8)
    if scale < 1.0:
        up = cv2.resize(fg * 255, (cx1 - cx0, cy1 - cy0), interpolation=cv2.INTER_LINEAR)
        fg = (up >= 128).astype(np.uint8)
    full = np.zeros((cy1 - cy0, cx1 - cx0), bool)
    inner = (slice(y0 - cy0, y1 - cy0), slice(x0 - cx0, x1 - cx0))
    full[inner] = fg[inner].astype(bool)  # nothing outside the box, even after rescaling
    return RasterGeometry(full, cx0, cy0).tight()


def _scaled_rect(
    box: Box, scale: float, width: int, height: int
) -> tuple[int, int, int, int] | None:
    """A crop-relative box as cv2's (x, y, w, h) rect at `scale`, or None when it collapses."""
    x0, y0, x1, y1 = box
    sx0, sy0 = int(np.floor(x0 * scale)), int(np.floor(y0 * scale))
    sx1, sy1 = min(int(np.ceil(x1 * scale)), width), min(int(np.ceil(y1 * scale)), height)
    if sx1 - sx0 < 2 or sy1 - sy0 < 2:
        return None
    return (sx0, sy0, sx1 - sx0, sy1 - sy0)
