"""Registry, import hygiene, weights search through load_model."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
import torch
from yolact_official_layout import fake_state_dict, official_shapes

import inference
from inference import UnknownModelError, WeightsNotFoundError
from inference.categories import COCO_CATEGORIES, COCO_CONTIGUOUS_TO_ID

ROOT = Path(__file__).resolve().parents[2]
NAMES = [
    "maskrcnn_resnet50_fpn",
    "maskrcnn_resnet50_fpn_v2",
    "yolact_base",
    "yolact_resnet50",
    "yolact_darknet53",
    "yolact_im700",
    "yolact_plus_base",
    "yolact_plus_resnet50",
]
SEMANTIC_NAMES = ["fcn_resnet50", "deeplabv3_resnet50"]
INTERACTIVE_FILES = {
    "sam_vit_b": "sam_vit_b_01ec64.pth",
    "sam_vit_l": "sam_vit_l_0b3195.pth",
    "sam_vit_h": "sam_vit_h_4b8939.pth",
    "sam2.1_hiera_tiny": "sam2.1_hiera_tiny.pt",
    "sam2.1_hiera_small": "sam2.1_hiera_small.pt",
    "sam2.1_hiera_base_plus": "sam2.1_hiera_base_plus.pt",
    "sam2.1_hiera_large": "sam2.1_hiera_large.pt",
}


@pytest.fixture
def isolated_weights(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Path, Path]:
    """Empty user weights folder and torch cache, so no real files on this machine are found."""
    weights_dir, torch_home = tmp_path / "weights", tmp_path / "torch"
    weights_dir.mkdir()
    monkeypatch.setenv("MASKPILOT_WEIGHTS_DIR", str(weights_dir))
    monkeypatch.setenv("TORCH_HOME", str(torch_home))
    return weights_dir, torch_home / "hub" / "checkpoints"


def test_import_and_list_models_do_not_import_torch() -> None:
    code = (
        "import sys, inference\n"
        "models = inference.list_models()\n"
        "assert len(models) == 17, models\n"
        "bad = [m for m in ('torch', 'torchvision', 'PySide6', 'app') if m in sys.modules]\n"
        "assert not bad, bad\n"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr


def test_list_models() -> None:
    infos = inference.list_models()
    assert [m.name for m in infos] == NAMES + SEMANTIC_NAMES + list(INTERACTIVE_FILES)
    kinds = ["instance"] * len(NAMES) + ["semantic"] * len(SEMANTIC_NAMES) + ["interactive"] * len(INTERACTIVE_FILES)
    assert [m.kind for m in infos] == kinds
    for info in infos[: len(NAMES)]:
        assert info.categories == COCO_CATEGORIES
        assert info.weights_files and all(f.endswith(".pth") for f in info.weights_files)
    assert inference.get_model_info("yolact_im700").weights_files == ("yolact_im700_54_800000.pth",)


def test_interactive_entries_name_the_official_files() -> None:
    for name, file in INTERACTIVE_FILES.items():
        info = inference.get_model_info(name)
        assert info.weights_files == (file,) and info.categories == ()
        assert info.family == ("sam2" if name.startswith("sam2") else "sam")
        folder = "segment_anything_2/092824/" if name.startswith("sam2") else "segment_anything/"
        assert info.download_url == f"https://dl.fbaipublicfiles.com/{folder}{file}"


def test_coco_categories_match_torchvision_metadata() -> None:
    from torchvision.models.detection import MaskRCNN_ResNet50_FPN_Weights

    meta = MaskRCNN_ResNet50_FPN_Weights.COCO_V1.meta["categories"]  # index == category id
    ours = dict(COCO_CATEGORIES)
    assert len(ours) == 80
    for cid, name in enumerate(meta):
        if cid in ours:
            assert ours[cid] == name
        else:
            assert name in ("__background__", "N/A"), (cid, name)
    assert list(COCO_CONTIGUOUS_TO_ID) == sorted(ours)


def test_unknown_model() -> None:
    with pytest.raises(UnknownModelError, match="Known models: maskrcnn_resnet50_fpn"):
        inference.load_model("mask_rcnn_x")


@pytest.mark.parametrize("name", ["maskrcnn_resnet50_fpn", "yolact_base"])
def test_missing_weights_name_files_and_folders(name: str, isolated_weights: tuple[Path, Path]) -> None:
    weights_dir, cache = isolated_weights
    with pytest.raises(WeightsNotFoundError) as info:
        inference.load_model(name, device="cpu")
    msg = str(info.value)
    assert inference.get_model_info(name).weights_files[0] in msg
    assert str(weights_dir) in msg and str(cache) in msg
    assert isinstance(info.value, inference.WeightsError)


def test_weights_found_in_user_folder(isolated_weights: tuple[Path, Path]) -> None:
    weights_dir, _ = isolated_weights
    state = fake_state_dict(official_shapes("resnet50"), seed=4)
    torch.save(state, weights_dir / "yolact_resnet50_54_800000.pth")
    predictor = inference.load_model("yolact_resnet50", device="cpu")
    assert torch.equal(predictor.model.state_dict()["proto_net.10.weight"], state["proto_net.10.weight"])
    assert predictor.name == "yolact_resnet50"


def test_weights_found_in_torch_cache(isolated_weights: tuple[Path, Path]) -> None:
    from torchvision.models.detection import maskrcnn_resnet50_fpn_v2

    _, cache = isolated_weights
    cache.mkdir(parents=True)
    torch.manual_seed(3)
    state = maskrcnn_resnet50_fpn_v2(weights=None, weights_backbone=None).state_dict()
    torch.save(state, cache / "maskrcnn_resnet50_fpn_v2_coco-73cbd019.pth")
    predictor = inference.load_model("maskrcnn_resnet50_fpn_v2", device="cpu", min_size=200, max_size=300)
    key = "roi_heads.mask_predictor.mask_fcn_logits.weight"
    assert torch.equal(predictor.model.state_dict()[key], state[key])
    assert predictor.model.transform.min_size == (200,)


def test_v1_file_with_batchnorm_counters_loads(isolated_weights: tuple[Path, Path]) -> None:
    """A v1 state dict saved from a BatchNorm build (with num_batches_tracked) fits our
    FrozenBatchNorm layout, and the frozen eps is 0.0 as for the official COCO weights."""
    from torchvision.models.detection import maskrcnn_resnet50_fpn
    from torchvision.ops import FrozenBatchNorm2d

    weights_dir, _ = isolated_weights
    torch.manual_seed(5)
    state = maskrcnn_resnet50_fpn(weights=None, weights_backbone=None).state_dict()
    assert any(k.endswith("num_batches_tracked") for k in state)
    torch.save(state, weights_dir / "custom_name.pth")
    predictor = inference.load_model("maskrcnn_resnet50_fpn", weights="custom_name.pth", device="cpu")
    own = predictor.model.state_dict()
    assert all(torch.equal(own[k], state[k]) for k in own)
    frozen = [m for m in predictor.model.modules() if isinstance(m, FrozenBatchNorm2d)]
    assert frozen and all(m.eps == 0.0 for m in frozen)


def test_random_init_needs_no_weights(isolated_weights: tuple[Path, Path]) -> None:
    predictor = inference.load_model("yolact_darknet53", device="cpu", random_init=True, input_size=96)
    assert predictor.cfg.input_size == 96 and predictor.cfg.backbone == "darknet53"
