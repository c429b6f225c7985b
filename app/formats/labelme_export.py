"""labelme JSON export (import: labelme.py).

Shapes per instance: the original rectangle/circle while unedited; one polygon per part
(sharing a group_id when there are several); a hole is bridged into the polygon of its part
by a zero-width cut, which labelme's shape_to_mask (PIL ImageDraw.polygon, outline and fill)
renders as the part minus the hole. Raster masks are written as mask shapes (exact) or, with
raster_as="polygon", traced (app.core.tracing) so that shape_to_mask gives the mask back; an
instance coming back below fidelity.WARN_BELOW_IOU is reported.

`version` says what the file needs: mask shapes are understood by labelme's converters
(shapes_to_label, labelme2voc, labelme_export_json) only from v5.8.0 on (wkentaro/labelme PR
#1560, first in tag v5.8.0; the app could draw them since v5.4.0, PR #1358, but older
shapes_to_label asserts "Polygon must have points more than 2"). Files without mask shapes
are stamped 5.5.0, readable by every labelme 5.
"""

from __future__ import annotations

import base64
import json
import os
import posixpath
from pathlib import Path

import cv2
import numpy as np

from app.core.categories import LabelSet
from app.core.document import Document
from app.core.geometry import PolygonGeometry, RasterGeometry, rasterize_rings, to_raster
from app.core.instance import Instance
from app.core.text import QT_TRANSLATE_NOOP
from app.core.tracing import rings_with_holes
from app.formats.atomic import write_bytes_atomic
from app.formats.fidelity import labelme_reader, report_fidelity, trace_for_export
from app.formats.labelme_shapes import ShapeError, shape_geometry
from app.formats.project_io import (
    ExportReport,
    FormatError,
    ProgressFn,
    ShouldStop,
    exported_instances,
    iter_documents,
    never_stop,
    no_progress,
)
from app.formats.store import ProjectStore

#: The version stamped on files with polygon, rectangle and circle shapes only.
LABELME_VERSION = "5.5.0"
#: The first labelme release whose converters read shape_type "mask" (see the module docstring).
LABELME_MASK_VERSION = "5.8.0"


def labelme_version(shapes: list[dict]) -> str:
    """The oldest labelme version able to convert every shape of a file."""
    return LABELME_MASK_VERSION if any(s.get("shape_type") == "mask" for s in shapes) else LABELME_VERSION


def _shape(label: str, points, shape_type: str, group_id: int | None, mask: str | None = None) -> dict:
    return {"label": label, "points": points, "group_id": group_id, "description": "",
            "shape_type": shape_type, "flags": {}, "mask": mask}


def _mask_shape(label: str, raster: RasterGeometry) -> dict:
    x0, y0, x1, y1 = raster.bbox()
    ok, buf = cv2.imencode(".png", raster.mask.astype(np.uint8))
    if not ok:
        raise FormatError(QT_TRANSLATE_NOOP("LabelExport", "could not encode a mask patch"))
    return _shape(label, [[float(x0), float(y0)], [float(x1 - 1), float(y1 - 1)]], "mask", None,
                  base64.b64encode(buf.tobytes()).decode("ascii"))


def _polygons(label: str, rings: list[np.ndarray], group_id: int) -> list[dict]:
    gid = group_id if len(rings) > 1 else None
    return [_shape(label, r.tolist(), "polygon", gid) for r in rings if len(r) >= 3]


def _holed_polygon_rings(geom: PolygonGeometry, width: int, height: int) -> list[np.ndarray] | None:
    """The parts of a hand-drawn polygon with holes as single rings (holes bridged in), or None
    when that would not give the same pixels (a hole outside its part, overlapping parts)."""
    rings = rings_with_holes(list(geom.parts), list(geom.holes))
    if rings is None:
        return None
    x0, y0, x1, y1 = geom.bbox()
    x0, y0, x1, y1 = max(x0, 0), max(y0, 0), min(x1, width), min(y1, height)
    if x1 <= x0 or y1 <= y0:
        return None
    offset = np.array([x0, y0], np.float64)
    want = geom.to_raster((height, width)).region((x0, y0, x1, y1))
    got = rasterize_rings([r - offset for r in rings], y1 - y0, x1 - x0)
    return rings if np.array_equal(want, got) else None


def instance_shapes(inst: Instance, label: str, group_id: int, width: int, height: int,
                    raster_as: str = "mask", report: ExportReport | None = None, image: str = "") -> list[dict]:
    """labelme shapes of one instance (see the module docstring); a polygon with holes falls
    back to a mask shape only when its holes cannot be bridged into its parts."""
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
        traced, iou = trace_for_export(geom, height, width, lambda t, frame: labelme_reader(t.single_rings(), frame))
        rings = traced.single_rings()
        if rings and report is not None:
            report_fidelity(report, image, inst, iou, QT_TRANSLATE_NOOP("LabelExport", "labelme polygons"), QT_TRANSLATE_NOOP("LabelExport", "mask shapes keep it exact"))
        return _polygons(label, rings, group_id)
    if isinstance(geom, PolygonGeometry) and not geom.holes:
        return _polygons(label, [p for p in geom.parts if len(p) >= 3], group_id)
    if isinstance(geom, PolygonGeometry) and (rings := _holed_polygon_rings(geom, width, height)) is not None:
        return _polygons(label, rings, group_id)
    raster = to_raster(geom, (height, width))
    return [] if raster.is_empty() else [_mask_shape(label, raster)]


def document_to_labelme(doc: Document, labels: LabelSet, image_path: str, include_suggestions: bool = False,
                        raster_as: str = "mask", report: ExportReport | None = None) -> dict:
    """The labelme dict of a document; image_path is written as given (relative to the JSON)."""
    shapes: list[dict] = []
    for n, inst in enumerate(exported_instances(doc, include_suggestions), start=1):
        shapes.extend(instance_shapes(inst, labels.name(inst.category_id), n, doc.width, doc.height, raster_as,
                                      report, doc.image_name))
    return {"version": labelme_version(shapes), "flags": {}, "shapes": shapes, "imagePath": image_path,
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
                    report.warn(rel, QT_TRANSLATE_NOOP("LabelRecords", "instance {id}").format(id=inst.id), QT_TRANSLATE_NOOP("LabelExport", "class id {id} is not in the class list").format(id=inst.category_id))
            data = document_to_labelme(doc, labels, image_path.as_posix(), include_suggestions, raster_as, report)
            target.parent.mkdir(parents=True, exist_ok=True)
            write_bytes_atomic(target, json.dumps(data, ensure_ascii=False, indent=2).encode("utf-8"))
            report.images, report.files_written = n, n
            report.instances += len(exported_instances(doc, include_suggestions))
            progress(n, len(images))
    except OSError as exc:
        raise FormatError(QT_TRANSLATE_NOOP("LabelExport", "cannot write labelme files into {folder}: {error}").format(folder=out, error=exc.strerror or exc)) from exc
    return report
