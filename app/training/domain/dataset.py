"""The project's done images as training samples, split by image into training and validation.

Only images the user marked **done** are used: an unfinished image would teach the model that
its still unlabelled objects are background. Their accepted instances of thing classes are the
ground truth (pending suggestions are not anyone's judgement yet; "__ignore__" regions and stuff
classes are not instances). Classes get contiguous network labels 1..K in project id order,
only for classes with at least one instance (a class without examples cannot be learned).

The split is by image and deterministic: an image goes to validation when a hash of its
relative path falls below the validation fraction, so it stays on its side when more images
are marked done later (with too few images for that to give both sides, the lowest hashes go
to validation).

Samples are read lazily through app.formats.image_io and the store, scaled down to what the
network sees, and kept in a small LRU cache. An image deleted or unreadable while training runs
raises `SampleUnavailable`, which the training loop skips and reports.
"""

from __future__ import annotations

import hashlib
import json
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import cv2
import numpy as np

from app.ai.domain.project_models import ModelClass
from app.core.categories import LabelSet
from app.core.geometry import RasterGeometry, to_raster
from app.core.instance import InstanceState
from app.core.text import QT_TRANSLATE_NOOP, text_of
from app.formats.class_lists import coco_things
from app.formats.image_io import ImageLoadError, read_image
from app.formats.project_io import IGNORE_NAME
from app.formats.store import ProjectStore
from inference.training.samples import InstanceSample, SampleUnavailable


class TrainingError(Exception):
    """Training cannot start or go on; the message says why and what to do, for the user."""


@dataclass
class DatasetPlan:
    """What a training job will use. classes: in label order. train / val: image paths relative
    to the folder. instances: instance count per project class id. notes: things the user
    should know that do not stop training (left-out images, classes without examples)."""

    classes: list[ModelClass]
    train: list[str]
    val: list[str]
    instances: dict[int, int] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)


def split_fraction(rel: str) -> float:
    """A stable number in [0, 1) for an image path (SHA-1 of the path), the split's key."""
    return int.from_bytes(hashlib.sha1(rel.encode("utf-8")).digest()[:8], "big") / 2**64


def split_images(images: Sequence[str], val_fraction: float) -> tuple[list[str], list[str]]:
    """(train, val) by `split_fraction` < val_fraction. With val_fraction > 0 and at least two
    images, both sides get at least one image. Raises TrainingError for a single image."""
    if not 0.0 <= val_fraction < 1.0:
        raise TrainingError(QT_TRANSLATE_NOOP("Training", "The validation share must be at least 0 and below 1, not {share}.").format(share=val_fraction))
    if val_fraction == 0.0:
        return list(images), []
    if len(images) < 2:
        raise TrainingError(QT_TRANSLATE_NOOP("Training",
            "A validation split needs at least 2 done images; this project has {n}. "
            "Mark more images done, or train without validation (validation share 0).").format(n=len(images)))
    ranked = sorted(images, key=split_fraction)
    n_val = sum(1 for rel in images if split_fraction(rel) < val_fraction)
    n_val = min(max(n_val, 1), len(images) - 1)
    val = set(ranked[:n_val])
    return [r for r in images if r not in val], [r for r in images if r in val]


def _label_summary(store: ProjectStore, rel: str) -> list[int]:
    """Category ids of the accepted instances of an image, read from the raw label JSON (no
    mask is decoded, so planning over thousands of images stays quick)."""
    try:
        data = json.loads(store.label_path(rel).read_bytes())
        return [int(i["category_id"]) for i in data.get("instances", ()) if i.get("state", "accepted") == "accepted"]
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return []


def trainable_ids(labels: LabelSet) -> set[int]:
    """Project classes an instance model can learn: things, not the "__ignore__" regions."""
    return {c.id for c in labels if c.isthing and c.name != IGNORE_NAME}


def plan_dataset(folder: str | Path, store: ProjectStore, labels: LabelSet, val_fraction: float = 0.2,
                 recursive: bool = True) -> DatasetPlan:  # fmt: skip
    """Choose the images and classes of a training job (images in sub-folders only when
    `recursive`, as the project lists them). Raises TrainingError when there is nothing to
    train on: no done images, too few for the split, no instances."""
    folder = Path(folder)
    store.invalidate_index()
    done = sorted(rel for rel, entry in store.index().items()
                  if entry.status == "done" and (recursive or "/" not in rel))  # fmt: skip
    present = [rel for rel in done if (folder / rel).is_file()]
    notes = []
    if len(present) < len(done):
        notes.append(QT_TRANSLATE_NOOP("Training", "{n} done image(s) are no longer in the folder and are left out.").format(n=len(done) - len(present)))
    if not present:
        raise TrainingError(QT_TRANSLATE_NOOP("Training",
            "No image is marked done. Training learns only from finished images (an unfinished "
            "one would teach the model that its unlabelled objects are background): label some "
            "images completely and mark them done."))
    usable = trainable_ids(labels)
    counts: dict[int, int] = {}
    for rel in present:
        for cid in _label_summary(store, rel):
            if cid in usable:
                counts[cid] = counts.get(cid, 0) + 1
    if not counts:
        raise TrainingError(QT_TRANSLATE_NOOP("Training",
            "The {n} done image(s) hold no instances of the project's classes, so "
            "there is nothing to learn. Label the objects in them first.").format(n=len(present)))
    classes = [ModelClass(k, cid, labels.name(cid)) for k, cid in enumerate(sorted(counts), start=1)]
    unlearned = [labels.name(cid) for cid in sorted(usable - set(counts))]
    if unlearned:
        notes.append(QT_TRANSLATE_NOOP("Training", "No done image has an instance of {classes}; the model will not know them.").format(classes=", ".join(unlearned)))
    if len(classes) == 1:
        notes.append(QT_TRANSLATE_NOOP("Training", "Only one class ({name}) has examples: the model will find only that class.").format(name=classes[0].name))
    train, val = split_images(present, val_fraction)
    return DatasetPlan(classes, train, val, counts, notes)


def project_labels(store: ProjectStore) -> tuple[LabelSet, dict]:
    """The project's classes and settings (COCO's classes when it has no project.json yet, as
    the app and the CLIs assume)."""
    meta = store.load_project()
    return (meta.labels if meta.labels is not None else coco_things()), meta.settings


def plan_for(folder: str | Path, store_dir: str | Path | None = None, val_fraction: float = 0.2,
             recursive: bool | None = None) -> DatasetPlan:  # fmt: skip
    """`plan_dataset` of the project in `folder`: what a job with these settings would train on.
    Cheap and torch-free, so a dialog or the CLI can refuse at once instead of starting a
    training process. recursive None: the project's setting. Raises TrainingError."""
    store = ProjectStore(folder, store_dir)
    labels, settings = project_labels(store)
    recursive = bool(settings.get("recursive", False)) if recursive is None else recursive
    return plan_dataset(folder, store, labels, val_fraction, recursive)


def input_scale(height: int, width: int, max_side: int | None) -> float:
    """The factor that brings the longest side down to `max_side` (never up); 1 for None."""
    if not max_side:
        return 1.0
    return min(1.0, max_side / max(height, width))


def _scaled_mask(geom: RasterGeometry, scale: float, out_h: int, out_w: int) -> np.ndarray:
    """A cropped mask as a bool (out_h, out_w) full-image mask of the scaled image."""
    full = np.zeros((out_h, out_w), bool)
    if geom.is_empty():
        return full
    if scale == 1.0:
        geom.paste_into(full)
        return full
    x0, y0, x1, y1 = geom.bbox()
    sx0, sy0 = int(round(x0 * scale)), int(round(y0 * scale))
    sx1, sy1 = max(int(round(x1 * scale)), sx0 + 1), max(int(round(y1 * scale)), sy0 + 1)
    small = cv2.resize(geom.mask.astype(np.float32), (sx1 - sx0, sy1 - sy0), interpolation=cv2.INTER_AREA) >= 0.5
    RasterGeometry(small, sx0, sy0).paste_into(full)
    return full


class ProjectSamples(Sequence[InstanceSample]):
    """Lazily read training samples of project images (see the module doc).

    category ids of the samples are network labels (`label_of[project id]`); instances of
    other classes are left out. Images are scaled so their longest side is at most `max_side`
    (None: full size). Up to `cache_bytes` of samples stay in memory (0: read every time).
    """

    def __init__(self, folder: str | Path, store: ProjectStore, images: Sequence[str], label_of: dict[int, int],
                 max_side: int | None = None, cache_bytes: int = 256 << 20) -> None:  # fmt: skip
        self.folder = Path(folder)
        self.store = store
        self.images = list(images)
        self.label_of = dict(label_of)
        self.max_side = max_side
        self.cache_bytes = cache_bytes
        self._cache: OrderedDict[int, InstanceSample] = OrderedDict()
        self._cached = 0

    def __len__(self) -> int:
        return len(self.images)

    def __getitem__(self, index: int) -> InstanceSample:  # type: ignore[override]
        if not 0 <= index < len(self.images):
            raise IndexError(index)
        if index in self._cache:
            self._cache.move_to_end(index)
            return self._cache[index]
        sample = self._read(self.images[index])
        size = sample.image.nbytes + sample.masks.nbytes
        if size <= self.cache_bytes:
            self._cache[index] = sample
            self._cached += size
            while self._cached > self.cache_bytes:
                _, old = self._cache.popitem(last=False)
                self._cached -= old.image.nbytes + old.masks.nbytes
        return sample

    def _read(self, rel: str) -> InstanceSample:
        try:
            rgb = read_image(self.folder / rel, pyramid=False).rgb
        except ImageLoadError as exc:
            raise SampleUnavailable(rel, text_of(exc) or str(exc)) from exc
        h, w = rgb.shape[:2]
        loaded = self.store.load_document(rel, w, h)
        if loaded.warning or not loaded.existed:
            raise SampleUnavailable(rel, loaded.warning or QT_TRANSLATE_NOOP("Training", "its labels are gone"))
        scale = input_scale(h, w, self.max_side)
        out_h, out_w = max(1, int(round(h * scale))), max(1, int(round(w * scale)))
        if scale < 1.0:
            rgb = cv2.resize(rgb, (out_w, out_h), interpolation=cv2.INTER_AREA)
        masks, ids = [], []
        for inst in loaded.document:
            label = self.label_of.get(inst.category_id)
            if label is None or inst.state is not InstanceState.ACCEPTED:
                continue
            mask = _scaled_mask(to_raster(inst.geometry, clip=(h, w)), scale, out_h, out_w)
            if mask.any():
                masks.append(mask)
                ids.append(label)
        stacked = np.stack(masks) if masks else np.zeros((0, out_h, out_w), bool)
        return InstanceSample(np.ascontiguousarray(rgb), stacked, np.array(ids, dtype=np.int64), rel)
