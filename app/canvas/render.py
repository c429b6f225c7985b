"""The view transform, the overlay style, polygon rasters for hit tests, hit-testing and the
score-tag layout: the numpy side of drawing that the canvas, the tools and the review share.
Composing the instances themselves is app.canvas.labelmap + app.canvas.compose."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from app.core.categories import LabelSet
from app.core.document import Document
from app.core.geometry import Box, Geometry, RasterGeometry, to_raster
from app.core.instance import Instance


@dataclass(frozen=True)
class ViewTransform:
    """screen = (image - origin) * scale. origin is the image point at the widget's top-left."""

    scale: float
    ox: float
    oy: float

    def to_screen(self, x: float, y: float) -> tuple[float, float]:
        return (x - self.ox) * self.scale, (y - self.oy) * self.scale

    def to_image(self, sx: float, sy: float) -> tuple[float, float]:
        return sx / self.scale + self.ox, sy / self.scale + self.oy

    def visible_image_box(self, width: int, height: int) -> Box:
        x0, y0 = self.to_image(0, 0)
        x1, y1 = self.to_image(width, height)
        return (int(np.floor(x0)), int(np.floor(y0)), int(np.ceil(x1)), int(np.ceil(y1)))


@dataclass
class OverlayStyle:
    opacity: float = 0.45  # fill alpha of accepted instances
    fill: bool = True
    outline: bool = True
    suggestion_opacity: float = 0.22
    hidden: bool = False  # "hide all" (T)
    score_tags: bool = True  # "person 0.87" labels on pending suggestions


class RasterCache:
    """Each polygon instance rasterized once per geometry (geometries are immutable).

    Keyed by instance id, so a new geometry (a vertex drag, an undo) replaces the stale entry
    and the cache never holds more than one raster per instance id."""

    def __init__(self) -> None:
        self._cache: dict[int, tuple[Geometry, RasterGeometry]] = {}

    def get(self, inst: Instance, clip: tuple[int, int]) -> RasterGeometry:
        geometry = inst.geometry
        if isinstance(geometry, RasterGeometry):
            return geometry
        hit = self._cache.get(inst.id)
        if hit is not None and hit[0] is geometry:
            return hit[1]
        raster = to_raster(geometry, clip)
        self._cache[inst.id] = (geometry, raster)
        return raster


def hit_test(doc: Document, x: float, y: float, rasters: RasterCache, visible_filter=None) -> int | None:
    """Id of the top-most visible instance covering image point (x, y), or None.

    Boxes are tested first, so the cost is a box test per instance plus one pixel lookup for the
    few whose box contains the point."""
    px, py = int(np.floor(x)), int(np.floor(y))
    clip = (doc.height, doc.width)
    for inst in reversed(doc.instances):
        if not inst.visible or (visible_filter is not None and not visible_filter(inst)):
            continue
        x0, y0, x1, y1 = inst.bbox()
        if not (x0 <= px < x1 and y0 <= py < y1):
            continue
        r = rasters.get(inst, clip)
        rx0, ry0, rx1, ry1 = r.bbox()
        if rx0 <= px < rx1 and ry0 <= py < ry1 and r.mask[py - ry0, px - rx0]:
            return inst.id
    return None


@dataclass(frozen=True)
class ScoreTag:
    """A label drawn at a suggestion's box: screen position of the box's top-left corner."""

    x: float
    y: float
    text: str
    color: tuple[int, int, int]
    selected: bool


MIN_TAG_BOX_PX = 6  # boxes smaller than this on screen get no tag: tags would hide the object


def score_tags(
    doc: Document,
    labels: LabelSet,
    view: ViewTransform,
    size: tuple[int, int],
    style: OverlayStyle,
    selected: frozenset[int] = frozenset(),
    visible_filter=None,
) -> list[ScoreTag]:
    """Tags ("class score") for the visible suggestions whose box is on screen, bottom to top.

    `size` is the widget (width, height); the same `visible_filter` as compose_overlay, so a
    suggestion hidden by the threshold has neither mask nor tag."""
    if style.hidden or not style.score_tags:
        return []
    vx0, vy0, vx1, vy1 = view.visible_image_box(*size)
    out: list[ScoreTag] = []
    for inst in doc:
        if not inst.is_suggestion or not inst.visible:
            continue
        if visible_filter is not None and not visible_filter(inst):
            continue
        x0, y0, x1, y1 = inst.bbox()
        if x1 <= vx0 or x0 >= vx1 or y1 <= vy0 or y0 >= vy1:
            continue
        if max(x1 - x0, y1 - y0) * view.scale < MIN_TAG_BOX_PX:
            continue
        score = "" if inst.score is None else f" {inst.score:.2f}"
        sx, sy = view.to_screen(x0, y0)
        out.append(
            ScoreTag(sx, sy, f"{labels.name(inst.category_id)}{score}", labels.color(inst.category_id), inst.id in selected)
        )
    return out
