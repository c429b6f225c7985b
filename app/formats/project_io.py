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
"""

from __future__ import annotations

import os
import posixpath
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

import cv2
import numpy as np
from pycocotools import mask as mask_utils

from app.core.categories import Category, Color, LabelSet, default_color
from app.core.document import Document
from app.core.geometry import RasterGeometry
from app.core.instance import Instance, InstanceState
from app.formats.image_io import ImageLoadError, read_image, read_image_size
from app.formats.store import ProjectStore

ShouldStop = Callable[[], bool]
ProgressFn = Callable[[int, int], None]


def never_stop() -> bool:
    """Default `should_stop`: run to the end."""
    return False


def no_progress(done: int, total: int) -> None:
    """Default `progress` callback: report nothing."""


class FormatError(Exception):
    """A whole label file (or output location) that cannot be used; str() is for the user."""


@dataclass(frozen=True)
class RecordWarning:
    """One skipped or adjusted record: the label file, the record inside it, and why."""

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

    def warn(self, file: str, record: object, reason: str) -> None:
        self.warnings.append(RecordWarning(str(file), str(record), reason))

    def summary(self) -> str:
        parts = [
            f"{self.instances_added} instance(s) imported into {len(self.images_changed)} image(s)",
        ]
        if self.categories_added:
            parts.append(f"{len(self.categories_added)} new class(es): {', '.join(self.categories_added)}")
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
        self.warnings.append(RecordWarning(str(file), str(record), reason))

    def summary(self) -> str:
        text = f"{self.instances} instance(s) from {self.images} image(s) exported to {self.path}"
        if self.warnings:
            text += f"; {len(self.warnings)} warning(s)"
        if self.cancelled:
            text += "; cancelled before the end (output not written)"
        return text


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
            warning = f"image size unknown ({exc}); skipped"
            doc.width = doc.height = 0  # callers skip documents without a size
    return doc, warning


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


def commit_import(store: ProjectStore, doc: Document, new: Iterable[Instance], report: ImportReport) -> int:
    """Append `new` (ids are reassigned with doc.new_id()) to `doc` and save it in one write.

    Returns the number of instances added. Nothing is written when there is nothing to add.
    """
    added = 0
    for inst in new:
        doc.add(inst.copy(id=doc.new_id()))
        added += 1
    if added:
        store.save_document(doc)
        if doc.image_name not in report.images_changed:
            report.images_changed.append(doc.image_name)
        report.instances_added += added
    return added


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
            return None, f"{len(candidates)} images are named {posixpath.basename(name)!r}"
        return None, "no such image in the folder"

    def match_stem(self, stem: str) -> str | None:
        """The image whose path without extension is `stem` (e.g. 'sub/img' -> 'sub/img.jpg')."""
        found = self._by_stem.get(clean_name(stem), [])
        return found[0] if len(found) == 1 else None


# ---- categories -----------------------------------------------------------------------------


class CategoryResolver:
    """Maps categories declared in a label file onto the project's LabelSet by name.

    A name the project does not know is added; it keeps the file's id when that id is free in
    the project (so COCO ids survive a first import), else it gets the next free id.
    """

    def __init__(self, labels: LabelSet, report: ImportReport) -> None:
        self.labels = labels
        self.report = report

    def resolve(self, name: str, file_id: int | None = None, color: Color | None = None,
                isthing: bool | None = None) -> int:
        """Project category id for `name`, adding the category when missing."""
        name = str(name).strip()
        if not name:
            raise ValueError("empty category name")
        found = self.labels.by_name(name)
        if found is not None:
            return found.id
        thing = True if isthing is None else bool(isthing)
        if file_id is not None and file_id >= 1 and file_id not in self.labels:
            cat = Category(int(file_id), name, color or default_color(int(file_id)), thing)
            self.labels.insert(cat)
        else:
            cat = self.labels.add(name, color, thing)
        self.report.categories_added.append(name)
        return cat.id


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


# ---- COCO RLE without full-image copies ---------------------------------------------------------


class RleError(ValueError):
    """A malformed RLE; str() says what is wrong."""


def crop_to_rle(mask: np.ndarray, x: int, y: int, height: int, width: int) -> dict:
    """Compressed COCO RLE ({"size": [H, W], "counts": str}) of a bool (h, w) crop placed at
    (x, y) in an otherwise empty (height, width) image; the crop must lie inside the image.

    Equal, string for string, to pycocotools.mask.encode of the full-image mask, at the cost of
    the crop only: the full-image Fortran copy that encode needs costs more than the encode
    itself (formats-and-speed.md §2.3). COCO runs go down columns (pixel (x, y) has index
    x*H + y), so the crop is transposed (one column per row), each column is preceded by a zero
    separator, and run boundaries are found with one comparison over the padded buffer.
    """
    ch, cw = mask.shape
    if ch == 0 or cw == 0:
        return {"size": [height, width], "counts": _compress([height * width], height, width)}
    buf = np.zeros(cw * (ch + 1) + 1, np.uint8)
    buf[:-1].reshape(cw, ch + 1)[:, 1:] = cv2.transpose(np.ascontiguousarray(mask).view(np.uint8))
    edges = np.flatnonzero(buf[1:] != buf[:-1])
    if edges.size == 0:
        return {"size": [height, width], "counts": _compress([height * width], height, width)}
    first = edges[0::2] + 1  # buffer position of the first set pixel of each run
    last = edges[1::2]  # ... and of its last set pixel
    fc, fr = np.divmod(first, ch + 1)
    lc, lr = np.divmod(last, ch + 1)
    start = (x + fc) * height + (y - 1) + fr  # buffer row r holds image row y + r - 1
    end = (x + lc) * height + y + lr  # exclusive
    if ch == height and start.size > 1:
        # A crop spanning whole columns: a run may continue into the next column.
        keep = start[1:] != end[:-1]
        if not keep.all():
            start, end = start[np.r_[True, keep]], end[np.r_[keep, True]]
    n = start.size
    counts = np.empty(2 * n + 1, np.int64)
    counts[0] = start[0]
    counts[2 : 2 * n : 2] = start[1:] - end[:-1]
    counts[1 : 2 * n : 2] = end - start
    counts[2 * n] = height * width - end[-1]
    if counts[-1] == 0:
        counts = counts[:-1]  # pycocotools writes no trailing empty run
    return {"size": [height, width], "counts": _compress(counts.tolist(), height, width)}


def _compress(counts: list[int], height: int, width: int) -> str:
    rle = mask_utils.frPyObjects({"size": [height, width], "counts": counts}, height, width)
    return rle["counts"].decode("ascii")


def string_to_counts(text: str | bytes) -> list[int]:
    """Run lengths of a compressed COCO `counts` string (the inverse of maskApi.c rleToString).

    Done in Python, with validation, because pycocotools' decoder trusts its input and writes
    past its buffer when the runs do not add up to h*w.
    """
    data = text.encode("ascii") if isinstance(text, str) else bytes(text)
    counts: list[int] = []
    p, n = 0, len(data)
    while p < n:
        x, k, more = 0, 0, True
        while more:
            if p >= n:
                raise RleError("RLE counts string ends in the middle of a number")
            c = data[p] - 48
            if not 0 <= c < 64:
                raise RleError(f"RLE counts string has an invalid character {chr(data[p])!r}")
            x |= (c & 0x1F) << (5 * k)
            more = bool(c & 0x20)
            p += 1
            k += 1
            if not more and c & 0x10:
                x |= -1 << (5 * k)
        if len(counts) > 2:
            x += counts[-2]
        if x < 0:
            raise RleError("RLE counts string decodes to a negative run")
        counts.append(x)
    return counts


def decode_rle(rle: object, expected_size: tuple[int, int] | None = None) -> np.ndarray:
    """Compressed (str/bytes counts) or uncompressed (list counts) RLE -> bool (H, W) mask.

    Raises RleError when the size is missing or differs from expected_size=(H, W), or when the
    runs are malformed (negative, or not adding up to H*W).
    """
    if not isinstance(rle, dict) or "counts" not in rle or "size" not in rle:
        raise RleError("RLE needs 'size' and 'counts'")
    try:
        h, w = (int(v) for v in rle["size"])
    except (TypeError, ValueError) as exc:
        raise RleError(f"RLE size {rle['size']!r} is not [height, width]") from exc
    if expected_size is not None and (h, w) != tuple(expected_size):
        raise RleError(f"RLE size {h}x{w} (HxW) does not match the {expected_size[0]}x{expected_size[1]} image")
    raw = rle["counts"]
    if isinstance(raw, list):
        try:
            counts = [int(c) for c in raw]
        except (TypeError, ValueError) as exc:
            raise RleError("uncompressed RLE counts must be integers") from exc
        if any(c < 0 for c in counts):
            raise RleError("uncompressed RLE has a negative run")
    elif isinstance(raw, (str, bytes)):
        counts = string_to_counts(raw)
    else:
        raise RleError("RLE counts must be a string or a list of integers")
    if sum(counts) != h * w:
        raise RleError(f"RLE runs cover {sum(counts)} pixels, expected {h * w} ({h}x{w})")
    values = np.zeros(len(counts), bool)
    values[1::2] = True
    flat = np.repeat(values, counts)
    return flat.reshape(w, h).T
