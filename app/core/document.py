"""One image's annotations with reversible primitive mutations.

Every mutation returns what is needed to invert it, so undo commands (app.editing.commands) are thin
wrappers: e.g. `removed, index = doc.remove(iid)` is undone by `doc.add(removed, index)`.
List order is z-order: the last instance is drawn on top.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from enum import Enum

import numpy as np

from app.core.geometry import Box, Geometry, RasterGeometry
from app.core.instance import Instance, InstanceState
from app.core.observer import Signal


class ImageStatus(str, Enum):
    NEW = "new"
    IN_PROGRESS = "in_progress"
    DONE = "done"


class ChangeKind(str, Enum):
    ADDED = "added"
    REMOVED = "removed"
    GEOMETRY = "geometry"
    FIELDS = "fields"
    REORDERED = "reordered"
    STATUS = "status"


@dataclass(frozen=True)
class Change:
    """What changed: the kind, the instance ids, and the image region touched (for repaints)."""

    kind: ChangeKind
    ids: tuple[int, ...] = ()
    box: Box | None = None
    fields: tuple[str, ...] = ()


_EDITABLE_FIELDS = {"category_id", "source", "score", "state", "visible", "locked", "provenance"}


class Document:
    """Annotations of one image (width × height pixels), ordered bottom to top."""

    def __init__(
        self,
        image_name: str,
        width: int,
        height: int,
        instances: Iterable[Instance] = (),
        status: ImageStatus = ImageStatus.NEW,
        ai_runs: dict[str, dict] | None = None,
        image_info: dict | None = None,
    ) -> None:
        self.image_name = image_name
        self.width = width
        self.height = height
        self._instances: list[Instance] = list(instances)
        self._by_id: dict[int, Instance] = {i.id: i for i in self._instances}
        if len(self._by_id) != len(self._instances):
            raise ValueError("duplicate instance ids")
        self._next_id = max(self._by_id, default=0) + 1
        self._status = ImageStatus(status)
        self.revision = 0  # bumped by every mutation; the autosaver compares it
        # model name -> {"score_threshold", "at" (ISO time), "count"}: which models already
        # filled this image in (batch resume, "auto-filled by X" in the app); see app.ai.
        self.ai_runs: dict[str, dict] = dict(ai_runs or {})
        # The COCO image record of an imported file ("id" and fields such as "license" or
        # "coco_url"): exports write it back, so image ids survive import -> export.
        self.image_info: dict = dict(image_info or {})
        self.changed: Signal[Change] = Signal()

    # ---- queries -------------------------------------------------------------------------
    def __len__(self) -> int:
        return len(self._instances)

    def __iter__(self) -> Iterator[Instance]:
        return iter(self._instances)

    def __contains__(self, instance_id: int) -> bool:
        return instance_id in self._by_id

    @property
    def instances(self) -> tuple[Instance, ...]:
        return tuple(self._instances)

    def get(self, instance_id: int) -> Instance:
        return self._by_id[instance_id]

    def index_of(self, instance_id: int) -> int:
        return self._instances.index(self._by_id[instance_id])

    def new_id(self) -> int:
        """A fresh id; ids are never reused within a document, even after removal."""
        nid = self._next_id
        self._next_id += 1
        return nid

    @property
    def status(self) -> ImageStatus:
        return self._status

    def pending_count(self) -> int:
        return sum(1 for i in self._instances if i.state is InstanceState.SUGGESTED)

    # ---- primitive mutations -------------------------------------------------------------
    def add(self, instance: Instance, index: int | None = None) -> None:
        """Insert at `index` (default: on top). Inverse: remove(instance.id)."""
        if instance.id in self._by_id:
            raise ValueError(f"instance id {instance.id} already present")
        pos = len(self._instances) if index is None else index
        self._instances.insert(pos, instance)
        self._by_id[instance.id] = instance
        self._next_id = max(self._next_id, instance.id + 1)
        self._emit(Change(ChangeKind.ADDED, (instance.id,), instance.bbox()))

    def remove(self, instance_id: int) -> tuple[Instance, int]:
        """Remove and return (instance, its index). Inverse: add(instance, index)."""
        inst = self._by_id.pop(instance_id)
        index = self._instances.index(inst)
        del self._instances[index]
        self._emit(Change(ChangeKind.REMOVED, (instance_id,), inst.bbox()))
        return inst, index

    def set_geometry(self, instance_id: int, geometry: Geometry) -> Geometry:
        """Replace the geometry; returns the old one (the inverse's argument)."""
        inst = self._by_id[instance_id]
        old = inst.geometry
        inst.geometry = geometry
        self._emit(Change(ChangeKind.GEOMETRY, (instance_id,), _union(old.bbox(), geometry.bbox())))
        return old

    def write_pixels(
        self, instance_id: int, box: Box, values: np.ndarray, where: np.ndarray | None = None
    ) -> np.ndarray:
        """Write bool `values` into a raster instance over `box` (x0, y0, x1, y1), only where
        `where` is set (all of the box when None). Returns the box's previous pixels, so
        write_pixels(iid, box, old, where) undoes it. Pixels outside the image are dropped.
        """
        inst = self._by_id[instance_id]
        geom = inst.geometry
        if not isinstance(geom, RasterGeometry):
            raise TypeError("write_pixels needs a raster instance; convert the polygon first")
        box, values, where = self._clip_box(box, values, where)
        old = geom.region(box)
        new = old.copy()
        if where is None:
            new[...] = values
        else:
            new[where] = values[where]
        inst.geometry = geom.with_region(box, new)
        self._emit(Change(ChangeKind.GEOMETRY, (instance_id,), box))
        return old

    def move(self, instance_id: int, index: int) -> int:
        """Move to z-position `index`; returns the old index."""
        inst = self._by_id[instance_id]
        old = self._instances.index(inst)
        del self._instances[old]
        self._instances.insert(index, inst)
        self._emit(Change(ChangeKind.REORDERED, (instance_id,), inst.bbox()))
        return old

    def set_fields(self, instance_id: int, **fields: object) -> dict[str, object]:
        """Set plain fields (category_id, state, visible, locked, score, source, provenance);
        returns their old values, so set_fields(iid, **old) undoes it."""
        unknown = set(fields) - _EDITABLE_FIELDS
        if unknown:
            raise KeyError(f"not editable: {sorted(unknown)}")
        inst = self._by_id[instance_id]
        old = {name: getattr(inst, name) for name in fields}
        for name, value in fields.items():
            if name == "state":
                value = InstanceState(value)
            setattr(inst, name, value)
        self._emit(Change(ChangeKind.FIELDS, (instance_id,), inst.bbox(), tuple(fields)))
        return old

    def set_status(self, status: ImageStatus) -> ImageStatus:
        old = self._status
        self._status = ImageStatus(status)
        self._emit(Change(ChangeKind.STATUS))
        return old

    # ---- helpers ---------------------------------------------------------------------------
    def _emit(self, change: Change) -> None:
        self.revision += 1
        self.changed.emit(change)

    def _clip_box(
        self, box: Box, values: np.ndarray, where: np.ndarray | None
    ) -> tuple[Box, np.ndarray, np.ndarray | None]:
        x0, y0, x1, y1 = box
        cx0, cy0, cx1, cy1 = max(x0, 0), max(y0, 0), min(x1, self.width), min(y1, self.height)
        if (cx0, cy0, cx1, cy1) == box:
            return box, values, where
        if cx1 <= cx0 or cy1 <= cy0:
            empty = np.zeros((0, 0), bool)
            return (cx0, cy0, cx0, cy0), empty, None if where is None else empty
        sl = (slice(cy0 - y0, cy1 - y0), slice(cx0 - x0, cx1 - x0))
        return (cx0, cy0, cx1, cy1), values[sl], None if where is None else where[sl]


def _union(a: Box, b: Box) -> Box:
    return (min(a[0], b[0]), min(a[1], b[1]), max(a[2], b[2]), max(a[3], b[3]))
