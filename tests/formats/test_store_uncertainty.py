"""The uncertainty of an image's latest auto-fill in its label file and in the store's index:
old files (without it) load as before and mean "unknown", bad values mean unknown too, an index
written before the field existed is rebuilt, and a changed value reaches index.json."""

from __future__ import annotations

import json

import numpy as np

from app.core.document import Document
from app.core.geometry import RasterGeometry
from app.core.instance import Instance, InstanceState
from app.formats.document_json import document_from_dict, document_to_dict, latest_uncertainty
from app.formats.store import INDEX_VERSION, ProjectStore

#: A label file as MaskPilot wrote it before uncertainty existed (format 1, ai_runs without it).
OLD_FILE = {
    "version": 1,
    "image": {"file_name": "old.png", "width": 20, "height": 10},
    "status": "in_progress",
    "instances": [{
        "id": 1, "category_id": 1, "source": "maskrcnn_resnet50_fpn", "score": 0.7, "state": "suggested",
        "visible": True, "locked": False, "mask": {"x": 1, "y": 2, "rle": {"size": [2, 2], "counts": "04"}},
    }],
    "ai_runs": {"maskrcnn_resnet50_fpn": {"score_threshold": 0.25, "at": "2026-01-01T00:00:00+00:00", "count": 1}},
}  # fmt: skip


def _write(store: ProjectStore, rel: str, data: dict) -> None:
    path = store.label_path(rel)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data))


def test_a_label_file_from_before_loads_and_its_uncertainty_is_unknown(tmp_path):
    store = ProjectStore(tmp_path)
    _write(store, "old.png", OLD_FILE)
    result = store.load_document("old.png", 20, 10)
    assert result.warning is None and result.existed
    assert len(result.document) == 1 and result.document.pending_count() == 1
    assert latest_uncertainty(result.document.ai_runs) is None
    entry = store.index()["old.png"]
    assert (entry.status, entry.pending, entry.instances, entry.uncertainty) == ("in_progress", 1, 1, None)


def test_round_trip_and_bad_values_mean_unknown_without_refusing_the_file(tmp_path):
    doc = Document("a.png", 8, 8, [Instance(1, 1, RasterGeometry(np.ones((2, 2), bool), 0, 0), score=0.6,
                                            state=InstanceState.SUGGESTED)])  # fmt: skip
    doc.ai_runs["m"] = {"at": "2026-02-01T00:00:00+00:00", "count": 1, "uncertainty": 0.2857}
    again = document_from_dict(json.loads(json.dumps(document_to_dict(doc))))
    assert latest_uncertainty(again.ai_runs) == 0.2857
    for bad in ("high", None, True, -0.1, 1.5, float("nan"), [0.3]):
        data = document_to_dict(doc)
        data["ai_runs"]["m"]["uncertainty"] = bad
        loaded = document_from_dict(json.loads(json.dumps(data)))  # NaN survives Python's json
        assert len(loaded) == 1 and latest_uncertainty(loaded.ai_runs) is None
    assert latest_uncertainty(None) is None and latest_uncertainty({}) is None
    assert latest_uncertainty({"m": "not a run"}) is None


def test_the_latest_run_decides(tmp_path):
    runs = {
        "late": {"at": "2026-03-02T00:00:00+00:00", "uncertainty": 0.1},
        "early": {"at": "2026-03-01T00:00:00+00:00", "uncertainty": 0.9},
    }
    assert latest_uncertainty(runs) == 0.1
    same_time = {"a": {"at": "2026-03-01T00:00:00+00:00", "uncertainty": 0.9},
                 "b": {"at": "2026-03-01T00:00:00+00:00", "uncertainty": 0.4}}  # fmt: skip
    assert latest_uncertainty(same_time) == 0.4  # recorded last
    newer_without = {**runs, "new": {"at": "2026-04-01T00:00:00+00:00", "count": 3}}
    assert latest_uncertainty(newer_without) is None  # the latest run did not record one


def test_an_index_from_before_the_field_is_rebuilt_from_the_label_files(tmp_path):
    store = ProjectStore(tmp_path)
    data = json.loads(json.dumps(OLD_FILE))
    data["ai_runs"]["maskrcnn_resnet50_fpn"]["uncertainty"] = 0.4
    _write(store, "a.png", data)
    st = store.label_path("a.png").stat()
    old_index = {"version": 1, "images": {"a.png": {"status": "in_progress", "pending": 1, "instances": 1,
                                                    "mtime_ns": st.st_mtime_ns, "size": st.st_size}}}  # fmt: skip
    (store.root / "index.json").write_text(json.dumps(old_index))
    assert ProjectStore(tmp_path).index()["a.png"].uncertainty == 0.4
    written = json.loads((store.root / "index.json").read_text())
    assert written["version"] == INDEX_VERSION and written["images"]["a.png"]["uncertainty"] == 0.4
    # A hand-edited value in a current index is not believed: that label file is read again.
    written["images"]["a.png"]["uncertainty"] = "very"
    (store.root / "index.json").write_text(json.dumps(written))
    assert ProjectStore(tmp_path).index()["a.png"].uncertainty == 0.4


def test_a_new_uncertainty_reaches_index_json(tmp_path):
    store = ProjectStore(tmp_path)
    doc = Document("a.png", 8, 8)
    store.save_document(doc)
    assert ProjectStore(tmp_path).index()["a.png"].uncertainty is None
    doc.ai_runs["m"] = {"at": "2026-02-01T00:00:00+00:00", "count": 0, "uncertainty": 0.0}
    store.save_document(doc)  # only the uncertainty changed: index.json must still be rewritten
    index = json.loads((store.root / "index.json").read_text())
    assert index["images"]["a.png"]["uncertainty"] == 0.0
    assert ProjectStore(tmp_path).index()["a.png"].uncertainty == 0.0
