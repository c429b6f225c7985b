"""Mask -> polygon tracing that rasterizes back to the same pixels (numpy + OpenCV only).

Why not cv2.findContours on the mask itself: it returns the centres of boundary pixels, so a
1-px-wide line comes back as a zero-area polygon and every outline sits half a pixel inside the
mask. Here the pixel borders are traced instead: each set pixel becomes a closed square on a
grid of twice the resolution (cv2.dilate of the pixel centres), whose contours pass exactly
along the pixel edges and corners.

Each ring is then pulled INSET = 0.25 px into the region it bounds. The polygon still contains
every pixel centre of the mask with a quarter pixel to spare and no other centre, so the three
rasterizers our formats are read with all give back the mask pixel for pixel:
pycocotools (COCO, our own PolygonGeometry), PIL ImageDraw.polygon with its outline (labelme's
shape_to_mask) and cv2.fillPoly after truncating to int32 (Ultralytics' polygon2mask). On the
pixel borders themselves PIL and OpenCV would add a row and a column (IoU 0.5 for a 1-px line).

Nesting (an island inside a hole inside a part ...) is kept: a hole's own islands are joined to
it by zero-width bridges (even-odd fill), and `single_rings` gives one ring per outer boundary
with its holes bridged in, for formats that have no holes (labelme, YOLO).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import cv2
import numpy as np
from pycocotools import mask as mask_utils

#: How far (pixels) every traced ring lies inside the pixel borders it follows; see above.
INSET = 0.25
#: Rings with fewer vertices are never simplified (a speck's square stays a square).
_MIN_SIMPLIFY = 5
#: Douglas-Peucker tolerances below this are not worth trying: the exact ring is used instead.
_MIN_TOLERANCE = 0.2


@dataclass(frozen=True)
class TracedMask:
    """The rings of a mask in image coordinates with their nesting.

    rings[i]: float64 (K, 2); parent[i]: index of the enclosing ring or -1; depth[i]: 0 for
    outer boundaries, 1 for their holes, 2 for islands inside holes, ...
    """

    rings: tuple[np.ndarray, ...]
    parent: tuple[int, ...]
    depth: tuple[int, ...]

    def children(self, i: int) -> list[int]:
        return self._children.get(i, [])

    @cached_property
    def _children(self) -> dict[int, list[int]]:
        # once, not a scan per ring: a noisy mask has thousands of rings
        out: dict[int, list[int]] = {}
        for k, p in enumerate(self.parent):
            out.setdefault(p, []).append(k)
        return out

    def polygon_rings(self) -> tuple[list[np.ndarray], list[np.ndarray]]:
        """(parts, holes) for PolygonGeometry: parts are the outer boundaries; each hole has the
        islands inside it (and their holes, ...) bridged in, so that parts minus holes, each
        filled even-odd as pycocotools does, is the mask."""
        parts = [r for r, d in zip(self.rings, self.depth) if d == 0]
        holes = [self._with_descendants(i) for i, d in enumerate(self.depth) if d == 1]
        return parts, holes

    def single_rings(self) -> list[np.ndarray]:
        """One ring per boundary of even depth with its direct holes bridged in. Their union is
        the mask, and every bridge runs through pixels of the mask only, so renderers that paint
        polygon edges (PIL's outline, cv2.fillPoly) add nothing."""
        out = []
        for i, d in enumerate(self.depth):
            if d % 2 == 0:
                holes = [self.rings[c] for c in self.children(i)]
                out.append(stitch(self.rings[i], holes) if holes else self.rings[i])
        return out

    def _with_descendants(self, i: int) -> np.ndarray:
        kids = self.children(i)
        return stitch(self.rings[i], [self._with_descendants(c) for c in kids]) if kids else self.rings[i]


def trace_mask(mask: np.ndarray, x: int = 0, y: int = 0, tolerance: float = 0.0,
               min_iou: float = 0.95) -> TracedMask:
    """Trace a bool (h, w) mask placed at (x, y).

    tolerance > 0 simplifies each ring (Douglas-Peucker, pixels) as far as the connected part
    it belongs to keeps IoU >= `min_iou` with the mask (see `_simplify_all`); tolerance 0 is
    exact under every reader named in the module docstring.
    """
    h, w = mask.shape
    if h == 0 or w == 0 or not mask.any():
        return TracedMask((), (), ())
    fine = np.zeros((2 * h + 3, 2 * w + 3), np.uint8)
    fine[2 : 2 * h + 1 : 2, 2 : 2 * w + 1 : 2] = mask  # pixel (c, r) -> fine (2c+2, 2r+2)
    fine = cv2.dilate(fine, np.ones((3, 3), np.uint8))  # closed pixel squares: edges and corners
    contours, hierarchy = cv2.findContours(fine, cv2.RETR_TREE, cv2.CHAIN_APPROX_SIMPLE)
    if hierarchy is None:
        return TracedMask((), (), ())
    parent = tuple(int(p) for p in hierarchy[0][:, 3])
    depth = _depths(parent)
    corners = [(c.reshape(-1, 2).astype(np.float64) - 1.0) / 2.0 for c in contours]  # fine index -> pixel corner
    inset = np.where(np.array(depth) % 2 == 0, -INSET, INSET)  # into the region each ring bounds
    rings, areas = offset_rings(corners, inset)
    if tolerance > 0:
        rings = _simplify_all(rings, areas, parent, depth, tolerance, min_iou)
    offset = np.array([x, y], np.float64)
    return TracedMask(tuple(r + offset for r in rings), parent, depth)


def _simplify_all(rings: list[np.ndarray], areas: np.ndarray, parent: tuple[int, ...], depth: tuple[int, ...],
                  tolerance: float, min_iou: float) -> list[np.ndarray]:
    """Simplify every ring within an error budget: a connected part (an outer ring of even depth
    and its holes) of area A may change by at most (1 - min_iou) * A pixels, shared equally by
    its rings. The raster of parts minus holes changes by at most the sum of the rings' changes,
    so each part, and the whole mask, keeps IoU >= min_iou, however thin or small: a 1-px line
    keeps nearly all its vertices while a big blob loses most of them. A is the area of the
    inset polygons, a little below the pixel count, which only makes the budget stricter."""
    owner = [i if d % 2 == 0 else parent[i] for i, d in enumerate(depth)]
    part_area = {i: float(areas[i]) for i, d in enumerate(depth) if d % 2 == 0}
    members = {i: 0 for i in part_area}
    for i, o in enumerate(owner):
        members[o] += 1
        if i != o:
            part_area[o] -= float(areas[i])
    out = []
    for i, ring in enumerate(rings):
        budget = (1.0 - min_iou) * max(part_area[owner[i]], 0.0) / members[owner[i]]
        out.append(_simplify_ring(ring, tolerance, budget) if len(ring) >= _MIN_SIMPLIFY and budget >= 1 else ring)
    return out


def _depths(parent: tuple[int, ...]) -> tuple[int, ...]:
    depth: list[int | None] = [None] * len(parent)
    for i in range(len(parent)):
        chain, k = [], i
        while k >= 0 and depth[k] is None:
            chain.append(k)
            k = parent[k]
        base = -1 if k < 0 else depth[k]
        for n, j in enumerate(reversed(chain), start=1):
            depth[j] = base + n  # type: ignore[operator]
    return tuple(int(d) for d in depth)  # type: ignore[arg-type]


def _simplify_ring(ring: np.ndarray, tolerance: float, budget: float) -> np.ndarray:
    """The coarsest of tolerance, tolerance/2, ... whose Douglas-Peucker simplification changes
    at most `budget` pixels of `ring`'s raster (pycocotools, on the ring's own box); else `ring`."""
    origin = np.floor(ring.min(axis=0))
    local = ring - origin  # integer shifts change no pixel: a small canvas instead of the mask's
    w, h = (int(v) + 2 for v in np.ceil(local.max(axis=0)))
    exact = mask_utils.frPyObjects([local.reshape(-1).tolist()], h, w)
    area = float(mask_utils.area(exact)[0])
    eps = float(tolerance)
    while eps >= _MIN_TOLERANCE:
        approx = cv2.approxPolyDP(local.astype(np.float32).reshape(-1, 1, 2), eps, True)
        approx = approx.reshape(-1, 2).astype(np.float64)
        if len(approx) >= 3:
            rle = mask_utils.frPyObjects([approx.reshape(-1).tolist()], h, w)
            other = float(mask_utils.area(rle)[0])
            u = float(mask_utils.iou(rle, exact, [0])[0][0])
            changed = area + other - 2.0 * u * (area + other) / (1.0 + u)  # |A xor B| from IoU
            if changed <= budget:
                return approx + origin
        eps /= 2
    return ring


def stitch(outer: np.ndarray, inners: list[np.ndarray]) -> np.ndarray:
    """One ring: `outer` with each ring of `inners` (which lie inside it) joined by a zero-width
    bridge, there and back along one segment, so the bridge adds no area under the even-odd
    rule. Bridges follow the ear-clipping hole elimination: inner rings in order of their
    leftmost vertex, each joined along a ray to the left from that vertex to the first edge it
    meets. The bridge therefore crosses no ring and stays in the region between the rings."""
    ring = np.asarray(outer, np.float64)
    for inner in sorted((np.asarray(r, np.float64) for r in inners if len(r) >= 3), key=lambda r: float(r[:, 0].min())):
        ring = _bridge(ring, inner)
    return ring


def _bridge(ring: np.ndarray, inner: np.ndarray) -> np.ndarray:
    k = int(np.lexsort((inner[:, 1], inner[:, 0]))[0])  # leftmost vertex (topmost of ties)
    q = inner[k]
    a, b = ring, np.roll(ring, -1, axis=0)
    crosses = (a[:, 1] > q[1]) != (b[:, 1] > q[1])  # half-open: each vertex counted once
    with np.errstate(divide="ignore", invalid="ignore"):
        t = (q[1] - a[:, 1]) / (b[:, 1] - a[:, 1])
        hit_x = a[:, 0] + t * (b[:, 0] - a[:, 0])
    ok = crosses & (hit_x <= q[0])
    loop = np.roll(inner, -k, axis=0)
    if not ok.any():  # not inside `ring` (hand-drawn overlap): join at the nearest vertex
        j = int(np.argmin(((ring - q) ** 2).sum(axis=1)))
        return np.concatenate([ring[: j + 1], loop, loop[:1], ring[j:]])
    idx = np.flatnonzero(ok)
    j = int(idx[np.argmax(hit_x[idx])])
    p = np.array([[hit_x[j], q[1]]])
    return np.concatenate([ring[: j + 1], p, loop, loop[:1], p, ring[j + 1 :]])


def offset_ring(ring: np.ndarray, distance: float) -> np.ndarray:
    """Move each vertex of a closed ring `distance` pixels outwards (negative: inwards), mitring
    corners so that a right-angle corner moves by (d, d). Spikes are limited to 2·d."""
    return offset_rings([np.asarray(ring, np.float64)], np.array([distance]))[0][0]


def offset_rings(rings: list[np.ndarray], distances: np.ndarray) -> tuple[list[np.ndarray], np.ndarray]:
    """offset_ring for many rings in one vectorized pass (a noisy mask has tens of thousands of
    rings, and per-ring numpy calls would cost seconds), plus the area of each result."""
    lengths = np.array([len(r) for r in rings], np.int64)
    flat = np.concatenate(rings)
    first = np.cumsum(lengths) - lengths
    start = np.repeat(first, lengths)
    size = np.repeat(lengths, lengths)
    pos = np.arange(len(flat)) - start
    nxt, prv = start + (pos + 1) % size, start + (pos - 1) % size
    area2 = np.add.reduceat(flat[:, 0] * flat[nxt, 1] - flat[nxt, 0] * flat[:, 1], first)
    edge = flat[nxt] - flat  # edge i: vertex i -> i+1
    tangent = edge / np.maximum(np.linalg.norm(edge, axis=1, keepdims=True), 1e-12)
    # With y pointing down, a positive shoelace sum is clockwise on screen; the outward normal
    # of a clockwise ring is the tangent rotated by -90 degrees in these coordinates.
    sign = np.repeat(np.where(area2 > 0, 1.0, -1.0), lengths)[:, None]
    normal = sign * np.stack([tangent[:, 1], -tangent[:, 0]], axis=1)
    n_in = normal[prv]  # normal of the edge arriving at each vertex
    denom = np.maximum(1.0 + np.sum(n_in * normal, axis=1, keepdims=True), 0.5)
    dist = np.repeat(np.where(area2 == 0, 0.0, distances), lengths)[:, None]  # flat rings stay
    out = flat + dist * (n_in + normal) / denom
    new_area2 = np.add.reduceat(out[:, 0] * out[nxt, 1] - out[nxt, 0] * out[:, 1], first)
    return np.split(out, first[1:]), np.abs(new_area2) / 2


def contains_point(ring: np.ndarray, point: np.ndarray) -> bool:
    """Whether `point` lies inside or on the closed ring (even-odd)."""
    contour = np.asarray(ring, np.float32).reshape(-1, 1, 2)
    return cv2.pointPolygonTest(contour, (float(point[0]), float(point[1])), False) >= 0


def rings_with_holes(parts: list[np.ndarray], holes: list[np.ndarray]) -> list[np.ndarray] | None:
    """Hand-drawn parts and holes as one ring per part, each hole bridged into the part that
    contains its leftmost vertex; None when a hole lies in no part (the caller keeps a mask)."""
    assigned: list[list[np.ndarray]] = [[] for _ in parts]
    for hole in holes:
        if len(hole) < 3:
            continue
        q = hole[int(np.argmin(hole[:, 0]))]
        for k, part in enumerate(parts):
            if len(part) >= 3 and contains_point(part, q):
                assigned[k].append(hole)
                break
        else:
            return None
    return [stitch(p, a) if a else np.asarray(p, np.float64) for p, a in zip(parts, assigned) if len(p) >= 3]
