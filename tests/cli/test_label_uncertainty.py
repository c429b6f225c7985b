"""maskpilot-label stores each image's uncertainty with its run, as the app's auto-fill does,
so the file list can sort a batch-labelled folder by it without opening a label file."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import inference
from app.ai.domain.uncertainty import image_uncertainty
from app.formats.store import ProjectStore
from tests.cli.conftest import NAMES
from tests.cli.test_label_cli import MODEL, Spy, _main


def test_batch_labelling_records_uncertainty_in_labels_and_index(folder: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(inference, "load_model", Spy())
    assert _main(folder) == 0
    index = ProjectStore(folder).index()
    for name in NAMES:
        doc = json.loads(ProjectStore(folder).label_path(name).read_text())
        run = doc["ai_runs"][MODEL]
        scores = [i["score"] for i in doc["instances"]]
        assert run["uncertainty"] == pytest.approx(image_uncertainty(scores), abs=1e-6)
        assert 0.0 <= run["uncertainty"] < 1.0
        assert index[name].uncertainty == run["uncertainty"]
