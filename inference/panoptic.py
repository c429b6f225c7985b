"""Panoptic fusion: instance predictions (things) + a semantic class map (stuff) -> one id map.

The heuristic of Panoptic FPN (Kirillov et al. 2019; detectron2's
`combine_semantic_and_instance_outputs`) and UPSNet's inference:
1. Things, by descending score (only score >= `score_threshold`): a thing takes the pixels of
   its mask not yet taken. When more than `overlap_threshold` of its mask is already taken by
   higher-scoring things, it is dropped (mostly a duplicate or a hidden object).
2. Stuff: for each stuff category of the semantic map, the still-free pixels of that class form
   one segment if there are at least `stuff_area_min` of them.
3. Every other pixel is void (id 0).

How semantic classes become panoptic categories:
- `semantic_to_category` maps semantic category ids to panoptic category ids (default: the
  same id). Semantic ids mapped to None, and classes named "background" / "__background__",
  are void.
- `thing_ids` are the categories the instance model predicts (default: the categories of the
  detections in `instances`; pass the instance model's whole category list for stable results).
  Semantic pixels of a thing category never become stuff: things come only from instances.
- `stuff_ids` (default: every mapped semantic category that is not a thing) chooses which
  categories may form stuff segments.
So combining a COCO instance model with a VOC semantic model (whose 20 classes are all COCO
things, see `categories.VOC_TO_COCO`) yields things + void; with a model that has genuine stuff
classes (sky, road, ...) the stuff fills in around the things. A caller that wants, e.g., VOC
regions the instance model missed as segments passes those ids in `stuff_ids` explicitly.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from inference.types import Prediction, SemanticPrediction

_BACKGROUND_NAMES = {"background", "__background__", "_background_"}


@dataclass
class PanopticResult:
    """A panoptic segmentation of one image.

    id_map: int32 (H, W) segment ids, 0 = void; ids are 1..N in the order segments were placed.
    segments_info: one dict per segment, COCO panoptic style: id, category_id, isthing (bool),
        iscrowd (0), area (pixels of the id in id_map), bbox [x, y, w, h] (integer pixel box of
        those pixels, x/y of the top-left pixel, w/h in pixels); things also carry their "score".
    image_size: (H, W).
    """

    id_map: np.ndarray
    segments_info: list[dict[str, Any]]
    image_size: tuple[int, int]

    def annotation(self, image_id: int | str, file_name: str) -> dict[str, Any]:
        """The COCO panoptic `annotations[]` entry of this image; `file_name` names the PNG that
        holds `id_map` as RGB (id = R + 256 G + 256^2 B; app.formats.panoptic.id_to_rgb)."""
        return {"image_id": image_id, "file_name": file_name, "segments_info": [dict(s) for s in self.segments_info]}


def _bbox(mask: np.ndarray, x0: int = 0, y0: int = 0) -> list[int]:
    rows = np.flatnonzero(mask.any(axis=1))
    cols = np.flatnonzero(mask.any(axis=0))
    return [x0 + int(cols[0]), y0 + int(rows[0]), int(cols[-1] - cols[0] + 1), int(rows[-1] - rows[0] + 1)]


def fuse(
    instances: Prediction | None,
    semantic: SemanticPrediction | None,
    *,
    thing_ids: Collection[int] | None = None,
    stuff_ids: Collection[int] | None = None,
    semantic_to_category: Mapping[int, int | None] | None = None,
    overlap_threshold: float = 0.5,
    stuff_area_min: int = 4096,
    score_threshold: float = 0.5,
) -> PanopticResult:
    """Fuse thing instances and a semantic map into non-overlapping segments (see module doc).

    instances: cropped-mask detections (category ids are panoptic category ids) or None.
    semantic: class map of the same (H, W) image, or None (things only).
    overlap_threshold: a thing is dropped when (pixels of its mask already taken) / (mask area)
        > this. stuff_area_min: minimum pixel count of a stuff segment (detectron2: 4096; scale it
        down for small images). score_threshold: things with score < this are ignored.
    Returns a `PanopticResult`: every pixel belongs to exactly one segment or is void.
    """
    if instances is None and semantic is None:
        raise ValueError("fuse needs instances, a semantic map, or both")
    size = instances.image_size if instances is not None else semantic.image_size  # type: ignore[union-attr]
    if instances is not None and semantic is not None and instances.image_size != semantic.image_size:
        raise ValueError(f"image sizes differ: instances {instances.image_size}, semantic {semantic.image_size}")
    id_map = np.zeros(size, dtype=np.int32)
    segments: list[dict[str, Any]] = []
    if thing_ids is None:
        thing_ids = set() if instances is None else {int(c) for c in instances.category_ids}
    things = {int(c) for c in thing_ids}

    if instances is not None:
        for i in np.argsort(-instances.scores, kind="stable"):
            score = float(instances.scores[i])
            if score < score_threshold:
                continue
            mask = instances.masks[i]
            area = int(np.count_nonzero(mask))
            if area == 0:
                continue
            x0, y0, x1, y1 = instances.mask_box(int(i))
            window = id_map[y0:y1, x0:x1]  # a view: writes land in id_map
            visible = mask & (window == 0)
            kept = int(np.count_nonzero(visible))
            if (area - kept) / area > overlap_threshold or kept == 0:
                continue
            seg_id = len(segments) + 1
            window[visible] = seg_id
            segments.append({
                "id": seg_id, "category_id": int(instances.category_ids[i]), "isthing": True, "iscrowd": 0,
                "area": kept, "bbox": _bbox(visible, x0, y0), "score": round(score, 4),
            })  # fmt: skip

    if semantic is not None:
        groups = _stuff_groups(semantic, things, stuff_ids, semantic_to_category)
        free = id_map == 0
        for category_id, sem_ids in groups.items():
            mask = np.isin(semantic.class_map, sem_ids) & free
            area = int(np.count_nonzero(mask))
            if area == 0 or area < stuff_area_min:
                continue
            seg_id = len(segments) + 1
            id_map[mask] = seg_id
            free &= ~mask
            segments.append({
                "id": seg_id, "category_id": category_id, "isthing": False, "iscrowd": 0,
                "area": area, "bbox": _bbox(mask),
            })  # fmt: skip
    return PanopticResult(id_map, segments, size)


def _stuff_groups(
    semantic: SemanticPrediction,
    things: set[int],
    stuff_ids: Collection[int] | None,
    semantic_to_category: Mapping[int, int | None] | None,
) -> dict[int, list[int]]:
    """Panoptic stuff category id -> the semantic ids that feed it, for the classes present."""
    names = semantic.names
    allowed = None if stuff_ids is None else {int(s) for s in stuff_ids}
    groups: dict[int, list[int]] = {}
    for sem_id in semantic.present_ids():
        if semantic_to_category is not None:
            target = semantic_to_category.get(sem_id, sem_id)
        else:
            target = sem_id
        if target is None or names.get(sem_id, "").strip().lower() in _BACKGROUND_NAMES:
            continue
        if allowed is not None:
            if target not in allowed:
                continue
        elif target in things:
            continue
        groups.setdefault(int(target), []).append(sem_id)
    return groups


def check_panoptic(id_map: np.ndarray, segments_info: list[dict[str, Any]]) -> list[str]:
    """Consistency problems of a panoptic result (empty list when consistent): ids in the map
    without a segment or vice versa, duplicate ids, areas or boxes that disagree with the map."""
    problems: list[str] = []
    ids, counts = np.unique(id_map, return_counts=True)
    in_map = {int(i): int(c) for i, c in zip(ids, counts) if i != 0}
    seen: set[int] = set()
    for seg in segments_info:
        sid = int(seg["id"])
        if sid in seen:
            problems.append(f"segment id {sid} appears twice")
        seen.add(sid)
        if sid not in in_map:
            problems.append(f"segment {sid} has no pixels in the map")
            continue
        if int(seg["area"]) != in_map[sid]:
            problems.append(f"segment {sid}: area {seg['area']} but {in_map[sid]} pixels")
        box = _bbox(id_map == sid)
        if list(seg["bbox"]) != box:
            problems.append(f"segment {sid}: bbox {seg['bbox']} but pixels span {box}")
    for sid in sorted(set(in_map) - seen):
        problems.append(f"id {sid} is in the map but has no segment")
    return problems
