"""The project store: `<image folder>/.maskpilot/` (or an output folder the user picked).

Layout:
  project.json            categories and settings
  labels/<image>.json     one per image (see document_json), mirroring sub-folders
  index.json              per-image summary (status, pending suggestions, instance count, the
                          latest auto-fill's uncertainty) so the file list of a 10,000-image folder
                          shows statuses and sorts without reading 10,000 files; checked against
                          each label file's mtime/size and refreshed lazily.
Every write is atomic. A file that cannot be parsed is moved aside as `*.corrupt-<timestamp>` and
reported; nothing else is touched.
"""

from __future__ import annotations

import os
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path, PurePosixPath, PureWindowsPath

from app.core.categories import Category, LabelSet
from app.core.document import Document
from app.core.text import QT_TRANSLATE_NOOP
from app.formats import json_read
from app.formats.atomic import write_json_atomic
from app.formats.document_json import (
    DocumentFormatError,
    document_from_dict,
    document_to_dict,
    latest_uncertainty,
    uncertainty_value,
)
from app.formats.image_folder import STORE_DIR_NAME


class StoreError(Exception):
    """A store problem with a user-readable message."""


class StoreNotWritable(StoreError):
    pass


#: index.json layout. 2 added `uncertainty`: a version-1 index is rebuilt once from the label
#: files, since its entries cannot tell "no uncertainty" from "written before the field".
INDEX_VERSION = 2


@dataclass
class IndexEntry:
    status: str = "new"
    pending: int = 0
    instances: int = 0
    mtime_ns: int = 0
    size: int = 0
    uncertainty: float | None = None  # of the latest auto-fill run; None: unknown (never filled)

    def summary(self) -> tuple:
        """What the file list shows: when it changes, index.json is rewritten."""
        return self.status, self.pending, self.instances, self.uncertainty


@dataclass
class ProjectMeta:
    labels: LabelSet | None = None  # None: no project.json yet
    settings: dict = field(default_factory=dict)
    warning: str | None = None


@dataclass
class LoadResult:
    document: Document
    warning: str | None = None
    existed: bool = False


def quarantine(path: Path) -> Path:
    """Move a broken file aside (never delete user data) and return its new path."""
    stamp = time.strftime("%Y%m%d-%H%M%S")
    target = path.with_name(f"{path.name}.corrupt-{stamp}")
    n = 1
    while target.exists():
        target = path.with_name(f"{path.name}.corrupt-{stamp}-{n}")
        n += 1
    os.replace(path, target)
    return target


def _category_dict(c: Category) -> dict:
    out = {"id": c.id, "name": c.name, "color": list(c.color), "isthing": c.isthing}
    if c.supercategory:  # optional: project files without it load as before
        out["supercategory"] = c.supercategory
    return out


class ProjectStore:
    def __init__(self, image_folder: str | os.PathLike, store_dir: str | os.PathLike | None = None):
        self.image_folder = Path(image_folder)
        self.root = Path(store_dir) if store_dir else self.image_folder / STORE_DIR_NAME
        self.labels_dir = self.root / "labels"
        self._index: dict[str, IndexEntry] | None = None

    @staticmethod
    def can_write_in(folder: str | os.PathLike) -> bool:
        """Whether a store can be created (or already exists writable) inside `folder`."""
        store = Path(folder) / STORE_DIR_NAME
        target = store if store.exists() else Path(folder)
        return os.access(target, os.W_OK | os.X_OK)

    def ensure(self) -> None:
        try:
            self.labels_dir.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise StoreNotWritable(QT_TRANSLATE_NOOP("ProjectStore", "cannot create the project store in {folder}: {error}")
                                   .format(folder=self.root, error=exc.strerror or exc)) from exc
        if not os.access(self.root, os.W_OK):
            raise StoreNotWritable(QT_TRANSLATE_NOOP("ProjectStore", "the project store {folder} is read-only").format(folder=self.root))

    # ---- project.json ----------------------------------------------------------------------
    def load_project(self) -> ProjectMeta:
        path = self.root / "project.json"
        if not path.exists():
            return ProjectMeta()
        try:
            data = json_read.loads(path.read_text(encoding="utf-8"))
            cats = [
                Category(int(c["id"]), str(c["name"]), tuple(int(v) for v in c["color"]), bool(c.get("isthing", True)),
                         str(c.get("supercategory") or ""))
                for c in data["categories"]
            ]
            return ProjectMeta(LabelSet(cats), dict(data.get("settings", {})))
        except (OSError, ValueError, KeyError, TypeError) as exc:
            moved = self._quarantine_or_none(path)
            if moved is None:
                warning = QT_TRANSLATE_NOOP("ProjectStore", "project.json could not be read ({reason}). Default classes are used.")
            else:
                warning = QT_TRANSLATE_NOOP("ProjectStore", "project.json could not be read ({reason}); it was moved to {moved}. "
                                            "Default classes are used.")
            return ProjectMeta(warning=warning.format(reason=exc, moved=moved.name if moved else ""))

    def save_project(self, labels: LabelSet, settings: dict) -> None:
        self.ensure()
        cats = [_category_dict(c) for c in labels]
        write_json_atomic(self.root / "project.json", {"version": 1, "categories": cats, "settings": settings})

    # ---- per-image documents --------------------------------------------------------------------
    def label_path(self, image_rel: str) -> Path:
        """`labels/<image_rel>.json`. Raises StoreError for a name that would leave labels/
        (absolute, on any platform, or '..'): names come from the folder listing, but a bug or a hostile
        label file must never make the store read or write elsewhere."""
        pure = PurePosixPath(image_rel)
        if not image_rel or pure.is_absolute() or PureWindowsPath(image_rel).is_absolute() or ".." in pure.parts:
            raise StoreError(QT_TRANSLATE_NOOP("ProjectStore", "refusing the image name {name}: it points outside the project")
                             .format(name=repr(image_rel)))
        return self.labels_dir / f"{image_rel}.json"

    def load_document(self, image_rel: str, width: int, height: int) -> LoadResult:
        """The saved document of an image, or an empty one. Never raises for bad files."""
        path = self.label_path(image_rel)
        try:
            raw = path.read_bytes()
        except FileNotFoundError:
            return LoadResult(Document(image_rel, width, height))
        except OSError as exc:
            return LoadResult(Document(image_rel, width, height),
                              QT_TRANSLATE_NOOP("ProjectStore", "cannot read labels of {image}: {error}").format(image=image_rel, error=exc.strerror))
        try:
            doc = document_from_dict(json_read.loads(raw))
        except (ValueError, DocumentFormatError) as exc:
            moved = self._quarantine_or_none(path)
            if moved is None:
                msg = QT_TRANSLATE_NOOP("ProjectStore", "The labels of {image} were unreadable ({reason}). The image opens empty.")
            else:
                msg = QT_TRANSLATE_NOOP("ProjectStore", "The labels of {image} were unreadable ({reason}). It was moved to {moved}. "
                                        "The image opens empty.")
            return LoadResult(Document(image_rel, width, height), msg.format(image=image_rel, reason=exc, moved=moved.name if moved else ""))
        doc.image_name = image_rel
        if width and height:
            doc.width, doc.height = width, height
        return LoadResult(doc, existed=True)

    def save_document(self, doc: Document) -> None:
        self.ensure()
        # The index first: loaded after the write, its refresh would parse the file just written
        # (the same document, read back; ~55 ms for a 300-shape import).
        index = self.index()
        path = self.label_path(doc.image_name)
        path.parent.mkdir(parents=True, exist_ok=True)
        write_json_atomic(path, document_to_dict(doc))
        st = path.stat()
        entry = IndexEntry(doc.status.value, doc.pending_count(), len(doc), st.st_mtime_ns, st.st_size,
                           latest_uncertainty(doc.ai_runs))  # fmt: skip
        old = index.get(doc.image_name)
        index[doc.image_name] = entry
        # index.json is rewritten only when a summary changes: a stale mtime alone just makes
        # the next open re-read that one label file, while rewriting a 10,000-entry index on
        # every autosave would not be cheap.
        if old is None or old.summary() != entry.summary():
            self._write_index()

    # ---- index ---------------------------------------------------------------------------
    def invalidate_index(self) -> None:
        """Forget the cached index (another ProjectStore, e.g. an import worker, wrote labels)."""
        self._index = None

    def index(self) -> dict[str, IndexEntry]:
        """image rel path -> summary, re-reading only label files changed since the index was written."""
        if self._index is None:
            self._index = self._load_index()
            if self._refresh_index(self._index):
                try:
                    self._write_index()
                except OSError:
                    pass  # read-only store: the in-memory index is still right
        return self._index

    def _load_index(self) -> dict[str, IndexEntry]:
        try:
            data = json_read.loads((self.root / "index.json").read_bytes())
            if data.get("version") != INDEX_VERSION:
                return {}
            entries = {k: IndexEntry(**v) for k, v in data["images"].items()}
        except (OSError, ValueError, KeyError, TypeError, AttributeError):
            return {}
        for entry in entries.values():
            if entry.uncertainty is not None and uncertainty_value(entry.uncertainty) is None:
                entry.mtime_ns = -1  # not a number in [0, 1] (edited by hand): re-read that label file
        return entries

    def _refresh_index(self, index: dict[str, IndexEntry]) -> bool:
        on_disk: dict[str, os.stat_result] = {}
        stack = [self.labels_dir]
        while stack:
            folder = stack.pop()
            try:
                entries = list(os.scandir(folder))
            except OSError:
                continue
            for e in entries:
                if e.is_dir():
                    stack.append(Path(e.path))
                elif e.name.endswith(".json") and not e.name.startswith("."):
                    rel = Path(e.path).relative_to(self.labels_dir).as_posix()[: -len(".json")]
                    on_disk[rel] = e.stat()
        changed = False
        for rel in list(index):
            if rel not in on_disk:
                del index[rel]
                changed = True
        for rel, st in on_disk.items():
            entry = index.get(rel)
            if entry and entry.mtime_ns == st.st_mtime_ns and entry.size == st.st_size:
                continue
            index[rel] = self._summarize(rel, st)
            changed = True
        return changed

    def _summarize(self, rel: str, st: os.stat_result) -> IndexEntry:
        try:
            data = json_read.loads(self.label_path(rel).read_bytes())
            inst = data["instances"]
            pending = sum(1 for i in inst if i.get("state") == "suggested")
            return IndexEntry(str(data.get("status", "new")), pending, len(inst), st.st_mtime_ns, st.st_size,
                              latest_uncertainty(data.get("ai_runs")))  # fmt: skip
        except (OSError, ValueError, KeyError, TypeError, AttributeError):
            return IndexEntry("error", 0, 0, st.st_mtime_ns, st.st_size)

    def _write_index(self) -> None:
        images = {k: asdict(v) for k, v in (self._index or {}).items()}
        write_json_atomic(self.root / "index.json", {"version": INDEX_VERSION, "images": images})

    @staticmethod
    def _quarantine_or_none(path: Path) -> Path | None:
        try:
            return quarantine(path)
        except OSError:
            return None
