"""The generated sample folder: the first SAMPLE_DONE images come labelled (every object, in the
project's own shape classes) and done, the rest unlabelled; the same on every machine; an older
sample is rewritten without leaving stale labels behind."""

from __future__ import annotations

import hashlib
import json

import numpy as np

from app.core.document import ImageStatus
from app.core.geometry import PolygonGeometry
from app.formats.store import ProjectStore
from app.sample import (
    SAMPLE_COUNT,
    SAMPLE_DONE,
    SAMPLE_SIZE,
    ensure_sample_folder,
    sample_names,
    sample_scenes,
)
from inference.synthetic import SHAPE_CLASSES


def test_sample_has_done_labelled_images_in_the_shape_classes(tmp_path):
    folder = ensure_sample_folder(tmp_path / "sample")
    store = ProjectStore(folder)
    meta = store.load_project()
    assert [c.name for c in meta.labels] == list(SHAPE_CLASSES) and [c.id for c in meta.labels] == [1, 2, 3]
    names = sample_names()
    assert sorted(p.name for p in folder.glob("*.jpg")) == names and len(names) == SAMPLE_COUNT
    index = store.index()
    assert sum(1 for e in index.values() if e.status == "done") == SAMPLE_DONE == 40
    assert SAMPLE_COUNT - SAMPLE_DONE >= 20  # images left for auto-fill
    scenes = sample_scenes()
    h, w = SAMPLE_SIZE
    for i, (name, scene) in enumerate(zip(names, scenes, strict=True)):
        result = store.load_document(name, w, h)
        assert result.warning is None
        doc = result.document
        if i >= SAMPLE_DONE:
            assert not result.existed and len(doc) == 0 and name not in index
            continue
        assert doc.status is ImageStatus.DONE and index[name].uncertainty is None
        assert len(doc) == len(scene.masks) >= 2  # every object of the picture
        assert [inst.category_id for inst in doc] == scene.category_ids.tolist()
        for inst, truth in zip(doc, scene.masks, strict=True):
            assert inst.source == "manual" and inst.state.value == "accepted"
            mask = np.zeros((h, w), bool)
            geom = inst.geometry.to_raster() if isinstance(inst.geometry, PolygonGeometry) else inst.geometry
            mask[geom.y:geom.y + geom.mask.shape[0], geom.x:geom.x + geom.mask.shape[1]] = geom.mask
            iou = (mask & truth).sum() / (mask | truth).sum()
            assert iou > (0.9 if i == 0 else 0.999)  # the first image's polygons are simplified
    assert isinstance(store.load_document(names[0], w, h).document.instances[0].geometry, PolygonGeometry)
    counts = np.bincount(np.concatenate([s.category_ids for s in scenes[:SAMPLE_DONE]]), minlength=4)
    assert counts[1:].min() >= 25  # every class has enough examples to learn from


def _digest(folder) -> str:
    h = hashlib.sha256()
    for name in sample_names():
        h.update((folder / name).read_bytes())
        path = ProjectStore(folder).label_path(name)
        if path.exists():
            h.update(json.dumps(json.loads(path.read_text())["instances"], sort_keys=True).encode())
    return h.hexdigest()


def test_sample_is_deterministic_and_an_older_one_is_rewritten(tmp_path):
    a = ensure_sample_folder(tmp_path / "a")
    b = tmp_path / "b"
    # An older sample: other content, labels for images that are now unlabelled, an old stamp.
    (b / ".maskpilot").mkdir(parents=True)
    (b / ".maskpilot" / "sample-version").write_text("2")
    stale = ProjectStore(b).label_path(sample_names()[-1])
    stale.parent.mkdir(parents=True)
    stale.write_text(json.dumps({"version": 1, "status": "in_progress", "instances": []}))
    (b / "mine.jpg").write_bytes(b"kept")  # not a sample name: never touched
    ensure_sample_folder(b)
    assert not stale.exists() and (b / "mine.jpg").read_bytes() == b"kept"
    assert _digest(a) == _digest(b)
