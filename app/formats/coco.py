"""COCO instances JSON: export documents as COCO (import: app.formats.coco_import).

Export rules (formats-and-speed.md §1.1):
- image ids and annotation ids kept from an imported file are written back (app.formats.ids);
  the others are numbered from one above the largest kept id; category ids are the project's
  (1-based, gaps allowed), categories listed by id;
- `segmentation` is a polygon list for vector instances and compressed RLE (`counts` as str) for
  raster ones ("auto"), or all one kind; polygons with holes and crowd regions are always RLE;
  rasters written as polygons are traced so that pycocotools gives the mask back (a warning
  gives the IoU when it does not, e.g. for a mask with holes in "polygon" mode it stays RLE);
- instances of the class "__ignore__" (labelme's do-not-care regions) are crowd regions:
  `iscrowd: 1`, RLE, so COCOeval ignores detections there instead of counting them as misses;
- `area` is the mask's pixel area (cocoeval uses it for the small/medium/large split) and `bbox`
  the tight pixel box [x, y, w, h] of that mask;
- raster masks are encoded from their crop (app.core.rle.encode_crop), never as a full-image Fortran
  copy, and decode back bit-exact.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path

import numpy as np
from pycocotools import mask as mask_utils

from app.core import rle
from app.core.categories import LabelSet
from app.core.document import Document
from app.core.geometry import PolygonGeometry, RasterGeometry
from app.core.instance import Instance
from app.core.text import QT_TRANSLATE_NOOP
from app.core.tracing import TracedMask
from app.formats.atomic import write_json_atomic
from app.formats.coco_import import geometry_from_segmentation, import_coco, polygon_from_coco
from app.formats.fidelity import coco_reader, frame_box, report_fidelity, trace_for_export
from app.formats.ids import assign_ids
from app.formats.project_io import (
    ExportReport,
    FormatError,
    ProgressFn,
    ShouldStop,
    exported_instances,
    has_size,
    is_ignore,
    load_document,
    never_stop,
    no_progress,
)
from app.formats.sniff import read_json
from app.formats.store import ProjectStore

__all__ = [
    "SEGMENTATION_MODES", "coco_categories", "coco_from_documents", "export_coco", "geometry_from_segmentation",
    "import_coco", "instance_to_annotation", "polygon_from_coco", "read_json",
]

SEGMENTATION_MODES = ("auto", "polygon", "rle")


def coco_categories(labels: LabelSet, skip_ignore: bool = False) -> list[dict]:
    """COCO `categories` for every project class, by id (`isthing`/`color` for panoptic tools;
    `supercategory` as imported, else the name). skip_ignore leaves "__ignore__" out."""
    return [
        {"id": c.id, "name": c.name, "supercategory": c.supercategory or c.name, "isthing": int(c.isthing),
         "color": list(c.color)}
        for c in sorted(labels, key=lambda c: c.id)
        if not (skip_ignore and is_ignore(labels, c.id))
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


def instance_to_annotation(inst: Instance, height: int, width: int, mode: str = "auto", ignore: bool = False,
                           report: ExportReport | None = None, image: str = "") -> dict | None:
    """A COCO annotation dict without `id`/`image_id`, or None when nothing lies in the image.
    ignore=True writes the instance as a crowd region; `report` gets a warning when a traced
    raster does not come back from pycocotools with IoU >= WARN_BELOW_IOU."""
    crowd = int(bool(inst.provenance.get("iscrowd", 0)) or ignore)
    geom = inst.geometry
    traced: PolygonGeometry | None = None
    if mode == "polygon" and isinstance(geom, RasterGeometry) and not crowd:
        rings, iou = trace_for_export(geom, height, width, _coco_read_back)
        parts, holes = rings.polygon_rings()
        if parts and not holes:  # COCO polygon lists are a union: holes need RLE
            traced = PolygonGeometry(tuple(parts))
            if report is not None:
                report_fidelity(report, image, inst, iou, QT_TRANSLATE_NOOP("LabelExport", "COCO polygons"), QT_TRANSLATE_NOOP("LabelExport", "RLE segmentation keeps it exact"))
    if traced is not None:
        seg, area, bbox = polygon_to_coco(traced, height, width)
    elif isinstance(geom, PolygonGeometry) and not geom.holes and not crowd and mode != "rle":
        seg, area, bbox = polygon_to_coco(geom, height, width)
    else:
        raster = geom if isinstance(geom, RasterGeometry) else geom.to_raster((height, width))
        seg, area, bbox = raster_to_coco(raster, height, width)
    if area == 0:
        return None
    return {"category_id": inst.category_id, "segmentation": seg, "area": float(area), "bbox": bbox, "iscrowd": crowd}


def _coco_read_back(traced: TracedMask, frame: RasterGeometry) -> np.ndarray:
    """What COCO reads from the parts of `traced`; a mask with holes stays RLE, so it is not
    judged as polygons (the frame's own pixels: nothing to improve)."""
    parts, holes = traced.polygon_rings()
    if holes:
        return frame.region(frame_box(frame))
    return coco_reader(parts, frame)


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
    """The COCO instances dict of `docs`, or None when cancelled. Kept image and annotation ids
    are written back, the others numbered above them in iteration order. Instances of classes
    missing from `labels` are exported and reported."""
    if segmentation not in SEGMENTATION_MODES:
        raise ValueError(f"segmentation must be one of {SEGMENTATION_MODES}")
    report = report or ExportReport()
    images: list[dict] = []
    annotations: list[tuple[int, object, dict]] = []  # (index into images, wanted id, annotation)
    for done, doc in enumerate(docs, start=1):
        if should_stop():
            report.cancelled = True
            return None
        if not has_size(doc):
            progress(done, total)
            continue
        extra = {k: v for k, v in doc.image_info.items() if k not in ("file_name", "width", "height")}
        images.append({**extra, "file_name": doc.image_name, "width": doc.width, "height": doc.height})
        for inst in exported_instances(doc, include_suggestions):
            ann = instance_to_annotation(inst, doc.height, doc.width, segmentation,
                                         is_ignore(labels, inst.category_id), report, doc.image_name)
            if ann is None:
                report.warn(doc.image_name, QT_TRANSLATE_NOOP("LabelRecords", "instance {id}").format(id=inst.id), QT_TRANSLATE_NOOP("LabelExport", "lies outside the image; skipped"))
                continue
            if inst.category_id not in labels:
                report.warn(doc.image_name, QT_TRANSLATE_NOOP("LabelRecords", "instance {id}").format(id=inst.id), QT_TRANSLATE_NOOP("LabelExport", "class id {id} is not in the class list").format(id=inst.category_id))
            if include_scores and inst.score is not None:
                ann["score"] = float(inst.score)
            annotations.append((len(images) - 1, inst.provenance.get("coco_id"), ann))
        report.images = len(images)
        progress(done, total)
    image_ids = assign_ids(img.get("id") for img in images)
    for img, iid in zip(images, image_ids):
        img["id"] = iid
    ann_ids = assign_ids(wanted for _, wanted, _ in annotations)
    out_anns = [{"id": aid, "image_id": image_ids[k], **ann} for (k, _, ann), aid in zip(annotations, ann_ids)]
    report.instances = len(out_anns)
    return {
        "info": {"description": "Exported by MaskPilot"},
        "licenses": [],
        "images": images,
        "annotations": out_anns,
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
        raise FormatError(QT_TRANSLATE_NOOP("LabelExport", "cannot write {path}: {error}").format(path=out_path, error=exc.strerror or exc)) from exc
    report.files_written = 1
    return report
