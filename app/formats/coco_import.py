"""COCO instances JSON import (export: app.formats.coco).

Accepts polygons, compressed and uncompressed RLE and crowd annotations. Each image keeps the
file's image record (id, license, coco_url, ...) and each instance its annotation id
(provenance["coco_id"]), so that an export writes the same ids back. A file of another kind (COCO
panoptic, labelme, COCO results) is refused before anything changes, with a hint.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np

from app.core import rle
from app.core.categories import LabelSet
from app.core.document import Document
from app.core.geometry import PolygonGeometry, RasterGeometry
from app.core.instance import Instance, InstanceState
from app.core.text import QT_TRANSLATE_NOOP
from app.formats.ids import valid_id
from app.formats.project_io import (
    CategoryResolver,
    FormatError,
    ImageMatcher,
    ImportReport,
    ProgressFn,
    ShouldStop,
    commit_import,
    has_size,
    keep_image_record,
    load_document,
    never_stop,
    no_progress,
    parse_color,
    raster_from_full,
)
from app.formats.sniff import COCO, read_json, require
from app.formats.store import ProjectStore


def polygon_from_coco(seg: list, height: int, width: int, warn) -> PolygonGeometry | None:
    """COCO polygon list -> PolygonGeometry; bad parts are reported through warn(reason) and
    dropped, vertices outside [0, W] x [0, H] are clamped (and reported)."""
    parts = []
    clamped = False
    for k, flat in enumerate(seg):
        try:
            arr = np.asarray(flat, dtype=np.float64)
        except (TypeError, ValueError):
            warn(QT_TRANSLATE_NOOP("LabelImport", "polygon part {k} is not a list of numbers; dropped").format(k=k))
            continue
        if arr.ndim != 1 or arr.size % 2:
            warn(QT_TRANSLATE_NOOP("LabelImport", "polygon part {k} has an odd or nested coordinate list; dropped").format(k=k))
            continue
        if arr.size < 6:
            warn(QT_TRANSLATE_NOOP("LabelImport", "polygon part {k} has {points} point(s), fewer than 3; dropped").format(k=k, points=arr.size // 2))
            continue
        if not np.isfinite(arr).all():
            warn(QT_TRANSLATE_NOOP("LabelImport", "polygon part {k} has non-finite coordinates; dropped").format(k=k))
            continue
        ring = arr.reshape(-1, 2)
        lo, hi = np.array([0.0, 0.0]), np.array([float(width), float(height)])
        if (ring < lo).any() or (ring > hi).any():
            ring = np.clip(ring, lo, hi)
            clamped = True
        parts.append(ring)
    if clamped:
        warn(QT_TRANSLATE_NOOP("LabelImport", "coordinates outside the {width}x{height} image were clamped to it").format(width=width, height=height))
    return PolygonGeometry(tuple(parts)) if parts else None


def geometry_from_segmentation(seg: object, height: int, width: int, warn) -> PolygonGeometry | RasterGeometry | None:
    """A COCO `segmentation` (polygons, compressed or uncompressed RLE) as a geometry, or None
    (with the reason given to warn) when unusable."""
    if isinstance(seg, list):
        if not seg:
            warn(QT_TRANSLATE_NOOP("LabelImport", "no segmentation (bounding box only); skipped"))
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
            warn(QT_TRANSLATE_NOOP("LabelImport", "empty mask; skipped"))
            return None
        return geom
    warn(QT_TRANSLATE_NOOP("LabelImport", "segmentation is neither a polygon list nor an RLE dict; skipped"))
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
    name; those missing are added to `labels` once an instance of theirs is imported (the caller
    saves the LabelSet). Annotations with a `score` keep it; as_suggestions=True imports
    everything as suggestions to review. Raises FormatError, changing nothing, when the file
    itself is unusable or is of another format.
    """
    report = ImportReport()
    name = Path(coco_path).name
    data = read_json(coco_path)
    require(data, COCO, name, "COCO instances")
    if not isinstance(data, dict) or not isinstance(data.get("images"), list) or not isinstance(data.get("annotations"), list):
        raise FormatError(QT_TRANSLATE_NOOP("LabelImport", "{name} is not a COCO instances file (no 'images'/'annotations' lists)").format(name=name))
    resolver = CategoryResolver(labels, report)
    cat_map: dict[int, int] = {}
    for cat in data.get("categories") or []:
        try:
            cat_map[int(cat["id"])] = resolver.resolve(
                str(cat["name"]), int(cat["id"]), parse_color(cat.get("color")),
                bool(cat["isthing"]) if "isthing" in cat else None, str(cat.get("supercategory") or ""),
            )
        except (KeyError, TypeError, ValueError) as exc:
            report.warn(name, QT_TRANSLATE_NOOP("LabelRecords", "category {category}").format(category=f"{cat!r:.60}"), QT_TRANSLATE_NOOP("LabelImport", "invalid category ({error}); skipped").format(error=exc))

    matcher = ImageMatcher(images)
    targets: dict[int, tuple[str, dict]] = {}
    for img in data["images"]:
        try:
            iid, fname = int(img["id"]), str(img["file_name"])
        except (KeyError, TypeError, ValueError):
            report.warn(name, QT_TRANSLATE_NOOP("LabelRecords", "image {image}").format(image=f"{img!r:.60}"), QT_TRANSLATE_NOOP("LabelImport", "image record without id/file_name; skipped"))
            continue
        rel, why = matcher.match(fname)
        if rel is None:
            report.unmatched.append(fname)
            if why != "no such image in the folder":
                report.warn(name, QT_TRANSLATE_NOOP("LabelRecords", "image {id} ({name})").format(id=iid, name=fname), why)
            continue
        targets[iid] = (rel, img)

    by_image: dict[int, list[dict]] = {}
    for ann in data["annotations"]:
        if not isinstance(ann, dict):
            report.warn(name, QT_TRANSLATE_NOOP("LabelRecords", "annotation"), QT_TRANSLATE_NOOP("LabelImport", "not an object; skipped"))
            continue
        try:
            by_image.setdefault(int(ann["image_id"]), []).append(ann)
        except (KeyError, TypeError, ValueError):
            report.warn(name, QT_TRANSLATE_NOOP("LabelRecords", "annotation {id}").format(id=ann.get("id")), QT_TRANSLATE_NOOP("LabelImport", "no valid image_id; skipped"))
    known_images = {int(i["id"]) for i in data["images"] if isinstance(i, dict) and "id" in i}
    for iid in by_image:
        if iid not in known_images:
            report.warn(name, f"image_id {iid}", QT_TRANSLATE_NOOP("LabelImport", "annotations refer to an image missing from 'images'; skipped"))

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
        if new:
            keep_image_record(doc, img, name, report)
        commit_import(store, doc, new, report, resolver)
        progress(done + 1, len(todo))
    if report.instances_added and not report.cancelled:
        keep_unannotated_ids(Path(folder), store, [targets[i] for i in targets if not by_image.get(i)], name, report)
    return report


def keep_unannotated_ids(folder: Path, store: ProjectStore, images: list[tuple[str, dict]], name: str,
                         report: ImportReport) -> None:
    """Once an import has added something, also remember the ids of the file's images that have
    no annotations (negatives), so an export lists every image under its own id. Only images
    without a kept id are written, and nothing else of them changes."""
    for rel, img in images:
        doc, warning = load_document(folder, store, rel)
        if warning or not has_size(doc) or doc.image_info or not valid_id(img.get("id")):
            continue
        if (img.get("width"), img.get("height")) not in ((doc.width, doc.height), (None, None)):
            continue
        keep_image_record(doc, img, name, report)
        store.save_document(doc)


def _sizes_agree(img: dict, doc: Document, name: str, report: ImportReport) -> bool:
    try:
        w, h = int(img.get("width", doc.width)), int(img.get("height", doc.height))
    except (TypeError, ValueError):
        w, h = doc.width, doc.height
    if (w, h) != (doc.width, doc.height):
        report.warn(name, QT_TRANSLATE_NOOP("LabelRecords", "image {id} ({name})").format(id=img.get("id"), name=img.get("file_name")),
                    QT_TRANSLATE_NOOP("LabelImport", "the file says {w}x{h} but the image is {width}x{height}; image skipped")
                    .format(w=w, h=h, width=doc.width, height=doc.height))
        return False
    return True


def _annotation_to_instance(
    ann: dict, height: int, width: int, cat_map: dict[int, int], name: str, report: ImportReport,
    as_suggestions: bool,
) -> Instance | None:
    record = QT_TRANSLATE_NOOP("LabelRecords", "annotation {id}").format(id=ann.get("id"))

    def warn(reason: str) -> None:
        report.warn(name, record, reason)

    try:
        file_cat = int(ann["category_id"])
    except (KeyError, TypeError, ValueError):
        warn(QT_TRANSLATE_NOOP("LabelImport", "no valid category_id; skipped"))
        return None
    if file_cat not in cat_map:
        warn(QT_TRANSLATE_NOOP("LabelImport", "unknown category id {id} (not declared in 'categories'); skipped").format(id=file_cat))
        return None
    geom = geometry_from_segmentation(ann.get("segmentation"), height, width, warn)
    if geom is None:
        return None
    score = ann.get("score")
    try:
        score = None if score is None else float(score)
    except (TypeError, ValueError):
        warn(QT_TRANSLATE_NOOP("LabelImport", "score is not a number; ignored"))
        score = None
    prov: dict = {"imported_from": "coco"}
    if valid_id(ann.get("id")):
        prov["coco_id"] = ann["id"]  # written back by the export
    if ann.get("iscrowd"):
        prov["iscrowd"] = 1
    state = InstanceState.SUGGESTED if as_suggestions else InstanceState.ACCEPTED
    return Instance(0, cat_map[file_cat], geom, source="import", score=score, state=state, provenance=prov)
