"""PNG label maps in the Pascal VOC layout (formats-and-speed.md §1.4).

Export, under the output folder:
  class_names.txt               line i = the class of pixel value i (line 0: _background_)
  SegmentationClass/<stem>.png  8-bit palette PNG, pixel = class index, VOC colormap; 255 = void
                                (instances of a class named "__ignore__", labelme's convention)
  SegmentationObject/<stem>.png 16-bit grey PNG, pixel = 1-based instance index in z-order, 0 = none
                                (also under "__ignore__" regions: they are no object)
  SegmentationMasks/<stem>/<k>_<class>.png   optional: one 0/255 PNG per instance, unoccluded
                                (none for "__ignore__" regions)
Overlaps resolve by z-order (later instances on top). Class indices are positions in the class
list, not category ids, because ids may have gaps (COCO's 1..90) and VOC expects 1..N.

Import reads SegmentationClass (one instance per class present) or SegmentationClass +
SegmentationObject (one instance per object, its class by majority vote of the class map).
Void (255) pixels are not imported. Palette PNGs are read as indices, never as colours, so
Pillow (installed with torchvision) is needed for them.
"""

from __future__ import annotations

import io
import os
import posixpath
import re
from pathlib import Path

import cv2
import numpy as np

from app.core.categories import LabelSet
from app.core.geometry import to_raster
from app.core.instance import Instance
from app.core.text import QT_TRANSLATE_NOOP
from app.formats.atomic import write_bytes_atomic
from app.formats.project_io import (
    IGNORE_NAME,
    CategoryResolver,
    ExportReport,
    FormatError,
    ImportReport,
    ProgressFn,
    ShouldStop,
    commit_import,
    exported_instances,
    has_size,
    iter_documents,
    load_document,
    never_stop,
    no_progress,
    raster_from_full,
)
from app.formats.store import ProjectStore

VOID = 255
CLASS_DIR, OBJECT_DIR, MASKS_DIR = "SegmentationClass", "SegmentationObject", "SegmentationMasks"
CLASS_FILE = "class_names.txt"
_BACKGROUND_NAMES = {"_background_", "background", "__background__"}


def voc_colormap(n: int = 256) -> np.ndarray:
    """uint8 (n, 3) Pascal VOC palette: index bits 0/1/2 go to R/G/B from the MSB downwards."""
    cmap = np.zeros((n, 3), np.uint8)
    for i in range(n):
        c, r, g, b = i, 0, 0, 0
        for j in range(8):
            r |= ((c >> 0) & 1) << (7 - j)
            g |= ((c >> 1) & 1) << (7 - j)
            b |= ((c >> 2) & 1) << (7 - j)
            c >>= 3
        cmap[i] = (r, g, b)
    return cmap


def _pil():
    try:
        from PIL import Image
    except ImportError as exc:  # pragma: no cover - Pillow comes with torchvision
        raise FormatError(QT_TRANSLATE_NOOP("LabelImport", "palette PNGs need Pillow (pip install Pillow)")) from exc
    return Image


def encode_palette_png(index: np.ndarray) -> bytes:
    """uint8 (H, W) class indices -> palette PNG bytes with the VOC colormap."""
    img = _pil().fromarray(np.ascontiguousarray(index, np.uint8), mode="P")
    img.putpalette(voc_colormap().reshape(-1).tolist())
    buf = io.BytesIO()
    img.save(buf, format="PNG", optimize=False)
    return buf.getvalue()


def read_label_png(path: Path) -> np.ndarray:
    """A label PNG as integer values (H, W): palette PNGs give their indices, grey ones their
    values (8 or 16 bit), RGB ones are mapped back through the VOC colormap. Raises FormatError."""
    Image = _pil()
    try:
        with Image.open(path) as img:
            img.load()
            mode = img.mode
            arr = np.array(img)
    except (OSError, ValueError) as exc:
        raise FormatError(QT_TRANSLATE_NOOP("LabelImport", "cannot read {name}: {error}").format(name=path.name, error=exc)) from exc
    if mode in ("P", "L", "I;16", "I;16B", "I", "1"):
        return arr.astype(np.int32)
    if mode in ("RGB", "RGBA"):
        rgb = arr[..., :3].astype(np.int32)
        key = (rgb[..., 0] << 16) | (rgb[..., 1] << 8) | rgb[..., 2]
        cmap = voc_colormap().astype(np.int32)
        table = {int((r << 16) | (g << 8) | b): i for i, (r, g, b) in enumerate(cmap)}
        uniq, inverse = np.unique(key, return_inverse=True)
        values = np.array([table.get(int(u), -1) for u in uniq], np.int32)
        if (values < 0).any():
            raise FormatError(QT_TRANSLATE_NOOP("LabelImport", "{name} has colours outside the VOC colormap").format(name=path.name))
        return values[inverse].reshape(key.shape)
    raise FormatError(QT_TRANSLATE_NOOP("LabelImport", "{name}: unsupported PNG mode {mode}").format(name=path.name, mode=mode))


def _stem(rel: str) -> str:
    return posixpath.splitext(rel)[0]


def _safe(name: str) -> str:
    return re.sub(r"[^\w.-]+", "_", name).strip("._") or "class"


def class_table(labels: LabelSet) -> tuple[list[str], dict[int, int]]:
    """(class_names.txt lines, category id -> pixel value). Raises FormatError past 254 classes."""
    names, values = ["_background_"], {}
    for cat in labels:
        if cat.name == IGNORE_NAME:
            values[cat.id] = VOID
            continue
        values[cat.id] = len(names)
        names.append(cat.name)
    if len(names) > VOID:
        raise FormatError(QT_TRANSLATE_NOOP("LabelExport", "{n} classes do not fit an 8-bit class PNG (at most 254)").format(n=len(names) - 1))
    return names, values


def export_png_masks(
    folder: str | os.PathLike,
    store: ProjectStore,
    labels: LabelSet,
    images: list[str],
    out_dir: str | os.PathLike,
    *,
    semantic: bool = True,
    instances: bool = True,
    binary: bool = False,
    include_suggestions: bool = False,
    should_stop: ShouldStop = never_stop,
    progress: ProgressFn = no_progress,
) -> ExportReport:
    """Write the PNG label maps of `images` into out_dir (layout in the module docstring).
    Instances of classes missing from `labels` are left out and reported."""
    out = Path(out_dir)
    report = ExportReport(path=str(out))
    names, values = class_table(labels)
    try:
        out.mkdir(parents=True, exist_ok=True)
        write_bytes_atomic(out / CLASS_FILE, "".join(f"{n}\n" for n in names).encode("utf-8"))
        report.files_written += 1
        for n, rel, doc in iter_documents(folder, store, images, report, should_stop):
            cls = np.zeros((doc.height, doc.width), np.uint8)
            obj = np.zeros((doc.height, doc.width), np.uint16)
            kept = 0
            for inst in exported_instances(doc, include_suggestions):
                if inst.category_id not in values:
                    report.warn(rel, QT_TRANSLATE_NOOP("LabelRecords", "instance {id}").format(id=inst.id), QT_TRANSLATE_NOOP("LabelExport", "class id {id} is not in the class list; left out").format(id=inst.category_id))
                    continue
                raster = to_raster(inst.geometry, (doc.height, doc.width))
                if values[inst.category_id] == VOID:  # an ignore region: void, and no object
                    raster.paste_into(cls, VOID)
                    raster.paste_into(obj, 0)
                    continue
                kept += 1
                raster.paste_into(cls, values[inst.category_id])
                raster.paste_into(obj, kept)
                if binary:
                    target = out / MASKS_DIR / _stem(rel) / f"{kept}_{_safe(labels.name(inst.category_id))}.png"
                    _write_png(target, raster.full(doc.height, doc.width).astype(np.uint8) * 255)
                    report.files_written += 1
            if semantic:
                target = out / CLASS_DIR / f"{_stem(rel)}.png"
                target.parent.mkdir(parents=True, exist_ok=True)
                write_bytes_atomic(target, encode_palette_png(cls))
                report.files_written += 1
            if instances:
                _write_png(out / OBJECT_DIR / f"{_stem(rel)}.png", obj)
                report.files_written += 1
            report.images, report.instances = n, report.instances + kept
            progress(n, len(images))
    except OSError as exc:
        raise FormatError(QT_TRANSLATE_NOOP("LabelExport", "cannot write PNG masks into {folder}: {error}").format(folder=out, error=exc.strerror or exc)) from exc
    return report


def _write_png(path: Path, arr: np.ndarray) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    ok, buf = cv2.imencode(".png", arr)
    if not ok:
        raise FormatError(QT_TRANSLATE_NOOP("LabelExport", "could not encode {name}").format(name=path.name))
    write_bytes_atomic(path, buf.tobytes())


# ---- import ----------------------------------------------------------------------------------


def read_class_names(source: Path, labels: LabelSet, report: ImportReport) -> list[str | None]:
    """Pixel value -> class name (None for background), from class_names.txt or labels.txt;
    without either, the project's class order is assumed (and reported)."""
    for fname in (CLASS_FILE, "labels.txt"):
        path = source / fname
        if path.is_file():
            try:
                lines = [ln.strip() for ln in path.read_text(encoding="utf-8-sig").splitlines()]
            except (OSError, UnicodeDecodeError) as exc:
                raise FormatError(QT_TRANSLATE_NOOP("LabelImport", "cannot read {name}: {error}").format(name=path.name, error=exc)) from exc
            lines = [ln for ln in lines if ln and ln != IGNORE_NAME]
            return [None if ln.lower() in _BACKGROUND_NAMES else ln for ln in lines]
    report.warn(source.name, "", QT_TRANSLATE_NOOP("LabelImport", "no {file}: pixel value i is taken as the project's i-th class").format(file=CLASS_FILE))
    return [None] + [c.name for c in labels]


def import_png_masks(
    folder: str | os.PathLike,
    store: ProjectStore,
    labels: LabelSet,
    images: list[str],
    source_dir: str | os.PathLike,
    *,
    should_stop: ShouldStop = never_stop,
    progress: ProgressFn = no_progress,
) -> ImportReport:
    """Import VOC-style PNGs from source_dir (SegmentationClass/ [+ SegmentationObject/]),
    matched to project images by path without extension, else by basename stem."""
    source = Path(source_dir)
    report = ImportReport()
    if not (source / CLASS_DIR).is_dir():
        raise FormatError(QT_TRANSLATE_NOOP("LabelImport", "{folder} has no {name} folder").format(folder=source, name=CLASS_DIR))
    class_names = read_class_names(source, labels, report)
    resolver = CategoryResolver(labels, report)
    stems = {p.relative_to(source / CLASS_DIR).with_suffix("").as_posix() for p in (source / CLASS_DIR).rglob("*.png")}
    base_stems: dict[str, list[str]] = {}
    for s in stems:
        base_stems.setdefault(posixpath.basename(s), []).append(s)
    todo = []
    for rel in images:
        stem = _stem(rel) if _stem(rel) in stems else None
        if stem is None and len(base_stems.get(posixpath.basename(_stem(rel)), [])) == 1:
            stem = base_stems[posixpath.basename(_stem(rel))][0]
        if stem is not None:
            todo.append((rel, stem))
    matched = {s for _, s in todo}
    report.unmatched.extend(sorted(f"{s}.png" for s in stems - matched))
    for done, (rel, stem) in enumerate(todo, start=1):
        if should_stop():
            report.cancelled = True
            break
        _import_image(Path(folder), store, source, rel, stem, class_names, resolver, report)
        progress(done, len(todo))
    return report


def _import_image(folder: Path, store: ProjectStore, source: Path, rel: str, stem: str,
                  class_names: list[str | None], resolver: CategoryResolver, report: ImportReport) -> None:
    cls_name = f"{CLASS_DIR}/{stem}.png"
    try:
        cls = read_label_png(source / cls_name)
        obj_path = source / OBJECT_DIR / f"{stem}.png"
        obj = read_label_png(obj_path) if obj_path.is_file() else None
    except FormatError as exc:
        report.warn(cls_name, "", exc)
        return
    doc, warning = load_document(folder, store, rel)
    if warning:
        report.warn(rel, "", warning)
    if not has_size(doc):
        return
    for arr, what in ((cls, cls_name), (obj, f"{OBJECT_DIR}/{stem}.png")):
        if arr is not None and arr.shape != (doc.height, doc.width):
            report.warn(what, "", QT_TRANSLATE_NOOP("LabelImport", "PNG is {w}x{h} but the image is {width}x{height}; skipped")
                        .format(w=arr.shape[1], h=arr.shape[0], width=doc.width, height=doc.height))
            return

    def category(value: int, record: str) -> int | None:
        name = class_names[value] if 0 <= value < len(class_names) else None
        if name is None:
            report.warn(cls_name, record, QT_TRANSLATE_NOOP("LabelImport", "class value {value} is not in the class list; skipped").format(value=value))
            return None
        return resolver.resolve(name)

    new: list[Instance] = []
    if obj is None:
        for value in np.unique(cls):
            if value in (0, VOID):
                continue
            cid = category(int(value), QT_TRANSLATE_NOOP("LabelRecords", "class value {value}").format(value=value))
            if cid is not None:
                new.append(Instance(0, cid, raster_from_full(cls == value), source="import",
                                    provenance={"imported_from": "png"}))
    else:
        void = VOID if obj.max(initial=0) <= VOID else -1  # 8-bit VOC object PNGs use 255 as void
        for value in np.unique(obj):
            if value == 0 or value == void:
                continue
            mask = obj == value
            votes = np.bincount(cls[mask].clip(0, VOID), minlength=VOID + 1)
            votes[0] = votes[VOID] = 0
            if votes.sum() == 0:
                report.warn(f"{OBJECT_DIR}/{stem}.png", QT_TRANSLATE_NOOP("LabelRecords", "object {value}").format(value=value), QT_TRANSLATE_NOOP("LabelImport", "lies on background/void in the class PNG; skipped"))
                continue
            cid = category(int(votes.argmax()), QT_TRANSLATE_NOOP("LabelRecords", "object {value}").format(value=value))
            if cid is not None:
                new.append(Instance(0, cid, raster_from_full(mask), source="import",
                                    provenance={"imported_from": "png"}))
    commit_import(store, doc, new, report, resolver)
