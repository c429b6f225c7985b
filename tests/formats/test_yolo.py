"""YOLO segmentation export: normalized polygons, 0-based classes, stitching, data.yaml."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pycocotools import mask as mask_utils

from app.core.categories import Category, LabelSet
from app.core.document import Document
from app.core.geometry import PolygonGeometry, RasterGeometry
from app.core.instance import Instance, InstanceState
from app.formats.store import ProjectStore
from app.formats.yolo import export_yolo, stitch_rings

W, H = 80, 60


def make_project(folder: Path, names: list[str]) -> ProjectStore:
    folder.mkdir(parents=True, exist_ok=True)
    for name in names:
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(cv2.imencode(".png", np.zeros((H, W, 3), np.uint8))[1].tobytes())
    return ProjectStore(folder)


def parse(path: Path) -> list[tuple[int, np.ndarray]]:
    rows = []
    for line in path.read_text().splitlines():
        vals = line.split()
        rows.append((int(vals[0]), np.array([float(v) for v in vals[1:]]).reshape(-1, 2) * [W, H]))
    return rows


def coco_mask(rings: list[np.ndarray]) -> np.ndarray:
    """Rasterize with pycocotools (its own fill rule), independent of the exporter."""
    rles = mask_utils.frPyObjects([r.reshape(-1).tolist() for r in rings], H, W)
    return mask_utils.decode(mask_utils.merge(rles)).astype(bool)


ring_pts = st.lists(st.tuples(st.floats(0, W, allow_nan=False), st.floats(0, H, allow_nan=False)), min_size=3, max_size=10)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.tuples(ring_pts, st.sampled_from([2, 7, 9])), max_size=5))
def test_single_polygons_are_written_normalized(tmp_path_factory, items):
    tmp = tmp_path_factory.mktemp("yolo")
    store = make_project(tmp / "p", ["sub/a.jpg"])
    labels = LabelSet([Category(2, "car", (1, 2, 3)), Category(7, "dog: good", (1, 2, 3)), Category(9, 'say "hi"', (1, 2, 3))])
    doc = Document("sub/a.jpg", W, H)
    for pts, cid in items:
        doc.add(Instance(doc.new_id(), cid, PolygonGeometry.from_points(pts)))
    store.save_document(doc)
    report = export_yolo(tmp / "p", store, labels, ["sub/a.jpg"], tmp / "out")
    rows = parse(tmp / "out" / "labels" / "sub" / "a.txt")
    expected = [i for i in doc if i.bbox()[2] > i.bbox()[0] and i.bbox()[3] > i.bbox()[1]]
    assert report.instances == len(rows) == len(expected)
    for inst, (cls, pts) in zip(expected, rows):
        assert cls == {2: 0, 7: 1, 9: 2}[inst.category_id]
        assert np.allclose(pts, inst.geometry.parts[0], atol=1e-6 * max(W, H))
    assert (tmp / "out" / "images" / "sub" / "a.jpg").read_bytes() == (tmp / "p" / "sub" / "a.jpg").read_bytes()
    yaml = (tmp / "out" / "data.yaml").read_text().splitlines()
    assert "train: images" in yaml and "nc: 3" in yaml
    assert yaml[-3:] == ['  0: "car"', '  1: "dog: good"', '  2: "say \\"hi\\""']


def test_parts_and_holes_are_stitched_into_one_ring():
    outer = np.array([[10, 10], [40, 10], [40, 40], [10, 40]], float)
    hole = np.array([[20, 20], [30, 20], [30, 30], [20, 30]], float)
    other = np.array([[50, 5], [70, 5], [70, 25], [50, 25]], float)[::-1]  # opposite orientation
    ring = stitch_rings([other, outer], [hole])
    want = coco_mask([outer, other]) & ~coco_mask([hole])
    got = coco_mask([ring])
    assert got.sum() == want.sum() == 900 - 100 + 400
    assert (got ^ want).sum() == 0
    filled = np.zeros((H, W), np.uint8)
    cv2.fillPoly(filled, [np.round(ring * 4).astype(np.int32)], 1, shift=2)
    # OpenCV (what YOLO training uses) fills boundary pixels too: 31² + 21² - 9² = 1321, plus bridges
    assert 1321 <= int(filled.sum()) <= 1360
    assert filled[25, 25] == 0 and filled[15, 15] == 1 and filled[15, 60] == 1


def test_rasters_crowd_ignore_and_suggestions(tmp_path):
    store = make_project(tmp_path / "p", ["a.png", "empty.png"])
    labels = LabelSet.from_names(["a", "__ignore__"])
    doc = Document("a.png", W, H)
    blob = np.zeros((20, 30), bool)
    blob[2:18, 3:27] = True
    blob[8:12, 10:20] = False
    doc.add(Instance(1, 1, RasterGeometry(blob, 5, 5).tight()))
    doc.add(Instance(2, 1, PolygonGeometry.from_points([[0, 0], [5, 0], [0, 5]]), provenance={"iscrowd": 1}))
    doc.add(Instance(3, 2, PolygonGeometry.from_points([[0, 0], [5, 0], [0, 5]])))
    doc.add(Instance(4, 1, PolygonGeometry.from_points([[60, 40], [70, 40], [60, 50]]), state=InstanceState.SUGGESTED))
    store.save_document(doc)
    export_yolo(tmp_path / "p", store, labels, ["a.png", "empty.png"], tmp_path / "o", link_images=False)
    rows = parse(tmp_path / "o" / "labels" / "a.txt")
    assert [c for c, _ in rows] == [0]
    traced = coco_mask([rows[0][1]])
    want = RasterGeometry(blob, 5, 5).full(H, W)
    assert (traced ^ want).sum() <= 0.05 * want.sum()
    assert traced[15, 20] == 0 and want[15, 20] == 0  # the hole survives stitching
    assert (tmp_path / "o" / "labels" / "empty.txt").read_text() == ""
    assert not (tmp_path / "o" / "images").exists()
    assert "nc: 1" in (tmp_path / "o" / "data.yaml").read_text()
    export_yolo(tmp_path / "p", store, labels, ["a.png"], tmp_path / "o", include_suggestions=True, link_images=False)
    assert len(parse(tmp_path / "o" / "labels" / "a.txt")) == 2


def test_data_yaml_is_relative_so_the_dataset_can_move(tmp_path, monkeypatch):
    """Ultralytics' check_det_dataset takes `path` from the YAML, else the YAML's folder, and
    resolves a relative `path` against the working directory: data.yaml must not name a path."""
    import shutil

    import yaml

    store = make_project(tmp_path / "p", ["a.png"])
    labels = LabelSet.from_names(["a"])
    doc = Document("a.png", W, H)
    doc.add(Instance(1, 1, PolygonGeometry.from_points([[1, 1], [9, 1], [5, 8]])))
    store.save_document(doc)
    export_yolo(tmp_path / "p", store, labels, ["a.png"], tmp_path / "out")
    moved = tmp_path / "elsewhere" / "dataset"
    shutil.move(str(tmp_path / "out"), moved)
    monkeypatch.chdir(tmp_path)  # not the dataset folder
    data = yaml.safe_load((moved / "data.yaml").read_text())
    assert "path" not in data
    root = Path(data.get("path") or (moved / "data.yaml").parent)  # Ultralytics' rule
    assert (root / data["train"] / "a.png").is_file() and (root / data["val"]).is_dir()
    assert data["names"] == {0: "a"} and data["nc"] == 1
