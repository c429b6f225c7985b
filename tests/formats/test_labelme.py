"""labelme JSON import/export: the labelme example imported exactly, groups, masks, bad input,
and label files that must not make us touch anything outside the project."""

from __future__ import annotations

import base64
import json
import shutil
import sys
from pathlib import Path

import cv2
import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.core.categories import LabelSet
from app.core.document import Document
from app.core.geometry import PolygonGeometry, RasterGeometry
from app.core.instance import Instance
from app.formats.labelme import export_labelme, find_labelme_files, import_labelme
from app.formats.store import ProjectStore

SHARED = Path(__file__).resolve().parents[2].parent / "shared"
FIXTURE = SHARED / "fixtures" / "labelme"
W, H = 40, 30

_OPENED: list[str] | None = None


_PYTHON_DIRS = tuple(str(Path(p).resolve()) for p in {sys.prefix, sys.base_prefix})


def _audit(event: str, args: tuple) -> None:
    if _OPENED is not None and event == "open" and isinstance(args[0], (str, bytes, Path)):
        path = str(Path(args[0] if not isinstance(args[0], bytes) else args[0].decode()).resolve())
        if not path.startswith(_PYTHON_DIRS):  # lazy module imports are not label-file reads
            _OPENED.append(path)


sys.addaudithook(_audit)  # audit hooks cannot be removed; it records only while _OPENED is a list


def make_project(folder: Path, names: list[str], size=(W, H)) -> ProjectStore:
    folder.mkdir(parents=True, exist_ok=True)
    for name in names:
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(cv2.imencode(".png", np.zeros((size[1], size[0], 3), np.uint8))[1].tobytes())
    return ProjectStore(folder)


@pytest.fixture
def fixture_dir() -> Path:
    if not FIXTURE.exists():
        pytest.skip("../shared/fixtures/labelme is missing")
    return FIXTURE


def test_labelme_example_imports_vertex_for_vertex_and_exports_back(tmp_path, fixture_dir):
    project = tmp_path / "p"
    project.mkdir()
    for name in ("2011_000003.jpg", "2011_000003.json"):
        shutil.copy(fixture_dir / name, project / name)
    store = ProjectStore(project)
    found = find_labelme_files(project, ["2011_000003.jpg"])
    assert found == {"2011_000003.jpg": project / "2011_000003.json"}
    labels = LabelSet.from_names(["person"])
    report = import_labelme(project, store, labels, ["2011_000003.jpg"])
    assert report.warnings == [] and report.instances_added == 4
    assert report.categories_added == ["bottle", "__ignore__"]
    shapes = json.loads((fixture_dir / "2011_000003.json").read_text())["shapes"]
    doc = store.load_document("2011_000003.jpg", 0, 0).document
    assert (doc.width, doc.height) == (500, 338)
    person, group, bottle, ignore = doc.instances
    assert np.array_equal(person.geometry.parts[0], np.array(shapes[0]["points"]))
    assert len(group.geometry.parts) == 2  # group_id 0 joins the two "person" polygons
    assert np.array_equal(group.geometry.parts[0], np.array(shapes[1]["points"]))
    assert np.array_equal(group.geometry.parts[1], np.array(shapes[2]["points"]))
    assert np.array_equal(bottle.geometry.parts[0], np.array(shapes[3]["points"]))
    assert [labels.name(i.category_id) for i in doc] == ["person", "person", "bottle", "__ignore__"]

    out = tmp_path / "out"
    export_labelme(project, store, labels, ["2011_000003.jpg"], out)
    back = json.loads((out / "2011_000003.json").read_text())
    assert back["imagePath"] == "../p/2011_000003.jpg" and back["imageData"] is None
    assert (back["imageWidth"], back["imageHeight"]) == (500, 338)
    assert [s["points"] for s in back["shapes"]] == [s["points"] for s in shapes]
    assert [s["label"] for s in back["shapes"]] == [s["label"] for s in shapes]
    gids = [s["group_id"] for s in back["shapes"]]
    assert gids[0] is None and gids[1] == gids[2] is not None and gids[3] is None


def _patch_b64(patch: np.ndarray) -> str:
    return base64.b64encode(cv2.imencode(".png", patch.astype(np.uint8))[1].tobytes()).decode()


def test_shape_types_and_bad_shapes(tmp_path):
    store = make_project(tmp_path / "p", ["a.png"])
    patch = np.zeros((4, 6), bool)
    patch[1:3, 1:5] = True
    shapes = [
        {"label": "box", "points": [[30, 20], [10, 5]], "shape_type": "rectangle", "group_id": None},
        {"label": "ball", "points": [[20, 15], [25, 15]], "shape_type": "circle"},
        {"label": "blob", "points": [[3, 2], [8, 5]], "shape_type": "mask", "mask": _patch_b64(patch)},
        {"label": "old", "points": [[0, 0], [4, 0], [0, 4]]},  # labelme 3: no shape_type
        {"label": "rot", "points": [[1, 1], [5, 1], [5, 5], [1, 5]], "shape_type": "oriented_rectangle"},
        {"label": "blob", "points": [[0, 20], [5, 20], [0, 25]], "shape_type": "polygon", "group_id": 3},
        {"label": "blob", "points": [[10, 25], [12, 25], [12, 27], [10, 27]], "shape_type": "polygon", "group_id": 3},
        {"label": "two", "points": [[1, 1], [2, 2]], "shape_type": "polygon"},
        {"label": "three", "points": [[1, 1], [2, 2], [3, 3]], "shape_type": "rectangle"},
        {"label": "line", "points": [[1, 1], [9, 9]], "shape_type": "line"},
        {"label": "bool", "points": [[True, 1], [2, 2], [3, 1]], "shape_type": "polygon"},
        {"label": "far", "points": [[-10, 1], [100, 2], [3, 9]], "shape_type": "polygon"},
        {"label": "", "points": [[1, 1], [2, 2], [3, 1]]},
        {"label": "wrongmask", "points": [[1, 1], [2, 2], [3, 1]], "shape_type": "polygon", "mask": _patch_b64(patch)},
        {"label": "badmask", "points": [[1, 1], [4, 4]], "shape_type": "mask", "mask": "@@@"},
    ]
    (tmp_path / "p" / "a.json").write_text(json.dumps({"shapes": shapes, "imagePath": "a.png", "imageWidth": W, "imageHeight": H}))
    labels = LabelSet()
    report = import_labelme(tmp_path / "p", store, labels, ["a.png"])
    reasons = {w.record: w.reason for w in report.warnings}
    assert "at least 3 points, got 2" in reasons["shape 7 (two)"]
    assert "exactly 2 points, got 3" in reasons["shape 8 (three)"]
    assert "no area" in reasons["shape 9 (line)"]
    assert "number pairs" in reasons["shape 10 (bool)"]
    assert "clamped" in reasons["shape 11 (far)"]
    assert "no label" in reasons["shape 12"]
    assert "must not carry a mask" in reasons["shape 13 (wrongmask)"]
    assert "not a PNG" in reasons["shape 14 (badmask)"]
    doc = store.load_document("a.png", W, H).document
    names = [labels.name(i.category_id) for i in doc]
    assert names == ["box", "ball", "blob", "old", "rot", "blob", "far"]
    box, ball, blob, old, rot, group, far = doc.instances
    assert np.array_equal(box.geometry.parts[0], [[10, 5], [30, 5], [30, 20], [10, 20]])
    assert ball.geometry.to_raster().area() == pytest.approx(np.pi * 25, rel=0.15)
    assert blob.geometry == RasterGeometry(patch, 3, 2).tight()
    assert len(group.geometry.parts) == 2
    assert np.array_equal(far.geometry.parts[0], [[0, 1], [W, 2], [3, 9]])

    out = tmp_path / "out"
    export_labelme(tmp_path / "p", store, labels, ["a.png"], out)
    back = json.loads((out / "a.json").read_text())["shapes"]
    assert back[0]["shape_type"] == "rectangle" and back[0]["points"] == [[30.0, 20.0], [10.0, 5.0]]
    assert back[1]["shape_type"] == "circle"
    assert back[2]["shape_type"] == "mask" and back[2]["points"] == [[4.0, 3.0], [7.0, 4.0]]  # inclusive max


def test_image_path_is_never_opened_or_followed(tmp_path):
    global _OPENED
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "x.png").write_bytes(b"secret")
    store = make_project(tmp_path / "proj", ["sub/a.png", "x.png"])
    label = {"shapes": [{"label": "t", "points": [[1, 1], [9, 1], [5, 8]], "shape_type": "polygon"}],
             "imagePath": "../../outside/x.png", "imageData": None, "imageWidth": W, "imageHeight": H}
    (tmp_path / "proj" / "sub" / "a.json").write_text(json.dumps(label))
    src = tmp_path / "labels"
    src.mkdir()
    (src / "whatever.json").write_text(json.dumps(label))
    (src / "escape.json").write_text(json.dumps({**label, "imagePath": "../../../../etc/nothing.png"}))
    _OPENED = []
    try:
        rep1 = import_labelme(tmp_path / "proj", store, LabelSet(), ["sub/a.png", "x.png"])
        rep2 = import_labelme(tmp_path / "proj", store, LabelSet(), ["sub/a.png", "x.png"], source_dir=src)
    finally:
        opened, _OPENED = _OPENED, None
    allowed = [str((tmp_path / "proj").resolve()), str(src.resolve())]
    assert opened and all(any(p.startswith(a) for a in allowed) for p in opened), opened
    assert rep1.images_changed == ["sub/a.png"]  # next to the image: imagePath is only reported
    assert any("names 'x.png'" in w.reason for w in rep1.warnings)
    assert rep2.images_changed == ["x.png"]  # elsewhere: matched by basename only
    assert rep2.unmatched == ["escape.json"]
    assert (outside / "x.png").read_bytes() == b"secret"


def test_malformed_and_mismatched_files_are_reported(tmp_path):
    store = make_project(tmp_path / "p", ["a.png", "b.png", "c.png"])
    (tmp_path / "p" / "a.json").write_text('{"shapes": [')  # truncated: not labelme-looking
    (tmp_path / "p" / "b.json").write_text(json.dumps({"shapes": [], "imageWidth": 99, "imageHeight": 9}))
    (tmp_path / "p" / "c.json").write_text(json.dumps({"other": 1}))
    src = tmp_path / "src"
    src.mkdir()
    (src / "a.json").write_text('{"shapes": [')
    r = import_labelme(tmp_path / "p", store, LabelSet(), ["a.png", "b.png", "c.png"])
    assert any("99x9" in w.reason for w in r.warnings) and r.instances_added == 0
    assert any("not valid JSON" in w.reason for w in r.warnings)
    r2 = import_labelme(tmp_path / "p", store, LabelSet(), ["a.png"], source_dir=src)
    assert any("not valid JSON" in w.reason for w in r2.warnings)
    assert not (tmp_path / "p" / ".maskpilot" / "labels").exists() or not any((tmp_path / "p" / ".maskpilot" / "labels").iterdir())


rasters = st.builds(
    lambda h, w, seed, x, y: RasterGeometry(np.random.default_rng(seed).random((h, w)) < 0.6, x, y).tight(),
    st.integers(1, 12), st.integers(1, 12), st.integers(0, 10**6), st.integers(0, W - 12), st.integers(0, H - 12),
)
rings = st.lists(st.tuples(st.floats(0, W, allow_nan=False), st.floats(0, H, allow_nan=False)), min_size=3, max_size=8)
polygons = st.builds(lambda parts: PolygonGeometry.from_points(*parts), st.lists(rings, min_size=1, max_size=3))


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.tuples(st.one_of(rasters, polygons), st.sampled_from(["a", "b"])), max_size=5))
def test_export_import_round_trip(tmp_path_factory, items):
    tmp = tmp_path_factory.mktemp("lm")
    store = make_project(tmp / "a", ["d/img.png"])
    labels = LabelSet.from_names(["a", "b"])
    doc = Document("d/img.png", W, H)
    for geom, name in items:
        if not (isinstance(geom, RasterGeometry) and geom.is_empty()):
            doc.add(Instance(doc.new_id(), labels.by_name(name).id, geom))
    store.save_document(doc)
    export_labelme(tmp / "a", store, labels, ["d/img.png"], tmp / "a")  # next to the images
    assert json.loads((tmp / "a" / "d" / "img.json").read_text())["imagePath"] == "img.png"
    store2 = ProjectStore(tmp / "a", tmp / "store2")
    labels2 = LabelSet()
    rep = import_labelme(tmp / "a", store2, labels2, ["d/img.png"])
    assert rep.warnings == []
    back = store2.load_document("d/img.png", W, H).document
    assert len(back) == len(doc)
    for a, b in zip(doc, back):
        assert labels2.name(b.category_id) == labels.name(a.category_id)
        assert b.geometry == a.geometry


def test_find_labelme_files_uses_image_path_when_two_images_share_a_stem(tmp_path):
    make_project(tmp_path, ["x.png", "x.jpg", "y.png", "sub/z.png"])
    (tmp_path / "x.json").write_text(json.dumps({"shapes": [], "imagePath": "x.jpg"}))
    (tmp_path / "y.json").write_text(json.dumps({"images": []}))  # some other tool's JSON
    (tmp_path / "sub" / "z.json").write_text(json.dumps({"imagePath": "z.png", "shapes": []}))
    found = find_labelme_files(tmp_path, ["x.jpg", "x.png", "y.png", "sub/z.png"])
    assert found == {"x.jpg": tmp_path / "x.json", "sub/z.png": tmp_path / "sub" / "z.json"}


def test_a_byte_order_mark_is_read_bad_utf8_refused_and_nan_checked_as_before(tmp_path):
    """Windows editors save labelme files with a UTF-8 BOM: read. A file that is not UTF-8 is
    reported by name. labelme writes with Python's json.dump, which writes NaN: such a file is
    still parsed (orjson refuses NaN; the json fallback reads it) and the shape check names the
    bad coordinates, as before orjson."""
    store = make_project(tmp_path / "p", ["a.png", "b.png", "c.png"])
    shape = {"label": "고양이", "points": [[1, 1], [20, 2], [10, 15]], "shape_type": "polygon"}
    body = json.dumps({"shapes": [shape], "imageWidth": W, "imageHeight": H}, ensure_ascii=False)
    (tmp_path / "p" / "a.json").write_bytes(b"\xef\xbb\xbf" + body.encode("utf-8"))
    (tmp_path / "p" / "b.json").write_bytes(body.replace("고양이", "cat").encode("utf-8")[:-2] + b'\xff"}')
    (tmp_path / "p" / "c.json").write_text(body.replace("[20, 2]", "[NaN, 2]"), encoding="utf-8")
    labels = LabelSet()
    report = import_labelme(tmp_path / "p", store, labels, ["a.png", "b.png", "c.png"])
    assert report.instances_added == 1
    assert [labels.name(i.category_id) for i in store.load_document("a.png", W, H).document] == ["고양이"]
    reasons = {w.file.rsplit("/", 1)[-1]: w.reason for w in report.warnings}
    assert "not valid JSON" in reasons["b.json"] and "finite" in reasons["c.json"], reasons
