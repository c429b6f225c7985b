"""Image and annotation ids of COCO-style exports.

Imported COCO and panoptic files keep their ids (documents hold the image record in
Document.image_info, instances the annotation id in provenance["coco_id"]) and exports write
them back: tools such as panopticapi's pq_compute match prediction and ground truth by image id,
so renumbering 142238 to 1 made every comparison with the original fail. Only images and
annotations without a kept id are numbered, from one above the largest kept id, so a new id can
never collide with a kept one.
"""

from __future__ import annotations

from collections.abc import Iterable

from app.formats import json_read
from app.formats.store import ProjectStore


def valid_id(value: object) -> bool:
    """A positive int (bools, floats and strings are not ids)."""
    return isinstance(value, int) and not isinstance(value, bool) and value > 0


def assign_ids(wanted: Iterable[object]) -> list[int]:
    """One id per entry: its wanted id when valid and not claimed by an earlier entry, else the
    next number above the largest id kept, in entry order."""
    wanted = list(wanted)
    used: set[int] = set()
    kept: list[int | None] = []
    for w in wanted:
        if valid_id(w) and w not in used:
            used.add(w)  # type: ignore[arg-type]
            kept.append(w)  # type: ignore[arg-type]
        else:
            kept.append(None)
    nxt = max(used, default=0) + 1
    out = []
    for k in kept:
        if k is None:
            k, nxt = nxt, nxt + 1
        out.append(k)
    return out


def kept_image_id(store: ProjectStore, rel: str) -> int | None:
    """The image id kept in the label file of `rel` (read as plain JSON: no masks decoded)."""
    try:
        data = json_read.loads(store.label_path(rel).read_bytes())
        value = data["image"]["coco"]["id"]
    except (OSError, ValueError, KeyError, TypeError):
        return None
    return value if valid_id(value) else None


def project_image_ids(store: ProjectStore, images: list[str]) -> dict[str, int]:
    """image rel path -> the id maskpilot-export gives it when exporting all of `images`."""
    return dict(zip(images, assign_ids(kept_image_id(store, rel) for rel in images)))
