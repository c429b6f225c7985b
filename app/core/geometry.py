"""Instance geometry: polygon sets and bbox-cropped raster masks, and conversions between them.

Coordinate conventions (the COCO ones):
- Pixel (x, y) covers the square [x, x+1) × [y, y+1). Polygon vertices are continuous pixel-corner
  coordinates, floats in [0, W] × [0, H].
- Boxes are (x0, y0, x1, y1) integer pixel bounds, x1/y1 exclusive, unless documented otherwise.
- Masks are bool arrays indexed [y, x].
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

import numpy as np
from pycocotools import mask as mask_utils

from app.core.tracing import trace_mask

Box = tuple[int, int, int, int]  # x0, y0, x1, y1 (exclusive)


def _as_ring(points: np.ndarray | list) -> np.ndarray:
    ring = np.asarray(points, dtype=np.float64).reshape(-1, 2)
    return ring


@dataclass(frozen=True, eq=False)
class PolygonGeometry:
    """A set of polygon parts (outer rings, unioned) minus holes.

    parts, holes: tuples of float64 arrays (K, 2) of x, y vertex coordinates; K >= 3 for parts.
    """

    parts: tuple[np.ndarray, ...]
    holes: tuple[np.ndarray, ...] = field(default=())

    @staticmethod
    def from_points(*parts: np.ndarray | list, holes: tuple = ()) -> PolygonGeometry:
        return PolygonGeometry(tuple(_as_ring(p) for p in parts), tuple(_as_ring(h) for h in holes))

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, PolygonGeometry):
            return NotImplemented
        return _rings_equal(self.parts, other.parts) and _rings_equal(self.holes, other.holes)

    def bbox(self) -> Box:
        """Integer pixel box covering every pixel a vertex touches (empty box for no parts)."""
        return self._bbox

    @cached_property
    def _bbox(self) -> Box:
        # Computed once: geometries are immutable, and hit tests and repaints ask for it a lot.
        if not self.parts:
            return (0, 0, 0, 0)
        pts = np.concatenate(self.parts)
        x0, y0 = np.floor(pts.min(axis=0)).astype(int)
        x1, y1 = np.ceil(pts.max(axis=0)).astype(int)
        return (int(x0), int(y0), int(max(x1, x0 + 1)), int(max(y1, y0 + 1)))

    def to_raster(self, clip: tuple[int, int] | None = None) -> RasterGeometry:
        """Rasterize as COCO does, clipped to an optional (H, W) image."""
        x0, y0, x1, y1 = self.bbox()
        if clip is not None:
            h, w = clip
            x0, y0, x1, y1 = max(x0, 0), max(y0, 0), min(x1, w), min(y1, h)
        if x1 <= x0 or y1 <= y0:
            return RasterGeometry.empty()
        h, w = y1 - y0, x1 - x0
        offset = np.array([x0, y0], np.float64)
        mask = rasterize_rings([p - offset for p in self.parts], h, w)
        if self.holes:
            mask &= ~rasterize_rings([r - offset for r in self.holes], h, w)
        return RasterGeometry(mask, x0, y0).tight()

    def translated(self, dx: float, dy: float) -> PolygonGeometry:
        d = np.array([dx, dy])
        return PolygonGeometry(tuple(p + d for p in self.parts), tuple(h + d for h in self.holes))


def _rings_equal(a: tuple[np.ndarray, ...], b: tuple[np.ndarray, ...]) -> bool:
    return len(a) == len(b) and all(x.shape == y.shape and np.array_equal(x, y) for x, y in zip(a, b))


def rasterize_rings(rings: list[np.ndarray], height: int, width: int) -> np.ndarray:
    """Union of polygons as a bool (height, width) mask, with pycocotools' rasterizer.

    Using COCO's own scan conversion means our masks, our COCO export and COCOeval agree on every
    pixel (polygon (0,0)-(10,10) covers exactly 100 pixels). Rings need >= 3 points.
    """
    flat = [r.reshape(-1).tolist() for r in rings if len(r) >= 3]
    if not flat or height <= 0 or width <= 0:
        return np.zeros((max(height, 0), max(width, 0)), bool)
    rles = mask_utils.frPyObjects(flat, height, width)
    return mask_utils.decode(mask_utils.merge(rles)).astype(bool)


@dataclass(frozen=True, eq=False)
class RasterGeometry:
    """A raster mask stored cropped to its tight bounding box.

    mask: bool (h, w); x, y: offset of mask[0, 0] in image pixels. Always tight (the first and last
    rows and columns each hold a set pixel) or empty (0×0), so equal masks have equal crops.
    """

    mask: np.ndarray
    x: int = 0
    y: int = 0

    @staticmethod
    def empty() -> RasterGeometry:
        return RasterGeometry(np.zeros((0, 0), bool), 0, 0)

    @staticmethod
    def from_full(mask: np.ndarray) -> RasterGeometry:
        """Crop a full-image bool (H, W) mask to its tight box."""
        return RasterGeometry(np.asarray(mask, dtype=bool), 0, 0).tight()

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, RasterGeometry):
            return NotImplemented
        if self.is_empty() and other.is_empty():
            return True
        return (self.x, self.y) == (other.x, other.y) and np.array_equal(self.mask, other.mask)

    def is_empty(self) -> bool:
        return self.mask.size == 0

    def bbox(self) -> Box:
        h, w = self.mask.shape
        return (self.x, self.y, self.x + w, self.y + h)

    def area(self) -> int:
        return int(np.count_nonzero(self.mask))

    def tight(self) -> RasterGeometry:
        """The same mask cropped to its set pixels (a view, no copy, when already tight)."""
        m = self.mask
        if m.size == 0:
            return self if m.shape == (0, 0) else RasterGeometry.empty()
        rows = np.flatnonzero(m.any(axis=1))
        if rows.size == 0:
            return RasterGeometry.empty()
        cols = np.flatnonzero(m.any(axis=0))
        r0, r1, c0, c1 = rows[0], rows[-1] + 1, cols[0], cols[-1] + 1
        if (r0, c0) == (0, 0) and (r1, c1) == m.shape:
            return self
        return RasterGeometry(m[r0:r1, c0:c1], self.x + int(c0), self.y + int(r0))

    def full(self, height: int, width: int) -> np.ndarray:
        """Paste into a bool (height, width) image; parts outside the image are dropped."""
        out = np.zeros((height, width), bool)
        self.paste_into(out)
        return out

    def paste_into(self, canvas: np.ndarray, value: bool | int = True) -> None:
        """Set canvas[y, x] = value where the mask is set (canvas is full-image, any dtype)."""
        x0, y0, x1, y1 = self.bbox()
        h, w = canvas.shape[:2]
        cx0, cy0, cx1, cy1 = max(x0, 0), max(y0, 0), min(x1, w), min(y1, h)
        if cx1 <= cx0 or cy1 <= cy0:
            return
        sub = self.mask[cy0 - y0 : cy1 - y0, cx0 - x0 : cx1 - x0]
        canvas[cy0:cy1, cx0:cx1][sub] = value

    def region(self, box: Box) -> np.ndarray:
        """The mask over an arbitrary box (x0, y0, x1, y1) as a bool array, zeros outside the crop."""
        x0, y0, x1, y1 = box
        out = np.zeros((y1 - y0, x1 - x0), bool)
        mx0, my0, mx1, my1 = self.bbox()
        ix0, iy0, ix1, iy1 = max(x0, mx0), max(y0, my0), min(x1, mx1), min(y1, my1)
        if ix1 > ix0 and iy1 > iy0:
            out[iy0 - y0 : iy1 - y0, ix0 - x0 : ix1 - x0] = self.mask[
                iy0 - my0 : iy1 - my0, ix0 - mx0 : ix1 - mx0
            ]
        return out

    def with_region(self, box: Box, values: np.ndarray) -> RasterGeometry:
        """A new geometry whose pixels inside `box` are replaced by `values` (bool, box-shaped)."""
        bx0, by0, bx1, by1 = box
        if self.is_empty():
            return RasterGeometry(values.astype(bool, copy=True), bx0, by0).tight()
        mx0, my0, mx1, my1 = self.bbox()
        ux0, uy0, ux1, uy1 = min(bx0, mx0), min(by0, my0), max(bx1, mx1), max(by1, my1)
        if (ux0, uy0, ux1, uy1) == (mx0, my0, mx1, my1):
            canvas = self.mask.copy()
        else:
            canvas = np.zeros((uy1 - uy0, ux1 - ux0), bool)
            canvas[my0 - uy0 : my1 - uy0, mx0 - ux0 : mx1 - ux0] = self.mask
        canvas[by0 - uy0 : by1 - uy0, bx0 - ux0 : bx1 - ux0] = values
        return RasterGeometry(canvas, ux0, uy0).tight()

    def to_polygon(self, tolerance: float = 1.0, min_iou: float = 0.95) -> PolygonGeometry:
        """The mask as polygons that rasterize back to it (app.core.tracing): every connected
        part, every hole (with islands inside holes bridged into them), never a bounding box.

        `tolerance` (pixels) simplifies each ring with Douglas-Peucker, but a ring keeps only a
        simplification that rasterizes to IoU >= `min_iou` with its exact outline (else a finer
        one), so thin lines and specks survive. tolerance=0 is exact: to_raster() gives back
        this mask pixel for pixel.
        """
        if self.is_empty():
            return PolygonGeometry(())
        parts, holes = trace_mask(self.mask, self.x, self.y, tolerance, min_iou).polygon_rings()
        return PolygonGeometry(tuple(parts), tuple(holes))


Geometry = PolygonGeometry | RasterGeometry


def to_raster(geometry: Geometry, clip: tuple[int, int] | None = None) -> RasterGeometry:
    """Any geometry as a tight raster mask (polygons are rasterized, clipped to clip=(H, W))."""
    if isinstance(geometry, RasterGeometry):
        return geometry
    return geometry.to_raster(clip)


def mask_iou(a: RasterGeometry, b: RasterGeometry) -> float:
    """Intersection over union of two cropped masks, computed on their overlapping box only."""
    area_a, area_b = a.area(), b.area()
    ax0, ay0, ax1, ay1 = a.bbox()
    bx0, by0, bx1, by1 = b.bbox()
    ix0, iy0, ix1, iy1 = max(ax0, bx0), max(ay0, by0), min(ax1, bx1), min(ay1, by1)
    inter = 0
    if ix1 > ix0 and iy1 > iy0:
        box = (ix0, iy0, ix1, iy1)
        inter = int(np.count_nonzero(a.region(box) & b.region(box)))
    union = area_a + area_b - inter
    return inter / union if union else 0.0
