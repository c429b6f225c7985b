"""Fixtures of the cluster tests: one local Ray for the session (2 CPUs, no dashboard, a small
object store), a small Mask R-CNN trained for a few steps, a generated folder of images of
different sizes with one corrupt file, and the local CLI's results on that folder."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path

import cv2
import numpy as np
import pytest
import torch

from app.core.categories import LabelSet
from app.formats.store import ProjectStore
from inference.synthetic import SHAPE_CLASSES, make_scene

ROOT = Path(__file__).resolve().parents[2]
#: (H, W) of the generated images, in name order; the crash test picks one by its size.
SIZES = [(96, 128), (128, 96), (100, 140), (90, 120), (120, 120), (80, 112)]
NAMES = [f"img_{i}.png" for i in range(len(SIZES))]
MODEL = "maskrcnn_resnet50_fpn"  # a registry name; the setup hook loads the small model for it
#: One torch thread per process everywhere, so the local run and each 1-CPU actor compute alike.
#: The reference run and the first --ray run also write class maps of a semantic model.
SEMANTIC = ["--semantic", "fcn_resnet50"]
COMMON = ["--model", MODEL, "--score", "0.05", "--batch", "1", "--workers", "1", "--device", "cpu", "-q"]


def make_folder(path: Path) -> Path:
    """The same images every time: shapes scenes of SIZES plus a corrupt `broken.jpg`."""
    path.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(0)
    for name, size in zip(NAMES, SIZES, strict=True):
        scene = make_scene(rng, size)
        ok, buf = cv2.imencode(".png", cv2.cvtColor(scene.image, cv2.COLOR_RGB2BGR))
        assert ok
        buf.tofile(str(path / name))
    (path / "broken.jpg").write_bytes(b"\xff\xd8\xff\xe0 not really a jpeg")
    ProjectStore(path).save_project(LabelSet.from_names(list(SHAPE_CLASSES)), {})
    return path


def class_maps(folder: Path) -> dict[str, bytes]:
    """Per image: the bytes of its --semantic class map PNG."""
    root = ProjectStore(folder).root / "semantic" / SEMANTIC[1]
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*.png"))}


def suggestions(folder: Path) -> dict[str, list[tuple]]:
    """Per image: (category, score, bbox, mask RLE, state, source) of every instance."""
    out = {}
    for name in NAMES:
        path = ProjectStore(folder).label_path(name)
        if path.exists():
            doc = json.loads(path.read_text())
            out[name] = [
                (i["category_id"], i["score"], json.dumps(i.get("bbox")), json.dumps(i["mask"], sort_keys=True),
                 i["state"], i["source"])
                for i in doc["instances"]
            ]  # fmt: skip
    return out


@pytest.fixture(scope="session")
def ray_session() -> Iterator[None]:
    ray = pytest.importorskip("ray")
    # Workers are started by the raylet with this environment: they import app and tests from here.
    path = os.pathsep.join(p for p in (str(ROOT), os.environ.get("PYTHONPATH")) if p)
    with pytest.MonkeyPatch.context() as env:
        env.setenv("RAY_DEDUP_LOGS", "0")
        env.setenv("RAY_USAGE_STATS_ENABLED", "0")
        env.setenv("PYTHONPATH", path)
        ray.init(num_cpus=2, include_dashboard=False, object_store_memory=200 * 1024**2,
                 logging_level="WARNING")  # fmt: skip
        try:
            yield
        finally:
            ray.shutdown()


@pytest.fixture(scope="session")
def small_weights(tmp_path_factory: pytest.TempPathFactory) -> str:
    from tests.cluster.small_model import train_small_model

    before = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        return str(train_small_model(tmp_path_factory.mktemp("model") / "small.pth", steps=25))
    finally:
        torch.set_num_threads(before)


@pytest.fixture(scope="session")
def reference(small_weights: str, tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    """The local CLI's label files' suggestions, --out file and class maps on the generated folder."""
    import inference
    from app.cli import label
    from tests.cluster.small_model import SmallModelLoader

    folder = make_folder(tmp_path_factory.mktemp("local") / "images")
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(inference, "load_model", SmallModelLoader(small_weights))
            assert label.main([str(folder), *COMMON, "--out", str(folder / "results.json"), *SEMANTIC]) == 0
    finally:
        torch.set_num_threads(before)
    found = suggestions(folder)
    assert sorted(found) == NAMES and sum(len(v) for v in found.values()) > 0
    return {"suggestions": found, "coco": (folder / "results.json").read_text(), "class_maps": class_maps(folder)}


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    return make_folder(tmp_path / "images")
