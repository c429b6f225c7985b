"""VOC-style PNG export/import: palette, void, 16-bit instance ids, binary masks, round trip."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PIL import Image

from app.core.categories import LabelSet
from app.core.document import Document
from app.core.geometry import PolygonGeometry, RasterGeometry
from app.core.instance import Instance
from app.formats.png_masks import export_png_masks, import_png_masks, voc_colormap
from app.formats.project_io import FormatError
from app.formats.store import ProjectStore

W, H = 40, 30


def make_project(folder: Path, names: list[str]) -> ProjectStore:
    folder.mkdir(parents=True, exist_ok=True)
    for name in names:
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(cv2.imencode(".png", np.zeros((H, W, 3), np.uint8))[1].tobytes())
    return ProjectStore(folder)


def test_voc_colormap_known_entries():
    cmap = voc_colormap()
    assert tuple(cmap[0]) == (0, 0, 0) and tuple(cmap[1]) == (128, 0, 0) and tuple(cmap[2]) == (0, 128, 0)
    assert tuple(cmap[15]) == (192, 128, 128) and tuple(cmap[20]) == (0, 64, 128)
    assert tuple(cmap[255]) == (224, 224, 192)
    assert len({tuple(c) for c in cmap}) == 256


rasters = st.builds(
    lambda h, w, seed, x, y: RasterGeometry(np.random.default_rng(seed).random((h, w)) < 0.6, x, y).tight(),
    st.integers(1, 15), st.integers(1, 15), st.integers(0, 10**6), st.integers(-3, W - 2), st.integers(-3, H - 2),
)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.tuples(rasters, st.sampled_from([2, 5, 9])), max_size=6))
def test_round_trip_through_class_and_object_pngs(tmp_path_factory, items):
    tmp = tmp_path_factory.mktemp("png")
    store = make_project(tmp / "a", ["sub/img.jpg"])
    labels = LabelSet.from_names([f"c{i}" for i in range(1, 10)])
    doc = Document("sub/img.jpg", W, H)
    for geom, cat in items:
        if not geom.is_empty():  # empty instances are never exported
            doc.add(Instance(doc.new_id(), cat, geom))
    store.save_document(doc)
    owner = np.full((H, W), -1)
    for k, inst in enumerate(doc):
        owner[inst.geometry.full(H, W)] = k
    out = tmp / "out"
    export_png_masks(tmp / "a", store, labels, ["sub/img.jpg"], out, binary=True)
    with Image.open(out / "SegmentationClass" / "sub" / "img.png") as img:
        assert img.mode == "P"
        cls = np.array(img)
        assert img.getpalette()[3:6] == [128, 0, 0]
    obj = cv2.imdecode(np.fromfile(out / "SegmentationObject" / "sub" / "img.png", np.uint8), cv2.IMREAD_UNCHANGED)
    assert obj.dtype == np.uint16
    names = (out / "class_names.txt").read_text().splitlines()
    assert names[0] == "_background_" and names[1:] == [c.name for c in labels]
    for k, inst in enumerate(doc):
        vis = owner == k
        assert (cls[vis] == inst.category_id).all()  # ids 1..9 without gaps: value == position
        assert len(list((out / "SegmentationMasks" / "sub" / "img").glob(f"{k + 1}_c{inst.category_id}.png"))) == 1
    visible = [k for k in range(len(doc)) if (owner == k).any()]
    assert sorted(set(np.unique(obj)) - {0}) == [k + 1 for k in visible]
    assert (cls[owner == -1] == 0).all()

    store2 = make_project(tmp / "b", ["sub/img.jpg"])
    labels2 = LabelSet.from_names(["zzz"])
    rep = import_png_masks(tmp / "b", store2, labels2, ["sub/img.jpg"], out)
    assert rep.warnings == []
    back = store2.load_document("sub/img.jpg", W, H).document
    assert len(back) == len(visible)
    for k, inst in zip(visible, back):
        assert np.array_equal(inst.geometry.full(H, W), owner == k)
        assert labels2.get(inst.category_id).name == labels.get(doc.instances[k].category_id).name


def test_semantic_only_import_and_void(tmp_path):
    store = make_project(tmp_path / "a", ["img.jpg"])
    labels = LabelSet.from_names(["cat", "__ignore__", "dog"])
    doc = Document("img.jpg", W, H)
    doc.add(Instance(1, 1, PolygonGeometry.from_points([[0, 0], [10, 0], [10, 10], [0, 10]])))
    doc.add(Instance(2, 3, PolygonGeometry.from_points([[20, 0], [30, 0], [30, 10], [20, 10]])))
    doc.add(Instance(3, 3, PolygonGeometry.from_points([[20, 20], [30, 20], [30, 30], [20, 30]])))
    doc.add(Instance(4, 2, PolygonGeometry.from_points([[5, 5], [25, 5], [25, 8], [5, 8]])))
    store.save_document(doc)
    out = tmp_path / "out"
    export_png_masks(tmp_path / "a", store, labels, ["img.jpg"], out, instances=False)
    assert not (out / "SegmentationObject").exists()
    with Image.open(out / "SegmentationClass" / "img.png") as img:
        cls = np.array(img)
    assert cls[6, 6] == 255 and cls[0, 0] == 1 and cls[0, 25] == 2 and cls[25, 25] == 2
    assert (out / "class_names.txt").read_text().splitlines() == ["_background_", "cat", "dog"]
    store2 = make_project(tmp_path / "b", ["img.jpg", "other.jpg"])
    labels2 = LabelSet()
    rep = import_png_masks(tmp_path / "b", store2, labels2, ["img.jpg", "other.jpg"], out)
    back = store2.load_document("img.jpg", W, H).document
    assert [labels2.name(i.category_id) for i in back] == ["cat", "dog"]
    # the void stripe (rows 5..7, columns 5..24) covers 15 pixels of each; it is not imported
    assert back.instances[0].geometry.area() == 100 - 15
    assert back.instances[1].geometry.area() == 200 - 15
    assert rep.images_changed == ["img.jpg"]


def test_rgb_class_png_and_missing_class_list(tmp_path):
    store = make_project(tmp_path / "a", ["img.jpg"])
    src = tmp_path / "voc"
    (src / "SegmentationClass").mkdir(parents=True)
    idx = np.zeros((H, W), np.uint8)
    idx[:5, :5] = 2
    rgb = voc_colormap()[idx]
    (src / "SegmentationClass" / "img.png").write_bytes(cv2.imencode(".png", rgb[..., ::-1].copy())[1].tobytes())
    (src / "SegmentationClass" / "stray.png").write_bytes(cv2.imencode(".png", rgb[..., ::-1].copy())[1].tobytes())
    labels = LabelSet.from_names(["a", "b"])
    rep = import_png_masks(tmp_path / "a", store, labels, ["img.jpg"], src)
    assert any("no class_names.txt" in w.reason for w in rep.warnings)
    assert rep.unmatched == ["stray.png"]
    back = store.load_document("img.jpg", W, H).document
    assert [labels.name(i.category_id) for i in back] == ["b"] and back.instances[0].geometry.area() == 25
    with pytest.raises(FormatError):
        import_png_masks(tmp_path / "a", store, labels, ["img.jpg"], tmp_path / "nothing")
