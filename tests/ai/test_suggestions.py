"""app.ai.domain.suggestions: class mapping, suggestions from predictions, replacement, store writes,
and the persisted `Document.ai_runs` record."""

from __future__ import annotations

import json

import numpy as np
import pytest

from app.ai.domain.suggestions import (
    class_mapping,
    has_run,
    replace_suggestions,
    suggestions_from_prediction,
    write_prediction,
)
from app.core.categories import LabelSet
from app.core.document import Document
from app.core.geometry import PolygonGeometry, RasterGeometry
from app.core.instance import Instance, InstanceState
from app.formats.document_json import DocumentFormatError, document_from_dict, document_to_dict
from app.formats.store import ProjectStore
from inference import Prediction


def _pred(model: str = "m", size: tuple[int, int] = (40, 50)) -> Prediction:
    """Three detections: cat (id 17) at (5,6) 3x4, dog (18) at (20,10) 2x2, zebra (24) empty."""
    cat = np.ones((4, 3), bool)
    dog = np.array([[True, False], [True, True]])
    return Prediction(
        boxes=[[5, 6, 8, 10], [20, 10, 22, 12], [0, 0, 1, 1]],
        scores=[0.9, 0.4, 0.8],
        category_ids=[17, 18, 24],
        masks=[cat, dog, np.zeros((0, 0), bool)],
        mask_offsets=[[5, 6], [20, 10], [0, 0]],
        image_size=size,
        model=model,
    )


def test_class_mapping_by_normalized_name():
    labels = LabelSet.from_names(["Traffic_Light", "dog", "Cat"])
    mapping, unmapped = class_mapping([(10, "traffic light"), (17, "cat"), (18, "DOG"), (1, "person")], labels)
    assert mapping == {10: 1, 17: 3, 18: 2}
    assert unmapped == ["person"]
    assert len(labels) == 3  # nothing added


def test_class_mapping_hyphen_and_add_missing():
    labels = LabelSet.from_names(["potted-plant"])
    mapping, unmapped = class_mapping([(64, "potted plant"), (1, "person"), (2, "bicycle")], labels, add_missing=True)
    assert unmapped == ["person", "bicycle"]
    assert labels.by_name("person") is not None and labels.by_name("bicycle") is not None
    assert mapping == {64: 1, 1: labels.by_name("person").id, 2: labels.by_name("bicycle").id}


def test_suggestions_keep_crops_and_provenance():
    doc = Document("a.png", 50, 40)
    doc.add(Instance(doc.new_id(), 1, RasterGeometry(np.ones((2, 2), bool), 0, 0)))
    new = suggestions_from_prediction(_pred(), {17: 7, 18: 8, 24: 9}, doc, score_threshold=0.3)
    # the empty zebra mask is dropped; the dog (0.4) passes 0.3
    assert [i.category_id for i in new] == [7, 8]
    assert [i.id for i in new] == [2, 3]  # fresh ids after the existing instance
    cat = new[0]
    assert cat.state is InstanceState.SUGGESTED and cat.source == "m"
    assert cat.score == pytest.approx(0.9)
    assert cat.provenance == {"model": "m", "score": 0.9}
    assert isinstance(cat.geometry, RasterGeometry)
    assert cat.geometry.mask.shape == (4, 3) and (cat.geometry.x, cat.geometry.y) == (5, 6)
    assert cat.bbox() == (5, 6, 8, 10)
    assert new[1].geometry.area() == 3
    # threshold and mapping filter
    only = suggestions_from_prediction(_pred(), {18: 8}, doc, score_threshold=0.5)
    assert only == []
    assert len(suggestions_from_prediction(_pred(), {17: 7, 18: 8}, doc, score_threshold=0.5)) == 1


def test_replace_suggestions_keeps_accepted_and_other_models():
    doc = Document("a.png", 50, 40)
    square = PolygonGeometry.from_points([(0, 0), (4, 0), (4, 4), (0, 4)])
    doc.add(Instance(doc.new_id(), 1, square))  # manual, accepted
    doc.add(Instance(doc.new_id(), 1, square, source="m", score=0.9))  # accepted from m
    doc.add(Instance(doc.new_id(), 1, square, source="m", score=0.5, state=InstanceState.SUGGESTED))
    doc.add(Instance(doc.new_id(), 1, square, source="other", state=InstanceState.SUGGESTED))
    new = suggestions_from_prediction(_pred(), {17: 2, 18: 3}, doc)
    replace_suggestions(doc, new, "m")
    ids = [i.id for i in doc]
    assert ids == [1, 2, 4] + [i.id for i in new]
    assert 3 not in doc
    assert doc.pending_count() == 1 + len(new)


def test_write_prediction_round_trip_and_rerun(tmp_path):
    store = ProjectStore(tmp_path)
    n = write_prediction(store, "sub/a.png", _pred(), {17: 1, 18: 2}, 0.3)
    assert n == 2
    doc = ProjectStore(tmp_path).load_document("sub/a.png", 0, 0).document
    assert (doc.height, doc.width) == (40, 50)
    assert has_run(doc, "m") and not has_run(doc, "other")
    run = doc.ai_runs["m"]
    assert run["count"] == 2 and run["score_threshold"] == 0.3 and "T" in run["at"]
    masks = sorted(i.geometry.area() for i in doc)
    assert masks == [3, 12]
    assert store.index()["sub/a.png"].pending == 2
    # a person accepts one suggestion; a rerun replaces only the pending one
    accepted = next(i for i in doc if i.category_id == 1)
    doc.set_fields(accepted.id, state=InstanceState.ACCEPTED)
    store.save_document(doc)
    assert write_prediction(store, "sub/a.png", _pred(), {17: 1, 18: 2}, 0.3) == 2
    doc2 = store.load_document("sub/a.png", 50, 40).document
    assert len(doc2) == 3 and doc2.pending_count() == 2
    assert accepted.id in doc2 and doc2.get(accepted.id).state is InstanceState.ACCEPTED


def test_ai_runs_persist_and_old_files_load():
    doc = Document("a.png", 10, 10)
    doc.ai_runs["m"] = {"score_threshold": 0.5, "at": "2024-01-01T00:00:00+00:00", "count": 3}
    data = json.loads(json.dumps(document_to_dict(doc)))
    assert document_from_dict(data).ai_runs == doc.ai_runs
    # a file written before ai_runs existed has no such key
    old = {"version": 1, "image": {"file_name": "a.png", "width": 10, "height": 10}, "status": "new", "instances": []}
    assert document_from_dict(old).ai_runs == {}
    assert "ai_runs" not in document_to_dict(Document("b.png", 1, 1))
    with pytest.raises(DocumentFormatError):
        document_from_dict({**old, "ai_runs": ["m"]})
