"""Which instance is on top at each pixel, at the pyramid levels the views need (numpy + cv2).

Composing 300-1,000 instances one by one costs 0.1-0.4 ms each per frame (crop sampling, edges,
colours), far beyond a 16 ms frame. Instead each instance is painted once into a map of *slots*
(uint16 per pixel, 0 = none, later instances over earlier ones, exactly the z-order drawn), and a
frame samples the map at screen resolution and colours it in a few whole-screen array operations
(app.canvas.compose): the cost follows the screen pixels, never the instance count.

Maps exist per pyramid level (level L holds every 2^L-th pixel, sampled at block centres), so the
fit view of a 24 MP image paints into a 1500×1000 map. Levels are built lazily, in 256-pixel
tiles, only where a view looks: opening an image rasterizes only what is in view (polygons with
cv2.fillPoly straight into the tile), and zooming into a corner never paints the rest.
An edit repaints only its box, at the levels already built.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable

import cv2
import numpy as np

from app.core.document import Document
from app.core.geometry import Box, PolygonGeometry, RasterGeometry
from app.core.instance import Instance

TILE = 256
TILE_FULL = 128  # full resolution: a tile there holds 4× the pixels of one a level up, so smaller
MAX_LEVEL = 8
_SHIFT = 4  # fillPoly's fractional bits: vertices keep 1/16 pixel


def level_for(scale: float) -> int:
    """The coarsest level that still has a pixel for every screen pixel at `scale`."""
    if scale >= 1:
        return 0
    return min(int(np.floor(np.log2(1.0 / scale) + 1e-9)), MAX_LEVEL)


class _Level:
    def __init__(self, level: int, width: int, height: int, dtype) -> None:
        self.f = 1 << level
        self.c = self.f // 2  # the image pixel each level pixel samples: its block centre
        self.w, self.h = -(-width // self.f), -(-height // self.f)
        self.arr = np.zeros((self.h, self.w), dtype)
        self.tile = TILE_FULL if level == 0 else TILE
        self.built = np.zeros((-(-self.h // self.tile), -(-self.w // self.tile)), bool)


class LabelMap:
    """Slot maps of one document. `shown(instance)` says which instances are drawn at all (the
    review filter); `sync()` picks up changes of that answer, `update(box, ...)` edits of geometry
    or z-order, done at the next `flush`. `painted` counts instance rasterizations (tests count
    work with it)."""

    def __init__(self, doc: Document, shown: Callable[[Instance], bool] | None = None) -> None:
        self.doc = doc
        self._shown = shown
        self.slots: dict[int, int] = {}
        self.instances: list[Instance | None] = [None]  # slot -> instance (None: free)
        self.painted = 0
        self.generation = -1
        self._reset()

    # ---- bookkeeping -------------------------------------------------------------------------
    def _reset(self) -> None:
        self.size = (self.doc.width, self.doc.height)
        self.generation += 1  # views composed from the maps before are stale
        self._levels: dict[int, _Level] = {}
        self._order_ids: tuple[int, ...] | None = None
        self._order: list[Instance] = []
        self._boxes = np.zeros((0, 4), np.int64)
        self._row: dict[int, int] = {}
        self._order_stale = False
        self._pending: list[Box] = []
        self._read_order()

    @property
    def dtype(self):
        # cv2's erode/dilate take uint16 but not int32; float32 holds ids exactly up to 2^24.
        return np.uint16 if len(self.instances) < 65536 else np.float32

    def slot(self, inst: Instance) -> int:
        s = self.slots.get(inst.id)
        if s is None:
            s = self.slots[inst.id] = len(self.instances)
            self.instances.append(inst)
            if s == 65536:  # ids no longer fit the maps' dtype: rebuild them wider
                self._levels = {}
        else:
            self.instances[s] = inst
        return s

    def _is_shown(self, inst: Instance) -> bool:
        return inst.visible and (self._shown is None or self._shown(inst))

    def sync(self) -> list[Box]:
        """Re-read which instances are drawn, in z-order, and repaint where that changed (a
        filter we only query changed its answer). Returns the image boxes repainted."""
        if (self.doc.width, self.doc.height) != self.size:
            self._reset()
            return [(0, 0, self.size[0], self.size[1])]
        old_ids, old_boxes, old_rows = self._order_ids, self._boxes, self._row
        self._order_stale = False
        self._read_order()
        old, new = set(old_ids or ()), set(self._order_ids)
        changed = [i.bbox() for i in self._order if i.id not in old]
        changed += [tuple(int(v) for v in old_boxes[r]) for iid, r in old_rows.items() if iid not in new]
        self._pending.extend(changed)
        self.flush()
        return changed

    def clear(self) -> None:
        """Forget every painted tile; they are rebuilt when next seen."""
        for lv in self._levels.values():
            lv.built[:] = False

    def update(self, box: Box | None, ids: Iterable[int] = (), order_changed: bool = False) -> None:
        """Instances `ids` changed geometry within image `box` (or, with order_changed, were
        added, removed, moved in z-order or shown/hidden). The repaint waits for `flush`, so a
        burst of changes costs one pass."""
        if order_changed:
            self._order_stale = True
        elif not self._order_stale:
            for iid in ids:
                row = self._row.get(iid)
                if row is not None:
                    self._boxes[row] = self._order[row].bbox()
        if box is not None:
            self._pending.append(box)

    def flush(self) -> None:
        """Do the repaints `update` recorded."""
        if (self.doc.width, self.doc.height) != self.size:
            self._reset()  # the image size became known (first open) or changed: start over
            return
        if self._order_stale:
            self._order_stale = False
            self._read_order()
        pending, self._pending = self._pending, []
        if len(pending) > 64:
            self.clear()
            return
        for box in pending:
            self.repaint(box)

    def _read_order(self) -> None:
        order = [i for i in self.doc if self._is_shown(i)]
        self._order, self._order_ids = order, tuple(i.id for i in order)
        self._boxes = np.array([i.bbox() for i in order], np.int64).reshape(-1, 4)
        self._row = {i.id: r for r, i in enumerate(order)}
        for inst in order:
            self.slot(inst)

    # ---- maps --------------------------------------------------------------------------------
    def level(self, level: int) -> _Level:
        lv = self._levels.get(level)
        if lv is None or lv.arr.dtype != self.dtype:
            lv = self._levels[level] = _Level(level, self.size[0], self.size[1], self.dtype)
        return lv

    def ensure(self, level: int, u0: int, v0: int, u1: int, v1: int) -> _Level:
        """Level `level` with every tile meeting level pixels [u0, u1) × [v0, v1) painted."""
        self.flush()
        lv = self.level(level)
        u0, v0, u1, v1 = max(u0, 0), max(v0, 0), min(u1, lv.w), min(v1, lv.h)
        if u1 <= u0 or v1 <= v0:
            return lv
        tile = lv.tile
        t0, t1 = u0 // tile, (u1 - 1) // tile + 1
        r0, r1 = v0 // tile, (v1 - 1) // tile + 1
        todo = ~lv.built[r0:r1, t0:t1]
        if todo.any():
            rows, cols = np.nonzero(todo)
            rect = ((t0 + cols.min()) * tile, (r0 + rows.min()) * tile, (t0 + cols.max() + 1) * tile, (r0 + rows.max() + 1) * tile)
            self._paint_rect(lv, rect)
            lv.built[r0 + rows.min() : r0 + rows.max() + 1, t0 + cols.min() : t0 + cols.max() + 1] = True
        return lv

    def prepare(self, level: int, xs: np.ndarray, ys: np.ndarray, deadline: float) -> bool:
        """Paint the tiles that sampling (xs, ys) at `level` needs, one tile at a time, until
        time.perf_counter() passes `deadline`; True when all are painted. Lets a zoom into a
        level never seen spread the painting over frames."""
        self.flush()
        lv = self.level(level)
        if not len(xs) or not len(ys):
            return True
        u0, u1 = max(int(xs[0]) >> level, 0), min((int(xs[-1]) >> level) + 1, lv.w)
        v0, v1 = max(int(ys[0]) >> level, 0), min((int(ys[-1]) >> level) + 1, lv.h)
        if u1 <= u0 or v1 <= v0:
            return True
        tile = lv.tile
        todo = ~lv.built[v0 // tile : (v1 - 1) // tile + 1, u0 // tile : (u1 - 1) // tile + 1]
        rows, cols = np.nonzero(todo)
        for k, (r, c) in enumerate(zip(rows.tolist(), cols.tolist())):
            if k and time.perf_counter() > deadline:  # at least one tile per call: always progress
                return False
            tr, tc = v0 // tile + r, u0 // tile + c
            self._paint_rect(lv, (tc * tile, tr * tile, (tc + 1) * tile, (tr + 1) * tile))
            lv.built[tr, tc] = True
        return True

    def repaint(self, box: Box) -> None:
        """Repaint image `box` at every level that has painted tiles."""
        for lv in self._levels.values():
            if not lv.built.any():
                continue
            f = lv.f
            self._paint_rect(lv, ((box[0] - lv.c) // f - 1, (box[1] - lv.c) // f - 1, -(-(box[2] - lv.c) // f) + 2, -(-(box[3] - lv.c) // f) + 2))

    def _paint_rect(self, lv: _Level, rect: tuple[int, int, int, int]) -> None:
        u0, v0, u1, v1 = max(rect[0], 0), max(rect[1], 0), min(rect[2], lv.w), min(rect[3], lv.h)
        if u1 <= u0 or v1 <= v0:
            return
        region = lv.arr[v0:v1, u0:u1]
        region[...] = 0
        f, c = lv.f, lv.c
        b = self._boxes
        # The image pixels the rectangle samples, grown by a level pixel: fillPoly also sets the
        # pixels its outline crosses, up to a level pixel outside a polygon's box.
        x0, y0, x1, y1 = u0 * f + c - f, v0 * f + c - f, (u1 - 1) * f + c + 1 + f, (v1 - 1) * f + c + 1 + f
        hits = np.flatnonzero((b[:, 0] < x1) & (b[:, 2] > x0) & (b[:, 1] < y1) & (b[:, 3] > y0))
        for row in hits.tolist():
            inst = self._order[row]
            self._paint(region, u0, v0, lv, inst, self.slots[inst.id])

    def _paint(self, region: np.ndarray, u0: int, v0: int, lv: _Level, inst: Instance, slot: int) -> None:
        geom = inst.geometry
        self.painted += 1
        if isinstance(geom, RasterGeometry):
            _paint_raster(region, u0, v0, lv.f, lv.c, geom, slot)
        elif isinstance(geom, PolygonGeometry):
            _paint_polygon(region, u0, v0, lv.f, lv.c, geom, slot)

    def sample(self, level: int, xs: np.ndarray, ys: np.ndarray) -> np.ndarray:
        """Slots (len(ys), len(xs)) at image pixels xs (columns) and ys (rows), both ascending
        int64; 0 outside the image. Paints the tiles that were never needed before."""
        self.flush()
        out = np.zeros((len(ys), len(xs)), self.dtype)
        if not len(xs) or not len(ys):
            return out
        lv = self.level(level)
        us, vs = xs >> level, ys >> level
        c0, c1 = np.searchsorted(us, [0, lv.w])
        r0, r1 = np.searchsorted(vs, [0, lv.h])
        if c1 <= c0 or r1 <= r0:
            return out
        us, vs = us[c0:c1], vs[r0:r1]
        umin, umax, vmin, vmax = int(us[0]), int(us[-1]) + 1, int(vs[0]), int(vs[-1]) + 1
        self.ensure(level, umin, vmin, umax, vmax)
        crop = lv.arr[vmin:vmax, umin:umax]
        if np.array_equal(us, np.arange(umin, umax)) and np.array_equal(vs, np.arange(vmin, vmax)):
            out[r0:r1, c0:c1] = crop  # one level pixel per screen pixel: a plain copy
        else:
            out[r0:r1, c0:c1] = crop.take(vs - vmin, axis=0).take(us - umin, axis=1)
        return out

    @property
    def shown_count(self) -> int:
        """How many instances are drawn (after `flush`)."""
        return len(self._order)

    def boxes_in(self, box: Box) -> np.ndarray:
        """int64 (k, 4) boxes of the drawn instances meeting image `box`."""
        self.flush()
        b = self._boxes
        return b[(b[:, 0] < box[2]) & (b[:, 2] > box[0]) & (b[:, 1] < box[3]) & (b[:, 3] > box[1])]

    def slot_at(self, level: int, x: float, y: float) -> int:
        """The slot drawn at image point (x, y) in level `level` (0 when none or not painted)."""
        self.flush()
        lv = self._levels.get(level)
        u, v = int(np.floor(x)) >> level, int(np.floor(y)) >> level
        if lv is None or not (0 <= u < lv.w and 0 <= v < lv.h) or not lv.built[v // lv.tile, u // lv.tile]:
            return 0
        return int(lv.arr[v, u])


def _span(lo: int, hi: int, f: int, c: int, r0: int, r1: int) -> tuple[int, int]:
    """Level pixels [a, b) within [r0, r1) whose sampled image pixel n*f + c lies in [lo, hi)."""
    return max(r0, -(-(lo - c) // f)), min(r1, -(-(hi - c) // f))


def _paint_raster(region: np.ndarray, u0: int, v0: int, f: int, c: int, geom: RasterGeometry, slot: int) -> None:
    mx0, my0, mx1, my1 = geom.bbox()
    h, w = region.shape
    ua, ub = _span(mx0, mx1, f, c, u0, u0 + w)
    va, vb = _span(my0, my1, f, c, v0, v0 + h)
    if ub <= ua or vb <= va:
        return
    sub = geom.mask[va * f + c - my0 : (vb - 1) * f + c - my0 + 1 : f, ua * f + c - mx0 : (ub - 1) * f + c - mx0 + 1 : f]
    region[va - v0 : vb - v0, ua - u0 : ub - u0][sub] = slot


def _ring_points(ring: np.ndarray, f: int, c: int, u0: int, v0: int) -> np.ndarray:
    # Continuous image coordinate X lies at level pixel-centre coordinate (X - c - 0.5) / f;
    # fillPoly puts integer point p at the centre of pixel p. In 1/16 pixels, as one multiply-add.
    k = (1 << _SHIFT) / f
    pts = ring * k - (((c + 0.5) / f + u0) * (1 << _SHIFT), ((c + 0.5) / f + v0) * (1 << _SHIFT))
    return np.rint(pts).astype(np.int32).reshape(-1, 1, 2)


#: A polygon is rasterized whole, up to this many level pixels: fillPoly also draws the outline,
#: and clipping a line moves its pixels, so a polygon cut by the rectangle painted would depend
#: on where the rectangle cuts it (unclipped, fillPoly is exact under whole-pixel translation).
#: Larger ones are clipped with a margin.
_WHOLE_POLYGON = 4_000_000
_CLIP_MARGIN = 16


def _paint_polygon(region: np.ndarray, u0: int, v0: int, f: int, c: int, geom: PolygonGeometry, slot: int) -> None:
    x0, y0, x1, y1 = geom.bbox()
    # The crop: every level pixel the polygon (and its outline) can touch, fixed by the geometry.
    ca, cb = (x0 - c) // f - 1, (y0 - c) // f - 1
    cw, ch = -(-(x1 - c) // f) + 2 - ca, -(-(y1 - c) // f) + 2 - cb
    h, w = region.shape
    value = float(slot) if region.dtype == np.float32 else int(slot)
    parts = [r for r in geom.parts if len(r) >= 3]
    if not geom.holes and u0 <= ca and v0 <= cb and ca + cw <= u0 + w and cb + ch <= v0 + h:
        for ring in parts:  # inside the rectangle: straight into it, exactly as into a crop
            cv2.fillPoly(region, [_ring_points(ring, f, c, u0, v0)], value, cv2.LINE_8, _SHIFT)
        return
    if cw * ch > _WHOLE_POLYGON:  # huge: clip to the region, with a margin for the outline
        ca, cb = max(ca, u0 - _CLIP_MARGIN), max(cb, v0 - _CLIP_MARGIN)
        cw = min(ca + cw, u0 + w + _CLIP_MARGIN) - ca
        ch = min(cb + ch, v0 + h + _CLIP_MARGIN) - cb
    ia, ib = max(ca, u0), max(cb, v0)
    iz, iy = min(ca + cw, u0 + w), min(cb + ch, v0 + h)
    if iz <= ia or iy <= ib:
        return
    mask = np.zeros((ch, cw), np.uint8)
    for ring in parts:  # one call per part: fillPoly's even-odd rule would cut overlaps out
        cv2.fillPoly(mask, [_ring_points(ring, f, c, ca, cb)], 1, cv2.LINE_8, _SHIFT)
    for hole in geom.holes:
        if len(hole) >= 3:
            cv2.fillPoly(mask, [_ring_points(hole, f, c, ca, cb)], 0, cv2.LINE_8, _SHIFT)
    sub = mask[ib - cb : iy - cb, ia - ca : iz - ca].view(bool)
    region[ib - v0 : iy - v0, ia - u0 : iz - u0][sub] = slot
