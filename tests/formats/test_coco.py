"""COCO instances export/import: pycocotools agreement, COCOeval, round trips, bad input."""

from __future__ import annotations

import contextlib
import io
import json
from pathlib import Path

import cv2
import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pycocotools import mask as mask_utils
from pycocotools.coco import COCO
from pycocotools.cocoeval import COCOeval

from app.core.categories import LabelSet
from app.core.document import Document
from app.core.geometry import PolygonGeometry, RasterGeometry
from app.core.instance import Instance, InstanceState
from app.core.rle import RleError, string_to_counts
from app.core.rle import decode as decode_rle
from app.core.rle import encode_crop as crop_to_rle
from app.formats.coco import coco_from_documents, export_coco, import_coco
from app.formats.project_io import FormatError
from app.formats.store import ProjectStore

W, H = 64, 48


def make_project(folder: Path, names: list[str], size: tuple[int, int] = (W, H)) -> ProjectStore:
    folder.mkdir(parents=True, exist_ok=True)
    for name in names:
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(cv2.imencode(".png", np.zeros((size[1], size[0], 3), np.uint8))[1].tobytes())
    return ProjectStore(folder)


def full_mask(geom, h: int = H, w: int = W) -> np.ndarray:
    r = geom if isinstance(geom, RasterGeometry) else geom.to_raster((h, w))
    return r.full(h, w)


masks = st.builds(
    lambda h, w, seed, x, y, p: RasterGeometry(np.random.default_rng(seed).random((h, w)) < p, x, y).tight(),
    st.integers(1, 30), st.integers(1, 30), st.integers(0, 10**6), st.integers(-5, 50), st.integers(-5, 40),
    st.floats(0.2, 0.9),
)
polygons = st.builds(
    lambda pts: PolygonGeometry.from_points(pts),
    st.lists(st.tuples(st.floats(0, W, allow_nan=False), st.floats(0, H, allow_nan=False)), min_size=3, max_size=10),
)


@settings(max_examples=25, deadline=None)
@given(st.integers(1, 40), st.integers(1, 40), st.integers(0, 10**6), st.data())
def test_crop_rle_matches_pycocotools_encode(height, width, seed, data):
    rng = np.random.default_rng(seed)
    h, w = data.draw(st.integers(1, height)), data.draw(st.integers(1, width))
    x, y = data.draw(st.integers(0, width - w)), data.draw(st.integers(0, height - h))
    crop = rng.random((h, w)) < rng.random()
    full = np.zeros((height, width), np.uint8)
    full[y : y + h, x : x + w] = crop
    ours = crop_to_rle(crop, x, y, height, width)
    ref = mask_utils.encode(np.asfortranarray(full))
    assert ours["counts"] == ref["counts"].decode("ascii")
    assert ours["size"] == [height, width]
    assert np.array_equal(decode_rle(ours), full.astype(bool))
    assert np.array_equal(decode_rle({"size": [height, width], "counts": string_to_counts(ours["counts"])}), full.astype(bool))


@pytest.mark.parametrize(
    "rle",
    [
        {"size": [4, 4], "counts": [3, 20]},  # runs sum to 23, not 16
        {"size": [4, 4], "counts": [3, -1, 14]},
        {"size": [4, 4], "counts": "\x01\x02"},
        {"size": [4, 4], "counts": "0?"},  # sums past the image
        {"size": [4], "counts": [16]},
        {"counts": [16]},
    ],
)
def test_malformed_rle_is_rejected_not_decoded(rle):
    with pytest.raises(RleError):
        decode_rle(rle)


def build_doc(name: str, items) -> Document:
    doc = Document(name, W, H)
    for geom, cat, suggested, score in items:
        doc.add(Instance(doc.new_id(), cat, geom, score=score,
                         state=InstanceState.SUGGESTED if suggested else InstanceState.ACCEPTED))
    return doc


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.tuples(st.one_of(masks, polygons), st.integers(1, 3), st.booleans(), st.none() | st.floats(0, 1)),
                max_size=6))
def test_export_loads_in_pycocotools_and_round_trips(tmp_path_factory, items):
    tmp = tmp_path_factory.mktemp("coco")
    store = make_project(tmp / "src", ["a.png", "sub/b.png"])
    labels = LabelSet.from_names(["cat", "dog", "bird"])
    doc = build_doc("sub/b.png", items)
    store.save_document(doc)
    out = tmp / "out.json"
    report = export_coco(tmp / "src", store, labels, ["a.png", "sub/b.png"], out)
    assert not report.cancelled
    with contextlib.redirect_stdout(io.StringIO()):
        coco = COCO(str(out))
    data = json.loads(out.read_text())
    assert [i["id"] for i in data["images"]] == [1, 2]
    assert [a["id"] for a in data["annotations"]] == list(range(1, len(data["annotations"]) + 1))
    expected = [i for i in doc if not i.is_suggestion and full_mask(i.geometry).any()]
    anns = coco.loadAnns(coco.getAnnIds(imgIds=[2]))
    assert len(anns) == len(expected)
    for inst, ann in zip(expected, anns):
        m = full_mask(inst.geometry)
        assert np.array_equal(coco.annToMask(ann).astype(bool), m)  # raster: bit-exact
        assert ann["area"] == m.sum()
        ys, xs = np.nonzero(m)
        assert ann["bbox"] == [xs.min(), ys.min(), xs.max() - xs.min() + 1, ys.max() - ys.min() + 1]
        assert ann["category_id"] == inst.category_id
        if inst.is_polygon:
            assert isinstance(ann["segmentation"], list)
        if inst.score is not None:
            assert ann["score"] == pytest.approx(inst.score)

    # import into a fresh copy of the project: same geometry, appended with new ids
    store2 = make_project(tmp / "dst", ["a.png", "sub/b.png"])
    labels2 = LabelSet()
    rep = import_coco(tmp / "dst", store2, labels2, ["a.png", "sub/b.png"], out)
    assert rep.warnings == [] and rep.unmatched == []
    back = store2.load_document("sub/b.png", W, H).document
    assert len(back) == len(expected)
    for inst, got in zip(expected, back):
        assert labels2.get(got.category_id).name == labels.get(inst.category_id).name
        if inst.is_raster:
            assert got.geometry == RasterGeometry.from_full(full_mask(inst.geometry))
        else:
            assert got.is_polygon and np.array_equal(got.geometry.parts[0], inst.geometry.parts[0])


def test_cocoeval_of_export_against_itself_gives_ap_one(tmp_path):
    rng = np.random.default_rng(3)
    names = [f"img{i}.png" for i in range(4)]
    store = make_project(tmp_path, names)
    labels = LabelSet.from_names(["a", "b"])
    for n, name in enumerate(names):
        doc = Document(name, W, H)
        for k in range(3):
            x, y = rng.integers(0, 40), rng.integers(0, 30)
            blob = np.zeros((16, 20), bool)
            cv2.ellipse(blob.view(np.uint8), (10, 8), (9, 6), 15 * k, 0, 360, 1, -1)
            geom = RasterGeometry(blob, int(x), int(y)).tight() if (n + k) % 2 else \
                PolygonGeometry.from_points([[x, y], [x + 18, y + 2], [x + 9, y + 15]])
            doc.add(Instance(doc.new_id(), 1 + k % 2, geom))
        store.save_document(doc)
    out = tmp_path / "gt.json"
    export_coco(tmp_path, store, labels, names, out)
    gt_data = json.loads(out.read_text())
    with contextlib.redirect_stdout(io.StringIO()):
        gt = COCO(str(out))
        results = []
        for ann in gt_data["annotations"]:
            rle = gt.annToRLE(ann)
            rle["counts"] = rle["counts"].decode("ascii") if isinstance(rle["counts"], bytes) else rle["counts"]
            results.append({"image_id": ann["image_id"], "category_id": ann["category_id"],
                            "segmentation": rle, "score": 0.9})
        dt = gt.loadRes(results)
        ev = COCOeval(gt, dt, "segm")
        ev.evaluate()
        ev.accumulate()
        ev.summarize()
    assert ev.stats[0] == pytest.approx(1.0)
    assert ev.stats[1] == pytest.approx(1.0)


def test_holes_and_crowd_export_as_rle_and_suggestions_are_optional(tmp_path):
    store = make_project(tmp_path, ["a.png"])
    labels = LabelSet.from_names(["a"])
    doc = Document("a.png", W, H)
    ring = PolygonGeometry.from_points([[2, 2], [30, 2], [30, 30], [2, 30]], holes=([[10, 10], [20, 10], [20, 20], [10, 20]],))
    doc.add(Instance(doc.new_id(), 1, ring))
    doc.add(Instance(doc.new_id(), 1, PolygonGeometry.from_points([[40, 5], [60, 5], [50, 20]]), provenance={"iscrowd": 1}))
    doc.add(Instance(doc.new_id(), 1, PolygonGeometry.from_points([[40, 25], [60, 25], [50, 40]]),
                     state=InstanceState.SUGGESTED, score=0.5))
    doc.add(Instance(doc.new_id(), 1, PolygonGeometry.from_points([[0, 35], [8, 35], [4, 46]])))
    store.save_document(doc)
    out = tmp_path / "o.json"
    export_coco(tmp_path, store, labels, ["a.png"], out)
    anns = json.loads(out.read_text())["annotations"]
    assert len(anns) == 3
    assert isinstance(anns[0]["segmentation"], dict) and anns[0]["area"] == 28 * 28 - 100
    assert isinstance(anns[1]["segmentation"], dict) and anns[1]["iscrowd"] == 1
    assert anns[2]["segmentation"] == [[0.0, 35.0, 8.0, 35.0, 4.0, 46.0]]
    with contextlib.redirect_stdout(io.StringIO()):
        COCO(str(out))
    export_coco(tmp_path, store, labels, ["a.png"], out, include_suggestions=True)
    anns = json.loads(out.read_text())["annotations"]
    assert len(anns) == 4 and anns[2]["score"] == 0.5
    # a degenerate 2-point part (only possible in memory) must not reach frPyObjects, which
    # reads a 4-number list as a box; the store cannot even hold one
    mem = Document("m.png", W, H)
    mem.add(Instance(1, 1, PolygonGeometry.from_points([[1, 40], [5, 44]], [[0, 35], [8, 35], [4, 46]])))
    data = coco_from_documents([mem], labels)
    assert data["annotations"][0]["segmentation"] == [[0.0, 35.0, 8.0, 35.0, 4.0, 46.0]]
    export_coco(tmp_path, store, labels, ["a.png"], out, segmentation="rle")
    assert all(isinstance(a["segmentation"], dict) for a in json.loads(out.read_text())["annotations"])


def _coco_file(tmp_path: Path, annotations, images=None, categories=None) -> Path:
    data = {
        "images": images if images is not None else [{"id": 7, "file_name": "x/y/a.png", "width": W, "height": H}],
        "annotations": annotations,
        "categories": categories if categories is not None else [{"id": 5, "name": "Dog"}, {"id": 9, "name": "zebra"}],
    }
    path = tmp_path / "in.json"
    path.write_text(json.dumps(data))
    return path


def test_import_handles_every_encoding_and_reports_bad_records(tmp_path):
    store = make_project(tmp_path / "p", ["a.png", "b.png"])
    labels = LabelSet.from_names(["cat", "dog"])
    existing = Document("a.png", W, H)
    existing.add(Instance(existing.new_id(), 1, PolygonGeometry.from_points([[0, 0], [5, 0], [0, 5]])))
    store.save_document(existing)
    full = np.zeros((H, W), np.uint8)
    full[10:20, 5:9] = 1
    compressed = mask_utils.encode(np.asfortranarray(full))
    compressed["counts"] = compressed["counts"].decode()
    uncompressed = {"size": [H, W], "counts": [5 * H + 10, 10, H - 10, 10, H - 10, 10, H - 10, 10, W * H - 8 * H - 20]}
    anns = [
        {"id": 1, "image_id": 7, "category_id": 5, "segmentation": [[1, 1, 10, 1, 10, 10]], "iscrowd": 0},
        {"id": 2, "image_id": 7, "category_id": 5, "segmentation": compressed, "iscrowd": 0},
        {"id": 3, "image_id": 7, "category_id": 9, "segmentation": uncompressed, "iscrowd": 1},
        {"id": 4, "image_id": 7, "category_id": 77, "segmentation": [[1, 1, 10, 1, 10, 10]]},
        {"id": 5, "image_id": 7, "category_id": 5, "segmentation": [[1, 1, 10, 1]]},
        {"id": 6, "image_id": 7, "category_id": 5, "segmentation": {"size": [10, 10], "counts": [100]}},
        {"id": 7, "image_id": 7, "category_id": 5, "segmentation": [[-5, 1, 100, 1, 10, 10]]},
        {"id": 8, "image_id": 99, "category_id": 5, "segmentation": [[1, 1, 10, 1, 10, 10]]},
        {"id": 9, "image_id": 7, "category_id": 5, "segmentation": [], "bbox": [1, 1, 4, 4]},
    ]
    report = import_coco(tmp_path / "p", store, labels, ["a.png", "b.png"], _coco_file(tmp_path, anns))
    assert report.images_changed == ["a.png"] and report.instances_added == 4
    assert report.categories_added == ["zebra"]
    reasons = {w.record: w.reason for w in report.warnings}
    assert "unknown category id 77" in reasons["annotation 4"]
    assert "fewer than 3" in reasons["annotation 5"]
    assert "does not match" in reasons["annotation 6"]
    assert "clamped" in reasons["annotation 7"]
    assert "image_id 99" in reasons
    assert "bounding box only" in reasons["annotation 9"]
    doc = store.load_document("a.png", W, H).document
    assert [i.id for i in doc] == [1, 2, 3, 4, 5]  # appended after the existing instance
    assert doc.get(1) == existing.get(1)
    assert np.array_equal(doc.get(3).geometry.full(H, W), full.astype(bool))
    assert np.array_equal(doc.get(4).geometry.full(H, W), full.astype(bool))
    assert doc.get(4).provenance["iscrowd"] == 1 and labels.get(doc.get(4).category_id).name == "zebra"
    assert labels.get(doc.get(2).category_id).name == "dog"  # matched by name, case-insensitive
    assert np.array_equal(doc.get(5).geometry.parts[0], [[0, 1], [W, 1], [10, 10]])


def test_import_reports_unmatched_ambiguous_and_size_mismatch(tmp_path):
    store = make_project(tmp_path / "p", ["s1/a.png", "s2/a.png", "c.png"])
    images = [
        {"id": 1, "file_name": "a.png", "width": W, "height": H},
        {"id": 2, "file_name": "nothere.png", "width": W, "height": H},
        {"id": 3, "file_name": "../../c.png", "width": W + 1, "height": H},
    ]
    anns = [{"id": i, "image_id": i, "category_id": 5, "segmentation": [[1, 1, 9, 1, 9, 9]]} for i in (1, 2, 3)]
    report = import_coco(tmp_path / "p", store, LabelSet(), ["s1/a.png", "s2/a.png", "c.png"],
                         _coco_file(tmp_path, anns, images))
    assert set(report.unmatched) == {"a.png", "nothere.png"}
    assert report.instances_added == 0
    assert any("2 images are named" in w.reason for w in report.warnings)
    assert any("65x48" in w.reason for w in report.warnings)
    assert not (tmp_path / "p" / ".maskpilot" / "labels" / "c.png.json").exists()


@pytest.mark.parametrize("text", ["{not json", "[]", '{"images": []}'])
def test_unusable_file_raises_format_error(tmp_path, text):
    store = make_project(tmp_path / "p", ["a.png"])
    (tmp_path / "bad.json").write_text(text)
    with pytest.raises(FormatError):
        import_coco(tmp_path / "p", store, LabelSet(), ["a.png"], tmp_path / "bad.json")


def test_cancel_writes_nothing(tmp_path):
    store = make_project(tmp_path, ["a.png", "b.png"])
    calls = []
    report = export_coco(tmp_path, store, LabelSet(), ["a.png", "b.png"], tmp_path / "o.json",
                         should_stop=lambda: len(calls) >= 1, progress=lambda d, t: calls.append((d, t)))
    assert report.cancelled and calls == [(1, 2)]
    assert not (tmp_path / "o.json").exists()


def test_unreadable_image_without_labels_is_skipped_with_a_warning(tmp_path):
    store = make_project(tmp_path, ["a.png"])
    (tmp_path / "broken.png").write_text("not an image")
    report = export_coco(tmp_path, store, LabelSet(), ["a.png", "broken.png"], tmp_path / "o.json")
    data = json.loads((tmp_path / "o.json").read_text())
    assert [i["file_name"] for i in data["images"]] == ["a.png"]
    assert report.warnings[0].file == "broken.png" and "size unknown" in report.warnings[0].reason
