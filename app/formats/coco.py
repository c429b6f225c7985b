"""COCO instances JSON: export documents as COCO, import COCO annotations into the project.

Export rules (formats-and-speed.md §1.1):
- image ids and annotation ids start at 1; category ids are the project's (1-based, gaps allowed);
- `segmentation` is a polygon list for vector instances and compressed RLE (`counts` as str) for
  raster ones ("auto"), or all one kind; polygons with holes and crowd regions are always RLE;
- `area` is the mask's pixel area (cocoeval uses it for the small/medium/large split) and `bbox`
  the tight pixel box [x, y, w, h] of that mask;
- raster masks are encoded from their crop (app.core.rle.encode_crop), never as a full-image Fortran
  copy, and decode back bit-exact.
Import accepts polygons, compressed and uncompressed RLE and crowd annotations; see import_coco.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable
from pathlib import Path

import numpy as np
from pycocotools import mask as mask_utils

from app.core import rle
from app.core.categories import LabelSet
from app.core.document import Document
from app.core.geometry import PolygonGeometry, RasterGeometry
from app.core.instance import Instance, InstanceState
from app.formats.atomic import write_json_atomic
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
    load_document,
    never_stop,
    no_progress,
    parse_color,
    raster_from_full,
)
from app.formats.store import ProjectStore

SEGMENTATION_MODES = ("auto", "polygon", "rle")


def coco_categories(labels: LabelSet) -> list[dict]:
    """COCO `categories` for every project class (ids kept, `isthing`/`color` for panoptic tools)."""
    return [
        {"id": c.id, "name": c.name, "supercategory": c.name, "isthing": int(c.isthing), "color": list(c.color)}
        for c in labels
    ]


def polygon_to_coco(geom: PolygonGeometry, height: int, width: int) -> tuple[list[list[float]], int, list[int]]:
    """(segmentation polygons, area, bbox) of a hole-free polygon set on an (height, width) image.

    Parts with fewer than 3 points are dropped: pycocotools would read a 4-number part as a box.
    Area and bbox come from COCO's own rasterization, so they match what COCO() computes.
    """
    flat = [p.reshape(-1).tolist() for p in geom.parts if len(p) >= 3]
    if not flat:
        return [], 0, [0, 0, 0, 0]
    merged = mask_utils.merge(mask_utils.frPyObjects(flat, height, width))
    area = int(mask_utils.area(merged))
    bbox = [int(v) for v in mask_utils.toBbox(merged)]
    return flat, area, bbox


def raster_to_coco(geom: RasterGeometry, height: int, width: int) -> tuple[dict, int, list[int]]:
    """(compressed RLE with str counts, area, bbox) of a cropped mask clipped to the image."""
    x0, y0, x1, y1 = geom.bbox()
    cx0, cy0, cx1, cy1 = max(x0, 0), max(y0, 0), min(x1, width), min(y1, height)
    if cx1 <= cx0 or cy1 <= cy0:
        return {"size": [height, width], "counts": ""}, 0, [0, 0, 0, 0]
    sub = geom.mask[cy0 - y0 : cy1 - y0, cx0 - x0 : cx1 - x0]
    clipped = RasterGeometry(sub, cx0, cy0) if (cx0, cy0, cx1, cy1) == (x0, y0, x1, y1) else \
        RasterGeometry(sub, cx0, cy0).tight()
    if clipped.is_empty():
        return {"size": [height, width], "counts": ""}, 0, [0, 0, 0, 0]
    bx0, by0, bx1, by1 = clipped.bbox()
    return rle.encode_crop(clipped.mask, clipped.x, clipped.y, height, width), clipped.area(), [
        bx0, by0, bx1 - bx0, by1 - by0
    ]


def instance_to_annotation(inst: Instance, height: int, width: int, mode: str = "auto") -> dict | None:
    """A COCO annotation dict without `id`/`image_id`, or None when nothing lies in the image."""
    crowd = int(bool(inst.provenance.get("iscrowd", 0)))
    geom = inst.geometry
    if mode == "polygon" and isinstance(geom, RasterGeometry):
        traced = geom.to_polygon()
        geom = traced if traced.parts else geom
    use_polygon = isinstance(geom, PolygonGeometry) and not geom.holes and not crowd and mode != "rle"
    if use_polygon:
        seg, area, bbox = polygon_to_coco(geom, height, width)  # type: ignore[arg-type]
    else:
        raster = geom if isinstance(geom, RasterGeometry) else geom.to_raster((height, width))
        seg, area, bbox = raster_to_coco(raster, height, width)
    if area == 0:
        return None
    ann = {"category_id": inst.category_id, "segmentation": seg, "area": float(area), "bbox": bbox, "iscrowd": crowd}
    return ann


def coco_from_documents(
    docs: Iterable[Document],
    labels: LabelSet,
    *,
    include_suggestions: bool = False,
    segmentation: str = "auto",
    include_scores: bool = True,
    report: ExportReport | None = None,
    should_stop: ShouldStop = never_stop,
    progress: ProgressFn = no_progress,
    total: int = 0,
) -> dict | None:
    """The COCO instances dict of `docs` (images numbered from 1 in iteration order), or None
    when cancelled. Instances of classes missing from `labels` are exported and reported."""
    if segmentation not in SEGMENTATION_MODES:
        raise ValueError(f"segmentation must be one of {SEGMENTATION_MODES}")
    report = report or ExportReport()
    images: list[dict] = []
    annotations: list[dict] = []
    n = 0
    for done, doc in enumerate(docs, start=1):
        if should_stop():
            report.cancelled = True
            return None
        if not has_size(doc):
            progress(done, total)
            continue
        n += 1
        images.append({"id": n, "file_name": doc.image_name, "width": doc.width, "height": doc.height})
        for inst in exported_instances(doc, include_suggestions):
            ann = instance_to_annotation(inst, doc.height, doc.width, segmentation)
            if ann is None:
                report.warn(doc.image_name, f"instance {inst.id}", "lies outside the image; skipped")
                continue
            if inst.category_id not in labels:
                report.warn(doc.image_name, f"instance {inst.id}", f"class id {inst.category_id} is not in the class list")
            if include_scores and inst.score is not None:
                ann["score"] = float(inst.score)
            annotations.append({"id": len(annotations) + 1, "image_id": n, **ann})
        report.images = n
        progress(done, total)
    report.instances = len(annotations)
    return {
        "info": {"description": "Exported by MaskPilot"},
        "licenses": [],
        "images": images,
        "annotations": annotations,
        "categories": coco_categories(labels),
    }


def export_coco(
    folder: str | os.PathLike,
    store: ProjectStore,
    labels: LabelSet,
    images: list[str],
    out_path: str | os.PathLike,
    *,
    include_suggestions: bool = False,
    segmentation: str = "auto",
    include_scores: bool = True,
    should_stop: ShouldStop = never_stop,
    progress: ProgressFn = no_progress,
) -> ExportReport:
    """Write the COCO instances JSON of `images` (project-relative paths) to `out_path`.

    Nothing is written when cancelled. Raises FormatError when the output cannot be written.
    """
    report = ExportReport(path=str(out_path))
    folder = Path(folder)

    def docs() -> Iterable[Document]:
        for rel in images:
            doc, warning = load_document(folder, store, rel)
            if warning:
                report.warn(rel, "", warning)
            yield doc

    data = coco_from_documents(
        docs(), labels, include_suggestions=include_suggestions, segmentation=segmentation,
        include_scores=include_scores, report=report, should_stop=should_stop, progress=progress,
        total=len(images),
    )
    if data is None:
        return report
    try:
        Path(out_path).parent.mkdir(parents=True, exist_ok=True)
        write_json_atomic(out_path, data)
    except OSError as exc:
        raise FormatError(f"cannot write {out_path}: {exc.strerror or exc}") from exc
    report.files_written = 1
    return report


# ---- import ----------------------------------------------------------------------------------


def read_json(path: str | os.PathLike) -> object:
    """Parse a JSON file, turning every failure into a FormatError with the file name."""
    try:
        with open(path, encoding="utf-8-sig") as fh:
            return json.load(fh)
    except OSError as exc:
        raise FormatError(f"cannot read {Path(path).name}: {exc.strerror or exc}") from exc
    except (ValueError, UnicodeDecodeError) as exc:
        raise FormatError(f"{Path(path).name} is not valid JSON: {exc}") from exc


def polygon_from_coco(seg: list, height: int, width: int, warn) -> PolygonGeometry | None:
    """COCO polygon list -> PolygonGeometry; bad parts are reported through warn(reason) and
    dropped, vertices outside [0, W] x [0, H] are clamped (and reported)."""
    parts = []
    clamped = False
    for k, flat in enumerate(seg):
        try:
            arr = np.asarray(flat, dtype=np.float64)
        except (TypeError, ValueError):
            warn(f"polygon part {k} is not a list of numbers; dropped")
            continue
        if arr.ndim != 1 or arr.size % 2:
            warn(f"polygon part {k} has an odd or nested coordinate list; dropped")
            continue
        if arr.size < 6:
            warn(f"polygon part {k} has {arr.size // 2} point(s), fewer than 3; dropped")
            continue
        if not np.isfinite(arr).all():
            warn(f"polygon part {k} has non-finite coordinates; dropped")
            continue
        ring = arr.reshape(-1, 2)
        lo, hi = np.array([0.0, 0.0]), np.array([float(width), float(height)])
        if (ring < lo).any() or (ring > hi).any():
            ring = np.clip(ring, lo, hi)
            clamped = True
        parts.append(ring)
    if clamped:
        warn(f"coordinates outside the {width}x{height} image were clamped to it")
    return PolygonGeometry(tuple(parts)) if parts else None


def geometry_from_segmentation(seg: object, height: int, width: int, warn) -> PolygonGeometry | RasterGeometry | None:
    """A COCO `segmentation` (polygons, compressed or uncompressed RLE) as a geometry, or None
    (with the reason given to warn) when unusable."""
    if isinstance(seg, list):
        if not seg:
            warn("no segmentation (bounding box only); skipped")
            return None
        return polygon_from_coco(seg, height, width, warn)
    if isinstance(seg, dict):
        try:
            mask = rle.decode(seg, expected_size=(height, width))
        except rle.RleError as exc:
            warn(str(exc))
            return None
        geom = raster_from_full(mask)
        if geom.is_empty():
            warn("empty mask; skipped")
            return None
        return geom
    warn("segmentation is neither a polygon list nor an RLE dict; skipped")
    return None


def import_coco(
    folder: str | os.PathLike,
    store: ProjectStore,
    labels: LabelSet,
    images: list[str],
    coco_path: str | os.PathLike,
    *,
    as_suggestions: bool = False,
    should_stop: ShouldStop = never_stop,
    progress: ProgressFn = no_progress,
) -> ImportReport:
    """Import a COCO instances file into the project, appending to existing labels.

    Images are matched by relative path, else by unique basename. Categories are matched by
    name and added to `labels` when missing (the caller saves the LabelSet). Annotations with a
    `score` keep it; as_suggestions=True imports everything as suggestions to review.
    Raises FormatError when the file itself is unusable.
    """
    report = ImportReport()
    name = Path(coco_path).name
    data = read_json(coco_path)
    if not isinstance(data, dict) or not isinstance(data.get("images"), list) or not isinstance(data.get("annotations"), list):
        raise FormatError(f"{name} is not a COCO instances file (no 'images'/'annotations' lists)")
    resolver = CategoryResolver(labels, report)
    cat_map: dict[int, int] = {}
    for cat in data.get("categories") or []:
        try:
            cat_map[int(cat["id"])] = resolver.resolve(
                str(cat["name"]), int(cat["id"]), parse_color(cat.get("color")),
                bool(cat["isthing"]) if "isthing" in cat else None,
            )
        except (KeyError, TypeError, ValueError) as exc:
            report.warn(name, f"category {cat!r:.60}", f"invalid category ({exc}); skipped")

    matcher = ImageMatcher(images)
    targets: dict[int, tuple[str, dict]] = {}
    for img in data["images"]:
        try:
            iid, fname = int(img["id"]), str(img["file_name"])
        except (KeyError, TypeError, ValueError):
            report.warn(name, f"image {img!r:.60}", "image record without id/file_name; skipped")
            continue
        rel, why = matcher.match(fname)
        if rel is None:
            report.unmatched.append(fname)
            if why != "no such image in the folder":
                report.warn(name, f"image {iid} ({fname})", why)
            continue
        targets[iid] = (rel, img)

    by_image: dict[int, list[dict]] = {}
    for ann in data["annotations"]:
        if not isinstance(ann, dict):
            report.warn(name, "annotation", "not an object; skipped")
            continue
        try:
            by_image.setdefault(int(ann["image_id"]), []).append(ann)
        except (KeyError, TypeError, ValueError):
            report.warn(name, f"annotation {ann.get('id')}", "no valid image_id; skipped")
    known_images = {int(i["id"]) for i in data["images"] if isinstance(i, dict) and "id" in i}
    for iid in by_image:
        if iid not in known_images:
            report.warn(name, f"image_id {iid}", "annotations refer to an image missing from 'images'; skipped")

    todo = [iid for iid in targets if by_image.get(iid)]
    for done, iid in enumerate(todo):
        if should_stop():
            report.cancelled = True
            break
        rel, img = targets[iid]
        doc, warning = load_document(Path(folder), store, rel)
        if warning:
            report.warn(rel, "", warning)
        if not has_size(doc) or not _sizes_agree(img, doc, name, report):
            progress(done + 1, len(todo))
            continue
        new = []
        for ann in by_image[iid]:
            inst = _annotation_to_instance(ann, doc.height, doc.width, cat_map, name, report, as_suggestions)
            if inst is not None:
                new.append(inst)
        commit_import(store, doc, new, report)
        progress(done + 1, len(todo))
    return report


def _sizes_agree(img: dict, doc: Document, name: str, report: ImportReport) -> bool:
    try:
        w, h = int(img.get("width", doc.width)), int(img.get("height", doc.height))
    except (TypeError, ValueError):
        w, h = doc.width, doc.height
    if (w, h) != (doc.width, doc.height):
        report.warn(name, f"image {img.get('id')} ({img.get('file_name')})",
                    f"the file says {w}x{h} but the image is {doc.width}x{doc.height}; image skipped")
        return False
    return True


def _annotation_to_instance(
    ann: dict, height: int, width: int, cat_map: dict[int, int], name: str, report: ImportReport,
    as_suggestions: bool,
) -> Instance | None:
    record = f"annotation {ann.get('id')}"

    def warn(reason: str) -> None:
        report.warn(name, record, reason)

    try:
        file_cat = int(ann["category_id"])
    except (KeyError, TypeError, ValueError):
        warn("no valid category_id; skipped")
        return None
    if file_cat not in cat_map:
        warn(f"unknown category id {file_cat} (not declared in 'categories'); skipped")
        return None
    geom = geometry_from_segmentation(ann.get("segmentation"), height, width, warn)
    if geom is None:
        return None
    score = ann.get("score")
    try:
        score = None if score is None else float(score)
    except (TypeError, ValueError):
        warn("score is not a number; ignored")
        score = None
    prov: dict = {"imported_from": "coco"}
    if ann.get("iscrowd"):
        prov["iscrowd"] = 1
    state = InstanceState.SUGGESTED if as_suggestions else InstanceState.ACCEPTED
    return Instance(0, cat_map[file_cat], geom, source="import", score=score, state=state, provenance=prov)
