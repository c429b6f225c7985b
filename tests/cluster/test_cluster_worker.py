"""The Ray workers' code without Ray: decoding shipped bytes as the app decodes files, and the
model actor's handling of one batch (unreadable images, a model error on one image, a model
that fails on everything, the driver-gathers mode, no index.json writes)."""

from __future__ import annotations

import json
import types
from pathlib import Path
from typing import Any

import cv2
import numpy as np
import pytest

import inference
from app.cli import label
from app.cli.cluster_wire import unpack_result
from app.cli.cluster_worker import LabelActor, LabelJob, decode_image_bytes, read_and_decode
from app.formats.image_io import ImageLoadError, read_image
from app.formats.store import ProjectStore
from inference import Prediction
from tests.cluster.conftest import MODEL, NAMES, make_folder

POISON = 7  # images whose first pixel is this make the fake model raise


class FakePredictor:
    """Finds one 4x4 square per image at its top-left corner; raises on POISON images."""

    categories = ((1, "circle"), (2, "square"), (3, "triangle"))
    device = types.SimpleNamespace(type="cpu")
    batch_size = 1

    def predict(self, images: list[np.ndarray], score_threshold: float = 0.3, max_detections: int = 100) -> list:
        if any(int(img[0, 0, 0]) == POISON for img in images):
            raise RuntimeError("the model choked")
        return [
            Prediction(boxes=np.array([[0, 0, 4, 4]], np.float32), scores=np.array([0.9], np.float32),
                       category_ids=np.array([2]), masks=[np.ones((4, 4), bool)], mask_offsets=[(0, 0)],
                       image_size=img.shape[:2], model=MODEL)  # fmt: skip
            for img in images
        ]


@pytest.fixture
def actor_for(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setattr(inference, "load_model", lambda *a, **k: FakePredictor())

    def make(folder: Path, write: bool = True) -> LabelActor:
        args = label.build_parser().parse_args([str(folder), "--model", MODEL, "--device", "cpu", "--batch", "2",
                                                "--workers", "1", "-q"])  # fmt: skip
        args.store = None
        return LabelActor(LabelJob(args, {1: 1, 2: 2, 3: 3}, cores=1, write=write, coco=True))

    return make


def _poison(folder: Path, name: str) -> None:
    cv2.imencode(".png", np.full((20, 30, 3), POISON, np.uint8))[1].tofile(str(folder / name))


def test_shipped_bytes_decode_as_the_app_decodes_files(tmp_path: Path) -> None:
    rgb = np.random.default_rng(0).integers(0, 255, (40, 60, 3), dtype=np.uint8)
    gray16 = np.random.default_rng(1).integers(0, 65535, (30, 20), dtype=np.uint16)
    for name, pixels in (("a.png", rgb), ("b.jpg", rgb), ("c.png", gray16), ("d.bmp", rgb)):
        path = tmp_path / name
        cv2.imencode(Path(name).suffix, pixels)[1].tofile(str(path))
        assert np.array_equal(decode_image_bytes(path.read_bytes(), name), read_image(path, pyramid=False).rgb)
    (tmp_path / "bad.jpg").write_bytes(b"\xff\xd8\xff\xe0 truncated")
    with pytest.raises(ImageLoadError) as from_file:
        read_image(tmp_path / "bad.jpg")
    with pytest.raises(ImageLoadError) as from_bytes:
        decode_image_bytes((tmp_path / "bad.jpg").read_bytes(), "bad.jpg")
    assert str(from_bytes.value) == str(from_file.value)
    with pytest.raises(ImageLoadError, match="empty"):
        decode_image_bytes(b"", "e.png")


def test_one_batch_writes_good_images_and_lists_the_others(tmp_path: Path, actor_for) -> None:
    folder = make_folder(tmp_path / "images")
    _poison(folder, "poison.png")
    rels = ["broken.jpg", NAMES[0], "poison.png", NAMES[1], "missing.png"]
    batch = read_and_decode({"rel": np.array(rels, dtype=object)}, str(folder))
    assert [bool(e) for e in batch["error"]] == [True, False, False, False, True]
    out = actor_for(folder)(batch)
    assert list(out["status"]) == ["bad", "done", "bad", "done", "bad"]
    assert "prediction failed: the model choked" in out["error"][2]  # the pass was retried image by image
    assert "corrupt" in out["error"][0] and out["count"].tolist() == [0, 1, 0, 1, 0]
    store = ProjectStore(folder)
    assert [n for n in (*NAMES, "poison.png") if store.label_path(n).exists()] == NAMES[:2]
    assert not (store.root / "index.json").exists()  # the driver rebuilds it once at the end
    results: list[Any] = json.loads(out["coco"][1])
    assert results[0]["category_id"] == 2 and results[0]["image_id"] == 0  # the driver sets the id


def test_gather_mode_hands_predictions_back_and_writes_nothing(tmp_path: Path, actor_for) -> None:
    folder = make_folder(tmp_path / "images")
    shipped = {"rel": np.array(NAMES[:2], dtype=object),
               "bytes": np.array([(folder / n).read_bytes() for n in NAMES[:2]], dtype=object)}  # fmt: skip
    out = actor_for(folder, write=False)(read_and_decode(shipped, "/nowhere"))
    pred, sem = unpack_result(out["result"][0])
    assert list(out["status"]) == ["done", "done"] and sem is None and len(pred) == 1
    assert pred.image_size == read_image(folder / NAMES[0]).rgb.shape[:2]
    assert not list(ProjectStore(folder).labels_dir.glob("**/*.json"))


def test_a_model_that_fails_on_everything_fails_the_run(tmp_path: Path, actor_for) -> None:
    folder = tmp_path / "images"
    folder.mkdir()
    rels = [f"p{i}.png" for i in range(20)]
    for rel in rels:
        _poison(folder, rel)
    with pytest.raises(RuntimeError, match="failed on 16 images in a row"):
        actor_for(folder)(read_and_decode({"rel": np.array(rels, dtype=object)}, str(folder)))
