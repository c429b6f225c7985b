"""COCO panoptic: one RGB PNG of segment ids per image plus a JSON of segments (§1.3).

PNG pixel id = R + 256·G + 256²·B, 0 = void. Segments cannot overlap, so export paints the
instances bottom to top (later instances cover earlier ones) and then measures what stayed
visible; fully covered instances are left out. Instances of the class "__ignore__" (labelme's
do-not-care regions) are painted as void (0): panopticapi ignores void pixels in PQ, and the
class is left out of `categories`. Image ids kept from an import are written back (ids.py), so
import -> export reproduces the JSON apart from `info` and `licenses`. Segment ids are kept across an import/export
round trip: import stores each segment's id in instance.provenance["panoptic_id"] and export
reuses it when it is still free in that image. New segments get ids from the category colour
(exactly the colour for stuff, a jittered one for things, like panopticapi's IdGenerator), so
the PNGs stay readable in an image viewer.
"""

from __future__ import annotations

import os
import posixpath
import zlib
from pathlib import Path

import cv2
import numpy as np

from app.core.categories import LabelSet
from app.core.document import Document
from app.core.geometry import to_raster
from app.core.instance import Instance
from app.core.text import QT_TRANSLATE_NOOP
from app.formats.atomic import write_bytes_atomic, write_json_atomic
from app.formats.coco import coco_categories
from app.formats.ids import assign_ids
from app.formats.project_io import (
    CategoryResolver,
    ExportReport,
    FormatError,
    ImageMatcher,
    ImportReport,
    ProgressFn,
    ShouldStop,
    commit_import,
    exported_instances,
    has_size,
    inside,
    is_ignore,
    iter_documents,
    keep_image_record,
    load_document,
    never_stop,
    no_progress,
    parse_color,
    raster_from_full,
)
from app.formats.sniff import PANOPTIC, read_json, require
from app.formats.store import ProjectStore

MAX_ID = 256**3 - 1


def rgb_to_id(rgb: np.ndarray) -> np.ndarray:
    """uint8 (H, W, 3) RGB -> int32 (H, W) ids. Cast first: uint8 * 256 overflows."""
    rgb = rgb.astype(np.int32)
    return rgb[..., 0] + 256 * rgb[..., 1] + 65536 * rgb[..., 2]


def id_to_rgb(ids: np.ndarray) -> np.ndarray:
    """Integer (H, W) ids -> uint8 (H, W, 3) RGB."""
    ids = ids.astype(np.uint32)
    return np.stack([ids & 255, (ids >> 8) & 255, (ids >> 16) & 255], axis=-1).astype(np.uint8)


def _color_id(color: tuple[int, int, int]) -> int:
    return int(color[0]) + 256 * int(color[1]) + 65536 * int(color[2])


class _IdPicker:
    """Segment ids for one image: preserved ids first, then colour-derived fresh ones."""

    def __init__(self, image_name: str) -> None:
        self.used: set[int] = {0}
        self.rng = np.random.default_rng(zlib.crc32(image_name.encode("utf-8")))

    def claim(self, wanted: object) -> int | None:
        if isinstance(wanted, int) and not isinstance(wanted, bool) and 0 < wanted <= MAX_ID and wanted not in self.used:
            self.used.add(wanted)
            return wanted
        return None

    def fresh(self, color: tuple[int, int, int], isthing: bool) -> int:
        if not isthing and (sid := self.claim(_color_id(color))) is not None:
            return sid
        base = np.array(color, np.int64)
        for _ in range(200):
            jitter = np.clip(base + self.rng.integers(-30, 31, 3), 0, 255)
            if (sid := self.claim(_color_id(tuple(int(v) for v in jitter)))) is not None:
                return sid
        sid = 1
        while sid in self.used:
            sid += 1
        self.used.add(sid)
        return sid


def panoptic_from_document(
    doc: Document, labels: LabelSet, include_suggestions: bool = False, report: ExportReport | None = None
) -> tuple[np.ndarray, list[dict]]:
    """(uint32 (H, W) id map, segments_info) of one document; z-order decides overlaps and
    "__ignore__" instances paint void (0)."""
    instances = exported_instances(doc, include_suggestions)
    picker = _IdPicker(doc.image_name)
    void = [is_ignore(labels, i.category_id) for i in instances]
    ids: list[int | None] = [0 if v else picker.claim(i.provenance.get("panoptic_id")) for i, v in zip(instances, void)]
    for k, inst in enumerate(instances):
        if ids[k] is None:
            cat = labels.get(inst.category_id)
            ids[k] = picker.fresh(labels.color(inst.category_id), cat.isthing if cat else True)
    id_map = np.zeros((doc.height, doc.width), np.uint32)
    rasters = []
    for inst, sid in zip(instances, ids):
        raster = to_raster(inst.geometry, (doc.height, doc.width))
        raster.paste_into(id_map, sid)
        rasters.append(raster)
    segments = []
    for inst, sid, raster in zip(instances, ids, rasters):
        if sid == 0:
            continue
        x0, y0, x1, y1 = raster.bbox()
        x0, y0, x1, y1 = max(x0, 0), max(y0, 0), min(x1, doc.width), min(y1, doc.height)
        visible = id_map[y0:y1, x0:x1] == sid  # a segment can only be inside its own box
        area = int(np.count_nonzero(visible))
        if area == 0:
            if report is not None:
                report.warn(doc.image_name, QT_TRANSLATE_NOOP("LabelRecords", "instance {id}").format(id=inst.id), QT_TRANSLATE_NOOP("LabelExport", "completely covered by instances above it; left out"))
            continue
        rows, cols = np.flatnonzero(visible.any(axis=1)), np.flatnonzero(visible.any(axis=0))
        bbox = [x0 + int(cols[0]), y0 + int(rows[0]), int(cols[-1] - cols[0] + 1), int(rows[-1] - rows[0] + 1)]
        segments.append({"id": int(sid), "category_id": inst.category_id, "area": area, "bbox": bbox,
                         "iscrowd": int(bool(inst.provenance.get("iscrowd", 0)))})
    return id_map, segments


def _png_names(images: list[str]) -> dict[str, str]:
    """Project image -> PNG name under the PNG folder (sub-folders kept, '.png' extension)."""
    out: dict[str, str] = {}
    taken: set[str] = set()
    for rel in images:
        name = posixpath.splitext(rel)[0] + ".png"
        if name in taken:  # img.jpg and img.png side by side
            name = rel + ".png"
        taken.add(name)
        out[rel] = name
    return out


def export_panoptic(
    folder: str | os.PathLike,
    store: ProjectStore,
    labels: LabelSet,
    images: list[str],
    out_json: str | os.PathLike,
    *,
    png_dir: str | os.PathLike | None = None,
    include_suggestions: bool = False,
    should_stop: ShouldStop = never_stop,
    progress: ProgressFn = no_progress,
) -> ExportReport:
    """Write `out_json` and one PNG per image into png_dir (default: the JSON's path without
    '.json', the COCO layout). PNGs already written stay when cancelled; the JSON is not written."""
    out_json = Path(out_json)
    png_root = Path(png_dir) if png_dir else out_json.with_suffix("")
    report = ExportReport(path=str(out_json))
    names = _png_names(images)
    image_entries: list[dict] = []
    annotations: list[dict] = []
    try:
        for n, rel, doc in iter_documents(folder, store, images, report, should_stop):
            id_map, segments = panoptic_from_document(doc, labels, include_suggestions, report)
            target = png_root / names[rel]
            target.parent.mkdir(parents=True, exist_ok=True)
            ok, buf = cv2.imencode(".png", cv2.cvtColor(id_to_rgb(id_map), cv2.COLOR_RGB2BGR))
            if not ok:
                raise FormatError(QT_TRANSLATE_NOOP("LabelExport", "could not encode the panoptic PNG of {image}").format(image=rel))
            write_bytes_atomic(target, buf.tobytes())
            extra = {k: v for k, v in doc.image_info.items() if k not in ("file_name", "width", "height")}
            image_entries.append({**extra, "file_name": doc.image_name, "width": doc.width, "height": doc.height})
            annotations.append({"file_name": names[rel], "segments_info": segments})
            report.images, report.instances, report.files_written = n, report.instances + len(segments), n
            progress(n, len(images))
        if report.cancelled:
            return report
        for entry, ann, iid in zip(image_entries, annotations, assign_ids(e.get("id") for e in image_entries)):
            entry["id"] = ann["image_id"] = iid
        write_json_atomic(out_json, {"info": {"description": "Exported by MaskPilot"}, "licenses": [],
                                     "images": image_entries, "annotations": annotations,
                                     "categories": coco_categories(labels, skip_ignore=True)})
    except OSError as exc:
        raise FormatError(QT_TRANSLATE_NOOP("LabelExport", "cannot write the panoptic export: {error}").format(error=exc.strerror or exc)) from exc
    report.files_written += 1
    return report


def read_panoptic_png(path: Path) -> np.ndarray:
    """int32 (H, W) segment ids of a panoptic PNG. Raises FormatError."""
    try:
        data = np.fromfile(path, np.uint8)
    except OSError as exc:
        raise FormatError(QT_TRANSLATE_NOOP("LabelImport", "cannot read {name}: {error}").format(name=path.name, error=exc.strerror or exc)) from exc
    img = cv2.imdecode(data, cv2.IMREAD_UNCHANGED) if data.size else None
    if img is None or img.ndim != 3 or img.shape[2] not in (3, 4) or img.dtype != np.uint8:
        raise FormatError(QT_TRANSLATE_NOOP("LabelImport", "{name} is not an 8-bit RGB PNG").format(name=path.name))
    return rgb_to_id(cv2.cvtColor(img[:, :, :3], cv2.COLOR_BGR2RGB))


def import_panoptic(
    folder: str | os.PathLike,
    store: ProjectStore,
    labels: LabelSet,
    images: list[str],
    json_path: str | os.PathLike,
    *,
    png_dir: str | os.PathLike | None = None,
    should_stop: ShouldStop = never_stop,
    progress: ProgressFn = no_progress,
) -> ImportReport:
    """Import a COCO panoptic JSON and its PNGs (png_dir defaults to the JSON's path without
    '.json'). Every segment becomes a raster instance (stuff ones of stuff classes) keeping its
    id in provenance["panoptic_id"], each image its image record (id, license, ...). PNG names are
    confined to png_dir. Raises FormatError, changing nothing, when the JSON is unusable or of
    another format."""
    json_path = Path(json_path)
    png_root = Path(png_dir) if png_dir else json_path.with_suffix("")
    name = json_path.name
    report = ImportReport()
    data = read_json(json_path)
    require(data, PANOPTIC, name, "COCO panoptic")
    if not isinstance(data, dict) or not isinstance(data.get("annotations"), list) or not isinstance(data.get("images"), list):
        raise FormatError(QT_TRANSLATE_NOOP("LabelImport", "{name} is not a COCO panoptic file (no 'images'/'annotations' lists)").format(name=name))
    resolver = CategoryResolver(labels, report)
    cat_map: dict[int, int] = {}
    for cat in data.get("categories") or []:
        try:
            cat_map[int(cat["id"])] = resolver.resolve(str(cat["name"]), int(cat["id"]), parse_color(cat.get("color")),
                                                       bool(cat.get("isthing", 1)), str(cat.get("supercategory") or ""))
        except (KeyError, TypeError, ValueError) as exc:
            report.warn(name, QT_TRANSLATE_NOOP("LabelRecords", "category {category}").format(category=f"{cat!r:.60}"), QT_TRANSLATE_NOOP("LabelImport", "invalid category ({error}); skipped").format(error=exc))
    records: dict[int, dict] = {}
    for img in data["images"]:
        try:
            int(img["id"]), str(img["file_name"])
            records[int(img["id"])] = img
        except (KeyError, TypeError, ValueError):
            report.warn(name, QT_TRANSLATE_NOOP("LabelRecords", "image {image}").format(image=f"{img!r:.60}"), QT_TRANSLATE_NOOP("LabelImport", "image record without id/file_name; skipped"))
    matcher = ImageMatcher(images)
    anns = [a for a in data["annotations"] if isinstance(a, dict)]
    for done, ann in enumerate(anns, start=1):
        if should_stop():
            report.cancelled = True
            break
        _import_one(Path(folder), store, ann, records, matcher, png_root, cat_map, resolver, name, report)
        progress(done, len(anns))
    return report


def _import_one(folder: Path, store: ProjectStore, ann: dict, records: dict[int, dict], matcher: ImageMatcher,
                png_root: Path, cat_map: dict[int, int], resolver: CategoryResolver, name: str,
                report: ImportReport) -> None:
    record = QT_TRANSLATE_NOOP("LabelRecords", "annotation of image {id}").format(id=ann.get("image_id"))
    img = records.get(ann.get("image_id"))  # type: ignore[arg-type]
    if img is None:
        report.warn(name, record, QT_TRANSLATE_NOOP("LabelImport", "image_id not listed in 'images'; skipped"))
        return
    fname = str(img["file_name"])
    rel, why = matcher.match(fname)
    if rel is None:
        report.unmatched.append(fname)
        if why != "no such image in the folder":
            report.warn(name, record, why)
        return
    png_path = png_root / str(ann.get("file_name", ""))
    if not ann.get("file_name") or not inside(png_path, png_root):
        report.warn(name, record, QT_TRANSLATE_NOOP("LabelImport", "PNG name {name} is outside the PNG folder; skipped").format(name=repr(ann.get("file_name"))))
        return
    try:
        ids = read_panoptic_png(png_path)
    except FormatError as exc:
        report.warn(name, record, exc)
        return
    doc, warning = load_document(folder, store, rel)
    if warning:
        report.warn(rel, "", warning)
    if not has_size(doc):
        return
    if ids.shape != (doc.height, doc.width):
        report.warn(name, record, QT_TRANSLATE_NOOP("LabelImport", "PNG is {w}x{h} but the image is {width}x{height}; skipped")
                    .format(w=ids.shape[1], h=ids.shape[0], width=doc.width, height=doc.height))
        return
    new: list[Instance] = []
    covered = 0
    for seg in ann.get("segments_info") or []:
        inst = _segment_instance(seg, ids, cat_map, name, report)
        if inst is not None:
            covered += inst.geometry.area()  # type: ignore[union-attr]
            new.append(inst)
    if covered != int(np.count_nonzero(ids)):
        report.warn(name, record, QT_TRANSLATE_NOOP("LabelImport", "the PNG holds segment ids that segments_info does not list; those pixels were left out"))
    if new:
        keep_image_record(doc, img, name, report)
    commit_import(store, doc, new, report, resolver)


def _segment_instance(seg: dict, ids: np.ndarray, cat_map: dict[int, int], name: str, report: ImportReport) -> Instance | None:
    try:
        sid, file_cat = int(seg["id"]), int(seg["category_id"])
    except (KeyError, TypeError, ValueError):
        report.warn(name, QT_TRANSLATE_NOOP("LabelRecords", "segment {segment}").format(segment=f"{seg!r:.60}"), QT_TRANSLATE_NOOP("LabelImport", "segment without id/category_id; skipped"))
        return None
    record = QT_TRANSLATE_NOOP("LabelRecords", "segment {segment}").format(segment=sid)
    if file_cat not in cat_map:
        report.warn(name, record, QT_TRANSLATE_NOOP("LabelImport", "unknown category id {id}; skipped").format(id=file_cat))
        return None
    mask = ids == sid
    area = int(np.count_nonzero(mask))
    if area == 0:
        report.warn(name, record, QT_TRANSLATE_NOOP("LabelImport", "id not present in the PNG; skipped"))
        return None
    if seg.get("area") is not None and seg.get("area") != area:
        report.warn(name, record, QT_TRANSLATE_NOOP("LabelImport", "area in the JSON is {json_area}, the PNG has {area} pixels; the PNG wins")
                    .format(json_area=seg.get("area"), area=area))
    prov: dict = {"imported_from": "panoptic", "panoptic_id": sid}
    if seg.get("iscrowd"):
        prov["iscrowd"] = 1
    return Instance(0, cat_map[file_cat], raster_from_full(mask), source="import", provenance=prov)
