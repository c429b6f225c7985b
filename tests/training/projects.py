"""Generated project folders for the training tests: shapes of three classes with known ground
truth, some images labelled and marked done through the real store."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import cv2
import numpy as np

from app.core.categories import LabelSet
from app.core.document import Document, ImageStatus
from app.core.geometry import RasterGeometry
from app.core.instance import Instance
from app.formats.store import ProjectStore
from inference.synthetic import SHAPE_CLASSES, Scene, make_scene


@dataclass
class GeneratedProject:
    """folder: the image folder; done: images labelled and marked done; other: images without
    labels; truth: the generated ground truth of every image."""

    folder: Path
    done: list[str] = field(default_factory=list)
    other: list[str] = field(default_factory=list)
    truth: dict[str, Scene] = field(default_factory=dict)

    @property
    def store(self) -> ProjectStore:
        return ProjectStore(self.folder)


def write_png(path: Path, rgb: np.ndarray) -> None:
    ok, buf = cv2.imencode(".png", cv2.cvtColor(rgb, cv2.COLOR_RGB2BGR))
    assert ok
    path.write_bytes(buf.tobytes())


def label_image(store: ProjectStore, rel: str, scene: Scene, status: ImageStatus = ImageStatus.DONE,
                polygons: bool = False) -> None:  # fmt: skip
    """Save the scene's ground truth as accepted instances of image `rel` with `status`."""
    h, w = scene.image.shape[:2]
    doc = Document(rel, w, h, status=status)
    for mask, cid in zip(scene.masks, scene.category_ids, strict=True):
        geom = RasterGeometry.from_full(mask)
        doc.add(Instance(doc.new_id(), int(cid), geom.to_polygon(tolerance=0.0) if polygons else geom))
    store.save_document(doc)


def make_project(folder: Path, done: int, other: int = 0, seed: int = 0, size: tuple[int, int] = (128, 128),
                 n_objects: tuple[int, int] = (2, 4), sizes: list[tuple[int, int]] | None = None,
                 classes: tuple[str, ...] = SHAPE_CLASSES) -> GeneratedProject:  # fmt: skip
    """`done` labelled, done images and `other` unlabelled ones (PNG), all generated from `seed`.
    `sizes` gives each image its own (height, width) instead of `size`."""
    folder.mkdir(parents=True, exist_ok=True)
    store = ProjectStore(folder)
    store.save_project(LabelSet.from_names(list(classes)), {})
    rng = np.random.default_rng(seed)
    project = GeneratedProject(folder)
    for i in range(done + other):
        scene = make_scene(rng, sizes[i % len(sizes)] if sizes else size, n_objects)
        keep = scene.category_ids <= len(classes)
        scene = Scene(scene.image, scene.masks[keep], scene.category_ids[keep])
        rel = f"{'done' if i < done else 'todo'}_{i:03d}.png"
        write_png(folder / rel, scene.image)
        project.truth[rel] = scene
        if i < done:
            label_image(store, rel, scene)
            project.done.append(rel)
        else:
            project.other.append(rel)
    return project
