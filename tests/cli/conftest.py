"""Fixtures of the maskpilot-label tests: a generated folder of shapes, one torch thread."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
import pytest
import torch

from app.core.categories import LabelSet
from app.formats.store import ProjectStore
from inference.synthetic import SHAPE_CLASSES, make_scene

NAMES = [f"img_{i}.png" for i in range(5)]


@pytest.fixture(autouse=True)
def _one_thread():
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    rng = np.random.default_rng(0)
    for name in NAMES:
        scene = make_scene(rng, (96, 128))
        ok, buf = cv2.imencode(".png", cv2.cvtColor(scene.image, cv2.COLOR_RGB2BGR))
        assert ok
        buf.tofile(str(tmp_path / name))
    (tmp_path / "broken.jpg").write_bytes(b"\xff\xd8\xff\xe0 not really a jpeg")
    ProjectStore(tmp_path).save_project(LabelSet.from_names(list(SHAPE_CLASSES)), {})
    return tmp_path
