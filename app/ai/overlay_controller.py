"""OverlayController: semantic/panoptic results -> overlay layers on the canvas, the overlay
panel's state, hover text for the status bar, and "Make Instance From Segment".

Wiring (main window): `self.overlays = OverlayController(canvas, panel, ...)`; on every image
switch `overlays.set_current(rel)`; when the worker delivers `overlays.show_result(rel, semantic,
panoptic)`; connect `overlays.hover_text_changed` to the status bar; add OVERLAY_ACTIONS.

"Make Instance From Segment" converts the segment under the last image point the mouse was on
(the canvas's cursor_moved), so Shift+M while pointing at a segment, or the panel button right
after pointing, both work without a separate tool mode.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QT_TRANSLATE_NOOP, QObject, Signal

from app.ai.overlay_panel import KINDS, OverlayPanel
from app.canvas.overlays import (
    PANOPTIC,
    SEMANTIC,
    OverlayLayer,
    assign_colors,
    label_at,
    match_category,
    panoptic_layer,
    segment_mask,
    semantic_layer,
)
from app.canvas.selection import Selection
from app.core.categories import LabelSet
from app.core.document import Document
from app.core.geometry import RasterGeometry
from app.core.instance import Instance
from app.editing.commands import AddInstance
from app.ui.action_table import ActionSpec
from app.ui.i18n import translate

#: Rows for the action table (dotted slots resolve to window.overlays.<method>).
OVERLAY_ACTIONS: tuple[ActionSpec, ...] = (
    ActionSpec("overlay_semantic", QT_TRANSLATE_NOOP("Actions", "Toggle &Semantic Overlay"), "overlays.toggle_semantic", "view", ("O",),
               tip=QT_TRANSLATE_NOOP("Actions", "Show or hide the semantic segmentation of this image")),
    ActionSpec("overlay_panoptic", QT_TRANSLATE_NOOP("Actions", "Toggle Pa&noptic Overlay"), "overlays.toggle_panoptic", "view", ("Shift+O",),
               tip=QT_TRANSLATE_NOOP("Actions", "Show or hide the panoptic segmentation of this image")),
    ActionSpec("segment_to_instance", QT_TRANSLATE_NOOP("Actions", "&Make Instance From Segment"), "overlays.make_instance_from_segment", "ai",
               ("Shift+M",), tip=QT_TRANSLATE_NOOP("Actions", "Turn the overlay segment under the mouse pointer into an editable instance")),
)  # fmt: skip

DEFAULT_OPACITY = 0.45
#: Images whose overlays are kept (2 layers each; a 24 MP layer is 24-48 MB).
CACHE_SIZE = 6


class OverlayController(QObject):
    hover_text_changed = Signal(str)  # "semantic: road", or "" when nothing is under the cursor

    def __init__(
        self,
        canvas: Any,
        panel: OverlayPanel,
        document: Callable[[], Document | None],
        push: Callable[[Any], None],
        selection: Selection,
        labels: Callable[[], LabelSet | None],
        current_category: Callable[[], int | None],
        message: Callable[[str], None] = lambda text: None,
        cache_size: int = CACHE_SIZE,
    ) -> None:
        super().__init__()
        self.canvas, self.panel = canvas, panel
        self.document, self.push, self.selection = document, push, selection
        self.labels, self.current_category, self.message = labels, current_category, message
        self.cache_size = cache_size
        self.current: str | None = None
        self.visible = {SEMANTIC: True, PANOPTIC: True}
        self.opacity = {SEMANTIC: DEFAULT_OPACITY, PANOPTIC: DEFAULT_OPACITY}
        self._cache: OrderedDict[str, dict[str, OverlayLayer]] = OrderedDict()
        self._point: tuple[float, float] | None = None
        self._hover = ""
        panel.visibility_changed.connect(self.set_visible)
        panel.opacity_changed.connect(self.set_opacity)
        panel.make_instance_requested.connect(self.make_instance_from_segment)
        canvas.cursor_moved.connect(self._on_canvas_cursor_moved)
        self._apply()

    # ---- results ---------------------------------------------------------------------------
    def set_current(self, rel: str | None) -> None:
        """The image now shown; its cached overlays (if any) come back."""
        self.current = rel
        if rel in self._cache:
            self._cache.move_to_end(rel)
        self._point = None
        self._apply()

    def show_result(
        self,
        rel: str,
        semantic: Any | None = None,
        panoptic: Any | None = None,
        current: str | None = None,
        categories: Any = (),
    ) -> bool:
        """Overlays delivered by the worker for image `rel` (duck-typed SemanticPrediction /
        PanopticResult; None leaves that layer as it was). `current`, when given, is the image
        shown now (it updates `set_current`). Ignored (False) unless `rel` is the current image,
        so a late result never lands on another image. Panoptic class names come from the
        result's own `categories`, else `categories` ((id, name), ...), else the semantic
        prediction's."""
        if current is not None and current != self.current:
            self.set_current(current)
        if rel is None or rel != self.current:
            return False
        layers = dict(self._cache.pop(rel, {}))
        if semantic is not None:
            layers[SEMANTIC] = semantic_layer(rel, semantic)
        if panoptic is not None:
            names = categories or (getattr(semantic, "categories", ()) if semantic is not None else ())
            if not names and SEMANTIC in layers:
                names = layers[SEMANTIC].categories
            layers[PANOPTIC] = panoptic_layer(rel, panoptic, names)
        colors = assign_colors(layers.values())  # one class, one colour in both layers
        for layer in layers.values():
            layer.recolor(colors)
        self._cache[rel] = layers
        while len(self._cache) > self.cache_size:
            self._cache.popitem(last=False)
        self._apply()
        return True

    def forget(self, rel: str | None = None) -> None:
        """Drop the overlays of one image (or all: a new folder)."""
        if rel is None:
            self._cache.clear()
        else:
            self._cache.pop(rel, None)
        self._apply()

    def layers(self) -> dict[str, OverlayLayer]:
        """The current image's layers by kind (shown or not)."""
        return dict(self._cache.get(self.current, {})) if self.current is not None else {}

    def shown_layers(self) -> list[OverlayLayer]:
        """Visible layers of the current image, bottom first (panoptic draws over semantic)."""
        layers = self.layers()
        return [layers[k] for k in KINDS if k in layers and self.visible[k]]

    # ---- visibility and opacity ------------------------------------------------------------
    def set_visible(self, kind: str, shown: bool) -> None:
        self.visible[kind] = bool(shown)
        self._apply()

    def set_opacity(self, kind: str, opacity: float) -> None:
        self.opacity[kind] = min(max(float(opacity), 0.0), 1.0)
        self._apply()

    def toggle_semantic(self) -> None:
        self.set_visible(SEMANTIC, not self.visible[SEMANTIC])

    def toggle_panoptic(self) -> None:
        self.set_visible(PANOPTIC, not self.visible[PANOPTIC])

    def _apply(self) -> None:
        layers = self.layers()
        shown = self.shown_layers()
        self.canvas.set_overlay_layers([(layer, self.opacity[layer.kind]) for layer in shown])
        for kind in KINDS:
            self.panel.set_state(kind, self.visible[kind], self.opacity[kind])
        self.panel.set_available({k: k in layers for k in KINDS})
        self.panel.set_shown(bool(shown))
        self.panel.set_legend([(layer.kind, layer.legend()) for layer in shown])
        self._update_hover()

    # ---- hover and segment -> instance -----------------------------------------------------
    def label_at(self, x: float, y: float) -> str | None:
        """'panoptic: person' / 'semantic: road' for the top-most shown layer with a class at
        image point (x, y), or None."""
        for layer in reversed(self.shown_layers()):
            name = label_at(layer, x, y)
            if name is not None:
                kind = translate("OverlayController", "panoptic") if layer.kind == PANOPTIC else translate("OverlayController", "semantic")
                return f"{kind}: {name}"
        return None

    def _on_canvas_cursor_moved(self, x: float, y: float) -> None:
        self._point = (x, y)
        self._update_hover()

    def _update_hover(self) -> None:
        text = (self.label_at(*self._point) if self._point is not None else None) or ""
        if text != self._hover:
            self._hover = text
            self.hover_text_changed.emit(text)

    def make_instance_from_segment(self, point: tuple[float, float] | None = None) -> Instance | None:
        """Add the segment under `point` (default: the last pointed image point) of the top-most
        shown layer as an accepted raster instance (undoable), select it and return it. Its class
        is the project class with the segment's class name, else the current class."""
        doc = self.document()
        point = point or self._point
        if doc is None or point is None:
            self.message(translate("OverlayController", "Point at an overlay segment on the image first."))
            return None
        for layer in reversed(self.shown_layers()):
            found = segment_mask(layer, *point)
            if found is not None:
                break
        else:
            self.message(translate("OverlayController", "No overlay segment under the mouse pointer."))
            return None
        if layer.shape != (doc.height, doc.width):
            self.message(translate("OverlayController", "This overlay was computed for a different image size."))
            return None
        mask, (x0, y0), model_cat = found
        name = layer.categories.get(model_cat, f"class {model_cat}")
        labels = self.labels()
        category = match_category([(c.id, c.name) for c in labels], name) if labels is not None else None
        if category is None:
            category = self.current_category()
            if category is None:
                self.message(translate("OverlayController", "Choose a class for the new instance first."))
                return None
            self.message(translate("OverlayController", "No class named “{name}”: the instance got the current class.").format(name=name))
        inst = Instance(
            doc.new_id(), int(category), RasterGeometry(mask, x0, y0).tight(), source=layer.model or layer.kind,
            provenance={"model": layer.model, "prompt": "segment", "overlay": layer.kind,
                        "model_category": model_cat, "model_category_name": name},
        )  # fmt: skip
        self.push(AddInstance(doc, inst, text=translate("OverlayController", "Instance from segment")))
        self.selection.set([inst.id])
        return inst
