"""Our Mask R-CNN predictor against raw torchvision output on the same seeded random weights."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from torchvision.models.detection import maskrcnn_resnet50_fpn, maskrcnn_resnet50_fpn_v2

from inference.maskrcnn import MaskRCNNPredictor, build_maskrcnn


def _seeded(builder, seed: int) -> torch.nn.Module:
    torch.manual_seed(seed)
    # Few proposals keep the (heavy, 1000-RoI by default) box head cheap on one CPU thread.
    model = builder(
        weights=None, weights_backbone=None, min_size=160, max_size=240,
        rpn_pre_nms_top_n_test=300, rpn_post_nms_top_n_test=60,
    ).eval()  # fmt: skip
    with torch.no_grad():
        # Random heads give near-uniform class scores; spread them so scores and labels vary.
        model.roi_heads.box_predictor.cls_score.bias.normal_(0, 3)
    return model


@pytest.mark.parametrize(("builder", "seed"), [(maskrcnn_resnet50_fpn, 0), (maskrcnn_resnet50_fpn_v2, 1)])
def test_wrapper_matches_torchvision(builder, seed: int) -> None:
    model = _seeded(builder, seed)
    rng = np.random.default_rng(seed)
    images = [rng.integers(0, 256, (120, 200, 3), dtype=np.uint8), rng.integers(0, 256, (150, 90, 3), dtype=np.uint8)]
    # The mask head costs ~0.5 GFLOP per detection: compare 25 per image.
    model.roi_heads.score_thresh = 0.2
    model.roi_heads.detections_per_img = 25
    with torch.no_grad():
        raw = model([torch.from_numpy(im).permute(2, 0, 1).float() / 255 for im in images])
    predictor = MaskRCNNPredictor("test", model, torch.device("cpu"), [], batch_size=2)
    preds = predictor.predict(images, score_threshold=0.2, max_detections=25)
    for img, r, p in zip(images, raw, preds, strict=True):
        assert len(p) == len(r["scores"]) > 5
        assert p.image_size == img.shape[:2]
        np.testing.assert_array_equal(p.boxes, r["boxes"].numpy())
        np.testing.assert_array_equal(p.scores, r["scores"].numpy())
        np.testing.assert_array_equal(p.category_ids, r["labels"].numpy())
        expected = (r["masks"][:, 0] > 0.5).numpy()
        assert expected.any(axis=(1, 2)).sum() >= 3 and expected.sum() > 100  # not trivially empty
        for i in range(len(p)):
            np.testing.assert_array_equal(p.full_mask(i), expected[i])
            # Stored crops are tight around the mask.
            m = p.masks[i]
            if m.size:
                assert m[0].any() and m[-1].any() and m[:, 0].any() and m[:, -1].any()


def test_max_detections_and_threshold_are_applied() -> None:
    model = _seeded(maskrcnn_resnet50_fpn, 2)
    img = np.random.default_rng(2).integers(0, 256, (100, 100, 3), dtype=np.uint8)
    predictor = MaskRCNNPredictor("test", model, torch.device("cpu"), [])
    all_preds = predictor.predict([img], score_threshold=0.0, max_detections=40)[0]
    few = predictor.predict([img], score_threshold=0.0, max_detections=7)[0]
    high = predictor.predict([img], score_threshold=0.5, max_detections=40)[0]
    assert len(few) == 7 and np.array_equal(few.scores, all_preds.scores[:7])
    assert len(all_preds) == 40
    assert (high.scores > 0.5).all() and len(high) == int((all_preds.scores > 0.5).sum()) > 0


def test_v1_layout_matches_torchvision_keys() -> None:
    """Our v1 build has the keys of torchvision's COCO v1 model (frozen BN: no counters), v2 all."""
    ours = set(build_maskrcnn("v1", min_size=160, max_size=240).state_dict())
    tv = {k for k in maskrcnn_resnet50_fpn(weights=None, weights_backbone=None).state_dict() if not k.endswith("num_batches_tracked")}
    assert ours == tv
    ours_v2 = set(build_maskrcnn("v2", min_size=160, max_size=240).state_dict())
    assert ours_v2 == set(maskrcnn_resnet50_fpn_v2(weights=None, weights_backbone=None).state_dict())
