"""labelme's "__ignore__" class is a do-not-care region in every format: a crowd region in COCO,
void in panoptic (0) and in PNG class maps (255, and no object in the object map), no line in YOLO."""

from __future__ import annotations

import json
from pathlib import Path

import cv2
import numpy as np
import pytest
from PIL import Image

from app.core.categories import LabelSet
from app.core.document import Document
from app.core.geometry import PolygonGeometry
from app.core.instance import Instance
from app.formats.coco import export_coco
from app.formats.panoptic import export_panoptic
from app.formats.png_masks import export_png_masks
from app.formats.store import ProjectStore
from app.formats.yolo import export_yolo

W, H = 40, 30


@pytest.fixture
def project(tmp_path: Path) -> tuple[Path, ProjectStore, LabelSet]:
    folder = tmp_path / "p"
    folder.mkdir()
    (folder / "a.png").write_bytes(cv2.imencode(".png", np.zeros((H, W, 3), np.uint8))[1].tobytes())
    store = ProjectStore(folder)
    labels = LabelSet.from_names(["person", "__ignore__"])
    doc = Document("a.png", W, H)
    doc.add(Instance(1, 1, PolygonGeometry.from_points([(0, 0), (20, 0), (20, 20), (0, 20)])))
    doc.add(Instance(2, 2, PolygonGeometry.from_points([(10, 10), (30, 10), (30, 25), (10, 25)])))  # on top
    store.save_document(doc)
    return folder, store, labels


def test_coco_writes_ignore_regions_as_crowd(project, tmp_path):
    folder, store, labels = project
    export_coco(folder, store, labels, ["a.png"], tmp_path / "c.json")
    person, ignore = json.loads((tmp_path / "c.json").read_text())["annotations"]
    assert person["iscrowd"] == 0 and isinstance(person["segmentation"], list)
    assert ignore["iscrowd"] == 1 and isinstance(ignore["segmentation"], dict)  # crowd regions are RLE
    assert ignore["category_id"] == 2 and ignore["area"] == 20 * 15


def test_panoptic_paints_ignore_regions_void(project, tmp_path):
    folder, store, labels = project
    out = tmp_path / "pan.json"
    export_panoptic(folder, store, labels, ["a.png"], out)
    data = json.loads(out.read_text())
    (segment,) = data["annotations"][0]["segments_info"]
    assert segment["category_id"] == 1 and segment["area"] == 400 - 100  # the ignored corner is void
    assert "__ignore__" not in {c["name"] for c in data["categories"]}
    bgr = cv2.imdecode(np.fromfile(out.with_suffix("") / "a.png", np.uint8), cv2.IMREAD_COLOR).astype(np.int64)
    ids = bgr[..., 2] + 256 * bgr[..., 1] + 65536 * bgr[..., 0]
    assert (ids[10:25, 10:30] == 0).all() and (ids[0:10, 0:20] == segment["id"]).all()


def test_png_maps_ignore_regions_to_void_and_no_object(project, tmp_path):
    folder, store, labels = project
    export_png_masks(folder, store, labels, ["a.png"], tmp_path / "voc", binary=True)
    with Image.open(tmp_path / "voc" / "SegmentationClass" / "a.png") as im:
        cls = np.array(im)
    obj = cv2.imdecode(np.fromfile(tmp_path / "voc" / "SegmentationObject" / "a.png", np.uint8), cv2.IMREAD_UNCHANGED)
    assert (cls[10:25, 10:30] == 255).all() and (cls[0:10, 0:10] == 1).all()
    assert (obj[10:25, 10:30] == 0).all() and (obj[0:10, 0:10] == 1).all() and obj.max() == 1
    assert [p.name for p in (tmp_path / "voc" / "SegmentationMasks" / "a").iterdir()] == ["1_person.png"]
    assert (tmp_path / "voc" / "class_names.txt").read_text() == "_background_\nperson\n"


def test_yolo_leaves_ignore_regions_out(project, tmp_path):
    folder, store, labels = project
    export_yolo(folder, store, labels, ["a.png"], tmp_path / "y", link_images=False)
    lines = (tmp_path / "y" / "labels" / "a.txt").read_text().splitlines()
    assert [ln.split()[0] for ln in lines] == ["0"]
    assert "__ignore__" not in (tmp_path / "y" / "data.yaml").read_text()
