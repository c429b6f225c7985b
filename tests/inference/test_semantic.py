"""Semantic models (FCN / DeepLabV3 ResNet-50, random init, small inputs) and SemanticPrediction."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import torch
import torch.nn.functional as F

import inference
from inference import Cancelled, ClassCountError, SemanticPrediction, WrongModelError
from inference.categories import VOC_CATEGORIES
from inference.semantic import SemanticPredictor, build_segmentation_model


def _images(sizes: list[tuple[int, int]], seed: int = 0) -> list[np.ndarray]:
    rng = np.random.default_rng(seed)
    return [rng.integers(0, 256, (h, w, 3), dtype=np.uint8) for h, w in sizes]


@pytest.fixture(scope="module")
def fcn() -> SemanticPredictor:
    torch.manual_seed(0)
    return inference.load_model("fcn_resnet50", device="cpu", random_init=True, min_size=64, batch_size=2)


def test_registry_entries() -> None:
    for name in ("fcn_resnet50", "deeplabv3_resnet50"):
        info = inference.get_model_info(name)
        assert info.kind == "semantic" and info.categories == VOC_CATEGORIES
        assert len(info.categories) == 21 and info.categories[0] == (0, "background")


def test_class_maps_at_image_resolution(fcn: SemanticPredictor) -> None:
    sizes = [(64, 48), (40, 70), (33, 33)]
    seen: list[tuple[int, int]] = []
    preds = fcn.predict(_images(sizes), progress=lambda d, t: seen.append((d, t)))
    assert seen == [(2, 3), (3, 3)]
    for pred, (h, w) in zip(preds, sizes, strict=True):
        assert isinstance(pred, SemanticPrediction)
        assert pred.class_map.shape == (h, w) and pred.class_map.dtype == np.uint8
        assert pred.class_map.max() <= 20 and pred.probabilities is None
        assert pred.image_size == (h, w) and pred.model == "fcn_resnet50"
        assert pred.categories == VOC_CATEGORIES
        assert sum(pred.area(c) for c in pred.present_ids()) == h * w


def test_batching_does_not_change_results_for_equal_sizes(fcn: SemanticPredictor) -> None:
    images = _images([(50, 60)] * 3, seed=1)
    fcn.batch_size = 3
    together = fcn.predict(images)
    fcn.batch_size = 1
    alone = fcn.predict(images)
    fcn.batch_size = 2
    for a, b in zip(together, alone, strict=True):
        assert np.mean(a.class_map == b.class_map) > 0.999  # float summation order only


def test_cancel_keeps_finished_batches(fcn: SemanticPredictor) -> None:
    calls = iter([False, True])
    with pytest.raises(Cancelled) as info:
        fcn.predict(_images([(32, 32)] * 4), should_stop=lambda: next(calls))
    assert len(info.value.partial) == 2
    assert all(isinstance(p, SemanticPrediction) for p in info.value.partial)


def test_resampling_matches_bilinear_upsampling(fcn: SemanticPredictor) -> None:
    """With the image filling the whole logit map, the banded grid_sample must equal one bilinear
    F.interpolate (align_corners=False) to the image size, even with tiny bands."""
    torch.manual_seed(3)
    logits = torch.randn(21, 7, 9)
    fcn.probabilities = True
    try:
        ref = F.interpolate(logits[None], size=(45, 61), mode="bilinear", align_corners=False)[0].softmax(0)
        import inference.semantic as sem

        old = sem._BAND_ELEMENTS
        sem._BAND_ELEMENTS = 21 * 61 * 4  # 4 rows per band
        try:
            pred = fcn._to_image(logits, (1.0, 1.0), (45, 61))
        finally:
            sem._BAND_ELEMENTS = old
    finally:
        fcn.probabilities = False
    assert pred.probabilities is not None and pred.probabilities.dtype == np.float16
    assert np.allclose(pred.probabilities.astype(np.float32), ref.numpy(), atol=2e-3)
    assert np.mean(pred.class_map == ref.argmax(0).numpy()) > 0.99
    # at the logits' own size the sample points are the logit pixels themselves
    same = fcn._to_image(logits, (1.0, 1.0), (7, 9))
    assert np.array_equal(same.class_map, logits.argmax(0).numpy())


def test_padding_fraction_picks_the_image_part() -> None:
    """An image occupying the left half of the padded input reads only the left half of the map."""
    pred = SemanticPredictor("x", torch.nn.Identity(), torch.device("cpu"), [(0, "a"), (7, "b")])
    logits = torch.zeros(2, 4, 8)
    logits[1, :, :4] = 5.0  # class "b" on the left half, "a" on the right
    out = pred._to_image(logits, (1.0, 0.5), (10, 12))
    assert np.all(out.class_map == 7)
    full = pred._to_image(logits, (1.0, 1.0), (10, 12))
    assert np.all(full.class_map[:, :5] == 7) and np.all(full.class_map[:, 7:] == 0)


def test_probabilities_option() -> None:
    torch.manual_seed(0)
    p = inference.load_model("deeplabv3_resnet50", device="cpu", random_init=True, min_size=48, probabilities=True)
    (pred,) = p.predict(_images([(30, 40)]))
    assert pred.probabilities is not None and pred.probabilities.shape == (21, 30, 40)
    assert np.allclose(pred.probabilities.astype(np.float32).sum(0), 1.0, atol=1e-2)
    best = pred.probabilities.astype(np.float32).argmax(0)
    assert np.mean(best == pred.class_map) > 0.98  # float16 rounding may flip near-ties


def test_weights_round_trip_without_aux_head(tmp_path: Path) -> None:
    torch.manual_seed(1)
    model = build_segmentation_model("deeplabv3", aux_loss=False).eval()
    path = tmp_path / "my_deeplab.pth"
    torch.save(model.state_dict(), path)
    p = inference.load_model("deeplabv3_resnet50", weights=path, device="cpu", min_size=40)
    assert p.model.aux_classifier is None
    images = _images([(40, 40)], seed=4)
    (pred,) = p.predict(images)
    x = (torch.from_numpy(images[0]).permute(2, 0, 1).float() / 255.0 - torch.tensor([0.485, 0.456, 0.406]).view(3, 1, 1)) / torch.tensor(
        [0.229, 0.224, 0.225]
    ).view(3, 1, 1)
    with torch.no_grad():
        ref = model(x[None])["out"][0].argmax(0).numpy()  # torchvision's own forward + upsampling
    assert np.mean(pred.class_map == ref) > 0.99


def test_wrong_weights_files(tmp_path: Path) -> None:
    wrong = tmp_path / "maskrcnn.pth"
    torch.save({"roi_heads.box_head.fc6.weight": torch.zeros(1), "rpn.head.conv.weight": torch.zeros(1)}, wrong)
    with pytest.raises(WrongModelError):
        inference.load_model("fcn_resnet50", weights=wrong, device="cpu")
    classes = tmp_path / "five_classes.pth"
    torch.save({"classifier.4.weight": torch.zeros(5, 512, 1, 1)}, classes)
    with pytest.raises(ClassCountError, match="5 classes"):
        inference.load_model("fcn_resnet50", weights=classes, device="cpu")


def test_semantic_prediction_validates() -> None:
    ok = SemanticPrediction(np.zeros((2, 3), np.uint8), VOC_CATEGORIES, (2, 3), "m")
    assert ok.present_ids() == [0] and ok.names[15] == "person"
    with pytest.raises(ValueError):
        SemanticPrediction(np.zeros((3, 2), np.uint8), VOC_CATEGORIES, (2, 3), "m")
    with pytest.raises(ValueError):
        SemanticPrediction(np.zeros((2, 3), np.float32), VOC_CATEGORIES, (2, 3), "m")
    with pytest.raises(ValueError):
        SemanticPrediction(np.zeros((2, 3), np.uint8), VOC_CATEGORIES, (2, 3), "m", np.zeros((2, 2, 3), np.float16))
