"""Raster masks written as polygons, and how faithfully each format's reader gets them back.

Exports that must write a raster instance as polygons (YOLO always, COCO with
segmentation="polygon", labelme with raster_as="polygon") trace it with app.core.tracing,
rasterize what they wrote the way the format's own reader does, and add a warning with the IoU
to the ExportReport when it falls below WARN_BELOW_IOU:
- COCO: pycocotools (frPyObjects + merge), what COCO() and COCOeval use;
- labelme: PIL ImageDraw.polygon(outline=1, fill=1), labelme's shape_to_mask;
- YOLO: points cast to int32 and cv2.fillPoly, Ultralytics' polygon2mask (before its downsampling).
Every comparison is made on the instance's box plus a margin, never on the whole image.
"""

from __future__ import annotations

from collections.abc import Callable

import cv2
import numpy as np
from pycocotools import mask as mask_utils

from app.core.geometry import RasterGeometry
from app.core.instance import Instance
from app.core.text import QT_TRANSLATE_NOOP
from app.core.tracing import TracedMask, trace_mask
from app.formats.project_io import ExportReport

#: Douglas-Peucker tolerance (px) of traced exports: about 3x fewer vertices than exact.
EXPORT_TOLERANCE = 0.5
#: Each connected part of a traced export keeps at least this IoU (pycocotools), so the
#: simplification alone never triggers the warning below.
EXPORT_MIN_IOU = 0.99
#: An instance whose written polygons give less than this under the format's reader is reported.
WARN_BELOW_IOU = 0.98
_MARGIN = 2  # px around the box: edge-painting readers may spill one pixel out


def clip_to_image(geom: RasterGeometry, height: int, width: int) -> RasterGeometry:
    """The part of a raster inside the (height, width) image (formats hold nothing outside)."""
    x0, y0, x1, y1 = geom.bbox()
    if x0 >= 0 and y0 >= 0 and x1 <= width and y1 <= height:
        return geom
    box = (max(x0, 0), max(y0, 0), min(x1, width), min(y1, height))
    if box[2] <= box[0] or box[3] <= box[1]:
        return RasterGeometry.empty()
    return RasterGeometry(geom.region(box), box[0], box[1]).tight()


def trace_for_export(geom: RasterGeometry, height: int, width: int,
                     read_back: Callable[[TracedMask, RasterGeometry], np.ndarray]) -> tuple[TracedMask, float]:
    """The rings to write for a raster instance (clipped to the image) and the IoU with which
    `read_back` (the format's reader applied to the rings, on the frame of the clipped raster)
    returns the mask. The simplified tracing is used when the reader keeps EXPORT_MIN_IOU with it,
    else the exact one: as close as the format allows."""
    clipped = clip_to_image(geom, height, width)
    if clipped.is_empty():
        return TracedMask((), (), ()), 1.0
    best: tuple[TracedMask, float] | None = None
    for tolerance in (EXPORT_TOLERANCE, 0.0):
        traced = trace_mask(clipped.mask, clipped.x, clipped.y, tolerance, EXPORT_MIN_IOU)
        iou = achieved_iou(read_back(traced, clipped), clipped)
        if best is None or iou > best[1]:
            best = (traced, iou)
        if iou >= EXPORT_MIN_IOU:
            break
    return best  # type: ignore[return-value]


def _frame(raster: RasterGeometry) -> tuple[int, int, int, int]:
    x0, y0, x1, y1 = raster.bbox()
    return x0 - _MARGIN, y0 - _MARGIN, x1 - x0 + 2 * _MARGIN, y1 - y0 + 2 * _MARGIN


def frame_box(raster: RasterGeometry) -> tuple[int, int, int, int]:
    """The box (x0, y0, x1, y1) on which readers' masks are compared with `raster`."""
    ox, oy, w, h = _frame(raster)
    return ox, oy, ox + w, oy + h


def coco_reader(rings: list[np.ndarray], raster: RasterGeometry) -> np.ndarray:
    """pycocotools' union of polygon `rings`, on the frame around `raster`."""
    ox, oy, w, h = _frame(raster)
    flat = [(r - [ox, oy]).reshape(-1).tolist() for r in rings if len(r) >= 3]
    if not flat:
        return np.zeros((h, w), bool)
    return mask_utils.decode(mask_utils.merge(mask_utils.frPyObjects(flat, h, w))).astype(bool)


def labelme_reader(rings: list[np.ndarray], raster: RasterGeometry) -> np.ndarray:
    """labelme's shape_to_mask of each polygon (PIL, outline and fill), unioned."""
    from PIL import Image, ImageDraw  # Pillow comes with torchvision; imported on first use

    ox, oy, w, h = _frame(raster)
    img = Image.new("L", (w, h), 0)
    draw = ImageDraw.Draw(img)
    for ring in rings:
        if len(ring) >= 3:
            draw.polygon([tuple(p) for p in (ring - [ox, oy]).tolist()], outline=1, fill=1)
    return np.array(img, bool)


def ultralytics_reader(ring: np.ndarray, raster: RasterGeometry, width: int, height: int) -> np.ndarray:
    """Ultralytics' polygon2mask of one YOLO line: the normalized values as written (6 decimals),
    scaled back to pixels, truncated to int32 and filled by cv2.fillPoly."""
    ox, oy, w, h = _frame(raster)
    written = np.round(np.clip(ring / [width, height], 0.0, 1.0), 6) * [width, height]
    pts = written.astype(np.int32) - np.array([ox, oy], np.int32)  # truncate first, as it does
    out = np.zeros((h, w), np.uint8)
    if len(pts) >= 3:
        cv2.fillPoly(out, [pts.reshape(-1, 1, 2)], 1)
    return out.astype(bool)


def achieved_iou(read_back: np.ndarray, raster: RasterGeometry) -> float:
    """IoU of a reader's mask on the frame of `raster` with the raster itself."""
    want = raster.region(frame_box(raster))
    union = np.count_nonzero(want | read_back)
    return np.count_nonzero(want & read_back) / union if union else 1.0


def report_fidelity(report: ExportReport, image: str, inst: Instance, iou: float, what: str, advice: str) -> None:
    """Warn when a traced instance comes back from its format with IoU below WARN_BELOW_IOU;
    `what` names what was written, `advice` how to do better (or why one cannot)."""
    if iou < WARN_BELOW_IOU:
        report.warn(image, QT_TRANSLATE_NOOP("LabelRecords", "instance {id}").format(id=inst.id),
                    QT_TRANSLATE_NOOP("LabelExport", "the mask written as {what} comes back with IoU {iou:.3f} (below {limit}); {advice}")
                    .format(what=what, iou=iou, limit=WARN_BELOW_IOU, advice=advice))
