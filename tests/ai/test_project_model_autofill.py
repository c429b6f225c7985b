"""A model trained on the project appears first in the AI panel and auto-fills through the real
worker: loaded from `.maskpilot/models/`, its classes the project's own (no name matching), and
loaded again after it was trained again under the same name."""

from __future__ import annotations

import os
from pathlib import Path

import cv2
import numpy as np
import pytest

from app.ai.domain import project_models as pm
from app.core.categories import LabelSet
from app.formats.store import ProjectStore

pytestmark = pytest.mark.gui

CLASSES = ("circle", "square", "triangle")


def make_project(root: Path) -> Path:
    folder = root / "imgs"
    folder.mkdir()
    for i in range(2):
        img = np.full((64, 64, 3), 40 + 50 * i, np.uint8)
        cv2.circle(img, (32, 32), 14, (230, 200, 40), -1)
        ok, buf = cv2.imencode(".png", img)
        (folder / f"im{i}.png").write_bytes(buf.tobytes())
    ProjectStore(folder).save_project(LabelSet.from_names(list(CLASSES)), {})
    return folder


def save_model(store: ProjectStore, name: str = "shapes", seed: int = 0) -> pm.ProjectModelInfo:
    import torch

    from inference.training.checkpoint import state_dict_bytes
    from inference.training.models import ModelSpec, build_from_spec

    torch.manual_seed(seed)
    spec = ModelSpec("small", len(CLASSES) + 1, 64, 64)
    classes = [pm.ModelClass(i + 1, i + 1, n) for i, n in enumerate(CLASSES)]
    card = pm.new_card("small", spec.to_dict(), classes, {"AP50": 0.9}, {"images": ["x.png"]})
    return pm.save_project_model(store, name, state_dict_bytes(build_from_spec(spec).state_dict()), card)


def test_a_project_model_is_listed_first_and_auto_fills_with_the_projects_classes(window, qtbot, tmp_path):
    folder = make_project(tmp_path)
    save_model(ProjectStore(folder))
    assert window.open_folder(folder)
    qtbot.waitUntil(lambda: window.canvas.image is not None, timeout=5000)
    panel = window.ai.panel
    assert panel.model_box.itemData(0) == "project:shapes"
    assert "trained on this project" in panel.model_box.itemText(0)
    window.ai.model_trained("project:shapes")  # what the training dialog calls when it saved one
    assert panel.model_name() == "project:shapes"
    assert panel.mapping_label.text().startswith("3 of 3 model classes match")
    assert not panel.choose_weights.isVisible()  # its file is the project's own

    loads = []
    real = window.ai.worker.load_model
    window.ai.worker.load_model = lambda spec, fb: loads.append(spec) or real(spec, fb)
    window.ai.autofill("current")
    qtbot.waitUntil(lambda: not window.ai.busy, timeout=60000)
    assert "project:shapes" in window.document.ai_runs  # the run was recorded under its address
    assert loads and loads[0].weights == str(ProjectStore(folder).root)

    # Trained again under the same name: a new weights file, so the worker loads it again.
    first = loads[0]
    info = save_model(ProjectStore(folder), seed=1)
    later = first.stamp + 10  # file systems with coarse mtimes could give the same stamp
    os.utime(info.weights_path, (later, later))
    window.ai.autofill("current")
    qtbot.waitUntil(lambda: not window.ai.busy, timeout=60000)
    assert len(loads) == 2 and loads[1].stamp == later
