"""labelme files say the version they need, holes stay polygons, and importing our own export
again adds nothing (the GUI's import offer and the import agree)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import cv2
import numpy as np
import pytest
from PIL import Image, ImageDraw
from pycocotools import mask as mask_utils

from app.core.categories import LabelSet
from app.core.document import Document
from app.core.geometry import PolygonGeometry, RasterGeometry
from app.core.instance import Instance
from app.formats.labelme import export_labelme, import_labelme, labelme_files_to_import
from app.formats.store import ProjectStore

SHARED = Path(__file__).resolve().parents[2].parent / "shared"
FIXTURE = SHARED / "fixtures" / "labelme"
W, H = 60, 40


def make_project(folder: Path, names: list[str]) -> ProjectStore:
    folder.mkdir(parents=True, exist_ok=True)
    for name in names:
        (folder / name).write_bytes(cv2.imencode(".png", np.zeros((H, W, 3), np.uint8))[1].tobytes())
    return ProjectStore(folder)


def shapes_to_label(shapes: list[dict]) -> np.ndarray:
    """labelme 5.8's utils.shapes_to_label, instance-agnostic: PIL polygons, pasted mask patches."""
    out = np.zeros((H, W), bool)
    for shape in shapes:
        if shape["shape_type"] == "mask":
            patch = cv2.imdecode(np.frombuffer(__import__("base64").b64decode(shape["mask"]), np.uint8),
                                 cv2.IMREAD_UNCHANGED) > 0
            (x1, y1), (x2, y2) = np.asarray(shape["points"]).astype(int)
            out[y1 : y2 + 1, x1 : x2 + 1] |= patch
            continue
        assert len(shape["points"]) > 2, "Polygon must have points more than 2"  # labelme's assert
        img = Image.new("L", (W, H), 0)
        ImageDraw.Draw(img).polygon([tuple(p) for p in shape["points"]], outline=1, fill=1)
        out |= np.array(img, bool)
    return out


def ring_mask() -> np.ndarray:
    m = np.zeros((H, W), bool)
    m[5:30, 5:40] = True
    m[12:20, 15:30] = False
    return m


def export(folder: Path, store: ProjectStore, labels: LabelSet, raster_as: str = "mask") -> dict:
    export_labelme(folder, store, labels, ["a.png"], folder, raster_as=raster_as)
    return json.loads((folder / "a.json").read_text())


def test_version_says_what_the_file_needs(tmp_path):
    store = make_project(tmp_path, ["a.png"])
    labels = LabelSet.from_names(["cat"])
    doc = Document("a.png", W, H)
    doc.add(Instance(1, 1, PolygonGeometry.from_points([(1, 1), (9, 1), (5, 8)])))
    store.save_document(doc)
    assert export(tmp_path, store, labels)["version"] == "5.5.0"
    doc.add(Instance(2, 1, RasterGeometry.from_full(ring_mask())))
    store.save_document(doc)
    data = export(tmp_path, store, labels)
    assert [s["shape_type"] for s in data["shapes"]] == ["polygon", "mask"]
    assert data["version"] == "5.8.0"  # labelme < 5.8 cannot convert mask shapes
    assert export(tmp_path, store, labels, raster_as="polygon")["version"] == "5.5.0"


def test_holes_stay_polygons(tmp_path):
    store = make_project(tmp_path, ["a.png"])
    labels = LabelSet.from_names(["donut"])
    m = ring_mask()
    doc = Document("a.png", W, H)
    doc.add(Instance(1, 1, RasterGeometry.from_full(m)))
    store.save_document(doc)
    data = export(tmp_path, store, labels, raster_as="polygon")
    assert {s["shape_type"] for s in data["shapes"]} == {"polygon"}
    assert np.array_equal(shapes_to_label(data["shapes"]), m)  # labelme renders the hole

    # a hand-drawn polygon with a hole: one polygon with the hole bridged in, vertex for vertex
    outer = [(5.0, 5.0), (40.0, 5.0), (40.0, 30.0), (5.0, 30.0)]
    hole = [(15.0, 12.0), (30.0, 12.0), (30.0, 20.0), (15.0, 20.0)]
    geom = PolygonGeometry.from_points(outer, holes=(hole,))
    store.save_document(Document("a.png", W, H, [Instance(1, 1, geom)]))
    (shape,) = export(tmp_path, store, labels)["shapes"]
    assert shape["shape_type"] == "polygon"
    assert {tuple(p) for p in outer + hole} <= {tuple(p) for p in shape["points"]}
    rles = mask_utils.frPyObjects([np.ravel(shape["points"]).tolist()], H, W)
    assert np.array_equal(mask_utils.decode(rles[0]).astype(bool), geom.to_raster((H, W)).full(H, W))
    rendered = shapes_to_label([shape])
    assert not rendered[13:20, 16:30].any() and rendered[8, 8] and rendered[25, 35]


def six_instances() -> list[Instance]:
    m = ring_mask()
    blob = np.zeros((H, W), bool)
    blob[32:38, 45:58] = True
    return [
        Instance(1, 1, PolygonGeometry.from_points([(1, 1), (9, 1), (5, 8)])),
        Instance(2, 2, RasterGeometry.from_full(m)),
        Instance(3, 2, RasterGeometry.from_full(blob)),
        Instance(4, 1, PolygonGeometry.from_points([(44, 2), (58, 2), (58, 12), (44, 12)], [(50, 20), (55, 20), (52, 26)])),
        Instance(5, 1, PolygonGeometry.from_points([(2, 32), (12, 32), (12, 38)], holes=([(5, 33), (9, 33), (9, 35)],))),
        Instance(6, 2, RasterGeometry.from_full(np.eye(H, W, 15, dtype=bool))),  # a thin line
    ]


@pytest.mark.parametrize("raster_as", ["mask", "polygon"])
def test_reimporting_our_export_adds_nothing(tmp_path, raster_as):
    store = make_project(tmp_path, ["a.png", "b.png"])
    labels = LabelSet.from_names(["cat", "dog"])
    store.save_document(Document("a.png", W, H, six_instances()))
    export_labelme(tmp_path, store, labels, ["a.png", "b.png"], tmp_path, raster_as=raster_as)
    before = store.label_path("a.png").read_bytes()
    assert labelme_files_to_import(tmp_path, store, labels, ["a.png", "b.png"]) == {}
    report = import_labelme(tmp_path, store, labels, ["a.png", "b.png"])
    assert report.instances_added == 0 and report.duplicates_skipped == 6
    assert "6 instance(s) already present skipped" in report.summary()
    assert store.label_path("a.png").read_bytes() == before
    assert len(store.load_document("a.png", W, H).document) == 6

    # one new shape in one file: the offer lists exactly that image, the import adds exactly it
    data = json.loads((tmp_path / "a.json").read_text())
    data["shapes"].append({"label": "cat", "points": [[20, 34], [30, 34], [25, 39]], "shape_type": "polygon",
                           "group_id": None})
    (tmp_path / "a.json").write_text(json.dumps(data))
    assert labelme_files_to_import(tmp_path, store, labels, ["a.png", "b.png"]) == {"a.png": tmp_path / "a.json"}
    report = import_labelme(tmp_path, store, labels, ["a.png", "b.png"])
    assert (report.instances_added, report.duplicates_skipped, report.images_changed) == (1, 6, ["a.png"])


def test_labelme_example_round_trips_without_doubling(tmp_path):
    if not FIXTURE.exists():
        pytest.skip("../shared/fixtures/labelme is missing")
    for name in ("2011_000003.jpg", "2011_000003.json"):
        shutil.copy(FIXTURE / name, tmp_path / name)
    store = ProjectStore(tmp_path)
    labels = LabelSet.from_names(["person"])
    images = ["2011_000003.jpg"]
    assert list(labelme_files_to_import(tmp_path, store, labels, images)) == images
    assert labels.by_name("bottle") is None  # planning adds no classes
    assert import_labelme(tmp_path, store, labels, images).instances_added == 4
    export_labelme(tmp_path, store, labels, images, tmp_path)
    assert labelme_files_to_import(tmp_path, store, labels, images) == {}
    again = import_labelme(tmp_path, store, labels, images)
    assert (again.instances_added, again.duplicates_skipped) == (0, 4)
