"""The project model store: save (atomic, both files or nothing), list, read, the class check,
loading as a Predictor, and the refusals (bad names, damaged weights, a full disk)."""

from __future__ import annotations

import errno
import json
import os
import stat

import numpy as np
import pytest

from app.ai.domain import project_models as pm
from app.core.categories import LabelSet
from app.formats.store import ProjectStore
from inference.training.checkpoint import state_dict_bytes
from inference.training.models import ModelSpec, build_from_spec

CLASSES = [pm.ModelClass(1, 1, "circle"), pm.ModelClass(2, 3, "triangle")]


def _weights(seed: int = 0) -> tuple[bytes, dict]:
    import torch

    torch.manual_seed(seed)
    spec = ModelSpec("small", 3, 64, 64)
    return state_dict_bytes(build_from_spec(spec).state_dict()), spec.to_dict()


def _save(store: ProjectStore, name: str, seed: int = 0, ap50: float = 0.5) -> pm.ProjectModelInfo:
    weights, spec = _weights(seed)
    card = pm.new_card("small", spec, CLASSES, {"AP50": ap50}, {"images": ["a.png"], "validation_images": ["b.png"]})
    return pm.save_project_model(store, name, weights, card)


def test_save_list_read_load(tmp_path) -> None:
    store = ProjectStore(tmp_path)
    assert pm.list_project_models(store) == []
    info = _save(store, "shapes")
    assert info.address == "project:shapes" and info.categories == ((1, "circle"), (3, "triangle"))
    assert info.weights_path == tmp_path / ".maskpilot" / "models" / "shapes.pth" and info.weights_path.is_file()
    card = json.loads(info.card_path.read_text())
    assert card["maskpilot_version"] and card["created"] and card["training"]["images"] == ["a.png"]
    assert card["weights"]["sha256"] and card["spec"]["base"] == "small"
    mode = stat.S_IMODE(os.stat(info.weights_path).st_mode)
    assert mode & 0o044 == 0o044 & ~_umask()  # normal permissions, not mkstemp's 0600
    (store.root / "models" / "broken.json").write_text("{not json")
    listed = pm.list_project_models(store)
    assert {m.name for m in listed} == {"shapes", "broken"}
    assert next(m for m in listed if m.name == "broken").error
    assert pm.read_project_model(store, "project:shapes").metrics == {"AP50": 0.5}
    predictor = pm.load_project_model(store, "project:shapes", device="cpu")
    assert predictor.name == "project:shapes" and predictor.categories == [(1, "circle"), (3, "triangle")]
    pred = predictor.predict([np.zeros((40, 50, 3), np.uint8)], score_threshold=0.0)[0]
    assert set(pred.category_ids.tolist()) <= {1, 3}
    info_model = pm.as_model_info(info)
    assert (info_model.name, info_model.kind, info_model.family) == ("project:shapes", "instance", "project")
    with pytest.raises(pm.ProjectModelError, match="no model 'other'.*project:shapes"):
        pm.read_project_model(store, "project:other")


def _umask() -> int:
    old = os.umask(0)
    os.umask(old)
    return old


def test_names_are_checked() -> None:
    for bad in ("", "../x", "a/b", ".hidden", "x" * 65, "con:1", "dot."):
        with pytest.raises(pm.ProjectModelError):
            pm.model_name(f"project:{bad}")
    assert pm.model_name("project:My_model-2.1") == "My_model-2.1"


def test_class_check_says_what_changed(tmp_path) -> None:
    store = ProjectStore(tmp_path)
    info = _save(store, "m")
    labels = LabelSet.from_names(["circle", "square", "triangle"])
    labels.remove(2)
    ok = pm.check_classes(info, labels)
    assert ok.ok and "matches" in ok.message
    labels.add("hexagon")
    added = pm.check_classes(info, labels)
    assert added.ok and added.not_learned == ("hexagon",) and "does not know" in added.message
    labels.update(3, name="pyramid")
    renamed = pm.check_classes(info, labels)
    assert not renamed.ok and renamed.renamed == (("triangle", "pyramid"),) and "no longer matches" in renamed.message
    labels.remove(1)
    gone = pm.check_classes(info, labels)
    assert gone.missing == ("circle",) and "circle" in gone.message


def test_disk_full_or_read_only_save_keeps_the_previous_model(tmp_path, monkeypatch) -> None:
    store = ProjectStore(tmp_path)
    first = _save(store, "m", seed=0, ap50=0.5)
    before = (first.weights_path.read_bytes(), first.card_path.read_bytes())

    def full(path, data):  # noqa: ANN001
        raise OSError(errno.ENOSPC, "No space left on device", str(path))

    monkeypatch.setattr(pm, "write_bytes_atomic", full)
    with pytest.raises(pm.ProjectModelError, match="not enough disk space.*earlier model 'm' is kept"):
        _save(store, "m", seed=1, ap50=0.9)
    assert (first.weights_path.read_bytes(), first.card_path.read_bytes()) == before
    calls = []

    def card_fails(path, data):  # noqa: ANN001 - the weights get written, the card does not
        calls.append(path.name)
        if path.name.endswith(".json.staged"):
            raise OSError(errno.EROFS, "Read-only file system", str(path))
        from app.formats.atomic import write_bytes_atomic

        write_bytes_atomic(path, data)

    monkeypatch.setattr(pm, "write_bytes_atomic", card_fails)
    with pytest.raises(pm.ProjectModelError, match="not writable"):
        _save(store, "m", seed=1, ap50=0.9)
    assert (first.weights_path.read_bytes(), first.card_path.read_bytes()) == before
    assert not [p for p in (store.root / "models").iterdir() if p.name.endswith(".staged")]
    assert pm.read_project_model(store, "m").metrics == {"AP50": 0.5}


def test_damaged_or_foreign_weights_are_refused(tmp_path) -> None:
    store = ProjectStore(tmp_path)
    info = _save(store, "m")
    other, _ = _weights(seed=5)
    info.weights_path.write_bytes(other)
    with pytest.raises(pm.ProjectModelError, match="does not belong to its card"):
        pm.load_project_model(store, "m", device="cpu")
    info.weights_path.unlink()
    with pytest.raises(pm.ProjectModelError, match="missing"):
        pm.load_project_model(store, "m", device="cpu")
