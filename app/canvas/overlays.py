"""Semantic and panoptic overlay layers (numpy only, no Qt): colouring at screen resolution,
the class under a point, and the segment under a point as a mask crop.

A layer keeps its map as small palette indices (uint8/uint16 per pixel) plus the original value
of each index, so colouring the visible part is two gathers per screen pixel and a 24 MP result
costs 24-48 MB instead of the 96-192 MB of its int32/int64 map.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import cv2
import numpy as np

from app.core.categories import Color, default_color

if TYPE_CHECKING:
    from app.canvas.render import ViewTransform

SEMANTIC, PANOPTIC = "semantic", "panoptic"
#: Class names drawn transparent: painting "background" hides the image for no information.
TRANSPARENT_NAMES = frozenset({"background", "__background__", "void", "unlabeled", "unlabelled", "ignore"})
# Maps whose values all lie in [0, _DIRECT_LIMIT) index the palette directly.
_DIRECT_LIMIT = 1 << 16
# Brightness steps that set apart neighbouring instances of one thing class.
_THING_SHADES = (0.0, -0.28, 0.3, -0.45, 0.15, -0.15, 0.45)
#: Twenty colours chosen to be told apart (Trubetskoy's list), handed to the largest classes
#: of an image first; `default_color` covers any further classes.
DISTINCT_COLORS: tuple[Color, ...] = (
    (230, 25, 75), (60, 180, 75), (255, 225, 25), (0, 130, 200), (245, 130, 48),
    (145, 30, 180), (70, 240, 240), (240, 50, 230), (210, 245, 60), (250, 190, 212),
    (0, 128, 128), (220, 190, 255), (170, 110, 40), (255, 250, 200), (128, 0, 0),
    (170, 255, 195), (128, 128, 0), (255, 215, 180), (0, 0, 128), (128, 128, 128),
)  # fmt: skip


@dataclass(frozen=True)
class LegendEntry:
    """One class in a layer: its id, name, RGB colour and share of the image (0..1)."""

    category_id: int
    name: str
    color: Color
    fraction: float


@dataclass(eq=False)
class OverlayLayer:
    """One overlay for one image.

    kind: SEMANTIC or PANOPTIC. indices: uint8/uint16/int32 (H, W) palette index per pixel.
    keys: int64 (n,) the original map value of each palette index (a class id for semantic maps,
    a segment id for panoptic ones, where 0 is void). palette: uint8 (n, 4) straight RGBA, alpha 0
    for transparent values. key_category: int64 (n,) category id per palette index (-1: none).
    shades: float (n,) brightness step of each index (panoptic things; 0 elsewhere).
    categories: {category id: name}. rel: the image it belongs to. model: who produced it.
    areas: int64 (n,) pixels per index. colors: {category id: RGB} in use (see `recolor`).
    """

    kind: str
    indices: np.ndarray
    keys: np.ndarray
    palette: np.ndarray
    key_category: np.ndarray
    categories: dict[int, str]
    rel: str
    model: str
    areas: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))
    shades: np.ndarray = field(default_factory=lambda: np.zeros(0, np.float32))
    colors: dict[int, Color] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if len(self.shades) != len(self.keys):
            self.shades = np.zeros(len(self.keys), np.float32)
        self.recolor({})

    def recolor(self, colors: Mapping[int, Color]) -> None:
        """Colour each category by `colors` (default_color for the others); cheap: n entries."""
        self.colors = {}
        for idx in np.flatnonzero(self.key_category >= 0):
            cat = int(self.key_category[idx])
            base = self.colors.setdefault(cat, tuple(colors.get(cat, default_color(cat))))
            self.palette[idx] = (*_shade(base, float(self.shades[idx])), 255)

    def category_areas(self) -> dict[int, int]:
        """Pixels per (non-transparent) category."""
        out: dict[int, int] = {}
        for idx in np.flatnonzero((self.areas > 0) & (self.key_category >= 0)):
            cat = int(self.key_category[idx])
            out[cat] = out.get(cat, 0) + int(self.areas[idx])
        return out

    @property
    def shape(self) -> tuple[int, int]:
        return self.indices.shape[:2]

    def legend(self) -> list[LegendEntry]:
        """Classes present (non-transparent), largest area first."""
        total = max(int(self.indices.size), 1)
        entries = [
            LegendEntry(cat, self.categories.get(cat, f"class {cat}"), self.colors[cat], area / total)
            for cat, area in self.category_areas().items()
        ]
        return sorted(entries, key=lambda e: (-e.fraction, e.category_id))


def _compact(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(indices, keys): keys[indices] == values, indices in the smallest unsigned dtype."""
    values = np.asarray(values)
    if values.size and values.min() >= 0 and values.max() < _DIRECT_LIMIT:
        top = int(values.max())
        keys = np.arange(top + 1, dtype=np.int64)
        return values.astype(np.uint8 if top < 256 else np.uint16), keys
    keys, inverse = np.unique(values, return_inverse=True)
    dtype = np.uint8 if len(keys) <= 256 else np.uint16 if len(keys) <= 65536 else np.int32
    return inverse.reshape(values.shape).astype(dtype), keys.astype(np.int64)


def _shade(rgb: Color, amount: float) -> Color:
    """Mix towards white (amount > 0) or black (amount < 0)."""
    if amount == 0:
        return rgb
    target = 255 if amount > 0 else 0
    a = abs(amount)
    return tuple(round(c + (target - c) * a) for c in rgb)  # type: ignore[return-value]


def semantic_layer(rel: str, prediction: Any) -> OverlayLayer:
    """A layer from a semantic prediction (duck-typed: `class_map` (H, W) int category ids,
    `categories` ((id, name), ...), `model`). Ids not among the categories, and categories
    named like background/void, are transparent."""
    categories = {int(i): str(n) for i, n in prediction.categories}
    indices, keys = _compact(np.asarray(prediction.class_map))
    palette = np.zeros((len(keys), 4), np.uint8)
    key_category = np.full(len(keys), -1, np.int64)
    for i, key in enumerate(keys.tolist()):
        name = categories.get(key)
        if name is None or name.strip().lower() in TRANSPARENT_NAMES:
            continue
        key_category[i] = key
    areas = np.bincount(indices.ravel(), minlength=len(keys))
    return OverlayLayer(SEMANTIC, indices, keys, palette, key_category, categories, rel,
                        str(getattr(prediction, "model", "")), areas)  # fmt: skip


def panoptic_layer(
    rel: str, result: Any, categories: Iterable[tuple[int, str]] | Mapping[int, str] = ()
) -> OverlayLayer:
    """A layer from a panoptic result (duck-typed: `id_map` (H, W) int segment ids, 0 = void;
    `segments_info` dicts with id, category_id, isthing). Names come from `result.categories`
    when it has them, else from `categories`. Stuff segments take their class colour; things
    take shades of it, so touching instances of one class stay apart."""
    names = getattr(result, "categories", None) or categories
    names = dict(names.items()) if isinstance(names, Mapping) else {int(i): str(n) for i, n in names}
    segments = {int(s["id"]): s for s in result.segments_info}
    indices, keys = _compact(np.asarray(result.id_map))
    palette = np.zeros((len(keys), 4), np.uint8)
    key_category = np.full(len(keys), -1, np.int64)
    shades = np.zeros(len(keys), np.float32)
    seen: dict[int, int] = {}
    for i, key in enumerate(keys.tolist()):
        seg = segments.get(key)
        if key == 0 or seg is None:
            continue
        cat = int(seg["category_id"])
        if seg.get("isthing", True):
            n = seen.get(cat, 0)
            seen[cat] = n + 1
            shades[i] = _THING_SHADES[n % len(_THING_SHADES)]
        key_category[i] = cat
    areas = np.bincount(indices.ravel(), minlength=len(keys))
    return OverlayLayer(PANOPTIC, indices, keys, palette, key_category, names, rel,
                        str(getattr(result, "model", "")), areas, shades)  # fmt: skip


def assign_colors(layers: Iterable[OverlayLayer]) -> dict[int, Color]:
    """Colours for the classes of one image's layers: DISTINCT_COLORS by total area (largest
    first, ties by id), then default_color. Apply with `layer.recolor(...)` on each layer, so
    the semantic and the panoptic overlay of an image agree."""
    total: dict[int, int] = {}
    for layer in layers:
        for cat, area in layer.category_areas().items():
            total[cat] = total.get(cat, 0) + area
    ranked = sorted(total, key=lambda c: (-total[c], c))
    return {c: DISTINCT_COLORS[i] if i < len(DISTINCT_COLORS) else default_color(c) for i, c in enumerate(ranked)}


def colorize(
    layer: OverlayLayer,
    view: ViewTransform,
    size: tuple[int, int],
    opacity: float,
    screen_rect: tuple[int, int, int, int] | None = None,
    outline: bool | None = None,
) -> np.ndarray:
    """RGBA premultiplied uint8 (h, w, 4) of `layer` for the screen rectangle (sx0, sy0, sx1, sy1)
    (default: the whole widget of `size` = (width, height)), nearest-neighbour sampled at screen
    pixel centres exactly like app.canvas.render.compose_overlay, so overlays and masks line up.
    Fills use `opacity`; with `outline` (default: panoptic layers) segment borders, one screen
    pixel wide on each side, are drawn stronger. Cost follows the screen pixels, never the image size."""
    sx0, sy0, sx1, sy1 = screen_rect or (0, 0, size[0], size[1])
    out = np.zeros((max(sy1 - sy0, 0), max(sx1 - sx0, 0)), np.uint32)
    rgba = out.view(np.uint8).reshape(out.shape[0], out.shape[1], 4)
    if out.size == 0 or opacity <= 0:
        return rgba
    h, w = layer.shape
    xs = np.floor((np.arange(sx0, sx1) + 0.5) / view.scale + view.ox).astype(np.int64)
    ys = np.floor((np.arange(sy0, sy1) + 0.5) / view.scale + view.oy).astype(np.int64)
    c0, c1 = np.searchsorted(xs, [0, w])
    r0, r1 = np.searchsorted(ys, [0, h])
    if c1 <= c0 or r1 <= r0:
        return rgba
    sub = layer.indices.take(ys[r0:r1], axis=0).take(xs[c0:c1], axis=1)
    out[r0:r1, c0:c1] = _premultiplied(layer.palette, opacity)[sub]
    if outline if outline is not None else layer.kind == PANOPTIC:
        # Both sides of a border, so a segment next to void is outlined too, each in its colour.
        edge = np.zeros(sub.shape, bool)
        dx = sub[:, 1:] != sub[:, :-1]
        dy = sub[1:, :] != sub[:-1, :]
        edge[:, 1:] |= dx
        edge[:, :-1] |= dx
        edge[1:, :] |= dy
        edge[:-1, :] |= dy
        strong = _premultiplied(layer.palette, min(1.0, opacity + 0.45))
        region = out[r0:r1, c0:c1]
        region[edge] = strong[sub[edge]]
    return rgba


def _premultiplied(palette: np.ndarray, opacity: float) -> np.ndarray:
    """uint32 (n,) premultiplied RGBA words (bytes R, G, B, A in memory) at `opacity`."""
    alpha = palette[:, 3:4].astype(np.float32) / 255.0 * float(opacity)
    rgb = palette[:, :3].astype(np.float32) * alpha
    words = np.concatenate([rgb, alpha * 255.0], axis=1)
    return np.ascontiguousarray(np.round(words).astype(np.uint8)).view(np.uint32).reshape(-1)


def _index_at(layer: OverlayLayer, x: float, y: float) -> int | None:
    px, py = int(np.floor(x)), int(np.floor(y))
    h, w = layer.shape
    if not (0 <= px < w and 0 <= py < h):
        return None
    idx = int(layer.indices[py, px])
    return idx if layer.palette[idx, 3] > 0 else None


def label_at(layer: OverlayLayer, x: float, y: float) -> str | None:
    """Class name under image point (x, y) (pixel corners), or None outside the image, on
    transparent (void, background, unknown) pixels."""
    idx = _index_at(layer, x, y)
    if idx is None:
        return None
    cat = int(layer.key_category[idx])
    return layer.categories.get(cat, f"class {cat}")


def segment_mask(layer: OverlayLayer, x: float, y: float) -> tuple[np.ndarray, tuple[int, int], int] | None:
    """The segment under image point (x, y) as (bool crop (h, w), (x0, y0) offset, category id).

    Semantic layers: the 8-connected region of the class under the point (one object of a class
    map, not every pixel of that class). Panoptic layers: the whole segment (all its parts).
    None where label_at is None."""
    idx = _index_at(layer, x, y)
    if idx is None:
        return None
    same = layer.indices == idx
    if layer.kind == SEMANTIC:
        _, labels, stats, _ = cv2.connectedComponentsWithStats(same.view(np.uint8), connectivity=8)
        lab = labels[int(np.floor(y)), int(np.floor(x))]
        x0, y0, bw, bh = (int(v) for v in stats[lab, :4])
        crop = labels[y0 : y0 + bh, x0 : x0 + bw] == lab
        return crop, (x0, y0), int(layer.key_category[idx])
    rows = np.flatnonzero(same.any(axis=1))
    cols = np.flatnonzero(same.any(axis=0))
    y0, y1, x0, x1 = int(rows[0]), int(rows[-1]) + 1, int(cols[0]), int(cols[-1]) + 1
    return same[y0:y1, x0:x1].copy(), (x0, y0), int(layer.key_category[idx])


def match_category(names: Sequence[tuple[int, str]], name: str) -> int | None:
    """The project category id whose name equals `name` (case and spaces ignored), or None."""
    wanted = name.strip().lower()
    for cid, other in names:
        if other.strip().lower() == wanted:
            return int(cid)
    return None
