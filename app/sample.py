"""The sample folder `make run` opens: generated scenes, written once to the user data folder.

It is made to show the AI without downloading anything: the first `SAMPLE_DONE` of its
`SAMPLE_COUNT` images come labelled (every circle, square and triangle, in the project's own
three classes) and marked done, the rest are unlabelled. So a new user can press Train, wait a
few minutes on a CPU, and watch auto-fill label the rest, then review by uncertainty.

Why these choices:
- Square `SAMPLE_SIZE` images of `inference.synthetic.make_scene` shapes in its default
  saturated colours, 2-4 per image: the recipe measured in the shared training-notes.md (the small
  model resizes images to 128 px, where these objects have the sizes it was tuned on; muted
  colours learn slower), so 40 done images are enough to train on.
- Only *done* images are trained on (an unfinished one would teach that its unlabelled objects
  are background), hence every object of a labelled image is labelled, and the labelled ones
  are exactly the done ones.
- Deterministic: seeded generators draw every scene, so every machine gets the same folder
  (and tests can compare it with `sample_scenes`).
- Fast: 60 small images, JPEG-encoded, in one to two seconds; written once and rewritten only when
  `_VERSION` changes.
"""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np

from app.core.categories import LabelSet
from app.core.document import Document, ImageStatus
from app.core.geometry import RasterGeometry
from app.core.instance import Instance
from app.formats.atomic import write_bytes_atomic
from app.formats.store import ProjectStore
from app.paths import user_data_dir
from inference.synthetic import SHAPE_CLASSES, Scene, make_scene

SAMPLE_COUNT = 60
SAMPLE_DONE = 40  # the first ones: labelled and done; the others unlabelled
SAMPLE_SIZE = (320, 320)  # height, width
SAMPLE_OBJECTS = (2, 4)
_MIN_VISIBLE = 0.6  # share of an object's pixels left visible by those drawn over it
_SEED = 20261121
_VERSION = "3"  # bump when the generated content changes, so old sample folders are rewritten


def sample_folder() -> Path:
    return user_data_dir() / "sample-images"


def sample_names() -> list[str]:
    """The image file names of the sample folder, in list order."""
    return [f"scene_{i + 1:02d}.jpg" for i in range(SAMPLE_COUNT)]


def sample_scenes() -> list[Scene]:
    """Every sample scene (image, ground-truth masks, class ids 1-based in SHAPE_CLASSES order),
    in `sample_names` order. Scene i is the first draw, from generators seeded (seed, i, try),
    in which every object drawn is at least `_MIN_VISIBLE` visible: then its ground truth holds
    every object in the picture, as a done image must (make_scene leaves out the mostly hidden
    ones, whose visible pixels would otherwise be unlabelled objects)."""
    return [_scene(i) for i in range(SAMPLE_COUNT)]


def _scene(index: int) -> Scene:
    for attempt in range(100):
        seed = [_SEED, index, attempt]
        scene = make_scene(np.random.default_rng(seed), SAMPLE_SIZE, SAMPLE_OBJECTS, min_visible=_MIN_VISIBLE)
        everything = make_scene(np.random.default_rng(seed), SAMPLE_SIZE, SAMPLE_OBJECTS, min_visible=0.0)
        if len(scene.masks) == len(everything.masks):
            return scene
    raise RuntimeError("no sample scene without hidden objects")  # never: most draws qualify


def ensure_sample_folder(folder: Path | None = None) -> Path:
    """Create the sample folder unless complete (of this `_VERSION`); return it.

    The first image's labels are polygons and the others' raster masks, so both kinds of
    instance are there to edit. Rewriting an older sample removes the labels it had for the
    sample's own image names (they describe images that are replaced), nothing else.
    """
    folder = folder or sample_folder()
    names = sample_names()
    stamp = folder / ".maskpilot" / "sample-version"
    if all((folder / n).exists() for n in names) and stamp.exists() and stamp.read_text() == _VERSION:
        return folder
    folder.mkdir(parents=True, exist_ok=True)
    store = ProjectStore(folder)
    labels = LabelSet.from_names(list(SHAPE_CLASSES))
    store.save_project(labels, {})
    h, w = SAMPLE_SIZE
    for i, (name, scene) in enumerate(zip(names, sample_scenes(), strict=True)):
        ok, buf = cv2.imencode(".jpg", cv2.cvtColor(scene.image, cv2.COLOR_RGB2BGR), [cv2.IMWRITE_JPEG_QUALITY, 92])
        if not ok:
            raise RuntimeError("JPEG encoding failed")
        write_bytes_atomic(folder / name, buf.tobytes())
        if i >= SAMPLE_DONE:
            store.label_path(name).unlink(missing_ok=True)
            continue
        doc = Document(name, w, h, status=ImageStatus.DONE)
        for m, cid in zip(scene.masks, scene.category_ids, strict=True):
            geom = RasterGeometry.from_full(m)
            doc.add(Instance(doc.new_id(), int(cid), geom.to_polygon(tolerance=1.0) if i == 0 else geom))
        store.save_document(doc)
    write_bytes_atomic(stamp, _VERSION.encode())
    return folder
