"""The image canvas: view transform (zoom/pan), painting, and PointerEvents for the active tool.

A plain QWidget rather than QGraphicsView: we draw one image (from a pyramid level when zoomed
out) and one screen-sized overlay composed by app.canvas.render, so a repaint costs the same whether
the image holds 3 instances or 3,000.
"""

from __future__ import annotations

import math

import numpy as np
from PySide6.QtCore import QPointF, QRect, QRectF, Qt, Signal
from PySide6.QtGui import QColor, QImage, QPainter, QPalette
from PySide6.QtWidgets import QWidget

from app.canvas.overlays import OverlayLayer, colorize
from app.canvas.pointer import Buttons, Modifiers, PointerEvent, Tool
from app.canvas.render import (
    OverlayStyle,
    RasterCache,
    ViewTransform,
    compose_overlay,
    hit_test,
    score_tags,
)
from app.canvas.tags import paint_tags
from app.core.categories import LabelSet
from app.core.document import Change, ChangeKind, Document
from app.formats.image_io import LoadedImage

MIN_SCALE, MAX_SCALE = 1 / 64, 64.0
_KEY_NAMES = {
    Qt.Key_Escape: "Escape", Qt.Key_Return: "Return", Qt.Key_Enter: "Return",
    Qt.Key_Backspace: "Backspace", Qt.Key_Delete: "Delete",
    Qt.Key_BracketLeft: "BracketLeft", Qt.Key_BracketRight: "BracketRight", Qt.Key_Tab: "Tab",
}
_CURSORS = {"arrow": Qt.ArrowCursor, "cross": Qt.CrossCursor, "blank": Qt.BlankCursor}


def numpy_to_qimage(arr: np.ndarray, fmt: QImage.Format) -> QImage:
    """Wrap a C-contiguous uint8 array without copying; the caller keeps `arr` alive."""
    h, w = arr.shape[:2]
    return QImage(arr.data, w, h, arr.strides[0], fmt)


class Canvas(QWidget):
    cursor_moved = Signal(float, float)  # image coordinates
    zoom_changed = Signal(float)  # scale, 1.0 = 100 %

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setMouseTracking(True)
        self.setFocusPolicy(Qt.StrongFocus)
        self.setAutoFillBackground(True)
        pal = self.palette()
        pal.setColor(QPalette.Window, QColor(38, 40, 44))
        self.setPalette(pal)
        self.setMinimumSize(320, 240)
        self.image: LoadedImage | None = None
        self.message = ""
        self.document: Document | None = None
        self.labels = LabelSet()
        self.style = OverlayStyle()
        self.rasters = RasterCache()
        self.selected: frozenset[int] = frozenset()
        self.visible_filter = None
        self.tool: Tool | None = None
        self.overlay_layers: tuple[tuple[OverlayLayer, float], ...] = ()  # (layer, opacity), bottom first
        self.view = ViewTransform(1.0, 0.0, 0.0)
        self._levels: list[tuple[np.ndarray, QImage]] = []
        self._overlay: tuple[np.ndarray, QImage] | None = None
        self._background: tuple[tuple, QImage] | None = None  # the image drawn for one view
        self._pan_anchor: QPointF | None = None
        self._space_down = False
        self._fitted = True

    # ---- content ------------------------------------------------------------------------
    def set_image(self, image: LoadedImage | None, message: str = "") -> None:
        self.image = image
        self.message = message
        self._levels = []
        self._background = None
        if image is not None:
            for arr in [image.rgb, *image.pyramid]:
                arr = np.ascontiguousarray(arr)
                self._levels.append((arr, numpy_to_qimage(arr, QImage.Format_RGB888)))
        self.fit()

    def set_document(self, doc: Document | None, labels: LabelSet) -> None:
        if self.document is not None:
            self.document.changed.disconnect(self._on_document_changed)
        self.document = doc
        self.labels = labels
        self.rasters = RasterCache()
        if doc is not None:
            doc.changed.connect(self._on_document_changed)
        self.invalidate_overlay()

    def set_selected(self, ids: frozenset[int]) -> None:
        if ids != self.selected:
            self.selected = ids
            self.invalidate_overlay()

    def set_tool(self, tool: Tool | None) -> None:
        if self.tool is not None:
            self.tool.cancel()
        self.tool = tool
        self.setCursor(_CURSORS.get(tool.cursor_shape if tool else "arrow", Qt.ArrowCursor))
        self.update()

    def set_overlay_layers(self, layers: list[tuple[OverlayLayer, float]]) -> None:
        """Semantic/panoptic layers with their opacity, drawn over the image and under the
        instances (bottom first); pass [] to hide them. They join the cached background, so a
        repaint for an edit or a tool never recolours them."""
        self.overlay_layers = tuple(layers)
        self._background = None
        self.update()

    def set_mask_style(self, opacity: float, fill: bool, outline: bool) -> None:
        """The layer panel's opacity, fill and outline choices; suggestions are drawn lighter."""
        style = self.style
        style.opacity, style.fill, style.outline = opacity, fill, outline
        style.suggestion_opacity = opacity / 2
        self.invalidate_overlay()

    def set_masks_hidden(self, hidden: bool) -> None:
        self.style.hidden = hidden
        self.invalidate_overlay()

    def invalidate_overlay(self) -> None:
        self._overlay = None
        self.update()

    def _on_document_changed(self, change: Change) -> None:
        if change.kind is ChangeKind.GEOMETRY and change.box and self._overlay is not None:
            self._recompose(self._screen_rect(change.box))
        else:
            self.invalidate_overlay()

    # ---- view ---------------------------------------------------------------------------
    def image_size(self) -> tuple[int, int]:
        if self.image is not None:
            return self.image.width, self.image.height
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
        self._overlay = None
        self._background = None
        self.update()
        if changed_scale:
            self.zoom_changed.emit(view.scale)

    def resizeEvent(self, event) -> None:  # noqa: N802 (Qt naming)
        if self._fitted:
            self.fit()
        self._overlay = None
        self._background = None
        super().resizeEvent(event)

    def _screen_rect(self, box: tuple[int, int, int, int]) -> QRect:
        x0, y0 = self.view.to_screen(box[0], box[1])
        x1, y1 = self.view.to_screen(box[2], box[3])
        return QRect(math.floor(x0) - 1, math.floor(y0) - 1, math.ceil(x1 - x0) + 3, math.ceil(y1 - y0) + 3)

    # ---- painting -------------------------------------------------------------------------
    def _ensure_overlay(self) -> QImage | None:
        if self.document is None:
            return None
        if self._overlay is None:
            arr = compose_overlay(
                self.document, self.labels, self.view, (self.width(), self.height()),
                self.style, self.rasters, self.selected, visible_filter=self.visible_filter,
            )
            self._overlay = (arr, numpy_to_qimage(arr, QImage.Format_RGBA8888_Premultiplied))
        return self._overlay[1]

    def _recompose(self, rect: QRect) -> None:
        """Redraw only `rect` of the cached overlay (brush dabs, small edits)."""
        rect = rect.intersected(self.rect())
        if rect.isEmpty() or self._overlay is None:
            return
        arr = self._overlay[0]
        arr[rect.top() : rect.bottom() + 1, rect.left() : rect.right() + 1] = compose_overlay(
            self.document, self.labels, self.view, (self.width(), self.height()), self.style,
            self.rasters, self.selected,
            screen_rect=(rect.left(), rect.top(), rect.right() + 1, rect.bottom() + 1),
            visible_filter=self.visible_filter,
        )
        self.update(rect)

    def paintEvent(self, event) -> None:  # noqa: N802
        painter = QPainter(self)
        if self.image is not None:
            background = self._ensure_background()
            painter.drawImage(event.rect(), background, event.rect())
        overlay = self._ensure_overlay()
        if overlay is not None:
            painter.drawImage(event.rect(), overlay, event.rect())
            self._paint_score_tags(painter)
        if self.tool is not None:
            self.tool.paint_overlay(painter, self.view)
        if self.message:
            painter.setPen(QColor(235, 235, 235))
            painter.drawText(self.rect().adjusted(20, 20, -20, -20), Qt.AlignCenter | Qt.TextWordWrap, self.message)
        painter.end()

    def _paint_score_tags(self, painter: QPainter) -> None:
        size = (self.width(), self.height())
        paint_tags(painter, score_tags(self.document, self.labels, self.view, size, self.style, self.selected, self.visible_filter))

    def _ensure_background(self) -> QImage:
        """The image as drawn for the current view, cached until zoom, pan or size change, so
        overlay edits and tool feedback repaint with a plain blit."""
        key = (self.view, self.width(), self.height())
        if self._background is None or self._background[0] != key:
            dpr = self.devicePixelRatioF()
            img = QImage(round(self.width() * dpr), round(self.height() * dpr), QImage.Format_RGB32)
            img.setDevicePixelRatio(dpr)
            img.fill(self.palette().color(QPalette.Window))
            p = QPainter(img)
            self._paint_image(p)
            self._paint_overlay_layers(p)
            p.end()
            self._background = (key, img)
        return self._background[1]

    def _paint_overlay_layers(self, painter: QPainter) -> None:
        for layer, opacity in self.overlay_layers:
            arr = colorize(layer, self.view, (self.width(), self.height()), opacity)
            painter.drawImage(0, 0, numpy_to_qimage(arr, QImage.Format_RGBA8888_Premultiplied))

    def _paint_image(self, painter: QPainter) -> None:
        w, h = self.image_size()
        s = self.view.scale
        level = 0 if s >= 1 else min(int(math.floor(math.log2(1 / s))), len(self._levels) - 1)
        arr, qimg = self._levels[level]
        f = w / arr.shape[1]  # image pixels per level pixel
        x0, y0, x1, y1 = self.view.visible_image_box(self.width(), self.height())
        x0, y0, x1, y1 = max(x0, 0), max(y0, 0), min(x1, w), min(y1, h)
        if x1 <= x0 or y1 <= y0:
            return
        sx0, sy0 = self.view.to_screen(x0, y0)
        sx1, sy1 = self.view.to_screen(x1, y1)
        # Smoothing only when really shrinking (the pyramid keeps s*f in [0.5, 1]); near 1:1 it
        # only blurs, and above 100 % pixels must stay crisp squares.
        painter.setRenderHint(QPainter.SmoothPixmapTransform, s * f < 0.9)
        painter.drawImage(QRectF(sx0, sy0, sx1 - sx0, sy1 - sy0), qimg, QRectF(x0 / f, y0 / f, (x1 - x0) / f, (y1 - y0) / f))

    # ---- input ----------------------------------------------------------------------------
    def _pointer(self, event, button: Buttons = Buttons.NONE, double: bool = False) -> PointerEvent:
        pos = event.position()
        x, y = self.view.to_image(pos.x(), pos.y())
        return PointerEvent(x, y, button, _buttons(event.buttons()), _modifiers(event.modifiers()), double)

    def mousePressEvent(self, event) -> None:  # noqa: N802
        self.setFocus()
        if event.button() == Qt.MiddleButton or (event.button() == Qt.LeftButton and self._space_down):
            self._pan_anchor = event.position()
            self.setCursor(Qt.ClosedHandCursor)
            return
        if self.tool is not None and self.image is not None:  # nothing to edit while loading
            self.tool.press(self._pointer(event, _buttons(event.button())))

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

    def mouseReleaseEvent(self, event) -> None:  # noqa: N802
        if self._pan_anchor is not None and event.button() in (Qt.MiddleButton, Qt.LeftButton):
            self._pan_anchor = None
            self._restore_cursor()
            return
        if self.tool is not None:
            self.tool.release(self._pointer(event, _buttons(event.button())))

    def wheelEvent(self, event) -> None:  # noqa: N802
        steps = event.angleDelta().y() / 120.0
        if steps and self.tool is not None and self.tool.wheel(steps, _modifiers(event.modifiers())):
            return
        if steps:
            self.zoom_to(self.view.scale * (1.25**steps), event.position())

    def keyPressEvent(self, event) -> None:  # noqa: N802
        if event.key() == Qt.Key_Space and not event.isAutoRepeat():
            self._space_down = True
            self.setCursor(Qt.OpenHandCursor)
            return
        name = _KEY_NAMES.get(event.key())
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
        self.setCursor(_CURSORS.get(self.tool.cursor_shape if self.tool else "arrow", Qt.ArrowCursor))

    def leaveEvent(self, event) -> None:  # noqa: N802
        if self.tool is not None and hasattr(self.tool, "cursor"):
            self.tool.cursor = None  # hide the brush outline when the pointer leaves
            self.update()
        super().leaveEvent(event)

    def hit(self, x: float, y: float) -> int | None:
        if self.document is None:
            return None
        return hit_test(self.document, x, y, self.rasters, self.visible_filter)


_BUTTONS = ((Qt.LeftButton, Buttons.LEFT), (Qt.RightButton, Buttons.RIGHT), (Qt.MiddleButton, Buttons.MIDDLE))
_MODIFIERS = ((Qt.ShiftModifier, Modifiers.SHIFT), (Qt.ControlModifier, Modifiers.CTRL), (Qt.AltModifier, Modifiers.ALT))


def _flags(qt_value, table, none):
    """Translate Qt button or modifier flags into ours (tools never see Qt types)."""
    out = none
    for qt_flag, ours in table:
        if qt_value & qt_flag:
            out |= ours
    return out


def _buttons(qt_buttons) -> Buttons:
    return _flags(qt_buttons, _BUTTONS, Buttons.NONE)


def _modifiers(qt_mods) -> Modifiers:
    return _flags(qt_mods, _MODIFIERS, Modifiers.NONE)
