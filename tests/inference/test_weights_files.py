"""Weights files: safe loading, user-readable errors, search rules, platform folders."""

from __future__ import annotations

import pickle
from pathlib import Path

import pytest
import torch
from yolact_official_layout import fake_state_dict, official_shapes

import inference
from inference import (
    ClassCountError,
    WeightsCorruptError,
    WeightsError,
    WeightsFormatError,
    WeightsNotFoundError,
    WeightsUnsafeError,
    WrongModelError,
)
from inference.weights import load_state_dict_file, resolve_weights, user_data_dir, weights_dir


class _MarkerPayload:
    """Unpickling this creates `path` (stand-in for arbitrary code run by a malicious file)."""

    def __init__(self, path: Path) -> None:
        self.path = str(path)

    def __reduce__(self):  # noqa: ANN204 - pickle protocol
        return (open, (self.path, "w"))


def test_payload_really_runs_code_when_unpickled_unsafely(tmp_path: Path) -> None:
    marker = tmp_path / "sanity_marker"
    pickle.loads(pickle.dumps({"w": _MarkerPayload(marker)}, protocol=2))
    assert marker.exists()  # so the refusal tests below would notice if loading ran the payload


@pytest.mark.filterwarnings("ignore:Detected pickle protocol")
@pytest.mark.parametrize("container", ["torch_zip", "pickle_protocol2", "pickle_protocol4"])
def test_malicious_pickle_is_refused(tmp_path: Path, container: str) -> None:
    marker = tmp_path / "pwned"
    path = tmp_path / "yolact_base_54_800000.pth"
    payload = {"backbone.conv1.weight": torch.zeros(1), "evil": _MarkerPayload(marker)}
    if container == "torch_zip":
        torch.save(payload, path)
    else:
        path.write_bytes(pickle.dumps(payload, protocol=int(container[-1])))
    with pytest.raises(WeightsUnsafeError, match="could run code"):
        load_state_dict_file(path)
    with pytest.raises(WeightsUnsafeError):
        inference.load_model("yolact_base", weights=path, device="cpu")
    assert not marker.exists()


def test_truncated_file(tmp_path: Path) -> None:
    good = tmp_path / "good.pth"
    torch.save({"a": torch.zeros(10000)}, good)
    bad = tmp_path / "maskrcnn_resnet50_fpn_coco-bf2d0c1e.pth"
    bad.write_bytes(good.read_bytes()[: good.stat().st_size // 2])
    with pytest.raises(WeightsCorruptError, match="truncated or damaged"):
        inference.load_model("maskrcnn_resnet50_fpn", weights=bad, device="cpu")


@pytest.mark.parametrize("content", [b"", b"<html>404 Not Found</html>" * 20])
def test_not_a_checkpoint(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "x.pth"
    path.write_bytes(content)
    with pytest.raises(WeightsCorruptError):
        load_state_dict_file(path)


@pytest.mark.parametrize(
    "obj",
    [[torch.zeros(2)], {"model": {"a": torch.zeros(1)}, "epoch": 3}, {}],
    ids=["list", "training-state", "empty"],
)
def test_not_a_flat_state_dict(tmp_path: Path, obj: object) -> None:
    path = tmp_path / "x.pth"
    torch.save(obj, path)
    with pytest.raises(WeightsFormatError):
        load_state_dict_file(path)


def test_missing_file() -> None:
    with pytest.raises(WeightsNotFoundError, match="nope.pth"):
        load_state_dict_file("/nonexistent/folder/nope.pth")


def test_maskrcnn_file_given_to_yolact(tmp_path: Path) -> None:
    from torchvision.models.detection import maskrcnn_resnet50_fpn

    path = tmp_path / "maskrcnn.pth"
    torch.save(maskrcnn_resnet50_fpn(weights=None, weights_backbone=None).state_dict(), path)
    with pytest.raises(WrongModelError, match="Mask R-CNN"):
        inference.load_model("yolact_resnet50", weights=path, device="cpu")


def test_yolact_file_given_to_maskrcnn(tmp_path: Path) -> None:
    path = tmp_path / "yolact_resnet50_54_800000.pth"
    torch.save({k: torch.zeros(s) for k, s in official_shapes("resnet50").items()}, path)
    with pytest.raises(WrongModelError, match="holds YOLACT weights, not torchvision Mask R-CNN") as info:
        inference.load_model("maskrcnn_resnet50_fpn", weights=path, device="cpu")
    assert info.value.missing and info.value.unexpected


def test_wrong_class_count_maskrcnn(tmp_path: Path) -> None:
    from torchvision.models.detection import maskrcnn_resnet50_fpn_v2

    path = tmp_path / "five_classes.pth"
    torch.save(maskrcnn_resnet50_fpn_v2(weights=None, weights_backbone=None, num_classes=5).state_dict(), path)
    with pytest.raises(ClassCountError, match="5 classes"):
        inference.load_model("maskrcnn_resnet50_fpn_v2", weights=path, device="cpu")


def test_wrong_class_count_yolact(tmp_path: Path) -> None:
    path = tmp_path / "yolact_resnet50_custom.pth"
    torch.save(fake_state_dict(official_shapes("resnet50", num_classes=8)), path)
    with pytest.raises(ClassCountError, match="trained for 7 classes"):
        inference.load_model("yolact_resnet50", weights=path, device="cpu")


def test_resolve_weights_rules(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    user, torch_home = tmp_path / "user", tmp_path / "torch"
    cache = torch_home / "hub" / "checkpoints"
    user.mkdir()
    cache.mkdir(parents=True)
    monkeypatch.setenv("MASKPILOT_WEIGHTS_DIR", str(user))
    monkeypatch.setenv("TORCH_HOME", str(torch_home))
    (cache / "a.pth").write_bytes(b"cache")
    assert resolve_weights("m", ["a.pth"]) == cache / "a.pth"
    (user / "a.pth").write_bytes(b"user")
    assert resolve_weights("m", ["a.pth"]) == user / "a.pth"  # user folder first
    assert resolve_weights("m", ["zzz.pth", "a.pth"]) == user / "a.pth"
    assert resolve_weights("m", [], weights="a.pth") == user / "a.pth"  # bare name is searched
    other = tmp_path / "other"
    other.mkdir()
    (other / "a.pth").write_bytes(b"other")
    assert resolve_weights("m", ["a.pth"], weights=other) == other / "a.pth"  # a folder
    assert resolve_weights("m", [], weights=other / "a.pth") == other / "a.pth"
    with pytest.raises(WeightsNotFoundError, match=str(other)):
        resolve_weights("m", ["a.pth"], weights=other / "b.pth")
    with pytest.raises(WeightsNotFoundError):
        resolve_weights("m", ["b.pth"], download_url="http://example.invalid/b.pth", download=False)


def test_weights_folder_defaults(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for var in ("MASKPILOT_WEIGHTS_DIR", "MASKPILOT_DATA_DIR", "XDG_DATA_HOME", "LOCALAPPDATA"):
        monkeypatch.delenv(var, raising=False)
    home = Path("/home/u")
    assert user_data_dir(home, "linux") == home / ".local/share/maskpilot"
    assert user_data_dir(home, "darwin") == home / "Library/Application Support/MaskPilot"
    assert user_data_dir(home, "win32") == home / "AppData/Local/MaskPilot"
    monkeypatch.setenv("XDG_DATA_HOME", "/xdg")
    assert user_data_dir(home, "linux") == Path("/xdg/maskpilot")
    monkeypatch.setenv("MASKPILOT_DATA_DIR", str(tmp_path))
    assert weights_dir() == tmp_path / "weights"
    monkeypatch.setenv("MASKPILOT_WEIGHTS_DIR", str(tmp_path / "w"))
    assert weights_dir() == tmp_path / "w"


def test_every_weights_error_is_a_weights_error() -> None:
    for cls in (WeightsCorruptError, WeightsFormatError, WeightsNotFoundError, WeightsUnsafeError,
                WrongModelError, ClassCountError, inference.WeightsMismatchError):  # fmt: skip
        assert issubclass(cls, WeightsError)
