"""COCO panoptic export/import: the panopticapi sample reproduced, z-order, ids, bad input."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import cv2
import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.core.categories import Category, LabelSet
from app.core.document import Document
from app.core.geometry import PolygonGeometry, RasterGeometry
from app.core.instance import Instance
from app.formats.class_lists import coco_things
from app.formats.panoptic import export_panoptic, id_to_rgb, import_panoptic, rgb_to_id
from app.formats.project_io import FormatError
from app.formats.store import ProjectStore

SHARED = Path(__file__).resolve().parents[2].parent / "shared"
FIXTURE = SHARED / "fixtures" / "coco_panoptic"
W, H = 40, 30


def read_ids(path: Path) -> np.ndarray:
    """Independent of the code under test: plain cv2 + integer arithmetic."""
    bgr = cv2.imdecode(np.fromfile(path, np.uint8), cv2.IMREAD_COLOR).astype(np.int64)
    return bgr[..., 2] + 256 * bgr[..., 1] + 65536 * bgr[..., 0]


def make_project(folder: Path, names: list[str]) -> ProjectStore:
    folder.mkdir(parents=True, exist_ok=True)
    for name in names:
        (folder / name).write_bytes(cv2.imencode(".png", np.zeros((H, W, 3), np.uint8))[1].tobytes())
    return ProjectStore(folder)


@pytest.fixture
def fixture_dir() -> Path:
    if not FIXTURE.exists():
        pytest.skip("../shared/fixtures/coco_panoptic is missing")
    return FIXTURE


@pytest.mark.parametrize("start_labels", ["empty", "coco_things"])
def test_panoptic_sample_is_reproduced_exactly(tmp_path, fixture_dir, start_labels):
    project = tmp_path / "project"
    shutil.copytree(fixture_dir / "input_images", project)
    store = ProjectStore(project)
    labels = LabelSet() if start_labels == "empty" else coco_things()  # the app's default classes
    images = sorted(p.name for p in project.glob("*.jpg"))
    report = import_panoptic(project, store, labels, images, fixture_dir / "panoptic_examples.json")
    assert report.warnings == [] and report.unmatched == []
    original = json.loads((fixture_dir / "panoptic_examples.json").read_text())
    assert report.instances_added == sum(len(a["segments_info"]) for a in original["annotations"])
    used = {s["category_id"] for a in original["annotations"] for s in a["segments_info"]}
    stuff = [c["id"] for c in original["categories"] if not c["isthing"] and c["id"] in used]
    assert stuff and all(not labels.get(cid).isthing for cid in stuff)
    # only the classes of imported segments join the project
    assert {c["name"] for c in original["categories"] if c["id"] in used} <= {c.name for c in labels}
    assert len(labels) == len(used) if start_labels == "empty" else len(labels) == 80 + len(used - set(range(1, 91)))

    out = tmp_path / "export" / "panoptic.json"
    export_panoptic(project, store, labels, images, out)
    exported = json.loads(out.read_text())
    by_name = {i["file_name"]: i["id"] for i in exported["images"]}
    orig_names = {i["id"]: i["file_name"] for i in original["images"]}
    exp_anns = {a["image_id"]: a for a in exported["annotations"]}
    for ann in original["annotations"]:
        mine = exp_anns[by_name[orig_names[ann["image_id"]]]]
        key = lambda s: s["id"]  # noqa: E731
        assert sorted(mine["segments_info"], key=key) == sorted(ann["segments_info"], key=key)
        assert [s["id"] for s in mine["segments_info"]] == [s["id"] for s in ann["segments_info"]]
        want = read_ids(fixture_dir / "panoptic_examples" / ann["file_name"])
        got = read_ids(out.with_suffix("") / mine["file_name"])
        assert np.array_equal(got, want)
    cats = {c["id"]: c for c in exported["categories"]}
    for c in original["categories"]:
        if c["id"] in used:
            assert cats[c["id"]]["name"] == c["name"] and cats[c["id"]]["isthing"] == c["isthing"]
            assert cats[c["id"]]["color"] == c["color"]


rasters = st.builds(
    lambda h, w, seed, x, y: RasterGeometry(np.random.default_rng(seed).random((h, w)) < 0.6, x, y).tight(),
    st.integers(1, 20), st.integers(1, 20), st.integers(0, 10**6), st.integers(-3, W - 2), st.integers(-3, H - 2),
)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.tuples(rasters, st.sampled_from([1, 2, 3]), st.booleans()), max_size=6))
def test_round_trip_resolves_overlaps_by_z_order(tmp_path_factory, items):
    tmp = tmp_path_factory.mktemp("pan")
    store = make_project(tmp / "a", ["img.png"])
    labels = LabelSet([Category(1, "car", (200, 0, 0)), Category(2, "road", (128, 64, 128), isthing=False),
                       Category(3, "person", (220, 20, 60))])
    doc = Document("img.png", W, H)
    for geom, cat, crowd in items:
        doc.add(Instance(doc.new_id(), cat, geom, provenance={"iscrowd": 1} if crowd else {}))
    store.save_document(doc)
    # expected visible masks, painted bottom to top by the test itself
    owner = np.full((H, W), -1)
    for k, inst in enumerate(doc):
        owner[inst.geometry.full(H, W)] = k
    out = tmp / "p.json"
    export_panoptic(tmp / "a", store, labels, ["img.png"], out)
    ids = read_ids(out.with_suffix("") / "img.png")
    segs = json.loads(out.read_text())["annotations"][0]["segments_info"]
    visible = [k for k in range(len(doc)) if (owner == k).any()]
    assert len(segs) == len(visible) and len({s["id"] for s in segs}) == len(segs)
    for k, seg in zip(visible, segs):
        assert np.array_equal(ids == seg["id"], owner == k)
        assert seg["area"] == (owner == k).sum()
        assert seg["category_id"] == doc.instances[k].category_id
        assert seg["iscrowd"] == int(bool(doc.instances[k].provenance))
    assert (ids == 0).sum() == (owner == -1).sum()
    roads = [k for k, i in enumerate(doc) if i.category_id == 2 and not i.geometry.is_empty()]
    if roads and roads[0] in visible:  # the first stuff segment gets exactly the category colour
        assert segs[visible.index(roads[0])]["id"] == 128 + 64 * 256 + 128 * 65536

    store2 = make_project(tmp / "b", ["img.png"])
    labels2 = LabelSet()
    rep = import_panoptic(tmp / "b", store2, labels2, ["img.png"], out)
    assert rep.warnings == []
    back = store2.load_document("img.png", W, H).document
    assert [i.provenance["panoptic_id"] for i in back] == [s["id"] for s in segs]
    for k, inst in zip(visible, back):
        assert np.array_equal(inst.geometry.full(H, W), owner == k)
        assert labels2.get(inst.category_id).isthing == (doc.instances[k].category_id != 2)
    out2 = tmp / "again.json"
    export_panoptic(tmp / "b", store2, labels2, ["img.png"], out2)
    assert np.array_equal(read_ids(out2.with_suffix("") / "img.png"), ids)


def test_id_helpers_are_inverse():
    ids = np.array([[0, 1, 255, 256], [65535, 65536, 3937500, 256**3 - 1]])
    rgb = id_to_rgb(ids)
    assert rgb.dtype == np.uint8 and tuple(rgb[1, 2]) == (3937500 % 256, (3937500 // 256) % 256, 3937500 // 65536)
    assert np.array_equal(rgb_to_id(rgb), ids)


def test_duplicate_preserved_ids_get_fresh_ones_and_polygons_are_rasterized(tmp_path):
    store = make_project(tmp_path / "a", ["img.png"])
    labels = LabelSet([Category(1, "car", (200, 0, 0))])
    doc = Document("img.png", W, H)
    doc.add(Instance(1, 1, PolygonGeometry.from_points([[0, 0], [10, 0], [10, 10], [0, 10]]), provenance={"panoptic_id": 77}))
    doc.add(Instance(2, 1, PolygonGeometry.from_points([[20, 0], [30, 0], [30, 10], [20, 10]]), provenance={"panoptic_id": 77}))
    store.save_document(doc)
    out = tmp_path / "p.json"
    export_panoptic(tmp_path / "a", store, labels, ["img.png"], out)
    segs = json.loads(out.read_text())["annotations"][0]["segments_info"]
    assert segs[0]["id"] == 77 and segs[1]["id"] not in (0, 77)
    assert [s["area"] for s in segs] == [100, 100] and segs[1]["bbox"] == [20, 0, 10, 10]


def test_bad_panoptic_input_is_reported(tmp_path):
    store = make_project(tmp_path / "a", ["img.png", "b.png"])
    png_dir = tmp_path / "p"
    png_dir.mkdir()
    ids = np.zeros((H, W), np.int64)
    ids[2:5, 2:6] = 300
    ids[10:12, 10:12] = 999  # not listed
    (png_dir / "img.png").write_bytes(cv2.imencode(".png", id_to_rgb(ids)[..., ::-1].copy())[1].tobytes())
    (tmp_path / "secret.png").write_bytes((png_dir / "img.png").read_bytes())
    (png_dir / "small.png").write_bytes(cv2.imencode(".png", np.zeros((5, 5, 3), np.uint8))[1].tobytes())
    data = {
        "images": [{"id": 1, "file_name": "img.png"}, {"id": 2, "file_name": "b.png"}, {"id": 3, "file_name": "zzz.jpg"}],
        "annotations": [
            {"image_id": 1, "file_name": "img.png", "segments_info": [
                {"id": 300, "category_id": 1, "area": 11, "bbox": [2, 2, 4, 3], "iscrowd": 0},
                {"id": 301, "category_id": 1}, {"id": 302, "category_id": 42}]},
            {"image_id": 2, "file_name": "../secret.png", "segments_info": []},
            {"image_id": 2, "file_name": "small.png", "segments_info": []},
            {"image_id": 3, "file_name": "img.png", "segments_info": []},
        ],
        "categories": [{"id": 1, "name": "car", "isthing": 1}],
    }
    (tmp_path / "p.json").write_text(json.dumps(data))
    report = import_panoptic(tmp_path / "a", store, LabelSet(), ["img.png", "b.png"], tmp_path / "p.json")
    reasons = " | ".join(str(w) for w in report.warnings)
    assert "area in the JSON is 11, the PNG has 12" in reasons
    assert "segment 301: id not present" in reasons
    assert "unknown category id 42" in reasons
    assert "does not list" in reasons
    assert "outside the PNG folder" in reasons
    assert "5x5" in reasons
    assert report.unmatched == ["zzz.jpg"] and report.instances_added == 1
    (tmp_path / "bad.json").write_text("{")
    with pytest.raises(FormatError):
        import_panoptic(tmp_path / "a", store, LabelSet(), ["img.png"], tmp_path / "bad.json")
