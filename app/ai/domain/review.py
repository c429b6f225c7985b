"""Which pending suggestions are shown and acted on: score threshold and duplicate hiding.

Qt-free and numpy only. A suggestion is an Instance with state SUGGESTED. The review queue of
one image is the set of suggestions that are

- at or above the score threshold (a suggestion without a score, e.g. from box-to-mask, always
  passes: there is nothing to filter it by), and
- not a duplicate of an accepted instance, unless duplicates are shown: a duplicate has the same
  class as some accepted instance and a mask IoU above `iou` (0.8) with it.

"Accept all" accepts exactly `pending_ids`. "Reject the rest" removes `remaining_ids`: every
suggestion still pending, shown or not (below the threshold, hidden duplicates, and shown ones
the user did not accept), so that after reviewing some one by one, or after "accept all", one
key finishes the image with no pending suggestion left. `below_threshold_ids` is the part of
that which is not shown.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

import numpy as np

from app.core.document import Document
from app.core.geometry import RasterGeometry, mask_iou, to_raster
from app.core.instance import Instance

DUPLICATE_IOU = 0.8

#: How to get an instance's raster mask (a polygon is rasterized; callers may pass a cache).
RasterOf = Callable[[Instance], RasterGeometry]


def _default_raster(doc: Document) -> RasterOf:
    clip = (doc.height, doc.width) if doc.width and doc.height else None
    return lambda inst: to_raster(inst.geometry, clip)


def _boxes(instances: list[Instance]) -> np.ndarray:
    """int64 (N, 4) x0, y0, x1, y1 (exclusive) boxes."""
    return np.array([i.bbox() for i in instances], np.int64).reshape(-1, 4)


def duplicate_ids(
    doc: Document,
    iou: float = DUPLICATE_IOU,
    raster: RasterOf | None = None,
    only: Iterable[int] | None = None,
) -> set[int]:
    """Ids of suggestions whose mask IoU with an accepted instance of the same class is > `iou`.

    `only` restricts the answer to these suggestion ids (incremental updates after an edit).

    Cost: one vectorized box test of every suggestion against every accepted instance, then an
    upper bound on the IoU from the box intersection and the mask areas, and a pixel IoU (on the
    overlapping crop only) for the few pairs that can still pass.
    """
    wanted = None if only is None else set(only)
    suggestions = [i for i in doc if i.is_suggestion and (wanted is None or i.id in wanted)]
    accepted = [i for i in doc if not i.is_suggestion]
    if not suggestions or not accepted:
        return set()
    raster = raster or _default_raster(doc)
    sb, ab = _boxes(suggestions), _boxes(accepted)
    s_cls = np.array([i.category_id for i in suggestions])
    a_cls = np.array([i.category_id for i in accepted])
    # (S, A) intersection of the boxes; zero where they do not overlap.
    iw = np.minimum(sb[:, None, 2], ab[None, :, 2]) - np.maximum(sb[:, None, 0], ab[None, :, 0])
    ih = np.minimum(sb[:, None, 3], ab[None, :, 3]) - np.maximum(sb[:, None, 1], ab[None, :, 1])
    box_inter = np.clip(iw, 0, None) * np.clip(ih, 0, None)
    candidates = (box_inter > 0) & (s_cls[:, None] == a_cls[None, :])
    if not candidates.any():
        return set()
    areas: dict[int, int] = {}

    def area(inst: Instance) -> int:
        if inst.id not in areas:
            areas[inst.id] = raster(inst).area()
        return areas[inst.id]

    out: set[int] = set()
    for si, ai in zip(*np.nonzero(candidates)):
        s, a = suggestions[si], accepted[ai]
        if s.id in out:
            continue
        sa, aa = area(s), area(a)
        # The intersection is at most the smaller mask and at most the box overlap, so this
        # bound skips most pairs without touching pixels.
        inter_max = min(sa, aa, int(box_inter[si, ai]))
        union_min = sa + aa - inter_max
        if union_min <= 0 or inter_max / union_min <= iou:
            continue
        if mask_iou(raster(s), raster(a)) > iou:
            out.add(s.id)
    return out


def passes_threshold(inst: Instance, threshold: float) -> bool:
    """Score at or above the threshold; a suggestion without a score always passes."""
    return inst.score is None or inst.score >= threshold


def visible_suggestions(
    doc: Document,
    threshold: float,
    hide_duplicates: bool = True,
    iou: float = DUPLICATE_IOU,
    raster: RasterOf | None = None,
) -> set[int]:
    """Ids of the suggestions shown (drawn, hit-testable, listed): score >= threshold, and not a
    hidden duplicate."""
    ids = {i.id for i in doc if i.is_suggestion and passes_threshold(i, threshold)}
    if hide_duplicates and ids:
        ids -= duplicate_ids(doc, iou, raster)
    return ids


def review_order(doc: Document, ids: set[int] | frozenset[int]) -> list[int]:
    """`ids` in review order: highest score first (no score counts as 1.0), ties top-most first."""
    ranked = [(i.score if i.score is not None else 1.0, z, i.id) for z, i in enumerate(doc) if i.id in ids]
    ranked.sort(reverse=True)  # z is unique, so ids never decide
    return [iid for _s, _z, iid in ranked]


def pending_ids(
    doc: Document,
    threshold: float,
    hide_duplicates: bool = True,
    iou: float = DUPLICATE_IOU,
    raster: RasterOf | None = None,
) -> list[int]:
    """The suggestions "accept all" accepts (the visible ones), in review order."""
    return review_order(doc, visible_suggestions(doc, threshold, hide_duplicates, iou, raster))


def below_threshold_ids(
    doc: Document,
    threshold: float,
    hide_duplicates: bool = True,
    iou: float = DUPLICATE_IOU,
    raster: RasterOf | None = None,
) -> list[int]:
    """The suggestions not shown, that "accept all" leaves out (below the threshold, or a hidden
    duplicate), in z-order (bottom first)."""
    keep = visible_suggestions(doc, threshold, hide_duplicates, iou, raster)
    return [i.id for i in doc if i.is_suggestion and i.id not in keep]


def remaining_ids(doc: Document) -> list[int]:
    """What "reject the rest" removes: every pending suggestion, in z-order (bottom first)."""
    return [i.id for i in doc if i.is_suggestion]
