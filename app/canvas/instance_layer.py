"""The instances as the canvas draws them: the slot maps, the palette, the composed overlay, and
what is selected and hovered, kept up to date change by change.

Every change is turned into the smallest thing to redo: a geometry edit repaints its box in the
maps and recomposes that box on screen; a selection change recolours the boxes of what changed
(a gather, no sampling), a hover change only the outline pixels of the two instances; a pan
shifts the overlay (app.canvas.overlay_buffer). Work is collected and done once per frame
(`frame`), so 300 changes in one go (accept all) cost one recomposition, not 300.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np

from app.canvas.compose import Palette, Rect, classify, sample_grid
from app.canvas.labelmap import LabelMap, level_for
from app.canvas.overlay_buffer import OverlayBuffer
from app.canvas.render import OverlayStyle, ViewTransform
from app.core.categories import LabelSet
from app.core.document import Change, ChangeKind, Document
from app.core.geometry import Box
from app.core.instance import Instance

_ORDER_KINDS = (ChangeKind.ADDED, ChangeKind.REMOVED, ChangeKind.REORDERED)
_MERGE_AREA = 0.5  # boxes covering more of the screen than this: compose all of it at once
_SPARSE_COUNT = 24  # more instances than this in a rectangle: compose it whole
_SPARSE_AREA = 65536  # rectangles smaller than this are composed whole


class InstanceLayer:
    """The canvas's instances for one document: `on_change`, `set_selected` and `set_hovered`
    record what changed (and return the image boxes to repaint); `frame(view, size)` does the
    work and returns the overlay. `visible_filter(instance) -> bool` (the review filter, or
    None) is asked, never told: `invalidate` after it changes its answers."""

    def __init__(self, style: OverlayStyle) -> None:
        self.style = style
        self.visible_filter: Callable[[Instance], bool] | None = None
        self.doc: Document | None = None
        self.labels = LabelSet()
        self.map: LabelMap | None = None
        self.palette = Palette()
        self.buffer = OverlayBuffer(self._classify_rect, self.palette, self._prepare)
        self.selected: frozenset[int] = frozenset()
        self.hovered: int | None = None
        self._stale = True  # filter, style or labels may have changed: sync and recolour all
        self._coloured = 0  # slots with a palette entry
        self._recolour: set[int] = set()  # instance ids to recolour
        self._dirty: list[Box] = []  # image boxes to classify and colour again on screen
        self._repaint: list[Box] = []  # image boxes only to colour again (palette changes)
        self._restyled = False  # every slot's colours changed
        self._rings: list[tuple[Box, int]] = []  # (box, slot) whose outline pixels to colour again

    def set_document(self, doc: Document | None, labels: LabelSet) -> None:
        self.doc, self.labels = doc, labels
        self.map = LabelMap(doc, self._shown) if doc is not None else None  # reads the filter now
        self.hovered = None
        self._reset_colours()
        self.buffer.invalidate()

    def _shown(self, inst: Instance) -> bool:
        return self.visible_filter is None or self.visible_filter(inst)

    def invalidate(self) -> None:
        """Anything may look different (class colours, the review filter)."""
        self._stale = True
        self.buffer.invalidate()

    def restyle(self) -> None:
        """The style changed (opacity, fill, outline): colour everything again, nothing more."""
        self.palette.reset()
        self._coloured = 0
        self._restyled = True

    # ---- changes -----------------------------------------------------------------------------
    def on_change(self, change: Change) -> Box | None:
        """Record a document change; returns the image box whose pixels it touched."""
        if self.map is None:
            return None
        recolour = change.kind is ChangeKind.FIELDS and {"category_id", "state"} & set(change.fields)
        if recolour:  # the class colour or the suggestion style: a palette change
            self._recolour.update(change.ids)
        if change.kind is ChangeKind.GEOMETRY:
            self.map.update(change.box, change.ids)
        elif change.kind in _ORDER_KINDS or "visible" in change.fields:
            self.map.update(change.box, order_changed=True)
        elif recolour:
            if change.box is not None:
                self._repaint.append(change.box)
            return change.box
        else:
            return None
        if change.box is not None:
            self._dirty.append(change.box)
        return change.box

    def set_selected(self, ids: frozenset[int]) -> list[Box]:
        changed = ids ^ self.selected
        self.selected = ids
        return self._restyle(changed)

    def set_hovered(self, iid: int | None) -> list[Box]:
        """Hover changes only outline colours: its frame recolours the outline pixels of the
        two instances concerned, not their whole boxes."""
        changed = {i for i in (self.hovered, iid) if i is not None}
        self.hovered = iid
        if self.doc is None or self.map is None:
            return []
        self._recolour.update(changed)
        boxes = [self.doc.get(i).bbox() for i in changed if i in self.doc]
        self._rings.extend((self.doc.get(i).bbox(), self.map.slots.get(i, 0)) for i in changed if i in self.doc)
        return boxes

    def _restyle(self, ids) -> list[Box]:
        boxes = [self.doc.get(i).bbox() for i in ids if self.doc is not None and i in self.doc]
        self._recolour.update(ids)
        self._repaint.extend(boxes)
        return boxes

    # ---- frames ------------------------------------------------------------------------------
    def frame(self, view: ViewTransform, size: tuple[int, int], budget_s: float | None = None) -> np.ndarray | None:
        """The overlay (uint32 ARGB32 premultiplied, (h, w)) for `view`, brought up to date;
        a new zoom may take several frames of `budget_s` (see OverlayBuffer.pending)."""
        if self.map is None:
            return None
        if self._stale:
            self.map.sync()
            self._reset_colours()
            self.buffer.invalidate()
        generation = self.map.generation
        self.map.flush()  # new instances get their slots before they are coloured
        if self.map.generation != generation:
            self.buffer.invalidate()  # the image size changed: the maps started over
        if not self.map.shown_count:
            self.buffer.invalidate()  # nothing to draw: no overlay to blend either
            self._dirty.clear()
            self._repaint.clear()
            return None
        self._colour_slots()
        arr = self.buffer.frame(view, size, budget_s)
        fresh = self.buffer.restarted  # composed from the current state: nothing to redo
        if self._restyled and not fresh:
            self.buffer.recolour((0, 0, size[0], size[1]))
        self._restyled = False
        for box, slot in self._rings if not fresh else ():
            self.buffer.recolour_rings(screen_rect(view, box), slot)
        self._rings.clear()
        for boxes, redo in ((self._dirty, self.buffer.recompose), (self._repaint, self.buffer.recolour)):
            if boxes and not fresh:
                rects = [screen_rect(view, b) for b in boxes]
                area = sum(max(r[2] - r[0], 0) * max(r[3] - r[1], 0) for r in rects)
                for r in [(0, 0, size[0], size[1])] if area > _MERGE_AREA * size[0] * size[1] else rects:
                    redo(r)
            boxes.clear()
        return arr

    def _reset_colours(self) -> None:
        self._stale = False
        self.palette.reset()
        self._coloured = 0
        self._recolour.clear()
        self._dirty.clear()
        self._repaint.clear()
        self._rings.clear()

    def _colour_slots(self) -> None:
        instances, n = self.map.instances, len(self.map.instances)
        targets = range(self._coloured, n)
        slots = self.map.slots
        todo = dict.fromkeys([*targets, *(slots[i] for i in self._recolour if i in slots)])
        selected, hovered = self.selected, self.hovered
        entries = [(s, inst, inst is not None and inst.id in selected, inst is not None and inst.id == hovered)
                   for s, inst in ((s, instances[s]) for s in todo)]  # fmt: skip
        self.palette.set_many(entries, self.labels, self.style)
        self._coloured = n
        self._recolour.clear()

    def _classify_rect(self, view: ViewTransform, rect: Rect) -> tuple[np.ndarray, np.ndarray | None]:
        shape = (rect[3] - rect[1], rect[2] - rect[0])
        if self.style.hidden:
            return np.zeros(shape, self.map.dtype), None
        parts = self._occupied(view, rect)
        if parts is None:
            return self._classify_part(view, rect)
        ids, variant = np.zeros(shape, self.map.dtype), np.zeros(shape, np.uint8)
        for x0, y0, x1, y1 in parts:  # overlaps are classified twice, to the same values
            sl = (slice(y0 - rect[1], y1 - rect[1]), slice(x0 - rect[0], x1 - rect[0]))
            part_ids, part_variant = self._classify_part(view, (x0, y0, x1, y1))
            ids[sl], variant[sl] = part_ids, 0 if part_variant is None else part_variant
        return ids, variant if parts else None

    def _prepare(self, view: ViewTransform, rect: Rect, deadline: float) -> bool:
        xs, ys = sample_grid(view, rect)
        return self.map.prepare(level_for(view.scale), xs, ys, deadline)

    def _classify_part(self, view: ViewTransform, rect: Rect) -> tuple[np.ndarray, np.ndarray | None]:
        xs, ys = sample_grid(view, rect)
        return classify(self.map.sample(level_for(view.scale), xs, ys), rect[0], rect[1])

    def _occupied(self, view: ViewTransform, rect: Rect) -> list[Rect] | None:
        """The screen boxes of the few instances in `rect` when they cover little of it (a zoomed
        in view holds a handful): composing only those skips the empty screen. None: compose all."""
        if (rect[2] - rect[0]) * (rect[3] - rect[1]) < _SPARSE_AREA:
            return None  # a strip of a pan, a brush dab: one classification is cheaper
        x0, y0 = view.to_image(rect[0], rect[1])
        x1, y1 = view.to_image(rect[2], rect[3])
        boxes = self.map.boxes_in((math.floor(x0), math.floor(y0), math.ceil(x1), math.ceil(y1)))
        if len(boxes) > _SPARSE_COUNT:
            return None
        parts, area = [], 0
        for box in boxes.tolist():
            r = screen_rect(view, box)
            r = (max(r[0], rect[0]), max(r[1], rect[1]), min(r[2], rect[2]), min(r[3], rect[3]))
            if r[2] > r[0] and r[3] > r[1]:
                parts.append(r)
                area += (r[2] - r[0]) * (r[3] - r[1])
        return parts if area < _MERGE_AREA * (rect[2] - rect[0]) * (rect[3] - rect[1]) else None

    def instance_at(self, view: ViewTransform, sx: float, sy: float) -> Instance | None:
        """The instance drawn at widget point (sx, sy) in this view (what the user sees there)."""
        if self.map is None or self.style.hidden or self.buffer.view != view or self.buffer.arr is None:
            return None
        slot = self.buffer.slot_at(sx, sy)
        inst = self.map.instances[slot] if 0 < slot < len(self.map.instances) else None
        return inst if inst is not None and self.doc is not None and inst.id in self.doc else None


def screen_rect(view: ViewTransform, box: Box) -> Rect:
    """The screen pixels an image box covers, with room for its outline."""
    x0, y0 = view.to_screen(box[0], box[1])
    x1, y1 = view.to_screen(box[2], box[3])
    return math.floor(x0) - 2, math.floor(y0) - 2, math.ceil(x1) + 2, math.ceil(y1) + 2
