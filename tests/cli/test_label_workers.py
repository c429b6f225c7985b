"""The maskpilot-label worker pipeline: how a batch is spread over workers, that several workers
sharing one model write exactly what one worker writes, and that a stop or a worker's error ends
the run with every finished image delivered."""

from __future__ import annotations

import json
import shutil
import threading
import time
from pathlib import Path

import cv2
import numpy as np
import pytest

import inference
from app.cli.label_workers import WorkerPlan, plan_workers, run_pipeline
from app.formats.store import ProjectStore
from tests.cli.conftest import NAMES
from tests.cli.test_label_cli import Spy, _main


def test_plan_spreads_a_cpu_batch_over_cores() -> None:
    assert plan_workers("cpu", 4, cores=2) == WorkerPlan(2, 1, 1)
    assert plan_workers("cpu", 4, cores=16) == WorkerPlan(4, 1, 4)
    assert plan_workers("cpu", 4, cores=1) == WorkerPlan(
        1, 4, None
    )  # one core: one forward pass of 4
    assert plan_workers("cpu", 1, cores=8) == WorkerPlan(1, 1, None)
    assert plan_workers("cpu", 4, workers=1, cores=8) == WorkerPlan(1, 4, None)
    assert plan_workers("cpu", 8, workers=3, cores=8) == WorkerPlan(3, 1, 2)
    assert plan_workers("cuda", 4, cores=16) == WorkerPlan(1, 4, None)  # the GPU batches instead


def _labels(folder: Path) -> dict[str, list[tuple]]:
    out = {}
    for name in NAMES:
        doc = json.loads(ProjectStore(folder).label_path(name).read_text())
        out[name] = [
            (i["category_id"], i["score"], json.dumps(i["mask"], sort_keys=True))
            for i in doc["instances"]
        ]
    return out


def test_two_workers_write_what_one_worker_writes(folder: Path, tmp_path_factory: pytest.TempPathFactory,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:  # fmt: skip
    other = tmp_path_factory.mktemp("other") / "copy"
    shutil.copytree(folder, other)
    spy = Spy()
    monkeypatch.setattr(inference, "load_model", spy)
    assert _main(folder, "--batch", "1", "--workers", "1", "--out", str(folder / "one.json")) == 0
    assert _main(other, "--batch", "2", "--workers", "2", "--out", str(other / "two.json")) == 0
    assert max(spy.images) == 1  # each worker runs one image at a time
    one, two = _labels(folder), _labels(other)
    assert one == two and sum(len(v) for v in one.values()) > 0
    assert (folder / "one.json").read_text() == (other / "two.json").read_text()  # same order too


def _fake_images(root: Path, n: int) -> list[str]:
    rels = []
    for i in range(n):
        rel = f"im{i:02d}.png"
        cv2.imencode(".png", np.full((8, 8, 3), i, np.uint8))[1].tofile(str(root / rel))
        rels.append(rel)
    return rels


def test_stop_lets_workers_finish_the_images_they_hold(tmp_path: Path) -> None:
    rels = _fake_images(tmp_path, 12)
    busy = threading.Semaphore(0)

    def predict(images: list[np.ndarray]) -> list[int]:
        busy.release()
        time.sleep(0.05)
        return [int(img[0, 0, 0]) for img in images]

    got: dict[str, int] = {}
    stopped = run_pipeline(tmp_path, rels, predict, WorkerPlan(2, 1, None), lambda: bool(got),
                           got.__setitem__, lambda rel, exc: None)  # fmt: skip
    assert stopped
    assert 1 <= len(got) < len(rels)
    assert all(got[rel] == int(rel[2:4]) for rel in got)  # each result reached its own image
    started = 0
    while busy.acquire(blocking=False):
        started += 1
    assert started == len(got)  # every image a worker started was delivered


def test_worker_error_is_raised_after_finished_images_are_delivered(tmp_path: Path) -> None:
    rels = _fake_images(tmp_path, 6)
    (tmp_path / "bad.png").write_bytes(b"not a png")

    def predict(images: list[np.ndarray]) -> list[int]:
        value = int(images[0][0, 0, 0])
        if value == 3:
            raise RuntimeError("model failed")
        return [value]

    got: dict[str, int] = {}
    bad: list[str] = []
    with pytest.raises(RuntimeError, match="model failed"):
        run_pipeline(tmp_path, ["bad.png", *rels], predict, WorkerPlan(1, 1, None), lambda: False,
                     got.__setitem__, lambda rel, exc: bad.append(rel))  # fmt: skip
    assert got == {rel: i for i, rel in enumerate(rels[:3])}
    assert bad == ["bad.png"]
