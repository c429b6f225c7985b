"""Segment everything without Qt: a grid of point prompts, confident masks only, overlaps merged."""

from __future__ import annotations

import numpy as np

from app.ai.domain.embeddings import EmbeddingCache, ImageKey
from app.ai.domain.everything import EverythingOptions, grid_points, segment_everything
from app.ai.domain.prompts import PromptEngine
from tests.ai.interactive_fakes import RADIUS, FakeInteractiveModel


def engine_with_image(width=120, height=90):
    model = FakeInteractiveModel()
    engine = PromptEngine("fake", lambda: model, EmbeddingCache())
    key = ImageKey("fake", "a.jpg", 1, 1)
    engine.embed(key, lambda: np.zeros((height, width, 3), np.uint8))
    return engine, key, model


def test_grid_points_cover_the_image_evenly():
    pts = grid_points(100, 50, 4)
    assert len(pts) == 16 and pts[0] == (12.5, 6.25) and pts[-1] == (87.5, 43.75)


def test_overlapping_masks_are_kept_once_best_first_and_low_scores_dropped():
    engine, key, model = engine_with_image()
    # grid 10 over 120 px: points 12 px apart, discs of radius 12 overlap their neighbours a lot
    dense = segment_everything(engine, key, (120, 90), EverythingOptions(grid=10, max_overlap=0.3))
    assert len(model.prompts) == 100 and 0 < len(dense) < 100
    assert all(abs(s - 0.95) < 1e-6 for _, s in dense)  # the best candidate of each point
    sparse = segment_everything(engine, key, (120, 90), EverythingOptions(grid=3, max_overlap=0.3))
    assert len(sparse) == 9  # 40 px apart: no overlap
    assert segment_everything(engine, key, (120, 90), EverythingOptions(grid=3, min_score=0.99)) == []
    big = segment_everything(engine, key, (120, 90), EverythingOptions(grid=3, min_area_fraction=np.pi * RADIUS**2 * 2 / (120 * 90)))
    assert big == []


def test_no_embedding_or_a_stop_gives_nothing():
    engine, key, _model = engine_with_image()
    other = ImageKey("fake", "b.jpg", 1, 1)
    assert segment_everything(engine, other, (120, 90)) == []
    assert segment_everything(engine, key, (120, 90), should_stop=lambda: True) == []
