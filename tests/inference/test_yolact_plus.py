"""YOLACT++: deformable blocks, anchors, the mask-IoU net and re-scoring (random weights, CPU)."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from yolact_official_layout import PLUS_DCN_BLOCKS

import inference
from inference.yolact.anchors import feature_map_sizes, make_priors
from inference.yolact.backbone import ModulatedDeformConv
from inference.yolact.config import CONFIGS
from inference.yolact.model import FastMaskIoUNet


@pytest.mark.parametrize(("config", "backbone"), [("yolact_plus_resnet50", "resnet50"), ("yolact_plus_base", "resnet101")])
def test_deformable_blocks_are_the_documented_ones(config: str, backbone: str) -> None:
    from inference.yolact.backbone import ResNetBackbone

    cfg = CONFIGS[config]
    net = ResNetBackbone(cfg.backbone, dcn_layers=cfg.dcn_layers, dcn_interval=cfg.dcn_interval)
    found = {
        stage: {b for b, block in enumerate(layer) if isinstance(block.conv2, ModulatedDeformConv)}
        for stage, layer in enumerate(net.layers)
    }
    expected = PLUS_DCN_BLOCKS[backbone]
    assert found == {stage: expected.get(stage, set()) for stage in range(4)}
    # Stride and channels of a deformable block follow the conv it replaces.
    first = net.layers[1][0].conv2
    assert first.stride == 2 and first.weight.shape == (128, 128, 3, 3)


@pytest.mark.parametrize("stride", [1, 2])
def test_deformable_conv_at_init_is_a_half_weighted_conv(stride: int) -> None:
    """Zero offsets sample the regular grid; zero modulation logits weigh every tap by sigmoid(0)."""
    torch.manual_seed(0)
    conv = ModulatedDeformConv(6, 5, stride)
    with torch.no_grad():
        conv.bias.normal_()
        x = torch.randn(2, 6, 9, 11)
        expected = 0.5 * F.conv2d(x, conv.weight, stride=stride, padding=1) + conv.bias[:, None, None]
        assert torch.allclose(conv(x), expected, atol=1e-5)


@pytest.mark.parametrize(("axis", "channels"), [("y", range(0, 18, 2)), ("x", range(1, 18, 2))])
def test_offset_channels_are_dy_then_dx_per_tap(axis: str, channels: range) -> None:
    """The official layout: channel 2k moves tap k down, 2k+1 moves it right. An offset of +1 on
    one axis for every tap equals a plain conv of the zero-padded input shifted by one pixel."""
    torch.manual_seed(0)
    conv = ModulatedDeformConv(3, 4)
    with torch.no_grad():
        conv.conv_offset_mask.bias[list(channels)] = 1.0
        conv.conv_offset_mask.bias[18:] = 40.0  # sigmoid = 1: no modulation
        x = torch.randn(1, 3, 7, 8)
        padded = F.pad(x, (1, 1, 1, 1))
        shifted = torch.zeros_like(padded)
        if axis == "y":
            shifted[:, :, :-1] = padded[:, :, 1:]
        else:
            shifted[:, :, :, :-1] = padded[:, :, :, 1:]
        expected = F.conv2d(shifted, conv.weight, conv.bias)
        assert torch.allclose(conv(x), expected, atol=1e-5)


def test_plus_priors_have_three_scales_and_real_aspect_ratios() -> None:
    cfg = CONFIGS["yolact_plus_base"]
    sides = feature_map_sizes(550, "resnet101")
    priors = make_priors([(s, s) for s in sides], cfg)
    assert priors.shape == (57744, 4) == (9 * sum(s * s for s in sides), 4)
    # First cell of P3: scale 24, 30.238, 38.098 (outer) by aspect ratio 1, 1/2, 2 (inner).
    for j, side in enumerate((24.0, 30.238, 38.098)):
        for k, ar in enumerate((1.0, 0.5, 2.0)):
            w, h = priors[3 * j + k, 2:].tolist()
            assert w * 550 == pytest.approx(side * math.sqrt(ar), rel=1e-4)
            assert h * 550 == pytest.approx(side / math.sqrt(ar), rel=1e-4)  # ar 1/2 is tall
    assert priors[9, 0].item() == pytest.approx(1.5 / 69)  # the next cell starts after 9 anchors


def test_mask_iou_net_reduces_prototype_masks_to_class_scores() -> None:
    net = FastMaskIoUNet(80)
    sizes = []
    hooks = [m.register_forward_hook(lambda _m, _i, out: sizes.append(out.shape[-1]))
             for m in net.maskiou_net if isinstance(m, torch.nn.Conv2d)]  # fmt: skip
    with torch.no_grad():
        out = net(torch.rand(4, 1, 138, 138))
    assert out.shape == (4, 80) and float(out.min()) >= 0
    assert sizes == [68, 33, 16, 7, 3, 3]  # yolact-reference.md A.8
    for hook in hooks:
        hook.remove()
    assert net(torch.rand(1, 1, FastMaskIoUNet.MIN_SIDE, FastMaskIoUNet.MIN_SIDE)).shape == (1, 80)
    with pytest.raises(RuntimeError):
        net(torch.rand(1, 1, FastMaskIoUNet.MIN_SIDE - 1, FastMaskIoUNet.MIN_SIDE - 1))


def _spread(predictor: inference.Predictor) -> None:
    """Random-init activations are tiny: spread class scores and mask logits."""
    with torch.no_grad():
        predictor.model.prediction_layers[0].conf_layer.weight.mul_(300)
        predictor.model.prediction_layers[0].mask_layer.weight.mul_(300)
        predictor.model.proto_net[10].weight.mul_(300)


def test_scores_are_class_score_times_predicted_iou() -> None:
    """With a mask-IoU net that predicts a known IoU per class, every detection's score is its
    class score times that IoU, the threshold applies to the product, and masks stay with their
    detections. The reference is the same network with re-scoring switched off."""
    torch.manual_seed(2)
    predictor = inference.load_model("yolact_plus_resnet50", device="cpu", random_init=True, input_size=256)
    _spread(predictor)
    iou_per_class = torch.linspace(0.2, 1.0, 80)
    with torch.no_grad():
        for module in predictor.model.maskiou_net.maskiou_net:
            if isinstance(module, torch.nn.Conv2d):
                module.weight.zero_()
                module.bias.zero_()
        predictor.model.maskiou_net.maskiou_net[10].bias.copy_(iou_per_class)
    rng = np.random.default_rng(3)
    image = rng.integers(0, 256, (120, 170, 3), dtype=np.uint8)
    rescored = predictor.predict([image], score_threshold=0.5, max_detections=100)[0]
    maskiou = predictor.model.maskiou_net
    predictor.model.maskiou_net = None
    plain = predictor.predict([image], score_threshold=0.5, max_detections=100)[0]
    predictor.model.maskiou_net = maskiou

    class_index = {cat: i for i, cat in enumerate(inference.categories.COCO_CONTIGUOUS_TO_ID)}
    product = plain.scores * iou_per_class.numpy()[[class_index[c] for c in plain.category_ids]]
    kept = np.flatnonzero(product > 0.5)
    order = kept[np.argsort(-product[kept], kind="stable")]
    assert 3 <= len(order) < len(plain)  # some fall below the threshold after re-scoring
    assert np.allclose(rescored.scores, product[order], rtol=1e-6)
    assert np.all(np.diff(rescored.scores) <= 0)
    assert np.array_equal(rescored.category_ids, plain.category_ids[order])
    assert np.array_equal(rescored.boxes, plain.boxes[order])
    for i, j in enumerate(order):
        assert np.array_equal(rescored.mask_offsets[i], plain.mask_offsets[j])
        assert np.array_equal(rescored.masks[i], plain.masks[j])


def test_plus_model_is_registered_and_predicts() -> None:
    info = inference.get_model_info("yolact_plus_base")
    assert info.weights_files == ("yolact_plus_base_54_800000.pth",)
    assert info.download_url.endswith("dbolya/yolact-plus-base/resolve/main/yolact_plus_base_54_800000.pth")
    torch.manual_seed(1)
    predictor = inference.load_model("yolact_plus_resnet50", device="cpu", random_init=True, input_size=256)
    _spread(predictor)
    pred = predictor.predict([np.full((64, 96, 3), 128, np.uint8)], score_threshold=0.0)[0]
    assert pred.model == "yolact_plus_resnet50" and 0 < len(pred) <= 100
    assert pred.image_size == (64, 96)


@pytest.mark.gpu
@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs CUDA")
def test_plus_on_cuda_matches_the_cpu() -> None:
    """deform_conv2d's CUDA kernel and its fp16 autocast path give the CPU's detections."""
    torch.manual_seed(1)
    predictor = inference.load_model("yolact_plus_resnet50", device="cpu", random_init=True, input_size=256)
    _spread(predictor)
    images = [np.random.default_rng(i).integers(0, 256, (100, 140, 3), dtype=np.uint8) for i in range(2)]
    cpu = predictor.predict(images, score_threshold=0.3)
    predictor.to("cuda")
    predictor.fp16 = False
    fp32 = predictor.predict(images, score_threshold=0.3)
    predictor.fp16 = True
    fp16 = predictor.predict(images, score_threshold=0.3)
    for a, b, c in zip(cpu, fp32, fp16, strict=True):
        assert len(a) == len(b) > 0
        np.testing.assert_allclose(a.scores, b.scores, atol=1e-3)
        assert abs(len(c) - len(b)) <= max(2, len(b) // 10)
