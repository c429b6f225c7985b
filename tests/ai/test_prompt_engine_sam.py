"""The app's prompt engine on real (tiny, seeded) SAM v1 and SAM 2.1 models: candidates equal the
model's exact masks, and the screen-resolution preview sampled from the low-resolution logits
agrees with them but for a few pixels whose logit is about zero."""

from __future__ import annotations

import cv2
import numpy as np
import pytest
import torch

from app.ai.domain.embeddings import EmbeddingCache, ImageKey
from app.ai.domain.prompts import PromptEngine
from app.core.prompts import Prompt
from inference.interactive.sam_v1 import SamModel
from inference.interactive.sam_v2 import Sam2Model
from tests.inference.sam_official_layout import TINY_SAM, make_image, reference_sam, reference_sam2

torch.set_num_threads(1)


@pytest.fixture(scope="module", params=["sam", "sam2"])
def engine(request):
    if request.param == "sam":
        model = SamModel("sam_test", reference_sam(TINY_SAM, seed=1), torch.device("cpu"))
    else:
        model = Sam2Model("sam2_test", reference_sam2(seed=1), torch.device("cpu"))
    eng = PromptEngine(model.name, lambda: model, EmbeddingCache())
    image = make_image(0)
    key = ImageKey(model.name, "a.jpg", 1, 1)
    eng.embed(key, lambda: image)
    return eng, key, image.shape[1], image.shape[0]


def test_candidates_are_the_models_exact_masks_best_first(engine):
    eng, key, w, h = engine
    cands = eng.decode(key, Prompt(((400.0, 300.0, 1), (900.0, 500.0, 0))), (w, h))
    ref = eng.model.predict_prompt(eng.cache.get(key), points=[(400.0, 300.0, 1), (900.0, 500.0, 0)])
    assert len(cands) == 3 and list(cands.scores) == sorted(cands.scores, reverse=True)
    for k in range(3):
        full = np.zeros((h, w), bool)
        m = cands.mask(k)
        full[m.y:m.y + m.mask.shape[0], m.x:m.x + m.mask.shape[1]] = m.mask
        differ = np.count_nonzero(full != ref.masks[k])
        assert differ <= 0.001 * w * h  # the fast decoder path: equal but for near-zero logits


def test_preview_sampled_at_screen_resolution_matches_the_exact_mask(engine):
    eng, key, w, h = engine
    cands = eng.decode(key, Prompt(((400.0, 300.0, 1),)), (w, h))
    assert cands.sample is not None
    exact = np.zeros((h, w), bool)
    m = cands.mask(0)
    exact[m.y:m.y + m.mask.shape[0], m.x:m.x + m.mask.shape[1]] = m.mask
    at_full = cands.sample(0, (0, 0, w, h), w, h)  # 1:1: the one-step warp against 256->1024->image
    kernel = np.ones((7, 7), np.uint8)
    u8 = exact.astype(np.uint8)
    border = cv2.dilate(u8, kernel).astype(bool) & ~cv2.erode(u8, kernel).astype(bool)  # ±3 px
    assert np.count_nonzero((at_full != exact) & ~border) == 0  # the reference's resize steps
    assert np.count_nonzero(at_full != exact) <= 50  # a few pixels whose logit is about 0
    half = cands.sample(0, (0, 0, w, h), w // 2, h // 2)  # a screen at 50 %
    assert abs(np.count_nonzero(half) * 4 - np.count_nonzero(exact)) <= 0.03 * max(np.count_nonzero(exact), 500)
    x0, y0, x1, y1 = cands.bounds(0)
    assert x0 <= m.x and y0 <= m.y and x1 >= m.x + m.mask.shape[1] and y1 >= m.y + m.mask.shape[0]
