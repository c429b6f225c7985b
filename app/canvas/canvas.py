"""The image canvas: view transform (zoom/pan), painting, hover, and PointerEvents for the tool.

A plain QWidget rather than QGraphicsView: it draws two cached widget-sized layers, the image
(app.canvas.image_layer) and the composed instances (app.canvas.instance_layer), and keeps both
between frames, so a repaint with nothing changed is two blits whether the image holds 3
instances or 3,000, and a pan, zoom, selection or hover change redoes only what it changed.
"""

from __future__ import annotations

import time

from PySide6.QtCore import QPointF, QRect, QRectF, Qt, QTimer, Signal
from PySide6.QtGui import QColor, QImage, QPainter, QPalette
from PySide6.QtWidgets import QWidget

from app.canvas.image_layer import ImageLayer, wrap
from app.canvas.instance_layer import InstanceLayer, screen_rect
from app.canvas.overlays import OverlayLayer
from app.canvas.pointer import Buttons, PointerEvent, Tool
from app.canvas.qt_events import CURSORS, KEY_NAMES, buttons, hover_text, modifiers
from app.canvas.render import OverlayStyle, RasterCache, ViewTransform, hit_test, score_tags
from app.canvas.tags import paint_tags
from app.core.categories import LabelSet
from app.core.document import Change, Document
from app.core.geometry import Box
from app.core.instance import Instance
from app.formats.image_io import LoadedImage

MIN_SCALE, MAX_SCALE = 1 / 64, 64.0
#: Composing a new zoom of many instances stops when the frame has used this much (a frame that
#: spent it on the image composes nothing) and goes on in the next frames, the previous
#: composition scaled standing in meanwhile, so a zoom of 1,000 instances stays smooth.
FRAME_BUDGET_S = 0.006
BACKGROUND = QColor(38, 40, 44)


class Canvas(QWidget):
    cursor_moved = Signal(float, float)  # image coordinates
    zoom_changed = Signal(float)  # scale, 1.0 = 100 %
    hover_changed = Signal(str)  # the instance under the pointer ("#12 person 0.87"), "" for none

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setMouseTracking(True)
        self.setFocusPolicy(Qt.StrongFocus)
        self.setAutoFillBackground(True)
        pal = self.palette()
        pal.setColor(QPalette.Window, BACKGROUND)
        self.setPalette(pal)
        self.setMinimumSize(320, 240)
        self.image: LoadedImage | None = None  # the full image (None while only a preview is shown)
        self.preview: LoadedImage | None = None  # a reduced decode shown until the full one comes
        self.message = ""
        self.document: Document | None = None
        self.labels = LabelSet()
        self.style = OverlayStyle()
        self.rasters = RasterCache()
        self.selected: frozenset[int] = frozenset()
        self.tool: Tool | None = None
        self.overlay_layers: tuple[tuple[OverlayLayer, float], ...] = ()  # (layer, opacity), bottom first
        self.view = ViewTransform(1.0, 0.0, 0.0)
        self.images = ImageLayer(BACKGROUND)
        self.instances = InstanceLayer(self.style)
        self._overlay: tuple[object, QImage] | None = None  # (buffer array, its QImage)
        self._tags: tuple[tuple, list] | None = None  # (what they were laid out for, tags)
        self._suggestions: tuple[tuple, list] = ((), [])  # ((document, revision), its suggestions)
        self._epoch = 0  # bumped whenever what is shown may change without a document edit
        self._pan_anchor: QPointF | None = None
        self._space_down = False
        self._fitted = True

    @property
    def visible_filter(self):
        """`filter(instance) -> bool` hiding instances (the review threshold), or None."""
        return self.instances.visible_filter

    @visible_filter.setter
    def visible_filter(self, value) -> None:
        # Kept by the layer, which asks it (no reference from the layer back to this widget).
        self.instances.visible_filter = value

    # ---- content ------------------------------------------------------------------------
    def set_image(self, image: LoadedImage | None, message: str = "") -> None:
        """Show `image`. A preview (image.preview) is drawn until its full image is set; the
        full image then replaces it in place, keeping the zoom and position."""
        before = self.image or self.preview
        same = (
            image is not None and before is not None and image.source != "" and image.source == before.source
            and (image.width, image.height) == (before.width, before.height)
        )  # fmt: skip
        preview = image is not None and image.preview
        if same and preview and self.image is not None:
            return  # a late preview must never replace the full image
        self.image, self.preview = (None, image) if preview else (image, None)
        self.message = message
        self.images.set_image(image)
        if not same:
            self.fit()
        self.update()

    def set_document(self, doc: Document | None, labels: LabelSet) -> None:
        if self.document is not None:
            self.document.changed.disconnect(self._on_document_changed)
        self.document = doc
        self.labels = labels
        self.rasters = RasterCache()
        self.instances.set_document(doc, labels)
        self.instances.set_selected(self.selected)
        if doc is not None:
            doc.changed.connect(self._on_document_changed)
        self.hover_changed.emit("")
        self.update()

    def set_selected(self, ids: frozenset[int]) -> None:
        if ids != self.selected:
            self.selected = ids
            self._update_boxes(self.instances.set_selected(ids))

    def set_tool(self, tool: Tool | None) -> None:
        if self.tool is not None:
            self.tool.cancel()
        self.tool = tool
        self.setCursor(CURSORS.get(tool.cursor_shape if tool else "arrow", Qt.ArrowCursor))
        self.update()

    def set_overlay_layers(self, layers: list[tuple[OverlayLayer, float]]) -> None:
        """Semantic/panoptic layers with their opacity, drawn over the image and under the
        instances (bottom first); pass [] to hide them. They join the cached background, so a
        repaint for an edit or a tool never recolours them."""
        self.overlay_layers = tuple(layers)
        self.images.set_overlay_layers(self.overlay_layers)
        self.update()

    def set_mask_style(self, opacity: float, fill: bool, outline: bool) -> None:
        """The layer panel's opacity, fill and outline choices; suggestions are drawn lighter."""
        style = self.style
        style.opacity, style.fill, style.outline = opacity, fill, outline
        style.suggestion_opacity = opacity / 2
        self.instances.restyle()
        self.update()

    def set_masks_hidden(self, hidden: bool) -> None:
        self.style.hidden = hidden
        self._set_hovered(None)
        self.invalidate_overlay()

    def invalidate_overlay(self) -> None:
        """Draw every instance again (the review filter, class colours or the style changed)."""
        self.instances.invalidate()
        self._epoch += 1
        self.update()

    def _on_document_changed(self, change: Change) -> None:
        box = self.instances.on_change(change)
        if box is not None:
            self._update_boxes([box])
        else:
            self.update()  # fields the tags show (score), or nothing drawn

    def _update_boxes(self, boxes: list[Box]) -> None:
        for box in boxes:
            x0, y0, x1, y1 = screen_rect(self.view, box)
            self.update(QRect(x0, y0, x1 - x0, y1 - y0))

    # ---- view ---------------------------------------------------------------------------
    def image_size(self) -> tuple[int, int]:
        shown = self.image or self.preview
        if shown is not None:
            return shown.width, shown.height
        if self.document is not None:
            return self.document.width, self.document.height
        return (0, 0)

    def fit(self) -> None:
        w, h = self.image_size()
        if not w or not h:
            return
        s = min(self.width() / w, self.height() / h) * 0.98
        s = min(max(s, MIN_SCALE), MAX_SCALE)
        self._set_view(ViewTransform(s, w / 2 - self.width() / (2 * s), h / 2 - self.height() / (2 * s)))
        self._fitted = True

    def zoom_to(self, scale: float, anchor: QPointF | None = None) -> None:
        """Zoom keeping the image point under `anchor` (widget coords; default: centre) fixed."""
        anchor = anchor or QPointF(self.width() / 2, self.height() / 2)
        scale = min(max(scale, MIN_SCALE), MAX_SCALE)
        ix, iy = self.view.to_image(anchor.x(), anchor.y())
        self._set_view(ViewTransform(scale, ix - anchor.x() / scale, iy - anchor.y() / scale))
        self._fitted = False

    def zoom_in(self) -> None:
        self.zoom_to(self.view.scale * 1.25)

    def zoom_out(self) -> None:
        self.zoom_to(self.view.scale / 1.25)

    def zoom_actual(self) -> None:
        self.zoom_to(1.0)

    def center_on(self, x: float, y: float) -> None:
        s = self.view.scale
        self._set_view(ViewTransform(s, x - self.width() / (2 * s), y - self.height() / (2 * s)))

    def pan_by(self, dx: float, dy: float) -> None:
        s = self.view.scale
        self._set_view(ViewTransform(s, self.view.ox - dx / s, self.view.oy - dy / s))
        self._fitted = False

    def _set_view(self, view: ViewTransform) -> None:
        changed_scale = view.scale != self.view.scale
        self.view = view
        self.update()  # the layers see the new view at the next paint and redo what it needs
        if changed_scale:
            self.zoom_changed.emit(view.scale)

    def resizeEvent(self, event) -> None:  # noqa: N802 (Qt naming)
        if self._fitted:
            self.fit()
        super().resizeEvent(event)

    # ---- painting -------------------------------------------------------------------------
    def _ensure_overlay(self, budget_s: float | None = None) -> QImage | None:
        """The composed instances for the current view (ARGB32 premultiplied, widget-sized);
        with `budget_s`, a new zoom may leave rows for the next frames (see _paint_previous)."""
        arr = self.instances.frame(self.view, (self.width(), self.height()), budget_s)
        if arr is None:
            return None
        if self._overlay is None or self._overlay[0] is not arr:
            self._overlay = (arr, wrap(arr, QImage.Format_ARGB32_Premultiplied))
        return self._overlay[1]

    def paintEvent(self, event) -> None:  # noqa: N802
        start = time.perf_counter()
        painter = QPainter(self)
        if self.image is not None or self.preview is not None:
            background = self.images.frame(self.view, (self.width(), self.height()), self.devicePixelRatioF())
            painter.drawImage(event.rect(), background, event.rect())
            if self.images.rough:
                QTimer.singleShot(0, self.update)  # the smoothed picture in the next frame
        # What the image left of the frame budget goes to composing instances.
        overlay = self._ensure_overlay(max(0.0, FRAME_BUDGET_S - (time.perf_counter() - start)))
        if overlay is not None:
            area = event.rect()
            pending = self.instances.buffer.pending()
            if pending is not None:  # blend only the rows composed; the previous overlay below them
                self._paint_previous(painter, area, pending)
                area = area.intersected(QRect(0, 0, self.width(), pending[1]))
            painter.drawImage(area, overlay, area)
            self._paint_score_tags(painter)
        if self.tool is not None:
            self.tool.paint_overlay(painter, self.view)
        if self.message:
            painter.setPen(QColor(235, 235, 235))
            painter.drawText(self.rect().adjusted(20, 20, -20, -20), Qt.AlignCenter | Qt.TextWordWrap, self.message)
        painter.end()

    def _paint_previous(self, painter: QPainter, area: QRect, pending: tuple[int, int, int, int]) -> None:
        """While a zoom is still being composed, the last complete composition, scaled to the
        new view, stands in for the rows not reached yet; the next frame comes at once."""
        QTimer.singleShot(0, self.update)
        if self.instances.buffer.previous is None:
            return
        arr, old = self.instances.buffer.previous
        x0, y0 = self.view.to_screen(*old.to_image(0, 0))
        k = self.view.scale / old.scale
        painter.save()
        painter.setClipRect(QRect(pending[0], pending[1], pending[2] - pending[0], pending[3] - pending[1]).intersected(area))
        painter.drawImage(QRectF(x0, y0, arr.shape[1] * k, arr.shape[0] * k), wrap(arr, QImage.Format_ARGB32_Premultiplied))
        painter.restore()

    def _paint_score_tags(self, painter: QPainter) -> None:
        """Laid out once per view and document revision: a scan of every instance per frame
        would cost 1 ms per 1,000 of them."""
        size = (self.width(), self.height())
        style = self.style
        doc = self.document
        if self._suggestions[0] != (id(doc), doc.revision):  # only suggestions have tags
            self._suggestions = ((id(doc), doc.revision), [i for i in doc if i.is_suggestion])
        key = (self._suggestions[0], self.view, size, self.selected, self._epoch, style.hidden, style.score_tags)
        if self._tags is None or self._tags[0] != key:
            self._tags = (key, score_tags(self._suggestions[1], self.labels, self.view, size, style, self.selected, self.visible_filter))
        paint_tags(painter, self._tags[1])

    # ---- hover ------------------------------------------------------------------------------
    def _hover(self, pos: QPointF) -> None:
        """Outline the instance under the pointer (what is drawn there) and name it."""
        if self.instances.buffer.view != self.view:
            return  # not composed for this view yet: the next move decides
        inst = self.instances.instance_at(self.view, pos.x(), pos.y())
        self._set_hovered(inst)

    def _set_hovered(self, inst: Instance | None) -> None:
        iid = inst.id if inst is not None else None
        if iid == self.instances.hovered:
            return
        self._update_boxes(self.instances.set_hovered(iid))
        self.hover_changed.emit(hover_text(inst, self.labels) if inst is not None else "")

    # ---- input ----------------------------------------------------------------------------
    def _pointer(self, event, button: Buttons = Buttons.NONE, double: bool = False) -> PointerEvent:
        pos = event.position()
        x, y = self.view.to_image(pos.x(), pos.y())
        return PointerEvent(x, y, button, buttons(event.buttons()), modifiers(event.modifiers()), double)

    def mousePressEvent(self, event) -> None:  # noqa: N802
        self.setFocus()
        if event.button() == Qt.MiddleButton or (event.button() == Qt.LeftButton and self._space_down):
            self._pan_anchor = event.position()
            self.setCursor(Qt.ClosedHandCursor)
            self._set_hovered(None)
            return
        if self.tool is not None and self.image is not None:  # nothing to edit while loading
            self.tool.press(self._pointer(event, buttons(event.button())))

    def mouseDoubleClickEvent(self, event) -> None:  # noqa: N802
        if self.tool is not None and self.image is not None and event.button() == Qt.LeftButton:
            self.tool.press(self._pointer(event, Buttons.LEFT, double=True))

    def mouseMoveEvent(self, event) -> None:  # noqa: N802
        pos = event.position()
        if self._pan_anchor is not None:
            delta = pos - self._pan_anchor
            self._pan_anchor = pos
            self.pan_by(delta.x(), delta.y())
            return
        ptr = self._pointer(event)
        self.cursor_moved.emit(ptr.x, ptr.y)
        if self.tool is not None:
            self.tool.move(ptr)
        if ptr.buttons is Buttons.NONE:  # a drag (brush, vertex) keeps its hover still
            self._hover(pos)

    def mouseReleaseEvent(self, event) -> None:  # noqa: N802
        if self._pan_anchor is not None and event.button() in (Qt.MiddleButton, Qt.LeftButton):
            self._pan_anchor = None
            self._restore_cursor()
            return
        if self.tool is not None:
            self.tool.release(self._pointer(event, buttons(event.button())))

    def wheelEvent(self, event) -> None:  # noqa: N802
        steps = event.angleDelta().y() / 120.0
        if steps and self.tool is not None and self.tool.wheel(steps, modifiers(event.modifiers())):
            return
        if steps:
            self.zoom_to(self.view.scale * (1.25**steps), event.position())

    def keyPressEvent(self, event) -> None:  # noqa: N802
        if event.key() == Qt.Key_Space and not event.isAutoRepeat():
            self._space_down = True
            self.setCursor(Qt.OpenHandCursor)
            return
        name = KEY_NAMES.get(event.key())
        if name and self.tool is not None and self.tool.key(name):
            self.update()
            return
        super().keyPressEvent(event)

    def focusNextPrevChild(self, next: bool) -> bool:  # noqa: N802, A002 (Qt names)
        return False  # Tab belongs to the tools (the interactive tool cycles masks with it)

    def keyReleaseEvent(self, event) -> None:  # noqa: N802
        if event.key() == Qt.Key_Space and not event.isAutoRepeat():
            self._space_down = False
            self._pan_anchor = None
            self._restore_cursor()
            return
        super().keyReleaseEvent(event)

    def _restore_cursor(self) -> None:
        self.setCursor(CURSORS.get(self.tool.cursor_shape if self.tool else "arrow", Qt.ArrowCursor))

    def leaveEvent(self, event) -> None:  # noqa: N802
        self._set_hovered(None)
        if self.tool is not None and hasattr(self.tool, "cursor"):
            self.tool.cursor = None  # hide the brush outline when the pointer leaves
            self.update()
        super().leaveEvent(event)

    def hit(self, x: float, y: float) -> int | None:
        if self.document is None:
            return None
        return hit_test(self.document, x, y, self.rasters, self.visible_filter)
