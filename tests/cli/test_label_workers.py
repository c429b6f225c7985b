"""The maskpilot-label worker pipeline: how a batch is spread over workers, that several workers
sharing one model write exactly what one worker writes, and that a stop or a worker's error ends
the run with every finished image delivered."""

from __future__ import annotations

import json
import os
import shutil
import signal
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
from tests.cli.test_label_cli import MODEL, Spy, _main


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


def test_ctrl_c_with_two_workers_keeps_every_started_image(folder: Path, monkeypatch: pytest.MonkeyPatch,
                                                           capsys: pytest.CaptureFixture) -> None:  # fmt: skip
    """A real SIGINT: the workers finish the images they hold, those are written whole, the last
    image is never started, and a second run does only what is left."""
    spy = Spy()
    spy.slow_after, spy.slow_s = 2, 2.0  # images 3 and 4 are still running when Ctrl-C comes
    monkeypatch.setattr(inference, "load_model", spy)
    store = ProjectStore(folder)

    def press_ctrl_c_after_the_first_image() -> None:
        deadline = time.monotonic() + 60
        while not any(store.label_path(n).exists() for n in NAMES) and time.monotonic() < deadline:
            time.sleep(0.01)
        os.kill(os.getpid(), signal.SIGINT)

    threading.Thread(target=press_ctrl_c_after_the_first_image, daemon=True).start()
    assert _main(folder, "--workers", "2", "--batch", "2") == 130
    assert "stopped" in capsys.readouterr().err
    done = [n for n in NAMES if store.label_path(n).exists()]
    # the Ctrl-C lands while one or both workers hold a slow image; each held one is finished
    assert 3 <= len(spy.images) <= 4 and len(done) == len(spy.images)
    for name in done:
        assert MODEL in json.loads(store.label_path(name).read_text())["ai_runs"]
    assert not list(folder.glob("**/.*.tmp"))
    spy.slow_after = None
    spy.images.clear()
    assert _main(folder, "--workers", "2", "--batch", "2") == 0
    assert len(spy.images) == len(NAMES) - len(done)
    assert all(store.label_path(n).exists() for n in NAMES)


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
