"""Shared plumbing of the label importers and exporters (Qt-free).

Every format module follows the same contract:
- exporters read documents through the ProjectStore, write files only under the output path the
  user chose (atomically), and return an ExportReport;
- importers build each image's new Document completely and then save it with
  ProjectStore.save_document, so an image is changed all-or-nothing; problems with single records
  are collected as RecordWarnings in an ImportReport instead of aborting the whole import;
- long loops call `should_stop()` before each image and `progress(done, total)` after it, so the
  GUI worker and the CLIs share one code path (the Orange3 TaskState idea).

Importing into an image that already has labels APPENDS the imported instances on top of the
existing ones (new ids from doc.new_id()); nothing already there is removed or changed.

A refused or fruitless import changes nothing: categories a file declares are only reserved
(CategoryResolver) and join the project's LabelSet when an instance of theirs is committed.
"""

from __future__ import annotations

import os
import posixpath
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from app.core.categories import Category, Color, LabelSet, default_color
from app.core.document import Document
from app.core.geometry import RasterGeometry
from app.core.instance import Instance, InstanceState
from app.core.text import QT_TRANSLATE_NOOP, text_of
from app.formats.image_io import ImageLoadError, read_image, read_image_size
from app.formats.store import ProjectStore

ShouldStop = Callable[[], bool]
ProgressFn = Callable[[int, int], None]

#: labelme's name for "do not care" regions: COCO crowd regions, panoptic and PNG void, no YOLO line.
IGNORE_NAME = "__ignore__"


def is_ignore(labels: LabelSet, category_id: int) -> bool:
    """Whether instances of `category_id` are ignore regions (the class is named __ignore__)."""
    cat = labels.get(category_id)
    return cat is not None and cat.name == IGNORE_NAME


def never_stop() -> bool:
    """Default `should_stop`: run to the end."""
    return False


def no_progress(done: int, total: int) -> None:
    """Default `progress` callback: report nothing."""


class FormatError(Exception):
    """A whole label file (or output location) that cannot be used; str() is for the user (a
    Text: the GUI shows it translated)."""


@dataclass(frozen=True)
class RecordWarning:
    """One skipped or adjusted record: the label file, the record inside it, and why (record
    and reason are Texts where the formats composed them, so the dialogs can translate them)."""

    file: str
    record: str
    reason: str

    def __str__(self) -> str:
        where = f"{self.file}: {self.record}" if self.record else self.file
        return f"{where}: {self.reason}"


@dataclass
class ImportReport:
    """What an import did. `unmatched` lists label-file image names with no project image."""

    images_changed: list[str] = field(default_factory=list)
    instances_added: int = 0
    categories_added: list[str] = field(default_factory=list)
    unmatched: list[str] = field(default_factory=list)
    warnings: list[RecordWarning] = field(default_factory=list)
    cancelled: bool = False
    duplicates_skipped: int = 0  # instances already in the image (labelme re-import)

    def warn(self, file: str, record: object, reason: str) -> None:
        self.warnings.append(RecordWarning(str(file), _keep_text(record), _keep_text(reason)))

    def summary(self) -> str:
        parts = [
            f"{self.instances_added} instance(s) imported into {len(self.images_changed)} image(s)",
        ]
        if self.categories_added:
            parts.append(f"{len(self.categories_added)} new class(es): {', '.join(self.categories_added)}")
        if self.duplicates_skipped:
            parts.append(f"{self.duplicates_skipped} instance(s) already present skipped")
        if self.unmatched:
            parts.append(f"{len(self.unmatched)} image(s) without a match in the folder")
        if self.warnings:
            parts.append(f"{len(self.warnings)} record(s) skipped or adjusted")
        if self.cancelled:
            parts.append("cancelled before the end")
        return "; ".join(parts)


@dataclass
class ExportReport:
    """What an export wrote: the main output path, counts, and per-record warnings."""

    path: str = ""
    images: int = 0
    instances: int = 0
    files_written: int = 0
    warnings: list[RecordWarning] = field(default_factory=list)
    cancelled: bool = False

    def warn(self, file: str, record: object, reason: str) -> None:
        self.warnings.append(RecordWarning(str(file), _keep_text(record), _keep_text(reason)))

    def summary(self) -> str:
        text = f"{self.instances} instance(s) from {self.images} image(s) exported to {self.path}"
        if self.warnings:
            text += f"; {len(self.warnings)} warning(s)"
        if self.cancelled:
            text += "; cancelled before the end (output not written)"
        return text


def _keep_text(value: object) -> str:
    """`value` as a str, keeping a Text (also one raised in an exception) translatable."""
    found = text_of(value)
    return found if found is not None else str(value)


# ---- images and documents ------------------------------------------------------------------


def image_size(path: str | os.PathLike) -> tuple[int, int]:
    """(width, height) of an image file as the app displays it (EXIF orientation applied).

    Reads only the header where possible (PNG natively, others through Pillow if installed),
    and decodes the whole image only as a last resort. Raises ImageLoadError.
    """
    size = read_image_size(path)
    if size is not None:
        return size
    try:
        from PIL import Image  # optional: a header read instead of a full decode

        with Image.open(path) as img:
            w, h = img.size
            orientation = img.getexif().get(0x0112, 1)
        # EXIF orientations 5..8 rotate by 90 degrees; the app's decoder applies them.
        return (h, w) if orientation in (5, 6, 7, 8) else (w, h)
    except ImportError:
        pass
    except Exception:  # noqa: BLE001 - any Pillow failure: fall back to a real decode
        pass
    img = read_image(path, pyramid=False)
    return img.width, img.height


def load_document(folder: Path, store: ProjectStore, rel: str) -> tuple[Document, str | None]:
    """The stored document of `rel` with its true image size (read from the image when the image
    has no label file yet). Returns (document, warning or None); never raises for bad files."""
    result = store.load_document(rel, 0, 0)
    doc, warning = result.document, result.warning
    if doc.width <= 0 or doc.height <= 0:
        try:
            doc.width, doc.height = image_size(Path(folder) / rel)
        except (ImageLoadError, OSError) as exc:
            warning = QT_TRANSLATE_NOOP("LabelImport", "image size unknown ({reason}); skipped").format(reason=exc)
            doc.width = doc.height = 0  # callers skip documents without a size
    return doc, warning


def iter_documents(
    folder: str | os.PathLike, store: ProjectStore, images: list[str], report: ExportReport, should_stop: ShouldStop
) -> Iterator[tuple[int, str, Document]]:
    """(n, rel, document) for the images to export, n counting from 1 over all `images`.

    Load warnings go to the report; images of unknown size are skipped (nothing to place masks
    in). When should_stop() says so, sets report.cancelled and ends: callers check it after the
    loop so that a cancelled export writes no index files.
    """
    for n, rel in enumerate(images, start=1):
        if should_stop():
            report.cancelled = True
            return
        doc, warning = load_document(Path(folder), store, rel)
        if warning:
            report.warn(rel, "", warning)
        if has_size(doc):
            yield n, rel, doc


def has_size(doc: Document) -> bool:
    """Whether the document knows its image size (exports and imports skip it otherwise)."""
    return doc.width > 0 and doc.height > 0


def exported_instances(doc: Document, include_suggestions: bool = False) -> list[Instance]:
    """Instances to export, bottom to top: accepted ones (plus suggestions when asked), with
    empty geometries left out."""
    out = []
    for inst in doc:
        if inst.state is InstanceState.SUGGESTED and not include_suggestions:
            continue
        if inst.bbox()[2] <= inst.bbox()[0] or inst.bbox()[3] <= inst.bbox()[1]:
            continue
        out.append(inst)
    return out


def commit_import(store: ProjectStore, doc: Document, new: Iterable[Instance], report: ImportReport,
                  resolver: CategoryResolver | None = None) -> int:
    """Append `new` (ids are reassigned with doc.new_id()) to `doc` and save it in one write;
    then the categories of the added instances join the project (resolver.use).

    Returns the number of instances added. Nothing is written when there is nothing to add.
    """
    added = []
    for inst in new:
        added.append(inst.copy(id=doc.new_id()))
        doc.add(added[-1])
    if added:
        store.save_document(doc)
        if resolver is not None:
            for inst in added:
                resolver.use(inst.category_id)
        if doc.image_name not in report.images_changed:
            report.images_changed.append(doc.image_name)
        report.instances_added += len(added)
    return len(added)


def keep_image_record(doc: Document, record: dict, name: str, report: ImportReport) -> None:
    """Remember the COCO image record of `doc` (its id and fields such as license or coco_url) so
    that exports write the same image back. An id kept from an earlier import wins."""
    extra = {k: v for k, v in record.items() if k not in ("file_name", "width", "height")}
    wanted = extra.get("id")
    if not isinstance(wanted, int) or isinstance(wanted, bool) or wanted < 1:
        return
    kept = doc.image_info.get("id")
    if kept is None:
        doc.image_info = extra
    elif kept != wanted:
        report.warn(name, QT_TRANSLATE_NOOP("LabelRecords", "image {id} ({name})").format(id=wanted, name=record.get("file_name")),
                    QT_TRANSLATE_NOOP("LabelImport", "{image} already has image id {kept} from an earlier import; {kept} is kept")
                    .format(image=doc.image_name, kept=kept))


# ---- matching label-file names to project images -----------------------------------------------


def clean_name(name: str) -> str:
    """A file name from a label file as a POSIX relative path (Windows separators, './' removed)."""
    name = str(name).replace("\\", "/")
    while name.startswith("./"):
        name = name[2:]
    return name


class ImageMatcher:
    """Finds the project image a label file refers to: by relative path, else by basename when
    that basename is unique in the project. The name is only compared, never opened, so a name
    like '../../x.jpg' cannot make us touch anything outside the project."""

    def __init__(self, images: Iterable[str]) -> None:
        self.images = list(images)
        self._exact = {rel: rel for rel in self.images}
        self._by_base: dict[str, list[str]] = {}
        self._by_stem: dict[str, list[str]] = {}
        for rel in self.images:
            base = posixpath.basename(rel)
            self._by_base.setdefault(base, []).append(rel)
            self._by_stem.setdefault(posixpath.splitext(rel)[0], []).append(rel)

    def match(self, name: str) -> tuple[str | None, str]:
        """(project rel path or None, reason when None)."""
        name = clean_name(name)
        if ".." not in name.split("/") and name in self._exact:
            return name, ""
        candidates = self._by_base.get(posixpath.basename(name), [])
        if len(candidates) == 1:
            return candidates[0], ""
        if len(candidates) > 1:
            return None, QT_TRANSLATE_NOOP("LabelImport", "{n} images are named {name}").format(n=len(candidates), name=repr(posixpath.basename(name)))
        return None, QT_TRANSLATE_NOOP("LabelImport", "no such image in the folder")

    def match_stem(self, stem: str) -> str | None:
        """The image whose path without extension is `stem` (e.g. 'sub/img' -> 'sub/img.jpg')."""
        found = self._by_stem.get(clean_name(stem), [])
        return found[0] if len(found) == 1 else None


# ---- categories -----------------------------------------------------------------------------


class CategoryResolver:
    """Maps categories declared in a label file onto the project's LabelSet by name.

    A name the project does not know gets a reserved id: the file's id when that id is free in
    the project (so COCO ids survive a first import), else the next free id. The category joins
    `labels` (and `report.categories_added`) only when `use` is called for it, i.e. when an
    instance of it is committed, so a file that imports nothing adds no classes.
    """

    def __init__(self, labels: LabelSet, report: ImportReport) -> None:
        self.labels = labels
        self.report = report
        self._pending: dict[int, Category] = {}
        self._by_name: dict[str, int] = {}

    def resolve(self, name: str, file_id: int | None = None, color: Color | None = None,
                isthing: bool | None = None, supercategory: str = "") -> int:
        """Project category id for `name` (reserved, not yet added, when the project lacks it)."""
        name = str(name).strip()
        if not name:
            raise ValueError("empty category name")
        found = self.labels.by_name(name)
        if found is not None:
            return found.id
        if (cid := self._by_name.get(name.lower())) is not None:
            return cid
        if file_id is not None and file_id >= 1 and file_id not in self.labels and file_id not in self._pending:
            cid = int(file_id)
        else:
            cid = max(self.labels.next_id(), max(self._pending, default=0) + 1)
        thing = True if isthing is None else bool(isthing)
        self._pending[cid] = Category(cid, name, color or default_color(cid), thing, str(supercategory or ""))
        self._by_name[name.lower()] = cid
        return cid

    def use(self, category_id: int) -> None:
        """Add the reserved category `category_id` to the project (no-op for known ones)."""
        cat = self._pending.pop(category_id, None)
        if cat is not None and category_id not in self.labels:
            self.labels.insert(cat)
            self.report.categories_added.append(cat.name)

    def is_known(self, category_id: int) -> bool:
        """Whether `category_id` is a project category (not merely reserved)."""
        return category_id in self.labels


def parse_color(value: object) -> Color | None:
    """[r, g, b] with ints in 0..255, else None."""
    if isinstance(value, (list, tuple)) and len(value) == 3:
        try:
            rgb = tuple(int(v) for v in value)
        except (TypeError, ValueError):
            return None
        if all(0 <= v <= 255 for v in rgb):
            return rgb  # type: ignore[return-value]
    return None


def raster_from_full(mask: np.ndarray) -> RasterGeometry:
    """Tight RasterGeometry of a full-image bool (H, W) mask, owning a compact copy of the crop
    (a view would keep the whole full-image array alive)."""
    geom = RasterGeometry.from_full(mask)
    return RasterGeometry(np.ascontiguousarray(geom.mask).copy(), geom.x, geom.y)


def inside(path: Path, root: Path) -> bool:
    """Whether `path` resolves to somewhere under `root` (symlinks and '..' resolved)."""
    try:
        path.resolve().relative_to(root.resolve())
        return True
    except ValueError:
        return False
