"""The per-image uncertainty of an auto-fill run (Qt-free): its range, its ordering on made-up
images, and that every saving path stores it where the store's index finds it."""

from __future__ import annotations

import json

import numpy as np
import pytest

from app.ai.domain.suggestions import record_fill, write_prediction
from app.ai.domain.uncertainty import (
    detection_costs,
    expected_corrections,
    image_uncertainty,
    suggestions_uncertainty,
)
from app.core.document import Document
from app.core.geometry import RasterGeometry
from app.core.instance import Instance, InstanceState
from app.formats.document_json import latest_uncertainty
from app.formats.store import ProjectStore
from inference import Prediction

CONFIDENT = [0.99, 0.98, 0.97, 0.995]  # four objects the model is sure of
ONE_BORDERLINE = [0.99, 0.98, 0.55]
BORDERLINE = [0.55, 0.48, 0.6, 0.42]  # four coin flips
CLASS_CONFUSION = [0.6, 0.38]  # one object, found as two classes


def test_range_and_fixed_points():
    assert image_uncertainty([]) == 0.0
    assert image_uncertainty([1.0, 0.0, 1.0]) == 0.0
    assert image_uncertainty([0.5]) == pytest.approx(1 / 3)  # E = 0.5
    assert image_uncertainty([0.5, 0.5]) == pytest.approx(0.5)  # E = 1: one full coin flip's worth
    many = image_uncertainty([0.5] * 100)
    assert 0.98 < many < 1.0  # bounded: never reaches 1
    rng = np.random.default_rng(0)
    for _ in range(200):
        u = image_uncertainty(rng.uniform(0, 1, size=int(rng.integers(0, 50))))
        assert 0.0 <= u < 1.0


def test_a_confident_image_ranks_below_borderline_ones():
    ranked = sorted(
        {"confident": CONFIDENT, "one borderline": ONE_BORDERLINE, "borderline": BORDERLINE,
         "confusion": CLASS_CONFUSION, "empty": []}.items(),
        key=lambda kv: image_uncertainty(kv[1]),
    )  # fmt: skip
    assert [name for name, _ in ranked] == ["empty", "confident", "one borderline", "confusion", "borderline"]


def test_closeness_to_the_decision_point_weighs_each_detection():
    scores = [0.95, 0.85, 0.7, 0.55, 0.5]
    costs = detection_costs(scores)
    assert np.all(np.diff(costs) > 0)  # nearer 0.5, more uncertain
    assert detection_costs([0.3])[0] == pytest.approx(detection_costs([0.7])[0])  # symmetric about 0.5
    assert expected_corrections([0.9, 0.6]) == pytest.approx(0.1 + 0.4)
    # Each further borderline detection raises it; each confident one barely does.
    assert image_uncertainty([0.5, 0.5]) > image_uncertainty([0.5]) > image_uncertainty([0.99] * 3)


def test_deterministic_whatever_the_order_and_robust_to_bad_scores():
    rng = np.random.default_rng(3)
    scores = rng.uniform(0.25, 1.0, 80).astype(np.float32)
    u = image_uncertainty(scores)
    for _ in range(5):
        assert image_uncertainty(rng.permutation(scores)) == u  # bit for bit
    assert image_uncertainty(np.asarray(scores, np.float64)) == pytest.approx(u)
    assert image_uncertainty([0.5, float("nan"), float("inf")]) == image_uncertainty([0.5])
    assert image_uncertainty([1.7, -0.2]) == 0.0  # clipped to [0, 1]


def _instance(iid: int, score: float | None) -> Instance:
    geom = RasterGeometry(np.ones((3, 3), bool), 1, 1)
    return Instance(iid, 1, geom, source="m", score=score, state=InstanceState.SUGGESTED)


def test_suggestions_uncertainty_and_record_fill():
    new = [_instance(1, 0.55), _instance(2, 0.9), _instance(3, None)]
    assert suggestions_uncertainty(new) == pytest.approx(image_uncertainty([0.55, 0.9]))
    doc = Document("a.png", 10, 10)
    record_fill(doc, "m", 0.25, new)
    run = doc.ai_runs["m"]
    assert run["count"] == 3 and run["score_threshold"] == 0.25
    assert run["uncertainty"] == pytest.approx(image_uncertainty([0.55, 0.9]), abs=1e-6)
    assert latest_uncertainty(doc.ai_runs) == run["uncertainty"]
    record_fill(doc, "other", 0.25, [])  # a later run of another model: its value is the image's
    assert latest_uncertainty(doc.ai_runs) == 0.0
    record_fill(doc, "m", 0.25, new)  # a rerun moves to the end: it is the latest again
    assert list(doc.ai_runs) == ["other", "m"]
    assert latest_uncertainty(doc.ai_runs) == run["uncertainty"]


def _prediction(scores: list[float], h: int = 40, w: int = 50) -> Prediction:
    n = len(scores)
    return Prediction(
        boxes=[[2 * i, 2, 2 * i + 4, 6] for i in range(n)], scores=scores, category_ids=[1] * n,
        masks=[np.ones((4, 4), bool) for _ in range(n)], mask_offsets=[[2 * i, 2] for i in range(n)],
        image_size=(h, w), model="m",
    )  # fmt: skip


def test_write_prediction_stores_it_in_the_label_file_and_the_index(tmp_path):
    store = ProjectStore(tmp_path)
    write_prediction(store, "sure.png", _prediction([0.99, 0.97]), {1: 1}, 0.25)
    write_prediction(store, "unsure.png", _prediction([0.6, 0.45, 0.2]), {1: 1}, 0.25)  # 0.2: below the floor
    saved = json.loads(store.label_path("unsure.png").read_text())
    assert saved["ai_runs"]["m"]["uncertainty"] == pytest.approx(image_uncertainty([0.6, 0.45]), abs=1e-6)
    fresh = ProjectStore(tmp_path).index()  # rebuilt from the files, not the cached one
    assert fresh["unsure.png"].uncertainty == pytest.approx(image_uncertainty([0.6, 0.45]), abs=1e-6)
    assert fresh["sure.png"].uncertainty < fresh["unsure.png"].uncertainty
    assert store.index()["sure.png"].uncertainty == fresh["sure.png"].uncertainty
