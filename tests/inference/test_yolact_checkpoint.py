"""Loading checkpoints in the official YOLACT layout (keys generated from the reference tables)."""

from __future__ import annotations

import pytest
import torch
from yolact_official_layout import fake_state_dict, official_shapes

from inference import ClassCountError, WeightsMismatchError, WrongModelError
from inference.yolact.checkpoint import (
    detect_layout,
    drop_unused_keys,
    load_yolact_file,
    load_yolact_state,
)
from inference.yolact.config import CONFIGS, config_name_from_filename
from inference.yolact.model import Yolact
from inference.yolact.predictor import choose_config


@pytest.fixture(scope="module")
def base_model() -> Yolact:
    torch.manual_seed(0)
    return Yolact(CONFIGS["yolact_base"])


@pytest.fixture(scope="module")
def r50_model() -> Yolact:
    torch.manual_seed(0)
    return Yolact(CONFIGS["yolact_resnet50"])


# Key counts stated in yolact-reference.md B.2 (excluding num_batches_tracked and the extra
# fpn.downsample_layers.2, including semantic_seg_conv) and with the counters included.
@pytest.mark.parametrize(
    ("backbone", "keys", "with_counters"),
    [("resnet101", 556, 660), ("resnet50", 301, 354), ("darknet53", 296, 348)],
)
def test_layout_generator_matches_documented_counts(backbone: str, keys: int, with_counters: int) -> None:
    assert len(official_shapes(backbone, num_batches_tracked=False, extra_downsample=False)) == keys
    assert len(official_shapes(backbone, num_batches_tracked=True, extra_downsample=False)) == with_counters


def _assert_every_key_consumed(model: Yolact, state: dict[str, torch.Tensor], dropped: list[str]) -> None:
    own = model.state_dict()
    used = set(state) - set(dropped)
    assert set(dropped) == {k for k in state if k.startswith(("semantic_seg_conv.", "fpn.downsample_layers.2."))}
    # Every remaining file key lands in the model with its value; the model has no other tensors
    # except counters the file lacked.
    extra_in_model = set(own) - used
    assert all(k.endswith("num_batches_tracked") for k in extra_in_model)
    for key in used:
        assert torch.equal(own[key], state[key].to(own[key].dtype)), key


@pytest.mark.parametrize("with_counters", [True, False])
def test_official_base_layout_loads_strictly(base_model: Yolact, with_counters: bool) -> None:
    state = fake_state_dict(official_shapes("resnet101", num_batches_tracked=with_counters), seed=1)
    dropped = load_yolact_state(base_model, state, "yolact_base_54_800000.pth")
    _assert_every_key_consumed(base_model, state, dropped)


def test_official_resnet50_file_loads_through_torch_load(r50_model: Yolact, tmp_path) -> None:
    state = fake_state_dict(official_shapes("resnet50"), seed=2)
    path = tmp_path / "yolact_resnet50_54_800000.pth"
    torch.save(state, path)
    dropped = load_yolact_file(r50_model, path)
    _assert_every_key_consumed(r50_model, state, dropped)


def test_official_darknet_layout_loads_strictly() -> None:
    model = Yolact(CONFIGS["yolact_darknet53"])
    state = fake_state_dict(official_shapes("darknet53", extra_downsample=False), seed=3)
    dropped = load_yolact_state(model, state, "yolact_darknet53_54_800000.pth")
    _assert_every_key_consumed(model, state, dropped)


def test_detect_layout_from_keys() -> None:
    assert detect_layout(official_shapes_tensors("resnet101"), "f").backbone == "resnet101"
    assert detect_layout(official_shapes_tensors("resnet50"), "f").backbone == "resnet50"
    layout = detect_layout(official_shapes_tensors("darknet53"), "f")
    assert (layout.backbone, layout.num_anchors, layout.num_classes) == ("darknet53", 3, 81)


def official_shapes_tensors(backbone: str, **kw) -> dict[str, torch.Tensor]:
    """Cheap stand-ins (empty strided tensors) for layout detection, which reads shapes only."""
    return {k: torch.empty(s) for k, s in official_shapes(backbone, **kw).items()}


def test_missing_and_unexpected_keys_are_listed(r50_model: Yolact) -> None:
    state = fake_state_dict(official_shapes("resnet50"))
    del state["proto_net.4.weight"]
    state["proto_net.6.weight"] = torch.zeros(3)
    with pytest.raises(WeightsMismatchError) as info:
        load_yolact_state(r50_model, state, "odd.pth")
    msg = str(info.value)
    assert "proto_net.4.weight" in msg and "missing keys (1)" in msg
    assert "proto_net.6.weight" in msg and "unexpected keys (1)" in msg
    assert info.value.missing == ["proto_net.4.weight"]
    assert info.value.unexpected == ["proto_net.6.weight"]


def test_wrong_shape_is_listed(r50_model: Yolact) -> None:
    state = fake_state_dict(official_shapes("resnet50"))
    state["proto_net.10.weight"] = torch.zeros(16, 256, 1, 1)
    with pytest.raises(WeightsMismatchError, match=r"proto_net\.10\.weight: file \(16, 256, 1, 1\)"):
        load_yolact_state(r50_model, state, "odd.pth")


def test_class_count_mismatch(r50_model: Yolact) -> None:
    state = official_shapes_tensors("resnet50", num_classes=8)
    with pytest.raises(ClassCountError, match="7 classes"):
        load_yolact_state(r50_model, state, "custom.pth")


def test_other_backbone_is_refused(base_model: Yolact) -> None:
    state = official_shapes_tensors("resnet50")
    with pytest.raises(WrongModelError, match="ResNet-50"):
        load_yolact_state(base_model, state, "yolact_resnet50_54_800000.pth")


def test_maskrcnn_state_dict_is_refused(r50_model: Yolact) -> None:
    from torchvision.models.detection import maskrcnn_resnet50_fpn

    state = maskrcnn_resnet50_fpn(weights=None, weights_backbone=None).state_dict()
    with pytest.raises(WrongModelError, match="Mask R-CNN"):
        load_yolact_state(r50_model, state, "maskrcnn.pth")


@pytest.fixture(scope="module")
def plus_r50_model() -> Yolact:
    torch.manual_seed(0)
    return Yolact(CONFIGS["yolact_plus_resnet50"])


# YOLACT++ key and parameter counts stated in yolact-reference.md B.2 (same exclusions as above;
# the parameters include semantic_seg_conv, which the model does not have: 80 x 256 + 80).
@pytest.mark.parametrize(
    ("config", "backbone", "keys", "parameters"),
    [("yolact_plus_resnet50", "resnet50", 352, 33_766_460), ("yolact_plus_base", "resnet101", 601, 52_571_142)],
)
def test_official_plus_layouts_load_strictly(config: str, backbone: str, keys: int, parameters: int) -> None:
    shapes = official_shapes(backbone, plus=True, num_batches_tracked=False, extra_downsample=False)
    assert len(shapes) == keys
    model = Yolact(CONFIGS[config])
    assert sum(p.numel() for p in model.parameters()) + 80 * 256 + 80 == parameters
    state = fake_state_dict(official_shapes(backbone, plus=True), seed=4)
    dropped = load_yolact_state(model, state, f"{config}_54_800000.pth")
    _assert_every_key_consumed(model, state, dropped)
    layout = detect_layout(state, "f")
    assert (layout.backbone, layout.num_anchors, layout.num_classes, layout.plus) == (backbone, 9, 81, True)


def test_plus_and_v1_files_are_told_apart(r50_model: Yolact, plus_r50_model: Yolact) -> None:
    with pytest.raises(WrongModelError, match=r"is a YOLACT\+\+ checkpoint, but config 'yolact_resnet50'"):
        load_yolact_state(r50_model, official_shapes_tensors("resnet50", plus=True), "renamed.pth")
    with pytest.raises(WrongModelError, match=r"is a YOLACT \(v1\) checkpoint, but config 'yolact_plus_resnet50'"):
        load_yolact_state(plus_r50_model, official_shapes_tensors("resnet50"), "renamed.pth")


def test_drop_unused_keys() -> None:
    state = {
        "semantic_seg_conv.weight": torch.zeros(1),
        "fpn.downsample_layers.2.bias": torch.zeros(1),
        "fpn.downsample_layers.12.bias": torch.zeros(1),
        "fpn.downsample_layers.1.bias": torch.zeros(1),
        "backbone.layer3.0.conv1.weight": torch.zeros(1),
        "backbone.layers.3.0.conv1.weight": torch.zeros(1),
    }
    kept, dropped = drop_unused_keys(state)
    assert set(kept) == {"fpn.downsample_layers.1.bias", "backbone.layers.3.0.conv1.weight"}
    assert len(dropped) == 4


def test_config_from_file_name_or_explicit(tmp_path) -> None:
    assert config_name_from_filename("/x/yolact_im700_54_800000.pth") == "yolact_im700"
    assert config_name_from_filename("yolact_base_54_800000.pth") == "yolact_base"
    assert config_name_from_filename("yolact_darknet53_1_2_interrupt.pth") == "yolact_darknet53"
    assert config_name_from_filename("my_weights.pth") is None
    assert choose_config("yolact_base", tmp_path / "yolact_im700_54_800000.pth", None, None).input_size == 700
    assert choose_config("yolact_base", tmp_path / "renamed.pth", None, None).name == "yolact_base"
    assert choose_config("yolact_base", tmp_path / "renamed.pth", "yolact_im700", None).name == "yolact_im700"
    assert choose_config("yolact_base", None, None, 320).input_size == 320
    with pytest.raises(ValueError, match="Unknown YOLACT config"):
        choose_config("yolact_base", None, "yolact_plus_plus", None)
    plus_file = tmp_path / "yolact_plus_resnet50_54_800000.pth"
    assert config_name_from_filename(plus_file) == "yolact_plus_resnet50"
    assert choose_config("yolact_resnet50", plus_file, None, None).mask_iou
    assert choose_config("yolact_plus_base", None, None, 249).input_size == 249
    with pytest.raises(ValueError, match="at least 249"):  # the mask-IoU net needs 63 prototype cells
        choose_config("yolact_plus_base", None, None, 248)
