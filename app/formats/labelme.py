"""labelme JSON in and out (landscape.md §5.1): finding and importing labelme files here, shapes
in labelme_shapes.py, export in labelme_export.py (re-exported below).

Import is idempotent: an instance already in the image (same class, mask IoU >= DUPLICATE_IOU)
is skipped and counted in ImportReport.duplicates_skipped, so exporting labelme files next to
the images and importing them again does not double every instance. `labelme_files_to_import`
lists the images whose labelme file would add something, using the importer's own plan, so an
offer to import and the import itself agree.

Security: `imagePath` is only ever compared by basename, never opened, and `imageData` is
ignored, so a label file cannot make us read or write outside the project.
"""

from __future__ import annotations

import os
import posixpath
from pathlib import Path

from app.core.categories import LabelSet
from app.core.document import Document
from app.core.geometry import RasterGeometry, mask_iou, to_raster
from app.core.instance import Instance
from app.core.text import QT_TRANSLATE_NOOP
from app.formats import json_read
from app.formats.labelme_export import (
    LABELME_MASK_VERSION,
    LABELME_VERSION,
    document_to_labelme,
    export_labelme,
    instance_shapes,
    labelme_version,
)
from app.formats.labelme_shapes import (
    ShapeError,
    circle_polygon,
    decode_mask_patch,
    shape_geometry,
    shapes_to_instances,
)
from app.formats.project_io import (
    CategoryResolver,
    FormatError,
    ImageMatcher,
    ImportReport,
    ProgressFn,
    ShouldStop,
    commit_import,
    has_size,
    load_document,
    never_stop,
    no_progress,
)
from app.formats.store import ProjectStore

__all__ = [
    "DUPLICATE_IOU", "LABELME_MASK_VERSION", "LABELME_VERSION", "ShapeError", "circle_polygon", "decode_mask_patch",
    "document_to_labelme", "export_labelme", "find_labelme_files", "import_labelme", "instance_shapes",
    "labelme_files_to_import", "labelme_version", "read_labelme", "shape_geometry",
]

#: An imported instance whose mask has at least this IoU with an instance of the same class
#: already in the image is that instance (our own export read back, or the same file twice).
DUPLICATE_IOU = 0.99


# ---- finding and reading files ----------------------------------------------------------------


def find_labelme_files(folder: str | os.PathLike, images: list[str]) -> dict[str, Path]:
    """image rel path -> labelme JSON lying next to it (`<folder>/<rel without ext>.json`).

    Each sub-folder is listed once (not one stat per image), and a JSON counts only when it
    looks like a labelme file (has a "shapes" key), so our own or other tools' JSONs are ignored.
    """
    root = Path(folder)
    listing: dict[str, set[str]] = {}
    candidates: dict[Path, list[str]] = {}
    for rel in images:
        parent, base = posixpath.split(rel)
        if parent not in listing:
            try:
                listing[parent] = {e.name for e in os.scandir(root / parent) if e.name.endswith(".json")}
            except OSError:
                listing[parent] = set()
        name = posixpath.splitext(base)[0] + ".json"
        if name in listing[parent]:
            candidates.setdefault(root / parent / name, []).append(rel)
    found: dict[str, Path] = {}
    for path, rels in candidates.items():
        if not _looks_like_labelme(path):
            continue
        if len(rels) > 1:  # img.jpg and img.png beside one img.json: its imagePath decides
            try:
                named = posixpath.basename(str(read_labelme(path).get("imagePath") or "").replace("\\", "/"))
            except FormatError:
                continue
            rels = [r for r in rels if posixpath.basename(r) == named]
        if len(rels) == 1:
            found[rels[0]] = path
    return found


def _looks_like_labelme(path: Path) -> bool:
    try:
        with open(path, "rb") as fh:
            head = fh.read(65536)
            if b'"shapes"' in head:
                return True
            if len(head) < 65536:
                return False
        data = json_read.loads(path.read_bytes())  # "shapes" after a large imageData
        return isinstance(data, dict) and "shapes" in data
    except (OSError, ValueError):
        return False


def read_labelme(path: str | os.PathLike) -> dict:
    """Parse a labelme JSON file. Raises FormatError with a readable reason."""
    try:
        raw = Path(path).read_bytes()
        data = json_read.loads(raw[3:] if raw.startswith(b"\xef\xbb\xbf") else raw)  # a BOM is allowed
    except OSError as exc:
        raise FormatError(QT_TRANSLATE_NOOP("LabelImport", "cannot read {name}: {error}").format(name=Path(path).name, error=exc.strerror or exc)) from exc
    except (ValueError, UnicodeDecodeError) as exc:
        raise FormatError(QT_TRANSLATE_NOOP("LabelImport", "{name} is not valid JSON: {error}").format(name=Path(path).name, error=exc)) from exc
    if not isinstance(data, dict) or not isinstance(data.get("shapes"), list):
        raise FormatError(QT_TRANSLATE_NOOP("LabelImport", "{name} is not a labelme file (no 'shapes' list)").format(name=Path(path).name))
    return data


# ---- import --------------------------------------------------------------------------------------


def import_labelme(
    folder: str | os.PathLike,
    store: ProjectStore,
    labels: LabelSet,
    images: list[str],
    *,
    source_dir: str | os.PathLike | None = None,
    should_stop: ShouldStop = never_stop,
    progress: ProgressFn = no_progress,
) -> ImportReport:
    """Import labelme JSONs: from next to the images (source_dir None), or from source_dir,
    matched by path without extension, else by the basename of `imagePath`. Labels unknown
    to the project are added to `labels` when a shape of theirs is imported. Each file is
    imported all-or-nothing per image; instances already in the image are skipped."""
    report = ImportReport()
    pairs = _pairs(Path(folder), images, source_dir, report)
    for done, (rel, path) in enumerate(pairs, start=1):
        if should_stop():
            report.cancelled = True
            break
        planned = _plan_file(Path(folder), store, labels, rel, path, report)
        if planned is not None:
            doc, new, resolver = planned
            commit_import(store, doc, new, report, resolver)
        progress(done, len(pairs))
    return report


def labelme_files_to_import(folder: str | os.PathLike, store: ProjectStore, labels: LabelSet,
                            images: list[str]) -> dict[str, Path]:
    """image rel path -> the labelme JSON next to it, for the images where
    import_labelme(folder, store, labels, images) would add at least one instance (a file whose
    every shape is already in the image, or unusable, is left out). Changes nothing."""
    report = ImportReport()
    out: dict[str, Path] = {}
    for rel, path in find_labelme_files(folder, images).items():
        planned = _plan_file(Path(folder), store, labels, rel, path, report)
        if planned is not None and planned[1]:
            out[rel] = path
    return out


def _pairs(folder: Path, images: list[str], source_dir, report: ImportReport) -> list[tuple[str, Path]]:
    if source_dir is None:
        return list(find_labelme_files(folder, images).items())
    src = Path(source_dir)
    matcher = ImageMatcher(images)
    pairs, seen = [], set()
    for path in sorted(src.rglob("*.json")):
        rel = matcher.match_stem(path.relative_to(src).with_suffix("").as_posix())
        if rel is None:
            try:
                rel, _why = matcher.match(str(read_labelme(path).get("imagePath") or ""))
            except FormatError as exc:
                report.warn(path.name, "", exc)
                continue
        if rel is None or rel in seen:
            report.unmatched.append(path.relative_to(src).as_posix())
            continue
        seen.add(rel)
        pairs.append((rel, path))
    return pairs


def _plan_file(folder: Path, store: ProjectStore, labels: LabelSet, rel: str, path: Path,
               report: ImportReport) -> tuple[Document, list[Instance], CategoryResolver] | None:
    """(the image's document, the instances the file would add, their category resolver), or
    None when the file cannot be used for `rel` (reported). Nothing is written or added."""
    try:
        data = read_labelme(path)
    except FormatError as exc:
        report.warn(path.name, "", exc)
        return None
    doc, warning = load_document(folder, store, rel)
    if warning:
        report.warn(rel, "", warning)
    if not has_size(doc):
        return None
    w, h = data.get("imageWidth"), data.get("imageHeight")
    if isinstance(w, int) and isinstance(h, int) and w > 0 and h > 0 and (w, h) != (doc.width, doc.height):
        report.warn(path.name, "", QT_TRANSLATE_NOOP("LabelImport", "written for a {w}x{h} image but {image} is {width}x{height}; skipped")
                    .format(w=w, h=h, image=rel, width=doc.width, height=doc.height))
        return None
    named = posixpath.basename(str(data.get("imagePath") or "").replace("\\", "/"))
    if named and named != posixpath.basename(rel):
        report.warn(path.name, "imagePath", QT_TRANSLATE_NOOP("LabelImport", "names {named}; imported for {image}, the image it lies next to")
                    .format(named=repr(named), image=rel))
    resolver = CategoryResolver(labels, report)
    new = shapes_to_instances(data, doc.width, doc.height, resolver, report, path.name)
    fresh = _without_duplicates(doc, new)
    report.duplicates_skipped += len(new) - len(fresh)
    return doc, fresh, resolver


def _without_duplicates(doc: Document, new: list[Instance]) -> list[Instance]:
    """`new` minus the instances whose class and mask (IoU >= DUPLICATE_IOU) are already in `doc`."""
    clip = (doc.height, doc.width)
    existing: dict[int, list[RasterGeometry]] = {}
    for inst in doc:
        raster = to_raster(inst.geometry, clip)
        if not raster.is_empty():
            existing.setdefault(inst.category_id, []).append(raster)
    out = []
    for inst in new:
        same_class = existing.get(inst.category_id, [])
        raster = to_raster(inst.geometry, clip) if same_class else None
        if raster is None or not any(_overlap(raster, e) and mask_iou(raster, e) >= DUPLICATE_IOU for e in same_class):
            out.append(inst)
    return out


def _overlap(a: RasterGeometry, b: RasterGeometry) -> bool:
    ax0, ay0, ax1, ay1 = a.bbox()
    bx0, by0, bx1, by1 = b.bbox()
    return ax0 < bx1 and bx0 < ax1 and ay0 < by1 and by0 < ay1
