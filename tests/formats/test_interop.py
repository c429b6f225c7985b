"""Our exports read back by the tools people use them with: pycocotools' COCOeval scores an
export against itself and against the file it was imported from with AP 1.0, and the panoptic
export scores PQ 1.0 against the imported original, matched by the original image ids."""

from __future__ import annotations

import contextlib
import io
import json
import shutil
from pathlib import Path

import cv2
import numpy as np
import pytest
from pycocotools.coco import COCO
from pycocotools.cocoeval import COCOeval

from app.core.categories import LabelSet
from app.formats.coco import export_coco, import_coco
from app.formats.panoptic import export_panoptic, import_panoptic
from app.formats.store import ProjectStore
from inference.pq import pq_compute

SHARED = Path(__file__).resolve().parents[2].parent / "shared"
FIXTURE = SHARED / "fixtures" / "coco_panoptic"


@pytest.fixture
def imported(tmp_path):
    """The panoptic fixture imported into a project: (folder, store, labels, images)."""
    if not FIXTURE.exists():
        pytest.skip("../shared/fixtures/coco_panoptic is missing")
    project = tmp_path / "project"
    shutil.copytree(FIXTURE / "input_images", project)
    store, labels = ProjectStore(project), LabelSet()
    images = sorted(p.name for p in project.glob("*.jpg"))
    report = import_panoptic(project, store, labels, images, FIXTURE / "panoptic_examples.json")
    assert report.instances_added > 0
    return project, store, labels, images


def mask_ap(gt_path: Path, dt_path: Path) -> tuple[float, float]:
    """(AP, AP50) of dt's annotations as detections (score 1) against gt, with segm IoU."""
    with contextlib.redirect_stdout(io.StringIO()):
        gt = COCO(str(gt_path))
        dets = [{**a, "score": 1.0} for a in json.loads(dt_path.read_text())["annotations"] if not a.get("iscrowd")]
        ev = COCOeval(gt, gt.loadRes(dets), "segm")
        ev.evaluate(), ev.accumulate(), ev.summarize()
    return float(ev.stats[0]), float(ev.stats[1])


def id_maps(panoptic_json: Path, png_dir: Path) -> dict[int, tuple[np.ndarray, list]]:
    data = json.loads(panoptic_json.read_text())
    out = {}
    for ann in data["annotations"]:
        bgr = cv2.imdecode(np.fromfile(png_dir / ann["file_name"], np.uint8), cv2.IMREAD_COLOR)
        rgb = bgr[..., ::-1].astype(np.int64)
        out[ann["image_id"]] = (rgb[..., 0] + 256 * rgb[..., 1] + 256**2 * rgb[..., 2], ann["segments_info"])
    return out


def test_panoptic_export_scores_pq_1_against_the_imported_original(imported, tmp_path):
    project, store, labels, images = imported
    out = tmp_path / "export" / "panoptic.json"
    export_panoptic(project, store, labels, images, out)
    png_dir = out.with_suffix("")  # export_panoptic's default: the JSON's path without .json
    original = id_maps(FIXTURE / "panoptic_examples.json", FIXTURE / "panoptic_examples")
    exported = id_maps(out, png_dir)
    assert set(exported) == set(original) == {142238, 439180}  # matched by the original ids
    categories = json.loads((FIXTURE / "panoptic_examples.json").read_text())["categories"]
    result = pq_compute(original, exported, categories)
    assert result["All"]["pq"] == pytest.approx(1.0)
    assert all(c["fp"] == 0 and c["fn"] == 0 for c in result["per_class"].values())


def test_coco_export_scores_ap_1_against_itself_and_the_file_it_came_from(imported, tmp_path):
    project, store, labels, images = imported
    first = tmp_path / "first.json"
    export_coco(project, store, labels, images, first, segmentation="rle")
    assert mask_ap(first, first) == (pytest.approx(1.0), pytest.approx(1.0))
    # import that COCO file into a fresh project and export again: the same masks, same ids
    fresh = tmp_path / "fresh"
    shutil.copytree(FIXTURE / "input_images", fresh)
    store2, labels2 = ProjectStore(fresh), LabelSet()
    report = import_coco(fresh, store2, labels2, images, first)
    assert report.instances_added == len(json.loads(first.read_text())["annotations"])  # crowd regions too
    second = tmp_path / "second.json"
    export_coco(fresh, store2, labels2, images, second, segmentation="rle")
    assert [i["id"] for i in json.loads(second.read_text())["images"]] == [i["id"] for i in json.loads(first.read_text())["images"]]
    assert mask_ap(first, second) == (pytest.approx(1.0), pytest.approx(1.0))
