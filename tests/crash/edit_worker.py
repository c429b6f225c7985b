"""Subprocess driven by test_kill.py: edits documents through the real ProjectSession autosave
until it is SIGKILLed.

Usage: edit_worker.py FOLDER JOURNAL SEED

Every state a document enters is appended to JOURNAL as one JSON line
`{"t": wall-clock seconds, "rel": image, "digest": sha1 of its canonical JSON}` with a single
unbuffered os.write, before control returns to the Qt event loop (where autosave runs), so a
state can only reach the store after its journal line exists; a SIGKILL loses no written line.
The worker prints "ready" once the documents are open, then edits at random 5-300 ms intervals,
never pausing long enough for a purely debounced autosave to fire.
"""

from __future__ import annotations

import hashlib
import json
import os
import random
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402
from PySide6.QtCore import QCoreApplication, QTimer  # noqa: E402

from app.core.document import Document, ImageStatus  # noqa: E402
from app.core.geometry import PolygonGeometry, RasterGeometry  # noqa: E402
from app.core.instance import Instance  # noqa: E402
from app.formats.document_json import document_from_dict, document_to_dict  # noqa: E402
from app.project.session import ProjectSession  # noqa: E402

IMAGES = ("a.png", "sub/b.png", "c.png")
WIDTH, HEIGHT = 320, 240
MAX_INSTANCES = 40


def digest(doc: Document) -> str:
    """sha1 of the document's stored form, normalized by one load round trip so that an
    in-memory state and the same state read back from disk give the same digest."""
    canonical = document_to_dict(document_from_dict(document_to_dict(doc)))
    canonical["image"]["file_name"] = doc.image_name
    return hashlib.sha1(json.dumps(canonical, sort_keys=True).encode()).hexdigest()


class Editor:
    def __init__(self, folder: Path, journal: Path, seed: int) -> None:
        self.rng = random.Random(seed)
        self.np_rng = np.random.default_rng(seed)
        self.session = ProjectSession(folder)
        self.fd = os.open(journal, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
        self.docs: list[Document] = []
        for rel in IMAGES:
            doc, _warning = self.session.document(rel, WIDTH, HEIGHT)
            self.docs.append(doc)
            self.record(doc)
        self.current = 0

    def record(self, doc: Document) -> None:
        line = json.dumps({"t": time.time(), "rel": doc.image_name, "digest": digest(doc)})
        os.write(self.fd, (line + "\n").encode())

    def step(self) -> None:
        if self.rng.random() < 0.02:  # switch image: the app saves everything on a switch
            self.session.save_all()
            self.current = self.rng.randrange(len(self.docs))
        doc = self.docs[self.current]
        self.edit(doc)
        self.record(doc)
        delay = self.rng.choice([5, 20, 50, 120, 300])
        QTimer.singleShot(delay, self.step)

    def edit(self, doc: Document) -> None:
        ids = [i.id for i in doc]
        rasters = [i.id for i in doc if i.is_raster]
        roll = self.rng.random()
        if not ids or (roll < 0.3 and len(ids) < MAX_INSTANCES):
            doc.add(Instance(doc.new_id(), self.rng.randint(1, 5), self.random_geometry()))
        elif roll < 0.45:
            doc.remove(self.rng.choice(ids))
        elif roll < 0.7 and rasters:
            x0, y0 = self.rng.randrange(WIDTH - 20), self.rng.randrange(HEIGHT - 20)
            w, h = self.rng.randint(4, 60), self.rng.randint(4, 60)
            values = self.np_rng.random((h, w)) < 0.7
            doc.write_pixels(self.rng.choice(rasters), (x0, y0, x0 + w, y0 + h), values)
        elif roll < 0.85:
            doc.set_fields(self.rng.choice(ids), category_id=self.rng.randint(1, 5),
                           visible=self.rng.random() < 0.8, locked=self.rng.random() < 0.2)
        elif roll < 0.95:
            doc.move(self.rng.choice(ids), self.rng.randrange(len(ids)))
        else:
            doc.set_status(self.rng.choice(list(ImageStatus)))

    def random_geometry(self) -> PolygonGeometry | RasterGeometry:
        x, y = self.rng.randrange(WIDTH - 40), self.rng.randrange(HEIGHT - 40)
        if self.rng.random() < 0.5:
            k = self.rng.randint(3, 12)
            pts = np.column_stack([x + self.np_rng.random(k) * 40, y + self.np_rng.random(k) * 40])
            return PolygonGeometry((pts,))
        mask = self.np_rng.random((self.rng.randint(5, 80), self.rng.randint(5, 80))) < 0.6
        mask[0, 0] = True
        return RasterGeometry(mask, x, y).tight()


def main(argv: list[str]) -> int:
    folder, journal, seed = Path(argv[0]), Path(argv[1]), int(argv[2])
    app = QCoreApplication([])
    editor = Editor(folder, journal, seed)
    print("ready", flush=True)
    QTimer.singleShot(0, editor.step)
    return app.exec()


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
