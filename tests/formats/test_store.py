from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.core.categories import LabelSet
from app.core.document import Document, ImageStatus
from app.core.geometry import PolygonGeometry, RasterGeometry
from app.core.instance import Instance, InstanceState
from app.formats.store import ProjectStore

ROOT = Path(__file__).resolve().parents[2]


def _instances_equal(a: Document, b: Document) -> None:
    assert [i.id for i in a] == [i.id for i in b]
    for x, y in zip(a, b):
        assert x == y, (x, y)


masks = st.builds(
    lambda h, w, seed, x, y: RasterGeometry(np.random.default_rng(seed).random((h, w)) > 0.4, x, y).tight(),
    st.integers(1, 30), st.integers(1, 30), st.integers(0, 10**6), st.integers(0, 60), st.integers(0, 60),
)
polygons = st.builds(
    lambda pts: PolygonGeometry.from_points(pts),
    st.lists(st.tuples(st.floats(0, 100, allow_nan=False), st.floats(0, 100, allow_nan=False)), min_size=3, max_size=12),
)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.tuples(st.one_of(masks, polygons), st.integers(1, 90), st.booleans(), st.booleans()), max_size=8))
def test_every_geometry_round_trips(tmp_path, items):
    store = ProjectStore(tmp_path)
    doc = Document("img.png", 100, 100, status=ImageStatus.IN_PROGRESS)
    for geom, cat, suggested, locked in items:
        doc.add(
            Instance(
                doc.new_id(), cat, geom,
                source="maskrcnn" if suggested else "manual",
                score=0.75 if suggested else None,
                state=InstanceState.SUGGESTED if suggested else InstanceState.ACCEPTED,
                locked=locked, visible=not locked,
                provenance={"model": "maskrcnn", "weights": "x.pth"} if suggested else {},
            )
        )
    store.save_document(doc)
    back = ProjectStore(tmp_path).load_document("img.png", 100, 100)
    assert back.existed and back.warning is None
    assert back.document.status is ImageStatus.IN_PROGRESS
    _instances_equal(doc, back.document)


def test_project_and_index(tmp_path):
    store = ProjectStore(tmp_path)
    labels = LabelSet.from_names(["cat", "dog"])
    store.save_project(labels, {"recursive": True})
    doc = Document("sub/ü.png", 10, 10)
    doc.add(Instance(doc.new_id(), 2, RasterGeometry(np.ones((2, 2), bool), 1, 1), state=InstanceState.SUGGESTED))
    store.save_document(doc)
    fresh = ProjectStore(tmp_path)
    meta = fresh.load_project()
    assert [c.name for c in meta.labels] == ["cat", "dog"] and meta.settings == {"recursive": True}
    entry = fresh.index()["sub/ü.png"]
    assert (entry.pending, entry.instances, entry.status) == (1, 1, "new")
    # an edit made behind the index's back (another process) is picked up by mtime/size
    data = json.loads(store.label_path("sub/ü.png").read_text())
    data["status"] = "done"
    store.label_path("sub/ü.png").write_text(json.dumps(data))
    assert ProjectStore(tmp_path).index()["sub/ü.png"].status == "done"


def test_corrupt_json_is_quarantined(tmp_path):
    store = ProjectStore(tmp_path)
    other = Document("b.png", 5, 5)
    other.add(Instance(other.new_id(), 1, RasterGeometry(np.ones((1, 1), bool))))
    store.save_document(other)
    store.ensure()
    bad = store.label_path("a.png")
    bad.write_text('{"instances": [ {"id": 1, ')
    result = store.load_document("a.png", 5, 5)
    assert len(result.document) == 0 and "unreadable" in result.warning
    assert not bad.exists()
    moved = list(bad.parent.glob("a.png.json.corrupt-*"))
    assert len(moved) == 1 and moved[0].read_text().startswith('{"instances"')
    # nothing else is touched
    assert len(store.load_document("b.png", 5, 5).document) == 1


def test_valid_json_wrong_schema_is_quarantined(tmp_path):
    store = ProjectStore(tmp_path)
    store.ensure()
    store.label_path("a.png").write_text(json.dumps({"instances": [{"id": 1, "category_id": 1, "mask": {"x": 0}}]}))
    result = store.load_document("a.png", 5, 5)
    assert result.warning and len(result.document) == 0


def test_corrupt_project_json(tmp_path):
    store = ProjectStore(tmp_path)
    store.ensure()
    (store.root / "project.json").write_text("not json")
    meta = store.load_project()
    assert meta.labels is None and "project.json" in meta.warning
    assert list(store.root.glob("project.json.corrupt-*"))


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0, reason="root ignores permissions")
def test_read_only_folder_reported(tmp_path):
    folder = tmp_path / "ro"
    folder.mkdir()
    folder.chmod(0o555)
    try:
        assert not ProjectStore.can_write_in(folder)
    finally:
        folder.chmod(0o755)


def test_read_only_folder_can_write_check(tmp_path):
    assert ProjectStore.can_write_in(tmp_path)


_WRITER = r"""
import sys, itertools
sys.path.insert(0, sys.argv[2])
from app.formats.atomic import write_json_atomic
path, start = sys.argv[1], int(sys.argv[3])
for n in itertools.count(start):
    write_json_atomic(path, {"n": n, "payload": [n] * (n % 5000)})
"""


def test_atomic_write_survives_sigkill(tmp_path):
    """A writer in a loop is SIGKILLed repeatedly: the file is always a complete old or new JSON."""
    target = tmp_path / "doc.json"
    seen = set()
    rng = np.random.default_rng(0)
    for k in range(12):
        start = k * 1_000_000  # each writer counts from its own start: its writes are told apart
        proc = subprocess.Popen([sys.executable, "-c", _WRITER, str(target), str(ROOT), str(start)])
        # The kill lands after this writer's first write (however slowly Python starts on a busy
        # machine), at a random moment of its loop.
        while not (target.exists() and json.loads(target.read_text())["n"] >= start) and proc.poll() is None:
            time.sleep(0.005)
        time.sleep(float(rng.random()) * 0.2)
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        data = json.loads(target.read_text())
        assert data["payload"] == [data["n"]] * (data["n"] % 5000)
        seen.add(data["n"])
    assert len(seen) == 12  # every writer wrote before it was killed
    assert not [p for p in tmp_path.iterdir() if p.name != "doc.json" and not p.name.endswith(".tmp")]


def test_label_file_with_damaged_rle_counts_is_quarantined(tmp_path):
    """Valid JSON, but RLE runs that overflow the mask: pycocotools would write past its buffer,
    so the store must refuse the file rather than decode it."""
    store = ProjectStore(tmp_path)
    doc = Document("a.png", 50, 50)
    doc.add(Instance(doc.new_id(), 1, RasterGeometry(np.ones((8, 8), bool), 3, 3)))
    store.save_document(doc)
    path = store.label_path("a.png")
    data = json.loads(path.read_text())
    data["instances"][0]["mask"]["rle"]["counts"] = "0" + "ooooooo1"  # runs far beyond 8x8
    path.write_text(json.dumps(data))
    result = ProjectStore(tmp_path).load_document("a.png", 50, 50)
    assert result.warning and "RLE" in result.warning and len(result.document) == 0
    assert list(path.parent.glob("a.png.json.corrupt-*"))


def test_index_rewritten_only_when_a_summary_changes(tmp_path):
    store = ProjectStore(tmp_path)
    doc = Document("a.png", 20, 20)
    doc.add(Instance(doc.new_id(), 1, RasterGeometry(np.ones((2, 2), bool))))
    store.save_document(doc)
    index_file = store.root / "index.json"
    first = index_file.stat().st_mtime_ns
    time.sleep(0.01)
    doc.set_geometry(1, RasterGeometry(np.ones((3, 3), bool)))  # same counts and status
    store.save_document(doc)
    assert index_file.stat().st_mtime_ns == first
    assert ProjectStore(tmp_path).index()["a.png"].instances == 1  # still right when reopened
    doc.set_fields(1, state="suggested")
    store.save_document(doc)
    assert ProjectStore(tmp_path).index()["a.png"].pending == 1
