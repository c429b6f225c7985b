"""The sample folder `make run` opens: generated scenes, written once to the user data folder."""

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
from inference.synthetic import SHAPE_CLASSES, make_scene

SAMPLE_COUNT = 8
SAMPLE_SIZE = (720, 1080)  # height, width
_SEED = 20261121
_VERSION = "2"  # bump when the generated content changes, so old sample folders are rewritten


def sample_folder() -> Path:
    return user_data_dir() / "sample-images"


def ensure_sample_folder(folder: Path | None = None) -> Path:
    """Create the sample folder unless complete. The first two images come pre-labelled (one with
    polygons, one with raster masks) so every panel has something to show."""
    folder = folder or sample_folder()
    names = [f"scene_{i + 1:02d}.jpg" for i in range(SAMPLE_COUNT)]
    stamp = folder / ".maskpilot" / "sample-version"
    if all((folder / n).exists() for n in names) and stamp.exists() and stamp.read_text() == _VERSION:
        return folder
    folder.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(_SEED)
    store = ProjectStore(folder)
    labels = LabelSet.from_names(list(SHAPE_CLASSES))
    store.save_project(labels, {})
    for i, name in enumerate(names):
        scene = make_scene(rng, SAMPLE_SIZE, n_objects=(4, 9), min_visible=0.6, muted=True)
        ok, buf = cv2.imencode(".jpg", cv2.cvtColor(scene.image, cv2.COLOR_RGB2BGR), [cv2.IMWRITE_JPEG_QUALITY, 92])
        if not ok:
            raise RuntimeError("JPEG encoding failed")
        write_bytes_atomic(folder / name, buf.tobytes())
        if i < 2:
            doc = Document(name, SAMPLE_SIZE[1], SAMPLE_SIZE[0], status=ImageStatus.IN_PROGRESS)
            for m, cid in zip(scene.masks, scene.category_ids):
                geom = RasterGeometry.from_full(m)
                if i == 0:
                    geom = geom.to_polygon(tolerance=1.0)
                doc.add(Instance(doc.new_id(), int(cid), geom))
            store.save_document(doc)
    write_bytes_atomic(stamp, _VERSION.encode())
    return folder
