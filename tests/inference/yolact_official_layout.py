"""Key names and shapes of the official YOLACT checkpoints, written from the tables of
yolact-reference.md section B (B.2 ResNet, B.3 YOLACT++, B.6 DarkNet-53), independently of
inference.yolact.

Used to build fake checkpoints with exactly the official layout for the loader tests.
"""

from __future__ import annotations

import torch

Shapes = dict[str, tuple[int, ...]]

_RESNET_STAGE_BLOCKS = {"resnet101": (3, 4, 23, 3), "resnet50": (3, 4, 6, 3)}
_RESNET_STAGE_PLANES = (64, 128, 256, 512)
_RESNET_BLOCK0_IN = (64, 256, 512, 1024)
# Deformable blocks per stage, as listed in A.1 (not computed by the rule the model uses).
PLUS_DCN_BLOCKS = {
    "resnet50": {1: set(range(4)), 2: set(range(6)), 3: set(range(3))},
    "resnet101": {1: {0, 3}, 2: {0, 3, 6, 9, 12, 15, 18, 21}, 3: {0}},
}
_DARKNET_C = (32, 64, 128, 256, 512)
_DARKNET_BLOCKS = (1, 2, 8, 8, 4)


def _bn(out: Shapes, prefix: str, ch: int, with_counter: bool) -> None:
    """BN(ch) of the doc: weight, bias, running_mean, running_var [ch] (+ num_batches_tracked)."""
    for name in ("weight", "bias", "running_mean", "running_var"):
        out[f"{prefix}.{name}"] = (ch,)
    if with_counter:
        out[f"{prefix}.num_batches_tracked"] = ()


def _resnet(out: Shapes, depth: str, nbt: bool, plus: bool) -> None:
    out["backbone.conv1.weight"] = (64, 3, 7, 7)
    _bn(out, "backbone.bn1", 64, nbt)
    for s, (n, p) in enumerate(zip(_RESNET_STAGE_BLOCKS[depth], _RESNET_STAGE_PLANES, strict=True)):
        for b in range(n):
            in_ch = _RESNET_BLOCK0_IN[s] if b == 0 else 4 * p
            pre = f"backbone.layers.{s}.{b}"
            out[f"{pre}.conv1.weight"] = (p, in_ch, 1, 1)
            _bn(out, f"{pre}.bn1", p, nbt)
            out[f"{pre}.conv2.weight"] = (p, p, 3, 3)
            if plus and b in PLUS_DCN_BLOCKS[depth].get(s, set()):
                out[f"{pre}.conv2.bias"] = (p,)
                out[f"{pre}.conv2.conv_offset_mask.weight"] = (27, p, 3, 3)
                out[f"{pre}.conv2.conv_offset_mask.bias"] = (27,)
            _bn(out, f"{pre}.bn2", p, nbt)
            out[f"{pre}.conv3.weight"] = (4 * p, p, 1, 1)
            _bn(out, f"{pre}.bn3", 4 * p, nbt)
            if b == 0:
                out[f"{pre}.downsample.0.weight"] = (4 * p, in_ch, 1, 1)
                _bn(out, f"{pre}.downsample.1", 4 * p, nbt)


def _darknet(out: Shapes, nbt: bool) -> None:
    out["backbone._preconv.0.weight"] = (32, 3, 3, 3)
    _bn(out, "backbone._preconv.1", 32, nbt)
    for i, (c, n) in enumerate(zip(_DARKNET_C, _DARKNET_BLOCKS, strict=True)):
        out[f"backbone.layers.{i}.0.0.weight"] = (2 * c, c, 3, 3)
        _bn(out, f"backbone.layers.{i}.0.1", 2 * c, nbt)
        for k in range(1, n + 1):
            pre = f"backbone.layers.{i}.{k}"
            out[f"{pre}.conv1.0.weight"] = (c, 2 * c, 1, 1)
            _bn(out, f"{pre}.conv1.1", c, nbt)
            out[f"{pre}.conv2.0.weight"] = (2 * c, c, 3, 3)
            _bn(out, f"{pre}.conv2.1", 2 * c, nbt)


def official_shapes(
    backbone: str,
    num_batches_tracked: bool = True,
    extra_downsample: bool = True,
    semantic: bool = True,
    num_classes: int = 81,
    anchors: int | None = None,
    plus: bool = False,
) -> Shapes:
    """{key: shape} of an official checkpoint ('resnet101', 'resnet50' or 'darknet53'); `plus`:
    the YOLACT++ file of that ResNet (deformable blocks, 9 anchors, mask-IoU net)."""
    out: Shapes = {}
    anchors = anchors or (9 if plus else 3)
    if backbone == "darknet53":
        _darknet(out, num_batches_tracked)
        lat_in = (1024, 512, 256)
    else:
        _resnet(out, backbone, num_batches_tracked, plus)
        lat_in = (2048, 1024, 512)
    for i, c in enumerate(lat_in):
        out[f"fpn.lat_layers.{i}.weight"] = (256, c, 1, 1)
        out[f"fpn.lat_layers.{i}.bias"] = (256,)
    for i in range(3):
        out[f"fpn.pred_layers.{i}.weight"] = (256, 256, 3, 3)
        out[f"fpn.pred_layers.{i}.bias"] = (256,)
    for i in range(3 if extra_downsample else 2):
        out[f"fpn.downsample_layers.{i}.weight"] = (256, 256, 3, 3)
        out[f"fpn.downsample_layers.{i}.bias"] = (256,)
    for i in (0, 2, 4, 8):
        out[f"proto_net.{i}.weight"] = (256, 256, 3, 3)
        out[f"proto_net.{i}.bias"] = (256,)
    out["proto_net.10.weight"] = (32, 256, 1, 1)
    out["proto_net.10.bias"] = (32,)
    head = "prediction_layers.0"
    out[f"{head}.upfeature.0.weight"] = (256, 256, 3, 3)
    out[f"{head}.upfeature.0.bias"] = (256,)
    for name, per_anchor in (("bbox_layer", 4), ("conf_layer", num_classes), ("mask_layer", 32)):
        out[f"{head}.{name}.weight"] = (anchors * per_anchor, 256, 3, 3)
        out[f"{head}.{name}.bias"] = (anchors * per_anchor,)
    if semantic:
        out["semantic_seg_conv.weight"] = (num_classes - 1, 256, 1, 1)
        out["semantic_seg_conv.bias"] = (num_classes - 1,)
    if plus:
        c_in = 1
        for i, c_out in zip((0, 2, 4, 6, 8), (8, 16, 32, 64, 128), strict=True):
            out[f"maskiou_net.maskiou_net.{i}.weight"] = (c_out, c_in, 3, 3)
            out[f"maskiou_net.maskiou_net.{i}.bias"] = (c_out,)
            c_in = c_out
        out["maskiou_net.maskiou_net.10.weight"] = (num_classes - 1, 128, 1, 1)
        out["maskiou_net.maskiou_net.10.bias"] = (num_classes - 1,)
    return out


def fake_state_dict(shapes: Shapes, seed: int = 0) -> dict[str, torch.Tensor]:
    """Random tensors of the given shapes; BN variances positive, counters int64 like the files."""
    gen = torch.Generator().manual_seed(seed)
    state: dict[str, torch.Tensor] = {}
    for key, shape in shapes.items():
        if key.endswith("num_batches_tracked"):
            state[key] = torch.tensor(800000, dtype=torch.int64)
        elif key.endswith("running_var"):
            state[key] = torch.rand(shape, generator=gen) + 0.5
        else:
            state[key] = torch.randn(shape, generator=gen) * 0.05
    return state
