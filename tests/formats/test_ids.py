"""Imported image and annotation ids survive import -> export (panopticapi and COCOeval match
files by image id), new images are numbered above the kept ids, and the ids live in the label
files of the project store.

Fields an export does not reproduce, by design (also in the README's format table):
- `info` (MaskPilot writes its own) and `licenses` (written empty; the images keep `license`);
- `categories`: the project's classes, listed by id; a class of the imported file is in the
  project only when one of its annotations was imported (unused classes are not added);
- COCO instances: `area` and `bbox` are recomputed from the mask (pixel area; tight integer box).
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import cv2
import numpy as np
import pytest
from pycocotools import mask as mask_utils

from app.core import rle
from app.core.categories import LabelSet
from app.core.document import Document
from app.core.geometry import PolygonGeometry
from app.core.instance import Instance
from app.formats.coco import export_coco, import_coco
from app.formats.document_json import document_from_dict
from app.formats.ids import assign_ids, project_image_ids
from app.formats.panoptic import export_panoptic, import_panoptic
from app.formats.store import ProjectStore

SHARED = Path(__file__).resolve().parents[2].parent / "shared"
FIXTURE = SHARED / "fixtures" / "coco_panoptic"
UNREPRODUCED = ("info", "licenses", "categories")


@pytest.fixture
def fixture_dir() -> Path:
    if not FIXTURE.exists():
        pytest.skip("../shared/fixtures/coco_panoptic is missing")
    return FIXTURE


def write_png(path: Path, w: int, h: int) -> None:
    path.write_bytes(cv2.imencode(".png", np.zeros((h, w, 3), np.uint8))[1].tobytes())


def test_panoptic_fixture_json_is_reproduced(tmp_path, fixture_dir):
    project = tmp_path / "project"
    shutil.copytree(fixture_dir / "input_images", project)
    store = ProjectStore(project)
    labels = LabelSet()
    images = sorted(p.name for p in project.glob("*.jpg"))
    import_panoptic(project, store, labels, images, fixture_dir / "panoptic_examples.json")
    out = tmp_path / "export" / "panoptic.json"
    export_panoptic(project, store, labels, images, out)
    original = json.loads((fixture_dir / "panoptic_examples.json").read_text())
    exported = json.loads(out.read_text())
    assert {k: v for k, v in exported.items() if k not in UNREPRODUCED} == \
        {k: v for k, v in original.items() if k not in UNREPRODUCED}
    assert [i["id"] for i in exported["images"]] == [142238, 439180]
    used = {s["category_id"] for a in original["annotations"] for s in a["segments_info"]}
    assert exported["categories"] == [c for c in original["categories"] if c["id"] in used]

    # the ids are in the label files, and come back from a fresh store
    raw = json.loads(store.label_path("000000142238.jpg").read_text())
    assert raw["image"]["coco"]["id"] == 142238 and raw["image"]["coco"]["license"] == 2
    assert ProjectStore(project).load_document("000000142238.jpg", 0, 0).document.image_info["id"] == 142238

    # a new image is numbered above the largest kept id
    write_png(project / "new.png", 8, 6)
    export_panoptic(project, store, labels, [*images, "new.png"], out)
    again = json.loads(out.read_text())
    assert [i["id"] for i in again["images"]] == [142238, 439180, 439181]
    assert [a["image_id"] for a in again["annotations"]] == [142238, 439180, 439181]
    assert project_image_ids(store, [*images, "new.png"]) == {
        "000000142238.jpg": 142238, "000000439180.jpg": 439180, "new.png": 439181}


def _coco_file(path: Path) -> dict:
    """A COCO instances file with large ids, extra image fields, a negative image (no
    annotations) and a crowd RLE."""
    crowd = np.zeros((30, 40), np.uint8)
    crowd[5:9, 20:30] = 1
    crowd_rle = rle.encode(crowd)
    polys = [[[2.5, 2.0, 14.0, 2.0, 14.0, 11.5, 2.5, 11.5]], [[20.0, 14.0, 30.0, 25.0, 18.0, 25.0]]]
    anns = []
    for aid, seg in zip((900, 5), polys):
        m = mask_utils.merge(mask_utils.frPyObjects(seg, 30, 40))
        anns.append({"id": aid, "image_id": 142238, "category_id": 18, "segmentation": seg, "iscrowd": 0,
                     "area": float(mask_utils.area(m)), "bbox": [float(v) for v in mask_utils.toBbox(m)]})
    anns.append({"id": 77, "image_id": 42, "category_id": 1, "segmentation": crowd_rle, "iscrowd": 1,
                 "area": float(crowd.sum()), "bbox": [20.0, 5.0, 10.0, 4.0]})
    data = {
        "info": {"description": "test"}, "licenses": [{"id": 3, "name": "x", "url": ""}],
        "images": [
            {"id": 142238, "file_name": "a.png", "width": 40, "height": 30, "license": 3, "coco_url": "u1"},
            {"id": 42, "file_name": "b.png", "width": 40, "height": 30, "license": 3, "date_captured": "d"},
            {"id": 7, "file_name": "c.png", "width": 40, "height": 30, "flickr_url": "f"},  # no annotations
        ],
        "annotations": anns,
        "categories": [{"id": 1, "name": "person", "supercategory": "human"},
                       {"id": 18, "name": "dog", "supercategory": "animal"},
                       {"id": 3, "name": "car", "supercategory": "vehicle"}],  # unused
    }
    path.write_text(json.dumps(data))
    return data


def test_coco_ids_and_records_survive_import_export(tmp_path):
    project = tmp_path / "p"
    project.mkdir()
    for name in ("a.png", "b.png", "c.png", "d.png"):
        write_png(project / name, 40, 30)
    original = _coco_file(tmp_path / "in.json")
    store = ProjectStore(project)
    labels = LabelSet()
    images = ["a.png", "b.png", "c.png", "d.png"]
    report = import_coco(project, store, labels, images, tmp_path / "in.json")
    assert report.instances_added == 3 and report.categories_added == ["dog", "person"]
    export_coco(project, store, labels, images, tmp_path / "out.json")
    exported = json.loads((tmp_path / "out.json").read_text())
    assert exported["images"][:3] == original["images"]  # ids and extra fields kept, negative too
    assert exported["images"][3] == {"id": 142239, "file_name": "d.png", "width": 40, "height": 30}
    for mine, theirs in zip(exported["annotations"], original["annotations"]):
        assert {k: v for k, v in mine.items() if k not in ("area", "bbox")} == \
            {k: v for k, v in theirs.items() if k not in ("area", "bbox")}
        assert mine["area"] == theirs["area"]  # the same pixels as pycocotools counts
    assert [c["supercategory"] for c in exported["categories"]] == ["human", "animal"]


def test_new_instances_and_clashing_ids_get_fresh_ones(tmp_path):
    project = tmp_path / "p"
    project.mkdir()
    for name in ("a.png", "b.png", "c.png"):
        write_png(project / name, 20, 20)
    store = ProjectStore(project)
    labels = LabelSet.from_names(["cat"])
    square = PolygonGeometry.from_points([(1, 1), (9, 1), (9, 9), (1, 9)])
    for name, image_id, ann_ids in (("a.png", 50, [10, None]), ("b.png", 50, [10]), ("c.png", None, [None])):
        doc = Document(name, 20, 20, image_info={"id": image_id} if image_id else None)
        for aid in ann_ids:
            doc.add(Instance(doc.new_id(), 1, square, provenance={"coco_id": aid} if aid else {}))
        store.save_document(doc)
    export_coco(project, store, labels, ["a.png", "b.png", "c.png"], tmp_path / "o.json")
    data = json.loads((tmp_path / "o.json").read_text())
    assert [i["id"] for i in data["images"]] == [50, 51, 52]  # b's 50 was taken: numbered above
    assert [(a["id"], a["image_id"]) for a in data["annotations"]] == [(10, 50), (11, 50), (12, 51), (13, 52)]
    assert assign_ids([None, 3, 3, "7", True, 2]) == [4, 3, 5, 6, 7, 2]


def test_label_files_without_image_ids_still_load():
    old = {"version": 1, "image": {"file_name": "x.png", "width": 4, "height": 3}, "status": "new",
           "instances": []}
    doc = document_from_dict(old)
    assert doc.image_info == {} and (doc.width, doc.height) == (4, 3)
