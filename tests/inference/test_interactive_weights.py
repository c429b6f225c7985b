"""SAM / SAM 2.1 weights files: safe reading, clear errors, and no file opened by the builders.

Every error here is raised before the (large) architecture is built, so these tests are fast.
"""

from __future__ import annotations

import pickle
from pathlib import Path
from typing import Any

import pytest
import torch
from sam_official_layout import (
    TINY_SAM,
    reference_sam,
    reference_sam2,
    save_sam2_file,
    save_sam_file,
)

import inference
from inference import (
    WeightsCorruptError,
    WeightsMismatchError,
    WeightsNotFoundError,
    WeightsUnsafeError,
    WrongModelError,
)

SAM_NAMES = ["sam_vit_b", "sam2.1_hiera_tiny"]


class _MarkerPayload:
    """Unpickling this creates `path` (stand-in for code run by a malicious file)."""

    def __init__(self, path: Path) -> None:
        self.path = str(path)

    def __reduce__(self):  # noqa: ANN204 - pickle protocol
        return (open, (self.path, "w"))


@pytest.fixture
def isolated_weights(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "weights"
    folder.mkdir()
    monkeypatch.setenv("MASKPILOT_WEIGHTS_DIR", str(folder))
    monkeypatch.setenv("TORCH_HOME", str(tmp_path / "torch"))
    return folder


@pytest.mark.filterwarnings("ignore:Detected pickle protocol")
@pytest.mark.parametrize("container", ["torch_zip", "pickle_protocol2"])
@pytest.mark.parametrize("name", SAM_NAMES)
def test_code_running_pickle_is_refused(tmp_path: Path, name: str, container: str) -> None:
    marker = tmp_path / "pwned"
    state = {"mask_decoder.iou_token.weight": torch.zeros(1, 256), "evil": _MarkerPayload(marker)}
    payload: Any = {"model": state} if name.startswith("sam2") else state
    path = tmp_path / "weights.pt"
    if container == "torch_zip":
        torch.save(payload, path)
    else:
        path.write_bytes(pickle.dumps(payload, protocol=2))
    with pytest.raises(WeightsUnsafeError, match="could run code"):
        inference.load_model(name, weights=path, device="cpu")
    assert not marker.exists()


@pytest.mark.parametrize("name", SAM_NAMES)
def test_truncated_file(tmp_path: Path, name: str) -> None:
    good = tmp_path / "good.pt"
    torch.save({"model": {"image_encoder.trunk.pos_embed": torch.zeros(100000)}}, good)
    bad = tmp_path / "truncated.pt"
    bad.write_bytes(good.read_bytes()[: good.stat().st_size // 2])
    with pytest.raises(WeightsCorruptError, match="truncated or damaged"):
        inference.load_model(name, weights=bad, device="cpu")


def test_sam2_file_given_to_sam(tmp_path: Path) -> None:
    path = save_sam2_file(reference_sam2(), tmp_path / "sam2.1_hiera_tiny.pt")
    with pytest.raises(
        WrongModelError, match=r"holds SAM 2 weights, not Segment Anything \(SAM v1\)"
    ):
        inference.load_model("sam_vit_h", weights=path, device="cpu")


def test_sam_file_given_to_sam2(tmp_path: Path) -> None:
    path = save_sam_file(reference_sam(TINY_SAM), tmp_path / "sam_vit_b_01ec64.pth")
    with pytest.raises(
        WrongModelError, match=r"holds Segment Anything \(SAM v1\) weights, not SAM 2"
    ):
        inference.load_model("sam2.1_hiera_large", weights=path, device="cpu")


@pytest.mark.parametrize("name", SAM_NAMES)
def test_maskrcnn_file_given_to_sam(tmp_path: Path, name: str) -> None:
    path = tmp_path / "maskrcnn_resnet50_fpn_coco-bf2d0c1e.pth"
    torch.save(
        {
            "rpn.head.conv.0.0.weight": torch.zeros(1),
            "roi_heads.box_head.fc6.weight": torch.zeros(1),
        },
        path,
    )
    with pytest.raises(WrongModelError, match="holds torchvision Mask R-CNN weights"):
        inference.load_model(name, weights=path, device="cpu")


@pytest.mark.parametrize("name", SAM_NAMES)
def test_unrelated_state_dict_names_its_keys(tmp_path: Path, name: str) -> None:
    path = tmp_path / "other.pt"
    torch.save({"encoder.layer1.weight": torch.zeros(1)}, path)
    with pytest.raises(WeightsMismatchError, match="first keys: encoder.layer1.weight"):
        inference.load_model(name, weights=path, device="cpu")


def test_other_sam_size_is_named(tmp_path: Path) -> None:
    path = tmp_path / "renamed.pth"
    torch.save({"image_encoder.patch_embed.proj.weight": torch.zeros(1280, 3, 16, 16),
                "prompt_encoder.point_embeddings.0.weight": torch.zeros(1, 256),
                "mask_decoder.iou_token.weight": torch.zeros(1, 256)}, path)  # fmt: skip
    with pytest.raises(WrongModelError, match="holds SAM VIT-H weights"):
        inference.load_model("sam_vit_b", weights=path, device="cpu")


@pytest.mark.parametrize("name", SAM_NAMES)
def test_missing_weights_name_the_official_file(name: str, isolated_weights: Path) -> None:
    with pytest.raises(WeightsNotFoundError) as info:
        inference.load_model(name, device="cpu")
    assert inference.get_model_info(name).weights_files[0] in str(info.value)
    assert str(isolated_weights) in str(info.value)


def test_only_our_safe_torch_load_reads_the_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The package builders get no checkpoint: the file is read exactly once, by our
    torch.load(weights_only=True, map_location="cpu"), and its tensors end up in the model."""
    ref = reference_sam2(overrides=(), seed=4)
    path = save_sam2_file(ref, tmp_path / "sam2.1_hiera_tiny.pt")
    calls: list[dict[str, Any]] = []
    real_load = torch.load

    def recording_load(*args: Any, **kwargs: Any) -> Any:
        calls.append(kwargs)
        return real_load(*args, **kwargs)

    monkeypatch.setattr(torch, "load", recording_load)
    model = inference.load_model("sam2.1_hiera_tiny", weights=path, device="cpu")
    assert calls == [{"weights_only": True, "map_location": "cpu"}]
    ours, theirs = model.module.state_dict(), ref.state_dict()
    assert ours.keys() == theirs.keys() and all(torch.equal(ours[k], theirs[k]) for k in ours)


def test_random_init_needs_no_weights(isolated_weights: Path) -> None:
    model = inference.load_model("sam2.1_hiera_tiny", device="cpu", random_init=True)
    assert model.family == "sam2" and model.name == "sam2.1_hiera_tiny"
    assert not any(isolated_weights.iterdir())  # nothing downloaded


def test_missing_package_says_how_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    import importlib.util

    real_find_spec = importlib.util.find_spec
    monkeypatch.setattr(
        importlib.util, "find_spec", lambda n, *a: None if n == "sam2" else real_find_spec(n, *a)
    )
    with pytest.raises(inference.InferenceError, match="--no-build-isolation sam2==1.1.0"):
        inference.load_model("sam2.1_hiera_small", device="cpu", random_init=True)


def test_building_and_prompting_never_touch_the_network(monkeypatch: pytest.MonkeyPatch) -> None:
    import socket

    from inference.interactive import Frame, ImageEmbedding

    def refuse(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("network access")

    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    monkeypatch.setattr(socket.socket, "connect", refuse)
    model = inference.load_model("sam2.1_hiera_tiny", device="cpu", random_init=True)
    feats = {
        "image_embed": (256, 64, 64),
        "high_res_feat0": (32, 256, 256),
        "high_res_feat1": (64, 128, 128),
    }
    emb = ImageEmbedding(model.name, Frame((300, 400), (1024, 1024), 1024, True),
                         {k: torch.randn(1, *s) for k, s in feats.items()})  # fmt: skip
    assert model.predict_lowres(emb, points=[(10, 20, 1)]).logits.shape == (3, 256, 256)
