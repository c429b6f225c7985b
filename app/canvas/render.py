"""Pure rendering of instances into a screen-sized RGBA buffer (numpy), one job per function.

Masks are composed at *screen* resolution: each visible instance's crop is sampled with
nearest-neighbour indices into the part of the view it covers, so cost follows the pixels on
screen and never the number or size of instances outside the view.
"""

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


def compose_overlay(
    doc: Document,
    labels: LabelSet,
    view: ViewTransform,
    size: tuple[int, int],
    style: OverlayStyle,
    rasters: RasterCache,
    selected: frozenset[int] = frozenset(),
    screen_rect: tuple[int, int, int, int] | None = None,
    visible_filter=None,
) -> np.ndarray:
    """RGBA premultiplied uint8 (h, w, 4) overlay for the screen rectangle (sx0, sy0, sx1, sy1)
    (default: the whole widget of `size` = (width, height)). Later instances paint over earlier ones.
    `visible_filter(instance) -> bool` can hide instances (e.g. suggestions below a threshold)."""
    sx0, sy0, sx1, sy1 = screen_rect or (0, 0, size[0], size[1])
    # One uint32 per pixel (RGBA bytes in memory order): a masked write is one store per pixel.
    out = np.zeros((max(sy1 - sy0, 0), max(sx1 - sx0, 0)), np.uint32)
    rgba = out.view(np.uint8).reshape(out.shape[0], out.shape[1], 4)
    if style.hidden or out.size == 0:
        return rgba
    # Image coordinates sampled by each screen pixel centre of the rectangle.
    xs = np.floor((np.arange(sx0, sx1) + 0.5) / view.scale + view.ox).astype(np.int64)
    ys = np.floor((np.arange(sy0, sy1) + 0.5) / view.scale + view.oy).astype(np.int64)
    if xs.size == 0 or ys.size == 0:
        return rgba
    vx0, vx1, vy0, vy1 = xs[0], xs[-1] + 1, ys[0], ys[-1] + 1
    clip = (doc.height, doc.width)
    for inst in doc:
        if not inst.visible or (visible_filter is not None and not visible_filter(inst)):
            continue
        bx0, by0, bx1, by1 = inst.bbox()
        if bx1 <= vx0 or bx0 >= vx1 or by1 <= vy0 or by0 >= vy1:
            continue  # outside the view: costs one box test
        raster = rasters.get(inst, clip)
        if raster.is_empty():
            continue
        _paint_instance(out, xs, ys, raster, inst, labels, style, inst.id in selected)
    return rgba


def _paint_instance(
    out: np.ndarray,
    xs: np.ndarray,
    ys: np.ndarray,
    raster: RasterGeometry,
    inst: Instance,
    labels: LabelSet,
    style: OverlayStyle,
    selected: bool,
) -> None:
    mx0, my0, mx1, my1 = raster.bbox()
    c0, c1 = np.searchsorted(xs, [mx0, mx1])
    r0, r1 = np.searchsorted(ys, [my0, my1])
    if c1 <= c0 or r1 <= r0:
        return
    sub = raster.mask.take(ys[r0:r1] - my0, axis=0).take(xs[c0:c1] - mx0, axis=1)
    if not sub.any():
        return
    color = labels.color(inst.category_id)
    suggestion = inst.is_suggestion
    fill_alpha = style.suggestion_opacity if suggestion else style.opacity
    if selected:
        fill_alpha = min(1.0, fill_alpha + 0.2)
    region = out[r0:r1, c0:c1]
    if style.fill and fill_alpha > 0:
        region[sub] = _premultiplied(color, fill_alpha)
    if style.outline or selected:
        edge = _edges(sub)
        if suggestion:
            # Dashed: runs of 4 screen pixels along the diagonal alternate between the colour
            # and a dark translucent gap, so the outline reads on light and dark images alike.
            yy, xx = np.nonzero(edge)
            on = ((yy + r0 + xx + c0) // 4) % 2 == 0
            region[yy[~on], xx[~on]] = _premultiplied((0, 0, 0), 0.55)
            edge = np.zeros_like(edge)
            edge[yy[on], xx[on]] = True
        region[edge] = _premultiplied((255, 255, 255) if selected else color, 1.0)


def _premultiplied(rgb: tuple[int, int, int], alpha: float) -> np.uint32:
    """Premultiplied RGBA packed so that its bytes in memory read R, G, B, A."""
    r, g, b, a = (round(rgb[0] * alpha), round(rgb[1] * alpha), round(rgb[2] * alpha), round(255 * alpha))
    return np.array([r, g, b, a], np.uint8).view(np.uint32)[0]


def _edges(mask: np.ndarray) -> np.ndarray:
    """Pixels of `mask` with a 4-neighbour outside it (sampled-view edges, 1 screen pixel wide)."""
    inner = mask.copy()
    inner[1:, :] &= mask[:-1, :]
    inner[:-1, :] &= mask[1:, :]
    inner[:, 1:] &= mask[:, :-1]
    inner[:, :-1] &= mask[:, 1:]
    return mask & ~inner


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
