"""labelme JSON in and out (landscape.md §5.1).

Shapes and instances: shapes sharing a non-null group_id and a label form one instance with
several parts (labelme's own converters group by (label, group_id)); shapes with group_id null
are instances of their own. Area shapes are imported: polygon (>= 3 points), rectangle (2
corners), oriented_rectangle (4 points), circle (centre + rim point, as a polygon) and mask (2
points, [[xmin, ymin], [xmax, ymax]] inclusive, plus a base64 PNG of the cropped patch pasted at
the rounded first point). point/line/linestrip shapes have no area and are reported.

labelme point coordinates are used as our pixel-corner coordinates unchanged, exactly as
labelme's own COCO converter passes them to pycocotools, so polygons import vertex for vertex.

Security: `imagePath` is only ever compared by basename, never opened, and `imageData` is
ignored, so a label file cannot make us read or write outside the project.
"""

from __future__ import annotations

import base64
import binascii
import json
import math
import os
import posixpath
from pathlib import Path

import cv2
import numpy as np

from app.core.categories import LabelSet
from app.core.document import Document
from app.core.geometry import PolygonGeometry, RasterGeometry, to_raster
from app.core.instance import Instance
from app.formats.atomic import write_bytes_atomic
from app.formats.project_io import (
    CategoryResolver,
    ExportReport,
    FormatError,
    ImageMatcher,
    ImportReport,
    ProgressFn,
    ShouldStop,
    commit_import,
    exported_instances,
    has_size,
    iter_documents,
    load_document,
    never_stop,
    no_progress,
)
from app.formats.store import ProjectStore

LABELME_VERSION = "5.5.0"
#: Exact point counts per shape type (labelme _shape.py); polygons need at least 3.
POINT_COUNTS = {"rectangle": 2, "circle": 2, "mask": 2, "oriented_rectangle": 4, "point": 1, "line": 2}
NO_AREA = {"point", "line", "linestrip", "points"}


class ShapeError(ValueError):
    """A shape that cannot be imported; str() is the reason."""


# ---- finding and reading files ----------------------------------------------------------------


def find_labelme_files(folder: str | os.PathLike, images: list[str]) -> dict[str, Path]:
    """image rel path -> labelme JSON lying next to it (`<folder>/<rel without ext>.json`).

    Each sub-folder is listed once (not one stat per image), and a JSON counts only when it
    looks like a labelme file (has a "shapes" key), so our own or other tools' JSONs are ignored.
    """
    root = Path(folder)
    listing: dict[str, set[str]] = {}
    candidates: dict[Path, list[str]] = {}
    for rel in images:
        parent, base = posixpath.split(rel)
        if parent not in listing:
            try:
                listing[parent] = {e.name for e in os.scandir(root / parent) if e.name.endswith(".json")}
            except OSError:
                listing[parent] = set()
        name = posixpath.splitext(base)[0] + ".json"
        if name in listing[parent]:
            candidates.setdefault(root / parent / name, []).append(rel)
    found: dict[str, Path] = {}
    for path, rels in candidates.items():
        if not _looks_like_labelme(path):
            continue
        if len(rels) > 1:  # img.jpg and img.png beside one img.json: its imagePath decides
            try:
                named = posixpath.basename(str(read_labelme(path).get("imagePath") or "").replace("\\", "/"))
            except FormatError:
                continue
            rels = [r for r in rels if posixpath.basename(r) == named]
        if len(rels) == 1:
            found[rels[0]] = path
    return found


def _looks_like_labelme(path: Path) -> bool:
    try:
        with open(path, "rb") as fh:
            head = fh.read(65536)
            if b'"shapes"' in head:
                return True
            if len(head) < 65536:
                return False
        data = json.loads(path.read_bytes())  # "shapes" after a large imageData
        return isinstance(data, dict) and "shapes" in data
    except (OSError, ValueError):
        return False


def read_labelme(path: str | os.PathLike) -> dict:
    """Parse a labelme JSON file. Raises FormatError with a readable reason."""
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8-sig"))
    except OSError as exc:
        raise FormatError(f"cannot read {Path(path).name}: {exc.strerror or exc}") from exc
    except (ValueError, UnicodeDecodeError) as exc:
        raise FormatError(f"{Path(path).name} is not valid JSON: {exc}") from exc
    if not isinstance(data, dict) or not isinstance(data.get("shapes"), list):
        raise FormatError(f"{Path(path).name} is not a labelme file (no 'shapes' list)")
    return data


# ---- shapes -> geometry --------------------------------------------------------------------------


def _points(shape: dict) -> np.ndarray:
    pts = shape.get("points")
    if not isinstance(pts, list) or not pts:
        raise ShapeError("no points")
    for p in pts:
        if not isinstance(p, (list, tuple)) or len(p) != 2 or any(isinstance(v, bool) or not isinstance(v, (int, float)) for v in p):
            raise ShapeError("points must be [x, y] number pairs")
    arr = np.asarray(pts, dtype=np.float64)
    if not np.isfinite(arr).all():
        raise ShapeError("points are not finite")
    return arr


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
        raise ShapeError("mask shape without a 'mask' PNG")
    try:
        raw = base64.b64decode(text, validate=False)
    except (binascii.Error, ValueError) as exc:
        raise ShapeError("mask is not valid base64") from exc
    img = cv2.imdecode(np.frombuffer(raw, np.uint8), cv2.IMREAD_UNCHANGED) if raw else None
    if img is None:
        raise ShapeError("mask is not a PNG image")
    return (img if img.ndim == 2 else img[..., 0]) > 0


def shape_geometry(shape: dict, width: int, height: int) -> tuple[str, object, bool]:
    """One area shape as ("ring", float64 (K, 2)) or ("mask", RasterGeometry), plus whether points
    were clamped into [0, W] x [0, H]. Raises ShapeError with the reason it cannot be used."""
    kind = shape.get("shape_type") or "polygon"  # labelme < 4 wrote no shape_type
    if kind in NO_AREA:
        raise ShapeError(f"a {kind} shape has no area; skipped")
    if kind not in ("polygon", "rectangle", "oriented_rectangle", "circle", "mask"):
        raise ShapeError(f"unsupported shape_type {kind!r}; skipped")
    if kind != "mask" and shape.get("mask") is not None:
        raise ShapeError(f"a {kind} shape must not carry a mask; skipped")
    pts = _points(shape)
    need = POINT_COUNTS.get(kind)
    if need is not None and len(pts) != need:
        raise ShapeError(f"a {kind} needs exactly {need} points, got {len(pts)}; skipped")
    if kind == "polygon" and len(pts) < 3:
        raise ShapeError(f"a polygon needs at least 3 points, got {len(pts)}; skipped")
    if kind == "mask":
        patch = decode_mask_patch(shape.get("mask"))
        x, y = (int(round(v)) for v in pts[0])
        return "mask", RasterGeometry(patch, x, y).tight(), False
    if kind == "circle":
        if np.hypot(*(pts[1] - pts[0])) <= 0:
            raise ShapeError("a circle with radius 0; skipped")
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
            report.warn(file_name, f"shape {k}", "no label; skipped")
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
                report.warn(file_name, f"shape {k} ({shape['label']})", str(exc))
                continue
            if clamped:
                report.warn(file_name, f"shape {k} ({shape['label']})",
                            f"points outside the {width}x{height} image were clamped to it")
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


# ---- import --------------------------------------------------------------------------------------


def import_labelme(
    folder: str | os.PathLike,
    store: ProjectStore,
    labels: LabelSet,
    images: list[str],
    *,
    source_dir: str | os.PathLike | None = None,
    should_stop: ShouldStop = never_stop,
    progress: ProgressFn = no_progress,
) -> ImportReport:
    """Import labelme JSONs: from next to the images (source_dir None), or from source_dir,
    matched by path without extension, else by the basename of `imagePath`. Labels unknown
    to the project are added to `labels`. Each file is imported all-or-nothing per image."""
    report = ImportReport()
    pairs = _pairs(Path(folder), images, source_dir, report)
    for done, (rel, path) in enumerate(pairs, start=1):
        if should_stop():
            report.cancelled = True
            break
        _import_file(Path(folder), store, labels, rel, path, report)
        progress(done, len(pairs))
    return report


def _pairs(folder: Path, images: list[str], source_dir, report: ImportReport) -> list[tuple[str, Path]]:
    if source_dir is None:
        return list(find_labelme_files(folder, images).items())
    src = Path(source_dir)
    matcher = ImageMatcher(images)
    pairs, seen = [], set()
    for path in sorted(src.rglob("*.json")):
        rel = matcher.match_stem(path.relative_to(src).with_suffix("").as_posix())
        if rel is None:
            try:
                rel, _why = matcher.match(str(read_labelme(path).get("imagePath") or ""))
            except FormatError as exc:
                report.warn(path.name, "", str(exc))
                continue
        if rel is None or rel in seen:
            report.unmatched.append(path.relative_to(src).as_posix())
            continue
        seen.add(rel)
        pairs.append((rel, path))
    return pairs


def _import_file(folder: Path, store: ProjectStore, labels: LabelSet, rel: str, path: Path, report: ImportReport) -> None:
    try:
        data = read_labelme(path)
    except FormatError as exc:
        report.warn(path.name, "", str(exc))
        return
    doc, warning = load_document(folder, store, rel)
    if warning:
        report.warn(rel, "", warning)
    if not has_size(doc):
        return
    w, h = data.get("imageWidth"), data.get("imageHeight")
    if isinstance(w, int) and isinstance(h, int) and w > 0 and h > 0 and (w, h) != (doc.width, doc.height):
        report.warn(path.name, "", f"written for a {w}x{h} image but {rel} is {doc.width}x{doc.height}; skipped")
        return
    named = posixpath.basename(str(data.get("imagePath") or "").replace("\\", "/"))
    if named and named != posixpath.basename(rel):
        report.warn(path.name, "imagePath", f"names {named!r}; imported for {rel}, the image it lies next to")
    new = shapes_to_instances(data, doc.width, doc.height, CategoryResolver(labels, report), report, path.name)
    commit_import(store, doc, new, report)


# ---- export --------------------------------------------------------------------------------------


def _shape(label: str, points, shape_type: str, group_id: int | None, mask: str | None = None) -> dict:
    return {"label": label, "points": points, "group_id": group_id, "description": "",
            "shape_type": shape_type, "flags": {}, "mask": mask}


def _mask_shape(label: str, raster: RasterGeometry) -> dict:
    x0, y0, x1, y1 = raster.bbox()
    ok, buf = cv2.imencode(".png", raster.mask.astype(np.uint8))
    if not ok:
        raise FormatError("could not encode a mask patch")
    return _shape(label, [[float(x0), float(y0)], [float(x1 - 1), float(y1 - 1)]], "mask", None,
                  base64.b64encode(buf.tobytes()).decode("ascii"))


def instance_shapes(inst: Instance, label: str, group_id: int, width: int, height: int,
                    raster_as: str = "mask") -> list[dict]:
    """labelme shapes of one instance: the original rectangle/circle when unedited, one polygon
    per part (sharing `group_id` when there are several), or a mask shape for rasters and
    polygons with holes (labelme has no holes)."""
    geom = inst.geometry
    original = inst.provenance.get("labelme_shape")
    if isinstance(original, dict) and isinstance(geom, PolygonGeometry) and len(geom.parts) == 1 and not geom.holes:
        try:
            kind, ring, _ = shape_geometry({**original, "label": label}, width, height)
            if kind == "ring" and np.array_equal(ring, geom.parts[0]):
                return [_shape(label, original["points"], original["shape_type"], None)]
        except (ShapeError, TypeError):
            pass
    if isinstance(geom, RasterGeometry) and raster_as == "polygon":
        traced = geom.to_polygon()
        geom = traced if traced.parts else geom
    if isinstance(geom, PolygonGeometry) and not geom.holes:
        parts = [p for p in geom.parts if len(p) >= 3]
        gid = group_id if len(parts) > 1 else None
        return [_shape(label, p.tolist(), "polygon", gid) for p in parts]
    raster = to_raster(geom, (height, width))
    return [] if raster.is_empty() else [_mask_shape(label, raster)]


def document_to_labelme(doc: Document, labels: LabelSet, image_path: str, include_suggestions: bool = False,
                        raster_as: str = "mask") -> dict:
    """The labelme dict of a document; image_path is written as given (relative to the JSON)."""
    shapes: list[dict] = []
    for n, inst in enumerate(exported_instances(doc, include_suggestions), start=1):
        shapes.extend(instance_shapes(inst, labels.name(inst.category_id), n, doc.width, doc.height, raster_as))
    return {"version": LABELME_VERSION, "flags": {}, "shapes": shapes, "imagePath": image_path,
            "imageData": None, "imageHeight": doc.height, "imageWidth": doc.width}


def export_labelme(
    folder: str | os.PathLike,
    store: ProjectStore,
    labels: LabelSet,
    images: list[str],
    out_dir: str | os.PathLike,
    *,
    include_suggestions: bool = False,
    raster_as: str = "mask",
    should_stop: ShouldStop = never_stop,
    progress: ProgressFn = no_progress,
) -> ExportReport:
    """Write `<out_dir>/<rel without ext>.json` per image (out_dir = the image folder puts them
    next to the images, labelme's layout); imagePath is relative to each JSON."""
    out = Path(out_dir)
    report = ExportReport(path=str(out))
    try:
        for n, rel, doc in iter_documents(folder, store, images, report, should_stop):
            target = out / (posixpath.splitext(rel)[0] + ".json")
            image_path = Path(os.path.relpath(Path(folder).resolve() / rel, out.resolve() / posixpath.dirname(rel)))
            for inst in exported_instances(doc, include_suggestions):
                if inst.category_id not in labels:
                    report.warn(rel, f"instance {inst.id}", f"class id {inst.category_id} is not in the class list")
            data = document_to_labelme(doc, labels, image_path.as_posix(), include_suggestions, raster_as)
            target.parent.mkdir(parents=True, exist_ok=True)
            write_bytes_atomic(target, json.dumps(data, ensure_ascii=False, indent=2).encode("utf-8"))
            report.images, report.files_written = n, n
            report.instances += len(exported_instances(doc, include_suggestions))
            progress(n, len(images))
    except OSError as exc:
        raise FormatError(f"cannot write labelme files into {out}: {exc.strerror or exc}") from exc
    return report
