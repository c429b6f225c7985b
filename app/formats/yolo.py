"""Ultralytics YOLO segmentation export (formats-and-speed.md §1.6).

Layout under the output folder (Ultralytics finds a label by replacing /images/ with /labels/):
  data.yaml                 train/val, nc, names (written by hand: no PyYAML dependency), and no
                            `path`: Ultralytics' check_det_dataset then takes the YAML's own folder
                            as the dataset root, so the export can be moved or copied anywhere. A
                            relative `path` would be resolved against the working directory (then
                            its datasets_dir), not against the YAML.
  images/<rel>              hard links to the images (copies across file systems), optional
  labels/<rel stem>.txt     one line per instance: "<class> x1 y1 x2 y2 ..." normalized to [0, 1]
Class indices are 0-based positions in the class list (ids may have gaps). YOLO holds one
polygon per instance, so holes are bridged into the part holding them and the parts are joined
with zero-width bridges (like Ultralytics' merge_multi_segment). Raster masks are traced
(app.core.tracing) so that Ultralytics' polygon2mask fills the mask's pixels; the bridges
between separate parts are the only pixels it adds, and an instance coming back with IoU below
fidelity.WARN_BELOW_IOU is reported. Crowd regions and "__ignore__" instances are left out (YOLO
has no ignore regions).
"""

from __future__ import annotations

import os
import posixpath
import shutil
from pathlib import Path

import numpy as np

from app.core.categories import LabelSet
from app.core.geometry import PolygonGeometry, RasterGeometry
from app.core.instance import Instance
from app.core.text import QT_TRANSLATE_NOOP
from app.core.tracing import TracedMask, rings_with_holes
from app.formats.atomic import write_bytes_atomic
from app.formats.fidelity import report_fidelity, trace_for_export, ultralytics_reader
from app.formats.project_io import (
    ExportReport,
    FormatError,
    ProgressFn,
    ShouldStop,
    exported_instances,
    is_ignore,
    iter_documents,
    never_stop,
    no_progress,
)
from app.formats.store import ProjectStore


def _signed_area(ring: np.ndarray) -> float:
    x, y = ring[:, 0], ring[:, 1]
    return 0.5 * float(np.sum(x * np.roll(y, -1) - np.roll(x, -1) * y))


def _nearest_pair(a: np.ndarray, b: np.ndarray) -> tuple[int, int]:
    """Indices (i, j) minimizing |a[i] - b[j]|, in row chunks to bound memory."""
    best, pair = np.inf, (0, 0)
    for start in range(0, len(a), 512):
        chunk = a[start : start + 512]
        d = ((chunk[:, None, :] - b[None, :, :]) ** 2).sum(axis=2)
        k = int(np.argmin(d))
        i, j = divmod(k, d.shape[1])
        if d[i, j] < best:
            best, pair = float(d[i, j]), (start + i, j)
    return pair


def stitch_rings(parts: list[np.ndarray], holes: list[np.ndarray] = ()) -> np.ndarray:
    """One closed float64 (K, 2) ring covering `parts` minus `holes`.

    The largest part is the base; every other ring is visited through a zero-width bridge from
    the base vertex nearest to it (there and back along the same segment), so the bridges add
    no area under either fill rule. Other parts are turned to the base's orientation and holes
    to the opposite one, which is what the non-zero rule needs; even-odd works either way.
    """
    rings = [np.asarray(p, np.float64) for p in parts if len(p) >= 3]
    if not rings:
        return np.zeros((0, 2))
    rings.sort(key=lambda r: -abs(_signed_area(r)))
    base = rings[0]
    sign = np.sign(_signed_area(base)) or 1.0
    others = [(r, 1.0) for r in rings[1:]] + [(np.asarray(h, np.float64), -1.0) for h in holes if len(h) >= 3]
    inserts: dict[int, list[np.ndarray]] = {}
    for ring, want in others:
        if np.sign(_signed_area(ring)) != sign * want:
            ring = ring[::-1]
        i, j = _nearest_pair(base, ring)
        rolled = np.roll(ring, -j, axis=0)
        loop = np.concatenate([rolled, rolled[:1], base[i : i + 1]])  # around, then back to base
        inserts.setdefault(i, []).append(loop)
    out = []
    for i, vertex in enumerate(base):
        out.append(vertex[None, :])
        out.extend(inserts.get(i, []))
    return np.concatenate(out)


def instance_ring(inst: Instance, width: int, height: int, report: ExportReport | None = None,
                  image: str = "") -> np.ndarray:
    """The single YOLO polygon of an instance in pixel coordinates, float64 (K, 2). A traced
    raster that Ultralytics would read back with IoU below the bound is reported to `report`."""
    geom = inst.geometry
    if isinstance(geom, RasterGeometry):
        def read_back(traced: TracedMask, frame: RasterGeometry) -> np.ndarray:
            return ultralytics_reader(stitch_rings(traced.single_rings()), frame, width, height)

        traced, iou = trace_for_export(geom, height, width, read_back)
        ring = stitch_rings(traced.single_rings())
        if report is not None and len(ring) >= 3:
            report_fidelity(report, image, inst, iou, QT_TRANSLATE_NOOP("LabelExport", "a YOLO polygon"),
                            QT_TRANSLATE_NOOP("LabelExport", "YOLO has one polygon per instance, so its separate parts are joined by "
                                                  "bridges that Ultralytics fills"))
        return ring
    assert isinstance(geom, PolygonGeometry)
    rings = rings_with_holes(list(geom.parts), list(geom.holes)) if geom.holes else None
    return stitch_rings(rings) if rings is not None else stitch_rings(list(geom.parts), list(geom.holes))


def yolo_line(class_index: int, ring: np.ndarray, width: int, height: int) -> str:
    """'<class> x1 y1 ...' with coordinates divided by width/height and clipped to [0, 1]."""
    norm = np.clip(ring / np.array([width, height], np.float64), 0.0, 1.0)
    return f"{class_index} " + " ".join(f"{v:.6f}" for v in norm.reshape(-1))


def _yaml_str(text: str) -> str:
    return '"' + str(text).replace("\\", "\\\\").replace('"', '\\"') + '"'


def data_yaml(names: list[str]) -> str:
    """The text of data.yaml: train and val both point at images/ (split them yourself), and no
    `path`, so that Ultralytics resolves them against the YAML's folder (module docstring)."""
    lines = [
        "# Written by MaskPilot. Ultralytics reads labels/ next to images/.",
        "# No 'path': the dataset root is this file's folder, wherever it is moved.",
        "train: images",
        "val: images",
        f"nc: {len(names)}",
        "names:",
        *(f"  {i}: {_yaml_str(n)}" for i, n in enumerate(names)),
    ]
    return "\n".join(lines) + "\n"


def _link_or_copy(src: Path, dst: Path) -> None:
    dst.parent.mkdir(parents=True, exist_ok=True)
    if dst.exists():
        if dst.stat().st_size == src.stat().st_size:
            return
        dst.unlink()
    try:
        os.link(src, dst)
    except OSError:
        shutil.copy2(src, dst)


def export_yolo(
    folder: str | os.PathLike,
    store: ProjectStore,
    labels: LabelSet,
    images: list[str],
    out_dir: str | os.PathLike,
    *,
    include_suggestions: bool = False,
    link_images: bool = True,
    should_stop: ShouldStop = never_stop,
    progress: ProgressFn = no_progress,
) -> ExportReport:
    """Write labels/<stem>.txt per image (empty files for images without objects, so they count
    as background), data.yaml, and with link_images images/<rel> links or copies."""
    out = Path(out_dir)
    report = ExportReport(path=str(out))
    classes = [c for c in labels if not is_ignore(labels, c.id)]
    index = {c.id: k for k, c in enumerate(classes)}
    names = [c.name for c in classes]
    try:
        out.mkdir(parents=True, exist_ok=True)
        for n, rel, doc in iter_documents(folder, store, images, report, should_stop):
            lines = []
            for inst in exported_instances(doc, include_suggestions):
                if inst.provenance.get("iscrowd") or is_ignore(labels, inst.category_id):
                    continue
                if inst.category_id not in index:
                    report.warn(rel, QT_TRANSLATE_NOOP("LabelRecords", "instance {id}").format(id=inst.id), QT_TRANSLATE_NOOP("LabelExport", "class id {id} is not in the class list; left out").format(id=inst.category_id))
                    continue
                ring = instance_ring(inst, doc.width, doc.height, report, rel)
                if len(ring) < 3:
                    report.warn(rel, QT_TRANSLATE_NOOP("LabelRecords", "instance {id}").format(id=inst.id), QT_TRANSLATE_NOOP("LabelExport", "no polygon with 3 points; left out"))
                    continue
                lines.append(yolo_line(index[inst.category_id], ring, doc.width, doc.height))
            target = out / "labels" / (posixpath.splitext(rel)[0] + ".txt")
            target.parent.mkdir(parents=True, exist_ok=True)
            write_bytes_atomic(target, "".join(f"{ln}\n" for ln in lines).encode("utf-8"))
            if link_images:
                _link_or_copy(Path(folder) / rel, out / "images" / rel)
            report.images, report.instances, report.files_written = n, report.instances + len(lines), n
            progress(n, len(images))
        if report.cancelled:
            return report
        write_bytes_atomic(out / "data.yaml", data_yaml(names).encode("utf-8"))
        report.files_written += 1
    except OSError as exc:
        raise FormatError(QT_TRANSLATE_NOOP("LabelExport", "cannot write the YOLO export into {folder}: {error}").format(folder=out, error=exc.strerror or exc)) from exc
    return report
