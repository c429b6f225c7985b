"""maskpilot-label end to end on a generated folder with a small (seeded, untrained) Mask R-CNN:
suggestions land in the store, a second run skips finished images, an interrupted run keeps what
finished, unreadable images are skipped and reported, semantic class maps are written."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import cv2
import numpy as np
import pytest
import torch
from PIL import Image

import inference
from app.cli import label
from app.formats.store import ProjectStore
from inference.maskrcnn import MaskRCNNPredictor
from inference.training.data import SHAPE_CATEGORIES
from inference.training.small_maskrcnn import build_small_maskrcnn
from tests.cli.conftest import NAMES

MODEL = "maskrcnn_resnet50_fpn"  # a registry name; its weights are replaced by the small model


class Spy:
    """Stands in for inference.load_model: builds the small model once, counts predicted images,
    can raise KeyboardInterrupt on the n-th predict call (a Ctrl-C in the middle of a run), and
    can make calls after the n-th slow (`slow_after`, `slow_s`)."""

    def __init__(self, interrupt_on_call: int | None = None) -> None:
        torch.manual_seed(0)
        self.model = build_small_maskrcnn(num_classes=4).eval()
        self.images: list[int] = []
        self.interrupt_on_call = interrupt_on_call
        self.semantic: Any = None
        self.slow_after: int | None = None
        self.slow_s = 0.0

    def __call__(self, name: str, weights: Any = None, device: str = "auto", **options: Any) -> Any:
        if inference.get_model_info(name).kind == "semantic":
            torch.manual_seed(1)
            self.semantic = inference.registry._REGISTRY[name][1](
                inference.get_model_info(name), None, torch.device("cpu"), random_init=True, min_size=32,
                batch_size=options.get("batch_size", 1),
            )  # fmt: skip
            return self.semantic
        predictor = MaskRCNNPredictor(
            name, self.model, torch.device("cpu"), SHAPE_CATEGORIES, options["batch_size"]
        )
        original = predictor.predict

        def predict(images: list[np.ndarray], *a: Any, **k: Any) -> Any:
            self.images.append(len(images))
            if self.interrupt_on_call is not None and len(self.images) == self.interrupt_on_call:
                raise KeyboardInterrupt
            if self.slow_after is not None and len(self.images) > self.slow_after:
                time.sleep(self.slow_s)
            return original(images, *a, **k)

        predictor.predict = predict  # type: ignore[method-assign]
        return predictor


def _runs(folder: Path) -> dict[str, dict]:
    out = {}
    for name in NAMES:
        path = ProjectStore(folder).label_path(name)
        if path.exists():
            out[name] = json.loads(path.read_text())
    return out


def _main(folder: Path, *extra: str) -> int:
    """One worker with forward passes of two images, unless `extra` says otherwise."""
    argv = [
        str(folder),
        "--model",
        MODEL,
        "--score",
        "0.05",
        "--batch",
        "2",
        "--workers",
        "1",
        "--device",
        "cpu",
        "-q",
    ]
    return label.main([*argv, *extra])


def test_label_resume_and_redo(
    folder: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture
) -> None:
    spy = Spy()
    monkeypatch.setattr(inference, "load_model", spy)
    out = folder / "results.json"
    assert _main(folder, "--out", str(out)) == 0
    captured = capsys.readouterr()
    assert "broken.jpg" in captured.err and "unreadable" in captured.err
    assert sum(spy.images) == 5 and max(spy.images) == 2  # batches of 2, the broken file skipped
    docs = _runs(folder)
    assert sorted(docs) == sorted(NAMES)
    total = 0
    for doc in docs.values():
        run = doc["ai_runs"][MODEL]
        assert run["score_threshold"] == 0.05 and run["count"] == len(doc["instances"])
        assert all(i["state"] == "suggested" and i["source"] == MODEL for i in doc["instances"])
        assert all(i["score"] >= 0.05 and "mask" in i for i in doc["instances"])
        total += run["count"]
    assert total > 0
    assert f"{total} suggestion(s)" in captured.out
    results = json.loads(out.read_text())
    assert len(results) == total
    ids = {r["image_id"] for r in results}
    assert ids <= set(range(1, 7))  # 1-based positions in the project's image list
    assert ProjectStore(folder).index()[NAMES[0]].pending == len(docs[NAMES[0]]["instances"])

    mtimes = {n: ProjectStore(folder).label_path(n).stat().st_mtime_ns for n in NAMES}
    spy.images.clear()
    assert _main(folder) == 0
    assert spy.images == []  # everything was done already
    assert "5 image(s) already done" in capsys.readouterr().err
    assert {n: ProjectStore(folder).label_path(n).stat().st_mtime_ns for n in NAMES} == mtimes

    assert _main(folder, "--redo", "--images", NAMES[1]) == 0
    assert spy.images == [1]
    after = _runs(folder)[NAMES[1]]
    assert len(after["instances"]) == len(docs[NAMES[1]]["instances"])  # replaced, not duplicated


def test_interrupted_run_keeps_finished_images(folder: Path, monkeypatch: pytest.MonkeyPatch,
                                               capsys: pytest.CaptureFixture) -> None:  # fmt: skip
    spy = Spy(interrupt_on_call=2)
    monkeypatch.setattr(inference, "load_model", spy)
    out = folder / "partial.json"
    assert _main(folder, "--out", str(out)) == 130
    assert "stopped" in capsys.readouterr().err
    done = _runs(folder)
    assert sorted(done) == NAMES[:2]  # the first batch of two finished before the Ctrl-C
    results = json.loads(out.read_text())
    assert {r["image_id"] for r in results} <= {2, 3}  # broken.jpg is image 1 in natural order
    assert not list(folder.glob("**/.*.tmp"))  # no temp file left behind
    spy.interrupt_on_call = None
    spy.images.clear()
    assert _main(folder) == 0
    assert sum(spy.images) == 3  # only the rest
    assert sorted(_runs(folder)) == sorted(NAMES)


def test_semantic_class_maps(folder: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    spy = Spy()
    monkeypatch.setattr(inference, "load_model", spy)
    assert _main(folder, "--semantic", "fcn_resnet50", "--images", *NAMES[:2]) == 0
    store = ProjectStore(folder)
    for name in NAMES[:2]:
        path = label.semantic_png_path(store, "fcn_resnet50", name)
        assert path.parent == store.root / "semantic" / "fcn_resnet50"
        with Image.open(path) as im:
            assert im.mode == "P"
            saved = np.array(im)
        rgb = cv2.cvtColor(
            cv2.imdecode(np.fromfile(str(folder / name), np.uint8), cv2.IMREAD_COLOR),
            cv2.COLOR_BGR2RGB,
        )
        (expected,) = spy.semantic.predict([rgb])
        assert saved.shape == (96, 128) and np.array_equal(saved, expected.class_map)
    assert sorted(_runs(folder)) == NAMES[:2]


def test_errors(folder: Path, capsys: pytest.CaptureFixture) -> None:
    with pytest.raises(SystemExit) as exc:  # only instance models are choices of --model
        label.main([str(folder), "--model", "no_such_model", "-q"])
    assert exc.value.code == 2
    err = capsys.readouterr().err
    assert "invalid choice" in err and "maskrcnn_resnet50_fpn" in err
    missing = folder / "nope.pth"
    assert label.main([str(folder), "--model", MODEL, "--weights", str(missing), "-q"]) == 1
    assert f"--weights {missing}: file not found" in capsys.readouterr().err
    with pytest.raises(SystemExit) as exc:
        label.main([str(folder), "--model", "fcn_resnet50", "-q", "--random-init"])
    assert exc.value.code == 2 and "fcn_resnet50" in capsys.readouterr().err
    assert label.main([str(folder / "missing"), "--model", MODEL]) == 1
    assert _runs(folder) == {}
