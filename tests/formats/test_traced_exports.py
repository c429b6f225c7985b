"""Raster masks exported as polygons (YOLO, COCO segmentation="polygon", labelme
raster_as="polygon") come back from each format's own reader, or the export reports the IoU.

Readers, written out here independently of app.formats.fidelity:
- COCO: pycocotools frPyObjects + merge + decode;
- labelme: shapes_to_label of labelme 5.8 (PIL ImageDraw.polygon(outline=1, fill=1) per shape);
- YOLO: Ultralytics' polygon2mask (np.int32 of the denormalized points, cv2.fillPoly).
"""

from __future__ import annotations

import json
from pathlib import Path

import cv2
import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PIL import Image, ImageDraw
from pycocotools import mask as mask_utils

from app.core.categories import LabelSet
from app.core.document import Document
from app.core.geometry import RasterGeometry
from app.core.instance import Instance
from app.formats.coco import export_coco
from app.formats.labelme import export_labelme
from app.formats.store import ProjectStore
from app.formats.yolo import export_yolo

W, H = 64, 48
#: Exports trace with tolerance 0.5 px, keeping IoU >= 0.99 per connected part (pycocotools).
EXPORT_IOU = 0.99
#: Below this an export must say so in its report.
WARN_IOU = 0.98


def iou(a: np.ndarray, b: np.ndarray) -> float:
    union = np.count_nonzero(a | b)
    return np.count_nonzero(a & b) / union if union else 1.0


def make_project(folder: Path, geom: RasterGeometry) -> ProjectStore:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "a.png").write_bytes(cv2.imencode(".png", np.zeros((H, W, 3), np.uint8))[1].tobytes())
    store = ProjectStore(folder)
    doc = Document("a.png", W, H)
    doc.add(Instance(1, 1, geom))
    store.save_document(doc)
    return store


def pil_shapes_to_label(shapes: list[dict]) -> np.ndarray:
    out = np.zeros((H, W), bool)
    for shape in shapes:
        if shape["shape_type"] == "mask":
            raise AssertionError("a mask shape although polygons were asked for")
        img = Image.new("L", (W, H), 0)
        ImageDraw.Draw(img).polygon([tuple(p) for p in shape["points"]], outline=1, fill=1)
        out |= np.array(img, bool)
    return out


def thin(seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    m = np.zeros((H, W), np.uint8)
    pts = rng.integers(0, [W, H], size=(3, 2)).reshape(-1, 1, 2).astype(np.int32)
    cv2.polylines(m, [pts], False, 1, 1)
    return m.astype(bool)


def blobby(seed: int, holes: bool) -> np.ndarray:
    rng = np.random.default_rng(seed)
    yy, xx = np.mgrid[:H, :W]
    cx, cy, r = rng.uniform(15, W - 15), rng.uniform(12, H - 12), rng.uniform(5, 12)
    m = np.hypot(xx + 0.5 - cx, yy + 0.5 - cy) < r
    if holes:
        m &= np.hypot(xx + 0.5 - cx, yy + 0.5 - cy) >= rng.uniform(1, r - 1.5)
    return m


masks = st.one_of(
    st.builds(thin, st.integers(0, 10**6)),
    st.builds(blobby, st.integers(0, 10**6), st.booleans()),
    st.builds(lambda s, p: np.random.default_rng(s).random((H, W)) < p, st.integers(0, 10**6), st.floats(0.02, 0.3)),
)


def warned(report) -> list[str]:
    return [w.reason for w in report.warnings if "IoU" in w.reason]


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(masks)
def test_traced_exports_come_back_or_say_so(tmp_path_factory, m):
    geom = RasterGeometry.from_full(m)
    if geom.is_empty():
        return
    tmp = tmp_path_factory.mktemp("tr")
    store = make_project(tmp / "p", geom)
    labels = LabelSet.from_names(["thing"])
    multi_part = cv2.connectedComponents(m.astype(np.uint8), connectivity=8)[0] > 2

    report = export_coco(tmp / "p", store, labels, ["a.png"], tmp / "c.json", segmentation="polygon")
    seg = json.loads((tmp / "c.json").read_text())["annotations"][0]["segmentation"]
    if isinstance(seg, list):  # masks with holes stay RLE: COCO polygon lists cannot cut holes
        back = mask_utils.decode(mask_utils.merge(mask_utils.frPyObjects(seg, H, W))).astype(bool)
        assert iou(back, m) >= EXPORT_IOU and not warned(report)

    report = export_labelme(tmp / "p", store, labels, ["a.png"], tmp / "lm", raster_as="polygon")
    data = json.loads((tmp / "lm" / "a.json").read_text())
    assert data["version"] == "5.5.0"  # polygons only, also for masks with holes
    got = iou(pil_shapes_to_label(data["shapes"]), m)
    assert got >= WARN_IOU or warned(report)

    report = export_yolo(tmp / "p", store, labels, ["a.png"], tmp / "y", link_images=False)
    vals = [float(v) for v in (tmp / "y" / "labels" / "a.txt").read_text().split()[1:]]
    pts = (np.array(vals).reshape(-1, 2) * [W, H]).astype(np.int32)
    filled = np.zeros((H, W), np.uint8)
    cv2.fillPoly(filled, [pts.reshape(-1, 1, 2)], 1)
    got = iou(filled.astype(bool), m)
    if not multi_part:  # one part: nothing to bridge, the polygon is the mask
        assert got >= WARN_IOU
    assert got >= WARN_IOU or any(f"IoU {got:.3f}" in r for r in warned(report))


def test_thin_diagonal_line_in_every_format(tmp_path):
    """The issue's case: a 1-px diagonal line was exported as its bounding box (IoU 0.016)."""
    m = np.zeros((H, W), bool)
    m[np.arange(40), np.arange(40) + 10] = True
    store = make_project(tmp_path / "p", RasterGeometry.from_full(m))
    labels = LabelSet.from_names(["wire"])
    export_yolo(tmp_path / "p", store, labels, ["a.png"], tmp_path / "y", link_images=False)
    vals = [float(v) for v in (tmp_path / "y" / "labels" / "a.txt").read_text().split()[1:]]
    pts = np.array(vals).reshape(-1, 2) * [W, H]
    filled = np.zeros((H, W), np.uint8)
    cv2.fillPoly(filled, [pts.astype(np.int32).reshape(-1, 1, 2)], 1)
    assert iou(filled.astype(bool), m) >= WARN_IOU
    rles = mask_utils.frPyObjects([pts.reshape(-1).tolist()], H, W)
    assert iou(mask_utils.decode(mask_utils.merge(rles)).astype(bool), m) >= WARN_IOU


def test_separate_specks_in_yolo_are_reported(tmp_path):
    """Two specks far apart need a bridge that Ultralytics fills: the report gives the IoU."""
    m = np.zeros((H, W), bool)
    m[2, 2] = m[40, 60] = True
    store = make_project(tmp_path / "p", RasterGeometry.from_full(m))
    report = export_yolo(tmp_path / "p", store, LabelSet.from_names(["dot"]), ["a.png"], tmp_path / "y",
                         link_images=False)
    (reason,) = warned(report)
    assert "YOLO polygon" in reason and "below 0.98" in reason
    assert report.warnings[0].file == "a.png" and report.warnings[0].record == "instance 1"
