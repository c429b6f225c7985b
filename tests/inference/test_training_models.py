"""Base models for project training (COCO / ImageNet starting weights, the fine-tuning recipe),
augmentation, the epoch budget, resuming, checkpoints, detailed metrics and the project-model
predictor. Fast: one CPU thread, small images, a step or two."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch
from maskrcnn_official_layout import official_maskrcnn_coco, official_resnet50_imagenet

from inference import WeightsMismatchError
from inference.training.augment import Augmentation, AugmentConfig
from inference.training.checkpoint import (
    CheckpointError,
    TrainingCheckpoint,
    checkpoint_bytes,
    read_checkpoint,
    state_dict_bytes,
)
from inference.training.data import (
    DetectionDataset,
    InstanceSample,
    SyntheticScenes,
    masks_to_boxes,
)
from inference.training.evaluate import evaluate_detailed
from inference.training.models import ModelSpec, build_for_training, build_from_spec
from inference.training.project_model import ProjectModelPredictor, load_project_predictor
from inference.training.small_maskrcnn import build_small_maskrcnn
from inference.training.train import TrainConfig, Trainer, TrainingDataError, train_detector
from inference.types import Prediction, tight_crop

PREDICTOR_PREFIXES = ("roi_heads.box_predictor.", "roi_heads.mask_predictor.")
CLASS_SIZED = {
    "roi_heads.box_predictor.cls_score.weight", "roi_heads.box_predictor.cls_score.bias",
    "roi_heads.box_predictor.bbox_pred.weight", "roi_heads.box_predictor.bbox_pred.bias",
    "roi_heads.mask_predictor.mask_fcn_logits.weight", "roi_heads.mask_predictor.mask_fcn_logits.bias",
}  # fmt: skip


def _compare(model: torch.nn.Module, official: dict[str, torch.Tensor]) -> tuple[set[str], set[str]]:
    """(keys whose shape changed, keys whose values are the file's)."""
    new = model.state_dict()
    common = set(new) & set(official)
    changed = {k for k in common if new[k].shape != official[k].shape}
    kept = {k for k in common - changed if torch.equal(new[k], official[k])}
    return changed, kept


def test_coco_v1_weights_replace_exactly_the_predictors_and_train_a_step(tmp_path) -> None:
    official = official_maskrcnn_coco("v1")
    path = tmp_path / "maskrcnn_resnet50_fpn_coco-bf2d0c1e.pth"
    torch.save(official, path)
    torch.manual_seed(0)
    model, spec = build_for_training("maskrcnn_v1", num_classes=4, weights=path, image_size=96)  # 3 classes
    assert set(model.state_dict()) == set(official)
    changed, kept = _compare(model, official)
    assert changed == CLASS_SIZED
    predictor_keys = {k for k in official if k.startswith(PREDICTOR_PREFIXES)}
    assert kept == set(official) - predictor_keys  # everything else is the file's, the predictors are new
    assert model.roi_heads.box_predictor.cls_score.out_features == 4
    assert model.roi_heads.mask_predictor.mask_fcn_logits.out_channels == 4
    assert (spec.init, spec.init_file, spec.bn_eps, spec.num_classes) == ("coco", path.name, 0.0, 4)
    before = {k: v.clone() for k, v in model.state_dict().items()}
    # fewer proposals and sampled RoIs than COCO's 2000 / 512: the step is the point, not its size
    model.roi_heads.fg_bg_sampler.batch_size_per_image = 16
    model.rpn._pre_nms_top_n, model.rpn._post_nms_top_n = {"training": 200}, {"training": 50}
    result = train_detector(model, DetectionDataset(SyntheticScenes(2, seed=0, size=(96, 96))),
                            TrainConfig(max_steps=1, batch_size=2, warmup_steps=1))  # fmt: skip
    assert result.steps == 1 and math.isfinite(result.losses[0])
    after = model.state_dict()
    assert not torch.equal(after["roi_heads.box_predictor.cls_score.weight"], before["roi_heads.box_predictor.cls_score.weight"])
    assert torch.equal(after["backbone.body.layer1.0.conv1.weight"], before["backbone.body.layer1.0.conv1.weight"])  # frozen
    # the trained state loads strictly into the architecture the card describes
    rebuilt = build_from_spec(ModelSpec.from_dict(spec.to_dict()))
    rebuilt.load_state_dict(after, strict=True)


def test_coco_v2_weights_replace_exactly_the_predictors(tmp_path) -> None:
    official = official_maskrcnn_coco("v2", seed=1)
    path = tmp_path / "maskrcnn_resnet50_fpn_v2_coco-73cbd019.pth"
    torch.save(official, path)
    model, spec = build_for_training("maskrcnn_v2", num_classes=4, weights=path, image_size=96)
    changed, kept = _compare(model, official)
    assert changed == CLASS_SIZED
    assert kept == {k for k in official if not k.startswith(PREDICTOR_PREFIXES)}
    assert spec.init == "coco" and spec.bn_eps is None
    frozen = [n for n, p in model.named_parameters() if not p.requires_grad]
    assert frozen and all(n.startswith(("backbone.body.conv1", "backbone.body.bn1", "backbone.body.layer1")) for n in frozen)


def test_imagenet_backbone_weights_and_refusals(tmp_path) -> None:
    imagenet = official_resnet50_imagenet()
    path = tmp_path / "resnet50-0676ba61.pth"
    torch.save(imagenet, path)
    model, spec = build_for_training("maskrcnn_v1", num_classes=3, weights=path, image_size=96)
    body = model.backbone.body.state_dict()
    assert all(torch.equal(body[k], imagenet[k]) for k in body)
    assert spec.init == "imagenet" and spec.bn_eps == 1e-5
    with pytest.raises(ValueError, match="small model trains from scratch"):
        build_for_training("small", 3, weights=path)
    other = tmp_path / "other.pth"
    torch.save({"foo.weight": torch.zeros(2)}, other)
    with pytest.raises(WeightsMismatchError):
        build_for_training("maskrcnn_v1", 3, weights=other)
    with pytest.raises(ValueError, match="unknown base model"):
        build_for_training("yolo", 3)


def test_no_weights_found_means_random_init(monkeypatch, tmp_path) -> None:
    monkeypatch.setenv("MASKPILOT_WEIGHTS_DIR", str(tmp_path / "w"))
    monkeypatch.setenv("TORCH_HOME", str(tmp_path / "t"))
    _, spec = build_for_training("maskrcnn_v1", 3, image_size=64)
    assert spec.init == "random" and spec.init_file == ""


def _sample_with_colors() -> InstanceSample:
    image = np.zeros((60, 80, 3), np.uint8)
    masks = np.zeros((2, 60, 80), bool)
    masks[0, 5:25, 10:40] = True
    masks[1, 30:55, 50:75] = True
    image[masks[0]] = (200, 30, 30)
    image[masks[1]] = (30, 200, 30)
    return InstanceSample(image, masks, np.array([1, 2]))


def test_augmentation_moves_image_boxes_and_masks_together() -> None:
    torch.manual_seed(0)
    ds = DetectionDataset([_sample_with_colors()], augment=Augmentation(AugmentConfig(scale_range=(0.5, 1.6))))
    changed = 0
    for _ in range(12):
        image, target = ds[0]
        assert image.shape == (3, 60, 80)
        masks = target["masks"].bool().numpy()
        assert target["boxes"].tolist() == masks_to_boxes(masks).tolist()
        for mask, label in zip(masks, target["labels"].tolist(), strict=True):
            inside = image.permute(1, 2, 0).numpy()[mask]
            colour = np.median(inside, axis=0) * 255
            expected = (200, 30, 30) if label == 1 else (30, 200, 30)
            assert np.abs(colour - expected).max() < 40, (label, colour)
        changed += not torch.equal(target["masks"], torch.from_numpy(_sample_with_colors().masks.astype(np.uint8)))
    assert changed >= 6  # the pipeline does change things


def test_epoch_budget_resume_and_empty_data() -> None:
    torch.manual_seed(0)
    data = DetectionDataset(SyntheticScenes(8, seed=2, size=(64, 64)), hflip=False)
    model = build_small_maskrcnn(num_classes=4, image_size=64)
    trainer = Trainer(model, data, TrainConfig(max_epochs=1.5, batch_size=4))
    result = trainer.run()
    assert result.steps == 3 and trainer.epoch == pytest.approx(1.5)
    # resume: the budget counts over runs, the optimizer goes on where it was
    state = trainer.snapshot()
    resumed = Trainer(model, data, TrainConfig(max_epochs=2.5, batch_size=4), state=state)
    assert resumed.optimizer.state_dict()["state"][0]["step"].item() == 3
    assert resumed.run().steps == 2 and resumed.step == 5
    blank = [InstanceSample(np.zeros((32, 32, 3), np.uint8), np.zeros((0, 32, 32), bool), np.zeros(0, np.int64))] * 4
    with pytest.raises(TrainingDataError, match="No usable training images"):
        train_detector(model, DetectionDataset(blank), TrainConfig(max_steps=5, batch_size=2))
    with pytest.raises(TrainingDataError):
        Trainer(model, DetectionDataset([]), TrainConfig(max_steps=1))


def test_checkpoint_round_trip_and_refusals(tmp_path) -> None:
    model = build_small_maskrcnn(num_classes=3)
    ckpt = TrainingCheckpoint(model.state_dict(), {"state": {}, "param_groups": []}, 7, 28, 12.5, 0.4, 5,
                              meta={"spec": {"base": "small"}, "classes": [[1, "a"]]})  # fmt: skip
    path = tmp_path / "resume.pt"
    path.write_bytes(checkpoint_bytes(ckpt))
    back = read_checkpoint(path)
    assert (back.step, back.images_seen, back.elapsed_s, back.best_score, back.best_step) == (7, 28, 12.5, 0.4, 5)
    assert back.meta["classes"] == [[1, "a"]] and set(back.model) == set(model.state_dict())
    plain = tmp_path / "weights.pth"
    plain.write_bytes(state_dict_bytes(model.state_dict()))
    with pytest.raises(CheckpointError, match="not a MaskPilot training checkpoint"):
        read_checkpoint(plain)
    (tmp_path / "junk.pt").write_bytes(b"PK\x03\x04 truncated")
    with pytest.raises(CheckpointError):
        read_checkpoint(tmp_path / "junk.pt")
    with pytest.raises(CheckpointError, match="no training checkpoint"):
        read_checkpoint(tmp_path / "missing.pt")


def _prediction(sample: InstanceSample, scores: list[float], labels: list[int] | None = None) -> Prediction:
    h, w = sample.image.shape[:2]
    boxes = masks_to_boxes(sample.masks)
    crops = [tight_crop(m, 0, 0, b, (h, w)) for m, b in zip(sample.masks, boxes, strict=True)]
    return Prediction(boxes, scores, labels if labels is not None else sample.category_ids, [c for c, _ in crops],
                      np.array([o for _, o in crops]).reshape(-1, 2), (h, w), "gt")  # fmt: skip


def test_detailed_metrics_per_class_at_a_threshold() -> None:
    sample = _sample_with_colors()
    cats = [(1, "red"), (2, "green"), (3, "blue")]
    perfect = evaluate_detailed([_prediction(sample, [0.9, 0.8])], [sample], cats, score_threshold=0.5)
    assert perfect.AP50 == pytest.approx(1.0)
    rows = {c.name: c for c in perfect.classes}
    assert (rows["red"].precision, rows["red"].recall, rows["red"].ap50) == (1.0, 1.0, pytest.approx(1.0))
    assert rows["blue"].ap50 is None and rows["blue"].recall is None and rows["blue"].ground_truth == 0
    # the green detection below the threshold is a miss; a red box labelled green is a false positive
    low = evaluate_detailed([_prediction(sample, [0.9, 0.2])], [sample], cats, score_threshold=0.5)
    assert {c.name: c.recall for c in low.classes}["green"] == 0.0
    wrong = evaluate_detailed([_prediction(sample, [0.9, 0.8], [2, 2])], [sample], cats, score_threshold=0.5)
    green = {c.name: c for c in wrong.classes}["green"]
    assert (green.true_positives, green.false_positives, green.precision) == (1, 1, 0.5)
    assert wrong.as_dict()["classes"][1]["precision"] == 0.5


def test_project_predictor_reports_project_ids(tmp_path) -> None:
    torch.manual_seed(0)
    spec = ModelSpec("small", 3, 64, 64)
    path = tmp_path / "m.pth"
    path.write_bytes(state_dict_bytes(build_from_spec(spec).state_dict()))
    cats = [(5, "cat"), (9, "dog")]
    predictor = load_project_predictor("project:m", path, spec, cats, torch.device("cpu"))
    assert isinstance(predictor, ProjectModelPredictor) and predictor.categories == cats
    image = np.random.default_rng(0).integers(0, 255, (64, 80, 3), dtype=np.uint8)
    pred = predictor.predict([image], score_threshold=0.0)[0]
    assert len(pred) and set(pred.category_ids.tolist()) <= {5, 9} and pred.model == "project:m"
    boxed = predictor.masks_for_boxes(image, [[5, 5, 40, 40]], category_ids=[9])
    assert boxed.category_ids.tolist() == [9]
    with pytest.raises(ValueError, match="not trained on category ids"):
        predictor.masks_for_boxes(image, [[5, 5, 40, 40]], category_ids=[1])
    with pytest.raises(ValueError):
        load_project_predictor("project:m", path, spec, cats[:1], torch.device("cpu"))
