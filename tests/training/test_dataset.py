"""The project's done images as training data: which images and classes, the split, the
samples as read from the store (scaled, polygons and rasters, many sizes), and the refusals."""

from __future__ import annotations

import numpy as np
import pytest

from app.core.categories import LabelSet
from app.core.document import ImageStatus
from app.core.geometry import RasterGeometry
from app.core.instance import Instance, InstanceState
from app.training.domain.dataset import (
    ProjectSamples,
    TrainingError,
    plan_dataset,
    split_fraction,
    split_images,
)
from inference.training.samples import SampleUnavailable
from tests.training.projects import label_image, make_project


def test_split_is_deterministic_stable_and_never_empty() -> None:
    images = [f"img_{i:03d}.png" for i in range(50)]
    train, val = split_images(images, 0.2)
    assert split_images(list(reversed(images)), 0.2)[1] == sorted(val, key=images.index)[::-1]
    assert set(train) | set(val) == set(images) and not set(train) & set(val)
    assert all(split_fraction(r) < 0.2 for r in val) and 4 <= len(val) <= 18
    more = images + [f"new_{i}.png" for i in range(30)]
    _, val_more = split_images(more, 0.2)
    assert set(val) <= set(val_more)  # images marked done later never move an image across
    for n in (2, 3, 5):
        tr, va = split_images(images[:n], 0.2)
        assert tr and va
    assert split_images(images[:3], 0.0) == (images[:3], [])
    with pytest.raises(TrainingError, match="at least 2 done images"):
        split_images(images[:1], 0.2)
    with pytest.raises(TrainingError):
        split_images(images, 1.0)


def test_plan_uses_done_images_accepted_instances_and_contiguous_labels(tmp_path) -> None:
    project = make_project(tmp_path / "p", done=6, other=2)
    store = project.store
    labels = LabelSet.from_names(["circle", "square", "triangle", "hexagon"])
    labels.update(2, name="box")  # renaming is fine for planning: ids are what counts
    store.save_project(labels, {})
    # an in-progress image with labels is not used, nor are pending suggestions of a done one
    label_image(store, project.other[0], project.truth[project.other[0]], status=ImageStatus.IN_PROGRESS)
    doc = store.load_document(project.done[0], 128, 128).document
    doc.add(Instance(doc.new_id(), 4, RasterGeometry.from_full(np.ones((128, 128), bool)), source="m",
                     state=InstanceState.SUGGESTED))  # fmt: skip
    store.save_document(doc)
    plan = plan_dataset(project.folder, store, labels, 0.3)
    assert sorted(plan.train + plan.val) == sorted(project.done)
    present = sorted({int(c) for rel in project.done for c in project.truth[rel].category_ids})
    assert [c.id for c in plan.classes] == present and [c.label for c in plan.classes] == list(range(1, len(present) + 1))
    assert "hexagon" in " ".join(plan.notes)  # no examples: not learned, and said so
    assert sum(plan.instances.values()) == sum(len(project.truth[r].category_ids) for r in project.done)
    (project.folder / project.done[1]).unlink()
    plan = plan_dataset(project.folder, store, labels, 0.3)
    assert project.done[1] not in plan.train + plan.val and "no longer in the folder" in plan.notes[0]


def test_plan_refuses_no_done_images_and_no_instances(tmp_path) -> None:
    project = make_project(tmp_path / "p", done=0, other=3)
    labels = LabelSet.from_names(["circle", "square", "triangle"])
    with pytest.raises(TrainingError, match="No image is marked done"):
        plan_dataset(project.folder, project.store, labels)
    empty = project.truth[project.other[0]]
    from inference.synthetic import Scene

    label_image(project.store, project.other[0], Scene(empty.image, empty.masks[:0], empty.category_ids[:0]))
    label_image(project.store, project.other[1], Scene(empty.image, empty.masks[:0], empty.category_ids[:0]))
    with pytest.raises(TrainingError, match="hold no instances"):
        plan_dataset(project.folder, project.store, labels)
    label_image(project.store, project.other[2], project.truth[project.other[2]])
    plan = plan_dataset(project.folder, project.store, labels, 0.5)  # done images without objects count too
    assert len(plan.train + plan.val) == 3
    single = make_project(tmp_path / "one", done=1)
    with pytest.raises(TrainingError, match="at least 2 done images"):
        plan_dataset(single.folder, single.store, labels, 0.2)
    assert len(plan_dataset(single.folder, single.store, labels, 0.0).train) == 1


def test_one_class_only_is_planned_with_a_note(tmp_path) -> None:
    project = make_project(tmp_path / "p", done=4, classes=("circle",))
    plan = plan_dataset(project.folder, project.store, project.store.load_project().labels, 0.25)
    assert [(c.label, c.id, c.name) for c in plan.classes] == [(1, 1, "circle")]
    assert any("Only one class" in n for n in plan.notes)


def test_samples_are_scaled_mapped_and_report_missing_images(tmp_path) -> None:
    sizes = [(300, 200), (90, 160), (128, 128)]
    project = make_project(tmp_path / "p", done=3, sizes=sizes)
    store = project.store
    # one image labelled with polygons instead of rasters: both read the same
    label_image(store, project.done[2], project.truth[project.done[2]], polygons=True)
    samples = ProjectSamples(project.folder, store, project.done, {1: 1, 2: 2, 3: 3}, max_side=150)
    for rel, (h, w) in zip(project.done, sizes, strict=True):
        sample = samples[project.done.index(rel)]
        scale = min(1.0, 150 / max(h, w))
        assert sample.image.shape == (round(h * scale), round(w * scale), 3) and sample.name == rel
        truth = project.truth[rel]
        assert sample.category_ids.tolist() == truth.category_ids.tolist()
        assert sample.masks.shape[1:] == sample.image.shape[:2]
        areas = sample.masks.sum(axis=(1, 2)) / (scale * scale)
        assert np.allclose(areas, truth.masks.sum(axis=(1, 2)), rtol=0.15)
    # only the mapped classes, with their network labels
    only_squares = ProjectSamples(project.folder, store, project.done, {2: 1}, cache_bytes=0)
    assert set(only_squares[0].category_ids.tolist()) <= {1}
    (project.folder / project.done[1]).unlink()
    with pytest.raises(SampleUnavailable) as err:
        only_squares[1]
    assert err.value.name == project.done[1]
    assert samples[1].image.shape[0] == 84  # cached before the image went away
