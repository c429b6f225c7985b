"""labelme shapes -> MaskPilot geometry (landscape.md §5.1); used by the importer (labelme.py)
and by the exporter (labelme_export.py) to recognise unedited rectangles and circles.

Shapes and instances: shapes sharing a non-null group_id and a label form one instance with
several parts (labelme's own converters group by (label, group_id)); shapes with group_id null
are instances of their own. Area shapes are imported: polygon (>= 3 points), rectangle (2
corners), oriented_rectangle (4 points), circle (centre + rim point, as a polygon) and mask (2
points, [[xmin, ymin], [xmax, ymax]] inclusive, plus a base64 PNG of the cropped patch pasted at
the rounded first point). point/line/linestrip shapes have no area and are reported.

labelme point coordinates are used as our pixel-corner coordinates unchanged, exactly as
labelme's own COCO converter passes them to pycocotools, so polygons import vertex for vertex.
"""

from __future__ import annotations

import base64
import binascii
import math
from itertools import chain

import cv2
import numpy as np

from app.core.geometry import PolygonGeometry, RasterGeometry
from app.core.instance import Instance
from app.core.text import QT_TRANSLATE_NOOP
from app.formats.project_io import CategoryResolver, ImportReport

#: Exact point counts per shape type (labelme _shape.py); polygons need at least 3.
POINT_COUNTS = {"rectangle": 2, "circle": 2, "mask": 2, "oriented_rectangle": 4, "point": 1, "line": 2}
NO_AREA = {"point", "line", "linestrip", "points"}


class ShapeError(ValueError):
    """A shape that cannot be imported; str() is the reason."""


def _points(shape: dict) -> np.ndarray:
    """float64 (K, 2) from a shape's points: [x, y] pairs of JSON numbers (no booleans, no
    strings), finite. The checks run in C (map, set, one flat list to numpy) instead of an
    isinstance test per number: 60,000 numbers of a 300-polygon file cost a few ms, not 80."""
    pts = shape.get("points")
    if not isinstance(pts, list) or not pts:
        raise ShapeError(QT_TRANSLATE_NOOP("LabelImport", "no points"))
    if not set(map(type, pts)) <= _PAIR_TYPES or set(map(len, pts)) != {2}:
        raise ShapeError(QT_TRANSLATE_NOOP("LabelImport", "points must be [x, y] number pairs"))
    flat = list(chain.from_iterable(pts))
    if not set(map(type, flat)) <= _NUMBER_TYPES:  # type(True) is bool: booleans are refused
        raise ShapeError(QT_TRANSLATE_NOOP("LabelImport", "points must be [x, y] number pairs"))
    try:
        arr = np.array(flat, dtype=np.float64).reshape(-1, 2)
    except OverflowError:  # an integer beyond float range
        raise ShapeError(QT_TRANSLATE_NOOP("LabelImport", "points are not finite")) from None
    if not np.isfinite(arr).all():
        raise ShapeError(QT_TRANSLATE_NOOP("LabelImport", "points are not finite"))
    return arr


_PAIR_TYPES = frozenset({list, tuple})
_NUMBER_TYPES = frozenset({int, float})


def circle_polygon(center: np.ndarray, rim: np.ndarray) -> np.ndarray:
    """float64 (K, 2) vertices on the circle through `rim` around `center`, about one per 2 px
    of circumference (16..360), starting at the rim point's angle."""
    radius = float(np.hypot(*(rim - center)))
    k = int(min(360, max(16, math.ceil(math.pi * radius))))
    start = math.atan2(rim[1] - center[1], rim[0] - center[0])
    angles = start + np.arange(k) * (2 * math.pi / k)
    return center + radius * np.stack([np.cos(angles), np.sin(angles)], axis=1)


def decode_mask_patch(text: object) -> np.ndarray:
    """base64 PNG -> bool (h, w) patch. Raises ShapeError."""
    if not isinstance(text, str) or not text:
        raise ShapeError(QT_TRANSLATE_NOOP("LabelImport", "mask shape without a 'mask' PNG"))
    try:
        raw = base64.b64decode(text, validate=False)
    except (binascii.Error, ValueError) as exc:
        raise ShapeError(QT_TRANSLATE_NOOP("LabelImport", "mask is not valid base64")) from exc
    img = cv2.imdecode(np.frombuffer(raw, np.uint8), cv2.IMREAD_UNCHANGED) if raw else None
    if img is None:
        raise ShapeError(QT_TRANSLATE_NOOP("LabelImport", "mask is not a PNG image"))
    return (img if img.ndim == 2 else img[..., 0]) > 0


def shape_geometry(shape: dict, width: int, height: int) -> tuple[str, object, bool]:
    """One area shape as ("ring", float64 (K, 2)) or ("mask", RasterGeometry), plus whether points
    were clamped into [0, W] x [0, H]. Raises ShapeError with the reason it cannot be used."""
    kind = shape.get("shape_type") or "polygon"  # labelme < 4 wrote no shape_type
    if kind in NO_AREA:
        raise ShapeError(QT_TRANSLATE_NOOP("LabelImport", "a {kind} shape has no area; skipped").format(kind=kind))
    if kind not in ("polygon", "rectangle", "oriented_rectangle", "circle", "mask"):
        raise ShapeError(QT_TRANSLATE_NOOP("LabelImport", "unsupported shape_type {kind}; skipped").format(kind=repr(kind)))
    if kind != "mask" and shape.get("mask") is not None:
        raise ShapeError(QT_TRANSLATE_NOOP("LabelImport", "a {kind} shape must not carry a mask; skipped").format(kind=kind))
    pts = _points(shape)
    need = POINT_COUNTS.get(kind)
    if need is not None and len(pts) != need:
        raise ShapeError(QT_TRANSLATE_NOOP("LabelImport", "a {kind} needs exactly {need} points, got {got}; skipped").format(kind=kind, need=need, got=len(pts)))
    if kind == "polygon" and len(pts) < 3:
        raise ShapeError(QT_TRANSLATE_NOOP("LabelImport", "a polygon needs at least 3 points, got {got}; skipped").format(got=len(pts)))
    if kind == "mask":
        patch = decode_mask_patch(shape.get("mask"))
        x, y = (int(round(v)) for v in pts[0])
        return "mask", RasterGeometry(patch, x, y).tight(), False
    if kind == "circle":
        if np.hypot(*(pts[1] - pts[0])) <= 0:
            raise ShapeError(QT_TRANSLATE_NOOP("LabelImport", "a circle with radius 0; skipped"))
        return "ring", circle_polygon(pts[0], pts[1]), False  # rasterization clips it
    if kind == "rectangle":
        (xa, ya), (xb, yb) = pts
        x0, x1, y0, y1 = min(xa, xb), max(xa, xb), min(ya, yb), max(ya, yb)
        pts = np.array([[x0, y0], [x1, y0], [x1, y1], [x0, y1]])
    lo, hi = np.zeros(2), np.array([float(width), float(height)])
    clamped = bool((pts < lo).any() or (pts > hi).any())
    return "ring", (np.clip(pts, lo, hi) if clamped else pts), clamped


def shapes_to_instances(data: dict, width: int, height: int, resolver: CategoryResolver,
                        report: ImportReport, file_name: str) -> list[Instance]:
    """The instances of a parsed labelme file, in shape order (by each group's first shape)."""
    groups: dict[object, list[tuple[int, dict]]] = {}
    for k, shape in enumerate(data["shapes"]):
        if not isinstance(shape, dict) or not isinstance(shape.get("label"), str) or not shape["label"].strip():
            report.warn(file_name, QT_TRANSLATE_NOOP("LabelRecords", "shape {k}").format(k=k), QT_TRANSLATE_NOOP("LabelImport", "no label; skipped"))
            continue
        gid = shape.get("group_id")
        key = (shape["label"], gid) if isinstance(gid, int) and not isinstance(gid, bool) else ("", k)
        groups.setdefault(key, []).append((k, shape))
    out = []
    for members in groups.values():
        pieces = []
        for k, shape in members:
            try:
                kind, geom, clamped = shape_geometry(shape, width, height)
            except ShapeError as exc:
                report.warn(file_name, QT_TRANSLATE_NOOP("LabelRecords", "shape {k} ({label})").format(k=k, label=shape["label"]), exc)
                continue
            if clamped:
                report.warn(file_name, QT_TRANSLATE_NOOP("LabelRecords", "shape {k} ({label})").format(k=k, label=shape["label"]),
                            QT_TRANSLATE_NOOP("LabelImport", "points outside the {width}x{height} image were clamped to it").format(width=width, height=height))
            pieces.append((kind, geom, shape))
        if not pieces:
            continue
        label = members[0][1]["label"]
        out.append(Instance(0, resolver.resolve(label), _combine(pieces, width, height), source="import",
                            provenance=_provenance(pieces)))
    return out


def _combine(pieces: list, width: int, height: int) -> PolygonGeometry | RasterGeometry:
    rings = [g for kind, g, _ in pieces if kind == "ring"]
    if len(rings) == len(pieces):
        return PolygonGeometry(tuple(rings))
    canvas = np.zeros((height, width), bool)  # mixed polygon + mask group: one raster union
    for kind, geom, _ in pieces:
        (geom if kind == "mask" else PolygonGeometry((geom,)).to_raster((height, width))).paste_into(canvas)
    return RasterGeometry.from_full(canvas)


def _provenance(pieces: list) -> dict:
    prov: dict = {"imported_from": "labelme"}
    shape = pieces[0][2]
    if len(pieces) == 1 and shape.get("shape_type") in ("rectangle", "circle"):
        # lets export write the same rectangle/circle back while the polygon is unedited
        prov["labelme_shape"] = {"shape_type": shape["shape_type"], "points": [list(map(float, p)) for p in shape["points"]]}
    if isinstance(shape.get("description"), str) and shape["description"]:
        prov["description"] = shape["description"]
    return prov
